"""``/api/v1/events``: list, detail, create, edit, publish; registrations, check-ins and the caller's meetings."""

from __future__ import annotations

from datetime import timedelta

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import func, select

from ..accounts.models import MembershipStatus, Organisation
from ..api.common import abort_service_error
from ..extensions import db
from ..permissions import Permission, public, requires, user_can
from ..search import SearchQuery, get_engine
from ..timeutil import utcnow
from ..urls import external_url
from .models import ACTIVE, Event, EventStatus, Registration
from .schemas import (
    CheckinInput,
    CheckinSchema,
    EventInput,
    EventPage,
    EventPatchInput,
    EventQuery,
    EventSchema,
    MeetingSchema,
    RegistrationInput,
    RegistrationPage,
    RegistrationQuery,
    RegistrationSchema,
)
from .services import (
    ServiceError,
    cancel_registration,
    change_event_status,
    check_in,
    create_event,
    register,
    registration_state,
    update_event,
    waitlist_position,
)

blp = Blueprint("events_api", __name__, url_prefix="/api/v1", description="Tech fairs and events")


def _load(key: str) -> Event:
    stmt = select(Event).where(Event.id == int(key)) if key.isdigit() else select(Event).where(Event.slug == key)
    event = db.session.scalar(stmt)
    if event is None or (not event.is_public and not user_can(current_user, Permission.EVENT_MANAGE)):
        abort(404, message="Not found.")
    return event


def _event_out(event: Event) -> Event:
    event.registration = registration_state(event)
    event.url = external_url("events.detail", slug=event.slug)
    event.ics_url = external_url("events.ics", slug=event.slug)
    return event


def _registration_out(reg: Registration, *, owner: bool) -> dict:
    return {"id": reg.id, "event_id": reg.event_id, "participant_type": reg.participant_type, "status": reg.status,
            "waitlist_position": waitlist_position(reg),
            "ticket_token": reg.ticket_token if owner and reg.status == "confirmed" else None,
            "offer_expires_at": reg.offer_expires_at, "created_at": reg.created_at, "checked_in_at": reg.checked_in_at}


def _service(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ServiceError as exc:
        db.session.rollback()
        abort_service_error(exc)


@blp.route("/events")
class Events(MethodView):
    @public
    @blp.arguments(EventQuery, location="query")
    @blp.response(200, EventPage)
    def get(self, args):
        """Published events (upcoming by default), soonest first; ``q`` searches titles, descriptions and venues
        with or without Vietnamese diacritics."""
        now = utcnow()
        stmt = select(Event)
        if not (args["include_drafts"] and user_can(current_user, Permission.EVENT_MANAGE)):
            stmt = stmt.where(Event.status != EventStatus.DRAFT.value)
        if args["when"] == "upcoming":
            stmt = stmt.where(Event.ends_at >= now).order_by(Event.starts_at)
        elif args["when"] == "past":
            stmt = stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc())
        else:
            stmt = stmt.order_by(Event.starts_at.desc())
        if args.get("type"):
            stmt = stmt.where(Event.type == args["type"])
        if args.get("q"):
            hits = get_engine().search(SearchQuery(q=args["q"], types=["event"], per_page=100)).hits
            stmt = stmt.where(Event.id.in_([int(h.id.split(":")[1]) for h in hits] or [-1]))
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        items = db.session.scalars(stmt.limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])).all()
        return {"items": [_event_out(e) for e in items], "total": total, "page": args["page"],
                "per_page": args["per_page"]}

    @requires(Permission.EVENT_MANAGE)
    @blp.arguments(EventInput)
    @blp.response(201, EventSchema)
    def post(self, body):
        """Create an event as a draft (DOST event organisers). Times without an offset are Vietnam time."""
        event = _service(create_event, by=current_user, data=body)
        db.session.commit()
        return _event_out(event)


