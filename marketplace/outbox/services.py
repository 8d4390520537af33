"""Write an effect into the outbox: the one way a service asks for something to happen after its commit.

    add_effect("mail.send", {"to": …, "template": …})

The row joins the caller's transaction, so the effect exists exactly when the change does (a rollback
drops both). Services never import task modules: the worker (``outbox.tasks``) finds the row and runs the
handler registered for its ``kind``. Handlers must be idempotent — an effect may run again after a crash.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..timeutil import utcnow
from .models import OutboxItem

_KEYS = "marketplace_outbox_keys"
NEW_ITEMS = "marketplace_outbox_new"


def add_effect(kind: str, payload: dict, *, key=None, lane: str | None = None, delay: timedelta | None = None,
               max_attempts: int = 8) -> OutboxItem | None:
    """Queue ``kind`` with a JSON-serialisable ``payload`` in the current transaction.

    With ``key``, a second effect of the same kind and key in the same transaction is dropped (re-indexing a
    listing changed three times before the commit); ``None`` is returned for the dropped one.
    """
    session = db.session()
    if key is not None:
        keys = session.info.setdefault(_KEYS, set())
        if (kind, key) in keys:
            return None
        keys.add((kind, key))
    item = OutboxItem(kind=kind, payload=payload, lane=lane, max_attempts=max_attempts,
                      available_at=utcnow() + (delay or timedelta(0)))
    session.add(item)
    session.info[NEW_ITEMS] = True
    return item


@event.listens_for(Session, "after_commit")
def _forget_keys(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_KEYS, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.nested:  # a SAVEPOINT rolled back: the outer transaction keeps its effects
        return
    session.info.pop(_KEYS, None)
    session.info.pop(NEW_ITEMS, None)
