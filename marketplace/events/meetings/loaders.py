"""Loaders of B2B meetings, invitees and matchmaking sessions.

One loader per aggregate, shared by the HTML views and the API: load, authorize, or 404 (what a person may
not see is a 404, never a 403).
"""

from __future__ import annotations

from werkzeug.exceptions import NotFound

from ...extensions import db
from ..models import Event
from ..registration.models import Registration
from ..services import can_manage
from .models import MatchmakingSession, Meeting
from .services.meetings import is_participant


def get_meeting_or_404(event: Event, meeting_id: int, user) -> Meeting:
    """A meeting of ``event`` for one of its two participants or an organiser; anything else is a 404."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id or not (is_participant(meeting, user) or can_manage(user)):
        raise NotFound()
    return meeting


def get_invitee_or_404(event: Event, registration_id: int) -> Registration:
    """A registration of ``event`` someone asks to meet (the request checks that they can be invited)."""
    invitee = db.session.get(Registration, registration_id)
    if invitee is None or invitee.event_id != event.id:
        raise NotFound()
    return invitee


def get_session_or_404(event: Event, session_id) -> MatchmakingSession:
    """A matchmaking session of ``event`` by id (a number or its text); anything else is a 404."""
    session = db.session.get(MatchmakingSession, int(session_id)) if str(session_id).isdigit() else None
    if session is None or session.event_id != event.id:
        raise NotFound()
    return session
