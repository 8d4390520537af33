"""Registration: seats per participant type, first-come waitlist, offers that expire, tickets; and the
organisers' desk (who registered, filtered; counts per type and status).

Seats are counted under the event's row lock (``events.seats``, which also explains the concurrency rules).
Clock: every function takes ``now`` (tests inject it). Services flush and audit; they never commit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...accounts.models import Organisation
from ...audit.services import record
from ...errors import ServiceError, fail
from ...extensions import db
from ...text import fold, nfc
from ...timeutil import utcnow
from ..labels import PARTICIPANT_LABELS
from ..models import Event, EventStatus, ParticipantType
from ..seats import (
    fill_free_seats,
    free_seat,
    lock_event,
    new_token,
    queue_registration_mail,
    refresh_capacities,
    set_status,
    take_seat,
)
from ..services import can_manage, registration_state
from .models import ACTIVE, SEAT_HOLDING, Registration, RegStatus

# --- loaders -----------------------------------------------------------------------------------------------

def registration_of(event: Event, user) -> Registration | None:
    """``user``'s registration for ``event`` (any status), or None (also for an anonymous visitor)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                        Registration.user_id == user.id))


def offer_of(token: str, user) -> Registration | None:
    """The registration whose offered place ``token`` confirms, if it is ``user``'s."""
    reg = db.session.scalar(select(Registration).where(Registration.offer_token == token)) if token else None
    return reg if reg is not None and reg.user_id == getattr(user, "id", None) else None


# --- a participant registers -------------------------------------------------------------------------------

def _organisation_for(user, organisation: Organisation | None) -> Organisation | None:
    if organisation is None:
        return None
    if not organisation.has_active_member(user):
        raise fail("organisation_id", _l("You can only register on behalf of an organisation you belong to."),
                   code="not_member")
    return organisation


def _clean_details(data: dict) -> dict:
    out = {}
    for field, max_len in (("phone", 32), ("position", 120), ("needs", 300), ("interests", 500)):
        value = data.get(field)
        value = nfc(value).strip() if isinstance(value, str) else None
        if value and len(value) > max_len:
            raise fail(field, _l("At most %(n)d characters.", n=max_len))
        out[field] = value or None
    for field in ("consent_share_contact", "consent_photos", "in_directory"):
        out[field] = bool(data.get(field))
    return out


def _place(event: Event, reg: Registration, *, now: datetime) -> None:
    """Give ``reg`` a seat if there is one, else a waitlist place, else refuse (caller holds the lock)."""
    if take_seat(event, reg.participant_type):
        set_status(reg, RegStatus.CONFIRMED.value, now=now)
    elif event.waitlist_enabled:
        set_status(reg, RegStatus.WAITLISTED.value, now=now)
    else:
        raise ServiceError("full", str(_l("There are no places left for “%(type)s”.",
                                          type=PARTICIPANT_LABELS.get(reg.participant_type, reg.participant_type))),
                           status=409)


