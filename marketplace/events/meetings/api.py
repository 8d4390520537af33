"""``/api/v1/events/<key>/meetings``: the caller's B2B agenda."""

from __future__ import annotations

from datetime import timedelta

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ...events.loaders import get_event_or_404
from ...permissions import Permission, requires
from ..registration.services import registration_of
from ..services import event_key
from .schemas import MeetingSchema
from .services.meetings import agenda_for

blp = Blueprint("event_meetings_api", __name__, url_prefix="/api/v1", description="B2B meetings at tech fairs")


@blp.route("/events/<key>/meetings")
class MyMeetings(MethodView):
    @requires(Permission.EVENT_REGISTER)
    @blp.response(200, MeetingSchema(many=True))
    def get(self, key):
        """The caller's B2B agenda at this event: requests and meetings, with slot and table once scheduled."""
        reg = registration_of(get_event_or_404(event_key(key), current_user), current_user)
        if reg is None:
            return []
        out = []
        for meeting in agenda_for(reg):
            other = meeting.other(reg.id)
            slot_end = meeting.slot_start + timedelta(minutes=meeting.session.slot_minutes) \
                if meeting.slot_start and meeting.session else None
            out.append({"id": meeting.id, "status": meeting.status,
                        "role": "requester" if meeting.requester_id == reg.id else "invitee",
                        "with_name": other.full_name,
                        "with_organisation": other.organisation.legal_name if other.organisation else None,
                        "reason": meeting.reason, "session": meeting.session.title if meeting.session else None,
                        "slot_start": meeting.slot_start, "slot_end": slot_end, "table_no": meeting.table_no,
                        "outcome": meeting.outcome, "value_vnd": meeting.value_vnd})
        return out
