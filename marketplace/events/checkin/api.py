"""``/api/v1/events/<key>/checkins``: scanners at the gates check tickets in."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort

from ...events.loaders import get_event_or_404
from ...extensions import db
from ...permissions import Permission, requires
from ..services import event_key
from .schemas import CheckinInput, CheckinSchema
from .services import check_in

blp = Blueprint("event_checkins_api", __name__, url_prefix="/api/v1", description="Check-in at the gates")


@blp.route("/events/<key>/checkins")
class Checkins(MethodView):
    @requires(Permission.EVENT_CHECKIN)
    @blp.arguments(CheckinInput)
    @blp.response(200, CheckinSchema)
    @blp.alt_response(409, schema=CheckinSchema, description="Already checked in: the earlier time and gate.")
    def post(self, body, key):
        """Check a ticket in: 200 the first time; 409 with the earlier time and gate afterwards; 404 if the token
        is not a ticket of this event; 409 ``cancelled`` for a cancelled registration."""
        event = get_event_or_404(event_key(key), current_user)
        result = check_in(event, token=body["token"], gate=body.get("gate"), by=current_user)
        if result.outcome == "unknown":
            abort(404, message="Not registered for this event.", code="not_registered")
        if result.outcome in ("cancelled", "not_confirmed"):
            abort(409, message="This registration is cancelled or not confirmed.", code=result.outcome)
        db.session.commit()
        reg = result.registration
        out = {"outcome": result.outcome, "registration_id": reg.id, "full_name": reg.full_name,
               "participant_type": reg.participant_type,
               "organisation": reg.organisation.legal_name if reg.organisation else None,
               "checked_in_at": result.at, "gate": result.gate}
        return out, 200 if result.ok else 409
