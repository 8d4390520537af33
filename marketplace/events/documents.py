"""An event as the search engine sees it (as ``listings.documents`` does for listings).

Published events, those whose registration is closed and finished ones are indexed; drafts and archived
events are not. Services queue the ``events.index`` effect (:func:`queue_index`); ``events.tasks`` runs it.
"""

from __future__ import annotations

from ..outbox.services import add_effect
from ..search import SearchDocument, document_id
from .models import Event, EventStatus

DOC_TYPE = "event"
SEARCHABLE = (EventStatus.PUBLISHED.value, EventStatus.REGISTRATION_CLOSED.value, EventStatus.FINISHED.value)


def event_document_id(event_id: int) -> str:
    return document_id(DOC_TYPE, event_id)


def is_searchable(event: Event | None) -> bool:
    return event is not None and event.status in SEARCHABLE


def to_document(event: Event) -> SearchDocument:
    return SearchDocument(
        id=event_document_id(event.id), type=DOC_TYPE, kind=event.type, reference=event.slug, title=event.title_vi,
        title_en=event.title_en or "", summary=", ".join(filter(None, [event.venue, event.address])),
        body=" ".join(filter(None, [event.description_vi, event.description_en,
                                    " ".join(i.title_vi for i in event.sessions)])),
        org_name="", keywords=[], st_fields=[], sectors=[], province=event.province_code, trl=None, price_type=None,
        tt_forms=[], published_at=event.published_at or event.created_at, deadline=event.starts_at.date())


def queue_index(event: Event) -> None:
    """Bring the event's search document up to date after commit (upsert, or removal when not searchable)."""
    add_effect("events.index", {"id": event.id}, key=event.id)
