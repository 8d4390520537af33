"""Seats: what a registration holds, and the one lock every change of seats takes first.

Below every service that moves seats (event capacity edits in ``events.services``, registrations in
``registration.services``, B2B meetings in ``meetings.services``), so none of them imports another for it.

Concurrency (see ``../shared/STACK.md``): every change that moves seats first takes the event's row lock with an
``UPDATE event SET arrivals = arrivals + 1`` (PostgreSQL: a row lock until commit; SQLite: the database write
lock). Under that lock the person's existing registration is looked up, the arrival number is read (so the
waitlist is in arrival order and gapless), and a seat is taken with a conditional
``UPDATE event_capacity SET taken = taken + 1 WHERE taken < capacity`` whose row count says whether it worked.
The unique (event, person) constraint backs up the lookup. One lock order (event row, then capacity rows), so
no deadlocks.

A registration's status says whether it holds a seat (``SEAT_HOLDING``). :func:`set_status` is the one way it
changes: it mails the person (an outbox effect) and, when the person leaves (not confirmed or offered any
more), cancels their open B2B meetings and frees their seats at the tables — a direct call, same domain.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from ..audit.services import record
from ..extensions import db
from ..outbox.services import add_effect
from ..signals import registration_changed
from ..timeutil import utcnow
from .meetings.models import OPEN, Meeting, MeetingSeat, MeetingStatus
from .models import Event, EventCapacity
from .registration.models import Registration, RegStatus

TOKEN_BYTES = 24  # 192 bits
#: statuses that keep a person's B2B meetings
KEEPS_MEETINGS = (RegStatus.CONFIRMED.value, RegStatus.OFFERED.value)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


# --- the event lock and capacity seats ---------------------------------------------------------------------

def lock_event(event: Event, *, arrival: bool = False) -> int | None:
    """Take the event's row lock; with ``arrival``, also return the next arrival number."""
    step = Event.arrivals + 1 if arrival else Event.arrivals  # a no-op UPDATE locks the row all the same
    db.session.execute(update(Event).where(Event.id == event.id).values(arrivals=step)
                       .execution_options(synchronize_session=False))
    if not arrival:
        return None
    return db.session.scalar(select(Event.arrivals).where(Event.id == event.id))


def take_seat(event: Event, participant_type: str) -> bool:
    """One seat of ``participant_type`` if one is free (the caller holds the event lock)."""
    result = db.session.execute(
        update(EventCapacity)
        .where(EventCapacity.event_id == event.id, EventCapacity.participant_type == participant_type,
               EventCapacity.taken < EventCapacity.capacity)
        .values(taken=EventCapacity.taken + 1).execution_options(synchronize_session=False))
    return result.rowcount == 1


def free_seat(event: Event, participant_type: str) -> None:
    db.session.execute(
        update(EventCapacity)
        .where(EventCapacity.event_id == event.id, EventCapacity.participant_type == participant_type,
               EventCapacity.taken > 0)
        .values(taken=EventCapacity.taken - 1).execution_options(synchronize_session=False))


def refresh_capacities(event: Event) -> None:
    for row in event.capacities:
        db.session.refresh(row)


def lock_event_seats(event: Event) -> None:
    """For a change of capacity: the event lock, then fresh capacity rows (their live ``taken``)."""
    lock_event(event)
    refresh_capacities(event)


def fill_free_seats(event: Event, participant_type: str, *, now: datetime | None = None) -> int:
    """Offer free seats to the waitlist, first come first served. Returns how many offers were made."""
    now = now or utcnow()
    lock_event(event)
    offered = 0
    while True:
        nxt = db.session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.participant_type == participant_type,
            Registration.status == RegStatus.WAITLISTED.value).order_by(Registration.arrival_no).limit(1))
        if nxt is None or not take_seat(event, participant_type):
            break
        nxt.offer_token = new_token()
        nxt.offer_expires_at = now + timedelta(hours=event.offer_hours)
        set_status(nxt, RegStatus.OFFERED.value, now=now)
        record("event.waitlist_offer", obj=event, registration=nxt.id, expires=nxt.offer_expires_at.isoformat())
        offered += 1
    refresh_capacities(event)
    return offered


# --- a registration's status -------------------------------------------------------------------------------

def queue_registration_mail(reg: Registration) -> None:
    """Mail the person about the registration's current status after commit (``events.registration_mail``)."""
    add_effect("events.registration_mail", {"id": reg.id, "status": reg.status}, key=(reg.id, reg.status))


def set_status(reg: Registration, status: str, *, now: datetime) -> None:
    """Move ``reg`` to ``status``: tokens and times, the ``registration_changed`` signal, the person's mail, and
    a leaver's B2B meetings cancelled."""
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
    if status not in KEEPS_MEETINGS:
        release_meetings(reg)
    registration_changed.send(reg, previous=previous)
    queue_registration_mail(reg)


# --- seats at the B2B tables -------------------------------------------------------------------------------

def clear_slot(meeting: Meeting) -> None:
    """Take the meeting off the schedule (its seats go too)."""
    db.session.execute(delete(MeetingSeat).where(MeetingSeat.meeting_id == meeting.id))
    meeting.session_id = None
    meeting.slot_start = None
    meeting.table_no = None


def release_meetings(reg: Registration) -> None:
    """Someone who is no longer a confirmed participant keeps no meetings (the other side sees them cancelled);
    a meeting with a recorded outcome stays as it was."""
    meetings = db.session.scalars(select(Meeting).where(
        or_(Meeting.requester_id == reg.id, Meeting.invitee_id == reg.id), Meeting.status.in_(OPEN),
        Meeting.outcome.is_(None))).all()
    for meeting in meetings:
        meeting.status = MeetingStatus.CANCELLED.value
        clear_slot(meeting)
        record("event.meeting_cancel", obj=meeting.event, meeting=meeting.id, reason="registration_" + reg.status)
    if meetings:
        db.session.flush()
