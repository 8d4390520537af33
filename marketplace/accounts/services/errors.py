from __future__ import annotations


class ServiceError(Exception):
    """A rule refused the operation. ``code`` is stable (API, tests); ``message`` is translated."""

    def __init__(self, code: str, message: str, *, field: str | None = None, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