def register(event: Event, *, by, participant_type: str, organisation: Organisation | None = None,
             data: dict | None = None, now: datetime | None = None) -> tuple[Registration, bool]:
    """Register ``by`` for ``event``. Returns ``(registration, created)``; registering again while a live
    registration exists returns that one unchanged (double clicks, retries)."""
    now = now or utcnow()
    data = data or {}
    state = registration_state(event, now)
    if state != "open":
        message = {"not_yet": _l("Registration has not opened yet."),
                   "closed": _l("Registration for this event is closed.")}.get(state,
                                                                                _l("This event is not open for registration."))
        raise ServiceError(f"registration_{state}", str(message), status=409)
    if participant_type not in ParticipantType.__members__.values() or event.capacity_for(participant_type) is None:
        raise ServiceError("invalid_type", str(_l("This event does not take registrations of that type.")),
                           field="participant_type", status=422)
    if not data.get("consent_processing"):
        raise ServiceError("consent_required", str(_l("Agree to the processing of your data for this event to register.")),
                           field="consent_processing", status=422)
    organisation = _organisation_for(by, organisation)
    details = _clean_details(data)

    lock_event(event)
    reg = registration_of(event, by)
    if reg is not None and reg.status in ACTIVE:
        return reg, False
    arrival = lock_event(event, arrival=True)
    previous = reg.status if reg is not None else None
    if reg is None:
        # a placeholder status until placed below (the seat query autoflushes the new row)
        reg = Registration(event_id=event.id, user_id=by.id, status=RegStatus.PENDING_APPROVAL.value)
        db.session.add(reg)
    reg._previous_status = previous
    reg.participant_type = participant_type
    reg.organisation_id = organisation.id if organisation else None
    reg.arrival_no = arrival
    reg.full_name, reg.email = by.full_name, by.email
    reg.consent_processing = True
    reg.created_at, reg.confirmed_at, reg.cancelled_at = now, None, None
    reg.checked_in_at = reg.checked_in_gate = reg.checked_in_by_id = None
    reg.ticket_token = None  # a ticket of an earlier, cancelled registration stays invalid
    for key, value in details.items():
        setattr(reg, key, value)
    reg.phone = reg.phone or by.phone
    if event.approval_required:
        set_status(reg, RegStatus.PENDING_APPROVAL.value, now=now)
    else:
        _place(event, reg, now=now)
    refresh_capacities(event)
    record("event.register", actor=by, obj=event, registration=reg.id, status=reg.status, type=participant_type)
    return reg, True


def waitlist_position(reg: Registration) -> int | None:
    """1 for the first person waiting for this event and participant type; ``None`` if not waitlisted."""
    if reg.status != RegStatus.WAITLISTED.value:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == reg.event_id, Registration.participant_type == reg.participant_type,
        Registration.status == RegStatus.WAITLISTED.value, Registration.arrival_no < reg.arrival_no))
    return ahead + 1


# --- changes of a registration ----------------------------------------------------------------------------

def cancel_registration(reg: Registration, *, by, now: datetime | None = None) -> Registration:
    """The person (or an organiser) cancels: the seat is freed at once and offered to the next in line."""
    now = now or utcnow()
    if by.id != reg.user_id and not can_manage(by):
        raise ServiceError("forbidden", str(_l("You cannot cancel this registration.")), status=403)
    if reg.event.ends_at <= now or reg.event.status in (EventStatus.FINISHED.value, EventStatus.ARCHIVED.value):
        raise ServiceError("event_over", str(_l("The event is over: its registrations can no longer change.")),
                           status=409)
    lock_event(reg.event)
    db.session.refresh(reg)
    if reg.status not in ACTIVE:
        raise ServiceError("not_active", str(_l("This registration is no longer active.")), status=409)
    held_seat = reg.status in SEAT_HOLDING
    set_status(reg, RegStatus.CANCELLED.value, now=now)
    record("event.cancel_registration", actor=by, obj=reg.event, registration=reg.id)
    if held_seat:
        free_seat(reg.event, reg.participant_type)
        fill_free_seats(reg.event, reg.participant_type, now=now)
    refresh_capacities(reg.event)
    return reg


def confirm_offer(token: str, *, by, now: datetime | None = None) -> Registration:
    """The promoted person confirms the offered place before it expires."""
    now = now or utcnow()
    reg = offer_of(token, by)
    if reg is None:
        raise ServiceError("unknown_offer", str(_l("This confirmation link is not valid (any more).")), status=404)
    lock_event(reg.event)
    db.session.refresh(reg)
    if reg.status != RegStatus.OFFERED.value:
        raise ServiceError("unknown_offer", str(_l("This confirmation link is not valid (any more).")), status=404)
    if reg.offer_expires_at and now >= reg.offer_expires_at:
        raise ServiceError("offer_expired", str(_l("The time to confirm this place has run out.")), status=409)
    set_status(reg, RegStatus.CONFIRMED.value, now=now)
    record("event.confirm_offer", actor=by, obj=reg.event, registration=reg.id)
    return reg


