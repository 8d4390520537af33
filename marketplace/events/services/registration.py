"""Registration: seats per participant type, first-come waitlist, offers that expire, tickets.

Concurrency (see ``../shared/STACK.md``): every change that moves seats first takes the event's row lock with an
``UPDATE event SET arrivals = arrivals + 1`` (PostgreSQL: a row lock until commit; SQLite: the database write
lock). Under that lock the person's existing registration is looked up, the arrival number is read (so the
waitlist is in arrival order and gapless), and a seat is taken with a conditional
``UPDATE event_capacity SET taken = taken + 1 WHERE taken < capacity`` whose row count says whether it worked.
The unique (event, person) constraint backs up the lookup. Clock: every function takes ``now`` (tests inject it).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ...accounts.models import MembershipStatus, Organisation
from ...audit.services import record
from ...errors import ServiceError
from ...extensions import db
from ...outbox.services import add_effect
from ...permissions import Permission, user_can
from ...signals import registration_changed
from ...text import nfc
from ...timeutil import utcnow
from ..labels import PARTICIPANT_LABELS
from ..models import (
    ACTIVE,
    SEAT_HOLDING,
    Event,
    EventCapacity,
    EventStatus,
    ParticipantType,
    Registration,
    RegStatus,
)
from .events import registration_state

TOKEN_BYTES = 24  # 192 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _lock_event(event: Event, *, arrival: bool = False) -> int | None:
    """Take the event's row lock (see module docstring); with ``arrival``, also return the next arrival number.

    Every change of seats takes this lock first and the capacity rows after it: one lock order, no deadlocks.
    """
    step = Event.arrivals + 1 if arrival else Event.arrivals  # a no-op UPDATE locks the row all the same
    db.session.execute(update(Event).where(Event.id == event.id).values(arrivals=step)
                       .execution_options(synchronize_session=False))
    if not arrival:
        return None
    return db.session.scalar(select(Event.arrivals).where(Event.id == event.id))


def _take_seat(event: Event, participant_type: str) -> bool:
    result = db.session.execute(
        update(EventCapacity)
        .where(EventCapacity.event_id == event.id, EventCapacity.participant_type == participant_type,
               EventCapacity.taken < EventCapacity.capacity)
        .values(taken=EventCapacity.taken + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def _free_seat(event: Event, participant_type: str) -> None:
    db.session.execute(
        update(EventCapacity)
        .where(EventCapacity.event_id == event.id, EventCapacity.participant_type == participant_type,
               EventCapacity.taken > 0)
        .values(taken=EventCapacity.taken - 1).execution_options(synchronize_session=False))


def _refresh_capacities(event: Event) -> None:
    for row in event.capacities:
        db.session.refresh(row)


def _set_status(reg: Registration, status: str, *, now: datetime) -> None:
    # a registration (re)created by ``register`` carries its status from before, once
    previous = vars(reg).pop("_previous_status", reg.status)
    reg.status = status
    if status == RegStatus.CONFIRMED.value:
        reg.confirmed_at = now
        reg.ticket_token = reg.ticket_token or new_token()
        reg.offer_token = None
        reg.offer_expires_at = None
    if status in (RegStatus.CANCELLED.value, RegStatus.EXPIRED.value, RegStatus.REJECTED.value):
        reg.offer_token = None
        reg.cancelled_at = now if status == RegStatus.CANCELLED.value else reg.cancelled_at
    db.session.flush()
    registration_changed.send(reg, previous=previous)
    _mail(reg)


def _mail(reg: Registration) -> None:
    add_effect("events.registration_mail", {"id": reg.id, "status": reg.status}, key=(reg.id, reg.status))


def _organisation_for(user, organisation: Organisation | None) -> Organisation | None:
    if organisation is None:
        return None
    membership = organisation.membership_of(user)
    if membership is None or membership.status != MembershipStatus.ACTIVE.value:
        raise ServiceError("not_member", str(_l("You can only register on behalf of an organisation you belong to.")),
                           field="organisation_id", status=422)
    return organisation


def _clean_details(data: dict) -> dict:
    out = {}
    for field, max_len in (("phone", 32), ("position", 120), ("needs", 300), ("interests", 500)):
        value = data.get(field)
        value = nfc(value).strip() if isinstance(value, str) else None
        if value and len(value) > max_len:
            raise ServiceError("invalid", str(_l("At most %(n)d characters.", n=max_len)), field=field, status=422)
        out[field] = value or None
    for field in ("consent_share_contact", "consent_photos", "in_directory"):
        out[field] = bool(data.get(field))
    return out


def _place(event: Event, reg: Registration, *, now: datetime) -> None:
    """Give ``reg`` a seat if there is one, else a waitlist place, else refuse (caller holds the lock)."""
    if _take_seat(event, reg.participant_type):
        _set_status(reg, RegStatus.CONFIRMED.value, now=now)
    elif event.waitlist_enabled:
        _set_status(reg, RegStatus.WAITLISTED.value, now=now)
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

    _lock_event(event)
    reg = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                       Registration.user_id == by.id))
    if reg is not None and reg.status in ACTIVE:
        return reg, False
    arrival = _lock_event(event, arrival=True)
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
        _set_status(reg, RegStatus.PENDING_APPROVAL.value, now=now)
    else:
        _place(event, reg, now=now)
    _refresh_capacities(event)
    record("event.register", actor=by, obj=event, registration=reg.id, status=reg.status, type=participant_type)
    return reg, True


def lock_event_seats(event: Event) -> None:
    """For other services that change seats (capacity edits): the event lock, then fresh capacity rows."""
    _lock_event(event)
    _refresh_capacities(event)


def waitlist_position(reg: Registration) -> int | None:
    """1 for the first person waiting for this event and participant type; ``None`` if not waitlisted."""
    if reg.status != RegStatus.WAITLISTED.value:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == reg.event_id, Registration.participant_type == reg.participant_type,
        Registration.status == RegStatus.WAITLISTED.value, Registration.arrival_no < reg.arrival_no))
    return ahead + 1


def fill_free_seats(event: Event, participant_type: str, *, now: datetime | None = None) -> int:
    """Offer free seats to the waitlist, first come first served. Returns how many offers were made."""
    now = now or utcnow()
    _lock_event(event)
    offered = 0
    while True:
        nxt = db.session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.participant_type == participant_type,
            Registration.status == RegStatus.WAITLISTED.value).order_by(Registration.arrival_no).limit(1))
        if nxt is None or not _take_seat(event, participant_type):
            break
        nxt.offer_token = new_token()
        nxt.offer_expires_at = now + timedelta(hours=event.offer_hours)
        _set_status(nxt, RegStatus.OFFERED.value, now=now)
        record("event.waitlist_offer", obj=event, registration=nxt.id, expires=nxt.offer_expires_at.isoformat())
        offered += 1
    _refresh_capacities(event)
    return offered


def _can_manage(user) -> bool:
    return user_can(user, Permission.EVENT_MANAGE)


def cancel_registration(reg: Registration, *, by, now: datetime | None = None) -> Registration:
    """The person (or an organiser) cancels: the seat is freed at once and offered to the next in line."""
    now = now or utcnow()
    if by.id != reg.user_id and not _can_manage(by):
        raise ServiceError("forbidden", str(_l("You cannot cancel this registration.")), status=403)
    if reg.event.ends_at <= now or reg.event.status in (EventStatus.FINISHED.value, EventStatus.ARCHIVED.value):
        raise ServiceError("event_over", str(_l("The event is over: its registrations can no longer change.")),
                           status=409)
    _lock_event(reg.event)
    db.session.refresh(reg)
    if reg.status not in ACTIVE:
        raise ServiceError("not_active", str(_l("This registration is no longer active.")), status=409)
    held_seat = reg.status in SEAT_HOLDING
    _set_status(reg, RegStatus.CANCELLED.value, now=now)
    record("event.cancel_registration", actor=by, obj=reg.event, registration=reg.id)
    if held_seat:
        _free_seat(reg.event, reg.participant_type)
        fill_free_seats(reg.event, reg.participant_type, now=now)
    _refresh_capacities(reg.event)
    return reg


def confirm_offer(token: str, *, by, now: datetime | None = None) -> Registration:
    """The promoted person confirms the offered place before it expires."""
    now = now or utcnow()
    reg = db.session.scalar(select(Registration).where(Registration.offer_token == token)) if token else None
    if reg is None or reg.user_id != by.id:
        raise ServiceError("unknown_offer", str(_l("This confirmation link is not valid (any more).")), status=404)
    _lock_event(reg.event)
    db.session.refresh(reg)
    if reg.status != RegStatus.OFFERED.value:
        raise ServiceError("unknown_offer", str(_l("This confirmation link is not valid (any more).")), status=404)
    if reg.offer_expires_at and now >= reg.offer_expires_at:
        raise ServiceError("offer_expired", str(_l("The time to confirm this place has run out.")), status=409)
    _set_status(reg, RegStatus.CONFIRMED.value, now=now)
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
        _lock_event(reg.event)
        db.session.refresh(reg)
        if reg.status != RegStatus.OFFERED.value or reg.offer_expires_at > now:
            continue
        _set_status(reg, RegStatus.EXPIRED.value, now=now)
        record("event.offer_expired", obj=reg.event, registration=reg.id)
        _free_seat(reg.event, reg.participant_type)
        fill_free_seats(reg.event, reg.participant_type, now=now)
        expired += 1
    return expired


def decide_registration(reg: Registration, *, by, approve: bool, now: datetime | None = None) -> Registration:
    """Organisers approve (seat or waitlist) or reject a registration waiting for approval."""
    now = now or utcnow()
    if not _can_manage(by):
        raise ServiceError("forbidden", str(_l("Only DOST event organisers can do this.")), status=403)
    _lock_event(reg.event)
    db.session.refresh(reg)
    if reg.status != RegStatus.PENDING_APPROVAL.value:
        raise ServiceError("not_pending", str(_l("This registration is not waiting for approval.")), status=409)
    reg.decided_by_id = by.id
    if approve:
        _place(reg.event, reg, now=now)
    else:
        _set_status(reg, RegStatus.REJECTED.value, now=now)
    _refresh_capacities(reg.event)
    record("event.approve_registration" if approve else "event.reject_registration", actor=by, obj=reg.event,
           registration=reg.id, status=reg.status)
    return reg


def change_participant_type(reg: Registration, *, by, participant_type: str,
                            now: datetime | None = None) -> Registration:
    """Organisers move a person to another participant type; a seat there is needed for a confirmed person."""
    now = now or utcnow()
    if not _can_manage(by):
        raise ServiceError("forbidden", str(_l("Only DOST event organisers can do this.")), status=403)
    event = reg.event
    if event.capacity_for(participant_type) is None:
        raise ServiceError("invalid_type", str(_l("This event does not take registrations of that type.")),
                           field="participant_type", status=422)
    _lock_event(event)
    db.session.refresh(reg)
    if reg.status not in ACTIVE or reg.participant_type == participant_type:
        raise ServiceError("not_active", str(_l("Nothing to change for this registration.")), status=409)
    old_type = reg.participant_type
    if reg.status in SEAT_HOLDING:
        if not _take_seat(event, participant_type):
            raise ServiceError("full", str(_l("There are no places left for “%(type)s”.",
                                              type=PARTICIPANT_LABELS.get(participant_type, participant_type))),
                               status=409)
        _free_seat(event, old_type)
    reg.participant_type = participant_type
    db.session.flush()
    record("event.change_type", actor=by, obj=event, registration=reg.id, old=old_type, new=participant_type)
    fill_free_seats(event, old_type, now=now)
    fill_free_seats(event, participant_type, now=now)  # a waiting person may find a free seat in the new type
    return reg


def reissue_ticket(reg: Registration, *, by, now: datetime | None = None) -> Registration:
    """Revoke the ticket's token and issue a new one (a lost or shared ticket)."""
    if by.id != reg.user_id and not _can_manage(by):
        raise ServiceError("forbidden", str(_l("You cannot change this ticket.")), status=403)
    if reg.event.ends_at <= (now or utcnow()):
        raise ServiceError("event_over", str(_l("The event is over: its registrations can no longer change.")),
                           status=409)
    if reg.status != RegStatus.CONFIRMED.value:
        raise ServiceError("no_ticket", str(_l("Only a confirmed registration has a ticket.")), status=409)
    reg.ticket_token = new_token()
    db.session.flush()
    record("event.reissue_ticket", actor=by, obj=reg.event, registration=reg.id)
    _mail(reg)
    return reg
