"""Writing audit entries. Services call :func:`record`; it flushes nothing and commits nothing."""

from __future__ import annotations

from flask import has_request_context, request

from ..extensions import db
from .models import AuditEntry


def record(action: str, *, actor=None, obj=None, object_type: str | None = None, **details) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj.__tablename__
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", None) if actor is not None and getattr(actor, "is_authenticated", True) else None,
        object_type=object_type,
        object_id=getattr(obj, "id", None),
        ip=request.remote_addr if has_request_context() else None,
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(entry)
    return entry