def expire_offers(*, now: datetime | None = None) -> int:
    """Pass on offered places whose time ran out (the queue runs this every minute). Returns how many."""
    now = now or utcnow()
    expired = 0
    due = db.session.scalars(select(Registration.id).where(Registration.status == RegStatus.OFFERED.value,
                                                           Registration.offer_expires_at <= now)).all()
    for reg_id in due:
        reg = db.session.get(Registration, reg_id)
        lock_event(reg.event)
        db.session.refresh(reg)
        if reg.status != RegStatus.OFFERED.value or reg.offer_expires_at > now:
            continue
        set_status(reg, RegStatus.EXPIRED.value, now=now)
        record("event.offer_expired", obj=reg.event, registration=reg.id)
        free_seat(reg.event, reg.participant_type)
        fill_free_seats(reg.event, reg.participant_type, now=now)
        expired += 1
    return expired


def decide_registration(reg: Registration, *, by, approve: bool, now: datetime | None = None) -> Registration:
    """Organisers approve (seat or waitlist) or reject a registration waiting for approval."""
    now = now or utcnow()
    if not can_manage(by):
        raise ServiceError("forbidden", str(_l("Only DOST event organisers can do this.")), status=403)
    lock_event(reg.event)
    db.session.refresh(reg)
    if reg.status != RegStatus.PENDING_APPROVAL.value:
        raise ServiceError("not_pending", str(_l("This registration is not waiting for approval.")), status=409)
    reg.decided_by_id = by.id
    if approve:
        _place(reg.event, reg, now=now)
    else:
        set_status(reg, RegStatus.REJECTED.value, now=now)
    refresh_capacities(reg.event)
    record("event.approve_registration" if approve else "event.reject_registration", actor=by, obj=reg.event,
           registration=reg.id, status=reg.status)
    return reg


def change_participant_type(reg: Registration, *, by, participant_type: str,
                            now: datetime | None = None) -> Registration:
    """Organisers move a person to another participant type; a seat there is needed for a confirmed person."""
    now = now or utcnow()
    if not can_manage(by):
        raise ServiceError("forbidden", str(_l("Only DOST event organisers can do this.")), status=403)
    event = reg.event
    if event.capacity_for(participant_type) is None:
        raise ServiceError("invalid_type", str(_l("This event does not take registrations of that type.")),
                           field="participant_type", status=422)
    lock_event(event)
    db.session.refresh(reg)
    if reg.status not in ACTIVE or reg.participant_type == participant_type:
        raise ServiceError("not_active", str(_l("Nothing to change for this registration.")), status=409)
    old_type = reg.participant_type
    if reg.status in SEAT_HOLDING:
        if not take_seat(event, participant_type):
            raise ServiceError("full", str(_l("There are no places left for “%(type)s”.",
                                              type=PARTICIPANT_LABELS.get(participant_type, participant_type))),
                               status=409)
        free_seat(event, old_type)
    reg.participant_type = participant_type
    db.session.flush()
    record("event.change_type", actor=by, obj=event, registration=reg.id, old=old_type, new=participant_type)
    fill_free_seats(event, old_type, now=now)
    fill_free_seats(event, participant_type, now=now)  # a waiting person may find a free seat in the new type
    return reg


def reissue_ticket(reg: Registration, *, by, now: datetime | None = None) -> Registration:
    """Revoke the ticket's token and issue a new one (a lost or shared ticket)."""
    if by.id != reg.user_id and not can_manage(by):
        raise ServiceError("forbidden", str(_l("You cannot change this ticket.")), status=403)
    if reg.event.ends_at <= (now or utcnow()):
        raise ServiceError("event_over", str(_l("The event is over: its registrations can no longer change.")),
                           status=409)
    if reg.status != RegStatus.CONFIRMED.value:
        raise ServiceError("no_ticket", str(_l("Only a confirmed registration has a ticket.")), status=409)
    reg.ticket_token = new_token()
    db.session.flush()
    record("event.reissue_ticket", actor=by, obj=reg.event, registration=reg.id)
    queue_registration_mail(reg)
    return reg


# --- the organisers' desk ----------------------------------------------------------------------------------
# The text filter ignores Vietnamese diacritics ("nguyen van an" finds "Nguyễn Văn An"), which SQL cannot do
# portably, so the matching ids are found in Python over a light query of the event's registrations; a page
# of full rows is then loaded by id.

