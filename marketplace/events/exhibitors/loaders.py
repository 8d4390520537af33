"""Loaders of exhibitor applications.

One loader per aggregate, shared by the HTML views and the API: load, authorize, or 404 (what a person may
not see is a 404, never a 403).
"""

from __future__ import annotations

from werkzeug.exceptions import NotFound

from ...extensions import db
from ..models import Event
from .models import Exhibitor


def get_exhibitor_or_404(event: Event, exhibitor_id: int, user=None, *, member: bool = False) -> Exhibitor:
    """An application to exhibit at ``event``; with ``member``, only for active members of the applying
    organisation. Anything else is a 404."""
    exhibitor = db.session.get(Exhibitor, exhibitor_id)
    if exhibitor is None or exhibitor.event_id != event.id:
        raise NotFound()
    if member and not exhibitor.organisation.has_active_member(user):
        raise NotFound()
    return exhibitor