@blp.route("/events/<key>")
class EventItem(MethodView):
    @public
    @blp.response(200, EventSchema)
    def get(self, key):
        """One event by id or slug, with places left per participant type and the agenda."""
        return _event_out(_load(key))

    @requires(Permission.EVENT_MANAGE)
    @blp.arguments(EventPatchInput(partial=True))
    @blp.response(200, EventSchema)
    def patch(self, body, key):
        """Change an event (organisers). Capacity cannot go below the places already taken."""
        event = _load(key)
        _service(update_event, event, by=current_user, data=body)
        db.session.commit()
        return _event_out(event)


@blp.route("/events/<key>/publish")
class EventPublish(MethodView):
    @requires(Permission.EVENT_MANAGE)
    @blp.response(200, EventSchema)
    def post(self, key):
        """Publish a draft (or reopen registration): the event becomes public and searchable."""
        event = _load(key)
        _service(change_event_status, event, by=current_user, action="publish")
        db.session.commit()
        return _event_out(event)


def _organisation(body) -> Organisation | None:
    org_id = body.get("organisation_id")
    if not org_id:
        return None
    org = db.session.get(Organisation, org_id)
    membership = org.membership_of(current_user) if org else None
    if membership is None or membership.status != MembershipStatus.ACTIVE.value:
        abort(422, message="You can only register on behalf of an organisation you belong to.",
              code="not_member", fields={"organisation_id": "Not one of your organisations."})
    return org


@blp.route("/events/<key>/registrations")
class EventRegistrations(MethodView):
    @requires(Permission.EVENT_REGISTER)
    @blp.arguments(RegistrationInput)
    @blp.response(201, RegistrationSchema)
    @blp.alt_response(200, schema=RegistrationSchema, description="Already registered: the existing registration.")
    def post(self, body, key):
        """Register the caller: ``confirmed`` (with ``ticket_token``), ``waitlisted`` (with
        ``waitlist_position``) or ``pending_approval``. Registering again returns the live registration (200)."""
        event = _load(key)
        participant_type = body.pop("participant_type")
        organisation = _organisation(body)
        body.pop("organisation_id", None)
        reg, created = _service(register, event, by=current_user, participant_type=participant_type,
                                organisation=organisation, data=body)
        db.session.commit()
        return _registration_out(reg, owner=True), 201 if created else 200

    @requires(Permission.EVENT_MANAGE)
    @blp.arguments(RegistrationQuery, location="query")
    @blp.response(200, RegistrationPage)
    def get(self, args, key):
        """Registrations of an event in arrival order (organisers), filtered by status and participant type."""
        event = _load(key)
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
        reg = self._mine(_load(key))
        return _registration_out(reg, owner=True)

    @requires(Permission.EVENT_REGISTER)
    @blp.response(200, RegistrationSchema)
    def delete(self, key):
        """Cancel the caller's registration: the seat is freed at once and offered to the next person waiting."""
        reg = self._mine(_load(key))
        _service(cancel_registration, reg, by=current_user)
        db.session.commit()
        return _registration_out(reg, owner=True)

    @staticmethod
    def _mine(event: Event) -> Registration:
        reg = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                           Registration.user_id == current_user.id))
        if reg is None or reg.status not in ACTIVE:
            abort(404, message="You have no live registration for this event.", code="not_registered")
        return reg


@blp.route("/events/<key>/checkins")
class Checkins(MethodView):
    @requires(Permission.EVENT_CHECKIN)
    @blp.arguments(CheckinInput)
    @blp.response(200, CheckinSchema)
    @blp.alt_response(409, schema=CheckinSchema, description="Already checked in: the earlier time and gate.")
    def post(self, body, key):
        """Check a ticket in: 200 the first time; 409 with the earlier time and gate afterwards; 404 if the token
        is not a ticket of this event; 409 ``cancelled`` for a cancelled registration."""
        event = _load(key)
        result = _service(check_in, event, token=body["token"], gate=body.get("gate"), by=current_user)
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


@blp.route("/events/<key>/meetings")
class MyMeetings(MethodView):
    @requires(Permission.EVENT_REGISTER)
    @blp.response(200, MeetingSchema(many=True))
    def get(self, key):
        """The caller's B2B agenda at this event: requests and meetings, with slot and table once scheduled."""
        from .services.meetings import agenda_for

        event = _load(key)
        reg = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                           Registration.user_id == current_user.id))
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
