"""Loaders of the event core: an event (by slug or id) and its agenda items.

One loader per aggregate, shared by the HTML views and the API: load, authorize, or 404 (what a person may
not see is a 404, never a 403).
"""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from ..extensions import db
from .models import AgendaItem, Event
from .services import can_see


def get_event_or_404(key: str | int, user) -> Event:
    """The event by slug (text) or id (a number), as ``user`` may see it; 404 when it does not exist or is a
    draft and ``user`` is not an organiser. The one loader of the HTML views and the API."""
    column = Event.id if isinstance(key, int) else Event.slug
    event = db.session.scalar(select(Event).where(column == key))
    if event is None or not can_see(event, user):
        raise NotFound()
    return event


def get_agenda_item_or_404(event: Event, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.event_id != event.id:
        raise NotFound()
    return item
