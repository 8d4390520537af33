"""``/api/v1/events/<key>/registrations``: register the caller, the caller's registration (see, cancel), and
the organisers' list."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import func, select

from ...accounts.models import Organisation
from ...errors import fail
from ...events.loaders import get_event_or_404
from ...extensions import db
from ...permissions import Permission, requires
from ..services import event_key
from .models import ACTIVE, Registration, RegStatus
from .schemas import RegistrationInput, RegistrationPage, RegistrationQuery, RegistrationSchema
from .services import cancel_registration, register, registration_of, waitlist_position

blp = Blueprint("event_registrations_api", __name__, url_prefix="/api/v1",
                description="Registrations for tech fairs and events")


def _registration_out(reg: Registration, *, owner: bool) -> dict:
    return {"id": reg.id, "event_id": reg.event_id, "participant_type": reg.participant_type, "status": reg.status,
            "waitlist_position": waitlist_position(reg),
            "ticket_token": reg.ticket_token if owner and reg.status == RegStatus.CONFIRMED.value else None,
            "offer_expires_at": reg.offer_expires_at, "created_at": reg.created_at,
            "checked_in_at": reg.checked_in_at}


def _organisation(org_id: int | None) -> Organisation | None:
    """The organisation the caller registers for (the service checks the membership)."""
    if not org_id:
        return None
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise fail("organisation_id", _l("You can only register on behalf of an organisation you belong to."),
                   code="not_member")
    return org


def _mine(key: str) -> Registration:
    """The caller's live registration for the event, else a 404."""
    reg = registration_of(get_event_or_404(event_key(key), current_user), current_user)
    if reg is None or reg.status not in ACTIVE:
        abort(404, message="You have no live registration for this event.", code="not_registered")
    return reg


@blp.route("/events/<key>/registrations")
class EventRegistrations(MethodView):
    @requires(Permission.EVENT_REGISTER)
    @blp.arguments(RegistrationInput)
    @blp.response(201, RegistrationSchema)
    @blp.alt_response(200, schema=RegistrationSchema, description="Already registered: the existing registration.")
    def post(self, body, key):
        """Register the caller: ``confirmed`` (with ``ticket_token``), ``waitlisted`` (with
        ``waitlist_position``) or ``pending_approval``. Registering again returns the live registration (200)."""
        event = get_event_or_404(event_key(key), current_user)
        participant_type = body.pop("participant_type")
        organisation = _organisation(body.pop("organisation_id", None))
        reg, created = register(event, by=current_user, participant_type=participant_type,
                                organisation=organisation, data=body)
        db.session.commit()
        return _registration_out(reg, owner=True), 201 if created else 200

    @requires(Permission.EVENT_MANAGE)
    @blp.arguments(RegistrationQuery, location="query")
    @blp.response(200, RegistrationPage)
    def get(self, args, key):
        """Registrations of an event in arrival order (organisers), filtered by status and participant type."""
        event = get_event_or_404(event_key(key), current_user)
        stmt = select(Registration).where(Registration.event_id == event.id).order_by(Registration.arrival_no)
        if args.get("status"):
            stmt = stmt.where(Registration.status == args["status"])
        if args.get("participant_type"):
            stmt = stmt.where(Registration.participant_type == args["participant_type"])
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = db.session.scalars(stmt.limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])).all()
        items = [_registration_out(r, owner=False) | {
            "full_name": r.full_name, "email": r.email, "phone": r.phone, "arrival_no": r.arrival_no,
            "organisation": r.organisation.legal_name if r.organisation else None,
            "checked_in_gate": r.checked_in_gate} for r in rows]
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/events/<key>/registrations/mine")
class MyRegistration(MethodView):
    @requires(Permission.EVENT_REGISTER)
    @blp.response(200, RegistrationSchema)
    def get(self, key):
        """The caller's registration for this event."""
        return _registration_out(_mine(key), owner=True)

    @requires(Permission.EVENT_REGISTER)
    @blp.response(200, RegistrationSchema)
    def delete(self, key):
        """Cancel the caller's registration: the seat is freed at once and offered to the next person waiting."""
        reg = _mine(key)
        cancel_registration(reg, by=current_user)
        db.session.commit()
        return _registration_out(reg, owner=True)
