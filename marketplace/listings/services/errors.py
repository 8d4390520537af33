from ...accounts.services.errors import ServiceError

__all__ = ["ServiceError"]
