"""Queue jobs for the event core: the ``events.index`` effect and the event source of an index rebuild.

Services queue the effect (``documents.queue_index``) in their transaction; the worker runs it here. The parts
of a fair keep their own jobs (``registration.tasks``); :func:`connect` wires them all.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..outbox import tasks as outbox
from ..search import get_engine, register_source
from .documents import SEARCHABLE, event_document_id, is_searchable, to_document
from .models import Event
from .registration import tasks as registration_tasks


def index_event(payload: dict, _item=None) -> None:
    """The ``events.index`` effect: upsert a public event's document, remove any other (idempotent)."""
    event = db.session.get(Event, payload["id"])
    engine = get_engine()
    if is_searchable(event):
        engine.index([to_document(event)])
    else:
        engine.remove([event_document_id(payload["id"])])


def _event_documents():
    return (to_document(e) for e in db.session.scalars(select(Event).where(Event.status.in_(SEARCHABLE))))


def connect() -> None:
    """Called by ``create_app``: the index effect and rebuild source, then the registration jobs."""
    outbox.register("events.index", index_event)
    register_source("events", _event_documents)
    registration_tasks.connect()
