"""Loaders of registrations.

One loader per aggregate, shared by the HTML views and the API: load, authorize, or 404 (what a person may
not see is a 404, never a 403).
"""

from __future__ import annotations

from werkzeug.exceptions import NotFound

from ...extensions import db
from ..models import Event
from ..services import can_manage
from .models import Registration


def get_registration_or_404(reg_id: int, user, *, event: Event | None = None) -> Registration:
    """A registration as ``user`` may handle it: their own; with ``event``, any registration of that event for
    its organisers. Anything else, or a registration of another event, is a 404."""
    reg = db.session.get(Registration, reg_id)
    if reg is None or (event is not None and reg.event_id != event.id):
        raise NotFound()
    if reg.user_id != getattr(user, "id", None) and not (event is not None and can_manage(user)):
        raise NotFound()
    return reg