def matching_ids(event: Event, filters: dict) -> list[int]:
    """Ids of the event's registrations that pass ``filters`` (``status``, ``type``, ``q``), in arrival order."""
    stmt = (select(Registration.id, Registration.full_name, Registration.email, Registration.phone,
                   Registration.position, Organisation.legal_name, Organisation.short_name)
            .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
            .where(Registration.event_id == event.id).order_by(Registration.arrival_no))
    if filters.get("status"):
        stmt = stmt.where(Registration.status == filters["status"])
    if filters.get("type"):
        stmt = stmt.where(Registration.participant_type == filters["type"])
    rows = db.session.execute(stmt).all()
    needle = fold(filters.get("q") or "")
    if not needle:
        return [row[0] for row in rows]
    return [row[0] for row in rows if needle in fold(" ".join(filter(None, row[1:])))]


def load_registrations(ids: list[int]) -> list[Registration]:
    """Registrations by id, in the order of ``ids``, with their organisation loaded."""
    if not ids:
        return []
    found = {r.id: r for r in db.session.scalars(select(Registration).options(selectinload(Registration.organisation))
                                                 .where(Registration.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def waitlist_positions(event: Event) -> dict[int, int]:
    """Registration id → position on its participant type's waitlist (1 = next in line)."""
    rows = db.session.execute(select(Registration.id, Registration.participant_type).where(
        Registration.event_id == event.id, Registration.status == RegStatus.WAITLISTED.value)
        .order_by(Registration.arrival_no)).all()
    seen: dict[str, int] = defaultdict(int)
    positions = {}
    for reg_id, ptype in rows:
        seen[ptype] += 1
        positions[reg_id] = seen[ptype]
    return positions


def registration_counts(event: Event) -> list[dict]:
    """Per participant type: capacity, seats taken, and people per status; checked in counts confirmed people."""
    rows = db.session.execute(
        select(Registration.participant_type, Registration.status, func.count(),
               func.count(Registration.checked_in_at))
        .where(Registration.event_id == event.id)
        .group_by(Registration.participant_type, Registration.status)).all()
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for ptype, status, count, checked in rows:
        by_type[ptype][status] += count
        if status == RegStatus.CONFIRMED.value:
            by_type[ptype]["checked_in"] += checked
    return [{"type": c.participant_type, "capacity": c.capacity, "taken": c.taken,
             "confirmed": by_type[c.participant_type][RegStatus.CONFIRMED.value],
             "offered": by_type[c.participant_type][RegStatus.OFFERED.value],
             "waitlisted": by_type[c.participant_type][RegStatus.WAITLISTED.value],
             "pending": by_type[c.participant_type][RegStatus.PENDING_APPROVAL.value],
             "checked_in": by_type[c.participant_type]["checked_in"]} for c in event.capacities]


def badge_ids(event: Event, *, participant_type: str = "", only_new: bool = False) -> list[int]:
    """Confirmed people, sorted the Vietnamese way: by given name (the last word), then the full name."""
    stmt = select(Registration.id, Registration.full_name).where(
        Registration.event_id == event.id, Registration.status == RegStatus.CONFIRMED.value)
    if participant_type:
        stmt = stmt.where(Registration.participant_type == participant_type)
    if only_new:
        stmt = stmt.where(Registration.badge_printed_at.is_(None))
    rows = db.session.execute(stmt).all()

    def key(row):
        name = fold(row.full_name or "")
        return (name.split()[-1] if name.split() else "", name, row.id)

    return [row.id for row in sorted(rows, key=key)]


def mark_badges_printed(event: Event, registration_ids, *, by, now: datetime | None = None) -> int:
    """Organisers note that the badges of these confirmed registrations are printed. Returns how many."""
    if not can_manage(by):
        raise ServiceError("forbidden", str(_l("Only DOST event organisers can do this.")), status=403)
    ids = sorted(set(registration_ids))
    if not ids:
        raise ServiceError("nothing_selected", str(_l("There are no badges to mark.")), status=422)
    now = now or utcnow()
    regs = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.id.in_(ids),
        Registration.status == RegStatus.CONFIRMED.value)).all()
    for reg in regs:
        reg.badge_printed_at = now
    db.session.flush()
    record("event.badges_printed", actor=by, obj=event, count=len(regs))
    return len(regs)
