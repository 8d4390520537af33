"""B2B scheduling: matchmaking sessions, participants' availability, manual assignment and the scheduler run.

The schema backs the rules: one meeting per (session, slot, table) and one seat per (person, slot start). The
checks here go further (a person's meetings in overlapping sessions never overlap in time) and give a clear
message; the constraints catch what a concurrent change slips past (a savepoint turns that into a 409).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ....audit.services import record
from ....errors import fail
from ....extensions import db
from ....formatting import format_moment
from ....text import nfc
from ...models import Event
from ...registration.models import Registration
from ...seats import clear_slot
from ...services import can_manage, parse_moment
from ..models import MatchmakingSession, Meeting, MeetingSeat, MeetingStatus
from ..scheduler import MeetingRequest, Placement, SessionSpec, check_schedule, schedule
from .meetings import require_manager

SLOT_MINUTES = (5, 120)
TABLES = (1, 500)
MAX_SLOTS = 200  # per session, so the availability form stays usable


def spec(session: MatchmakingSession) -> SessionSpec:
    return SessionSpec(session.id, session.starts_at, session.ends_at, session.slot_minutes, session.tables)


def session_slots(session: MatchmakingSession) -> list[datetime]:
    return spec(session).slots()


def event_slots(event: Event) -> set[datetime]:
    return {start for session in event.matchmaking for start in session_slots(session)}


def _int(data: dict, field: str, low: int, high: int, message) -> int:
    value = data.get(field)
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise fail(field, message)
    return number


def define_session(event: Event, *, by, data: dict) -> MatchmakingSession:
    """Organisers add a matchmaking session: a time window within the event, slot length and tables."""
    require_manager(by)
    title = nfc(data.get("title") or "").strip() if isinstance(data.get("title") or "", str) else ""
    if not title:
        raise fail("title", _l("This field is required."))
    if len(title) > 200:
        raise fail("title", _l("At most %(n)d characters.", n=200))
    starts, ends = parse_moment("starts_at", data.get("starts_at")), parse_moment("ends_at", data.get("ends_at"))
    if starts is None or ends is None:
        raise fail("starts_at" if starts is None else "ends_at", _l("This field is required."))
    slot = _int(data, "slot_minutes", *SLOT_MINUTES, _l("A slot lasts from 5 to 120 minutes."))
    tables = _int(data, "tables", *TABLES, _l("Give from 1 to 500 tables."))
    if ends <= starts:
        raise fail("ends_at", _l("The session must end after it starts."))
    if starts < event.starts_at or ends > event.ends_at:
        raise fail("starts_at", _l("The session must fall within the event's start and end."))
    session = MatchmakingSession(event_id=event.id, title=title, starts_at=starts, ends_at=ends, slot_minutes=slot,
                                 tables=tables)
    count = len(session_slots(session))
    if count == 0:
        raise fail("slot_minutes", _l("The session is shorter than one slot."))
    if count > MAX_SLOTS:
        raise fail("slot_minutes", _l("At most %(n)d slots per session: use longer slots or a shorter session.",
                                      n=MAX_SLOTS))
    db.session.add(session)
    db.session.flush()
    db.session.refresh(event)  # ``event.matchmaking`` now lists it
    record("event.matchmaking_session_add", actor=by, obj=event, session=session.id, title=title)
    return session


def remove_session(session: MatchmakingSession, *, by) -> None:
    """Organisers remove a session that has no meeting on it yet."""
    require_manager(by)
    used = db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.session_id == session.id))
    if used:
        raise fail(None, _l("Meetings are scheduled in this session: take them off the schedule first."),
                   code="in_use", status=409)
    event = session.event
    record("event.matchmaking_session_remove", actor=by, obj=event, session=session.id, title=session.title)
    db.session.delete(session)
    db.session.flush()
    db.session.refresh(event)


def _moment(value) -> datetime | None:
    """A slot start: a datetime, or the ISO text our forms send (naive = UTC, as stored); None if invalid."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str):
        try:
            return _moment(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def availability_of(reg: Registration) -> set[datetime]:
    """The slot starts the person can attend; empty means any time."""
    return {moment for moment in (_moment(v) for v in reg.availability or []) if moment is not None}


def set_availability(registration: Registration, *, by, slot_starts) -> Registration:
    """The person (or an organiser) says which slots they can attend. None ticked: any time."""
    if registration.user_id != getattr(by, "id", None) and not can_manage(by):
        raise fail(None, _l("You cannot change this participant's availability."),
                   code="forbidden", status=403)
    valid = event_slots(registration.event)
    chosen = set()
    for value in slot_starts or []:
        moment = _moment(value)
        if moment is None or moment not in valid:
            raise fail("slot_starts", _l("Choose slots of this event's matchmaking sessions."))
        chosen.add(moment)
    registration.availability = [m.isoformat() for m in sorted(chosen)]
    db.session.flush()
    record("event.meeting_availability", actor=by, obj=registration.event, registration=registration.id,
           slots=len(chosen))
    return registration


def _scheduled_of(reg: Registration, *, excluding: int | None = None) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(
        or_(Meeting.requester_id == reg.id, Meeting.invitee_id == reg.id), Meeting.session_id.is_not(None),
        Meeting.status == MeetingStatus.ACCEPTED.value, Meeting.id != (excluding or 0))))


def _write_seats(meeting: Meeting) -> None:
    for reg_id in (meeting.requester_id, meeting.invitee_id):
        db.session.add(MeetingSeat(meeting_id=meeting.id, registration_id=reg_id, slot_start=meeting.slot_start))


@contextmanager
def _conflict_as_409(message):
    """Write inside a savepoint: a unique constraint hit by a concurrent change becomes a clear 409."""
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError:
        raise fail(None, message, code="conflict", status=409) from None


def assign_meeting(meeting: Meeting, *, by, session: MatchmakingSession, slot_start, table_no,
                   ignore_availability: bool = False) -> Meeting:
    """Organisers put an accepted meeting at a slot and table; refused if the table or a person is taken."""
    require_manager(by)
    if meeting.status != MeetingStatus.ACCEPTED.value:
        raise fail(None, _l("Only an accepted meeting can be scheduled."), code="not_accepted", status=409)
    if session is None or session.event_id != meeting.event_id:
        raise fail("session_id", _l("Choose a matchmaking session of this event."))
    start = _moment(slot_start)
    if start is None or start not in session_slots(session):
        raise fail("slot_start", _l("Choose a slot of the session."))
    try:
        table = int(str(table_no).strip())
    except ValueError:
        table = 0
    if not 1 <= table <= session.tables:
        raise fail("table_no", _l("Choose a table from 1 to %(n)d.", n=session.tables))
    end = start + timedelta(minutes=session.slot_minutes)
    taken = db.session.scalar(select(Meeting).where(Meeting.session_id == session.id, Meeting.slot_start == start,
                                                    Meeting.table_no == table, Meeting.id != meeting.id))
    if taken is not None:
        raise fail("table_no", _l("Table %(table)d is already taken at %(time)s (%(a)s – %(b)s).", table=table,
                                  time=format_moment(start), a=taken.requester.full_name, b=taken.invitee.full_name),
                   code="table_taken", status=409)
    for reg in (meeting.requester, meeting.invitee):
        for other in _scheduled_of(reg, excluding=meeting.id):
            other_end = other.slot_start + timedelta(minutes=other.session.slot_minutes)
            if other.slot_start < end and start < other_end:
                raise fail("slot_start", _l("%(name)s already has a meeting at %(time)s (table %(table)d).",
                                            name=reg.full_name, time=format_moment(other.slot_start),
                                            table=other.table_no), code="person_busy", status=409)
        available = availability_of(reg)
        if available and start not in available and not ignore_availability:
            raise fail("slot_start", _l("%(name)s is not available at %(time)s.", name=reg.full_name,
                                        time=format_moment(start)), code="unavailable", status=409)
    with _conflict_as_409(_l("Someone changed the schedule at the same time. Please try again.")):
        clear_slot(meeting)
        meeting.session_id, meeting.slot_start, meeting.table_no = session.id, start, table
        _write_seats(meeting)
    db.session.refresh(meeting)
    record("event.meeting_assign", actor=by, obj=meeting.event, meeting=meeting.id, session=session.id,
           slot=start.isoformat(), table=table)
    return meeting


def unassign_meeting(meeting: Meeting, *, by) -> Meeting:
    """Organisers take a meeting off the schedule (it stays accepted)."""
    require_manager(by)
    if meeting.session_id is None:
        raise fail(None, _l("This meeting has no slot yet."), code="not_scheduled", status=409)
    clear_slot(meeting)
    db.session.flush()
    record("event.meeting_unassign", actor=by, obj=meeting.event, meeting=meeting.id)
    return meeting


def run_scheduler(event: Event, *, by) -> dict:
    """Give every accepted meeting without a slot a slot and a table, keeping the existing assignments.

    Returns ``{"placed": n, "unplaced": n, "kept": n, "unplaced_ids": [...]}``.
    """
    require_manager(by)
    sessions = {s.id: s for s in event.matchmaking}
    if not sessions:
        raise fail(None, _l("Define a matchmaking session first."), code="no_sessions", status=409)
    meetings = {m.id: m for m in db.session.scalars(select(Meeting).where(
        Meeting.event_id == event.id, Meeting.status == MeetingStatus.ACCEPTED.value))}
    specs = [spec(s) for s in sessions.values()]
    requests = [MeetingRequest(m.id, m.requester_id, m.invitee_id) for m in meetings.values()]
    fixed = {m.id: Placement(m.session_id, m.slot_start, m.table_no) for m in meetings.values()
             if m.session_id in sessions and m.slot_start is not None and m.table_no is not None}
    people = {r.id: r for m in meetings.values() for r in (m.requester, m.invitee)}
    availability = {reg_id: availability_of(reg) for reg_id, reg in people.items()}
    result = schedule(specs, requests, availability, fixed)
    problems = check_schedule(specs, requests, availability, result.assignments, fixed=fixed)
    if problems:  # never expected: the scheduler's guarantees are property-tested
        raise RuntimeError("scheduler produced an unsound schedule: " + "; ".join(problems[:3]))
    placed = 0
    with _conflict_as_409(_l("Someone changed the schedule while it was being computed. Run the scheduler again.")):
        for meeting_id, (session_id, start, table) in result.assignments.items():
            if meeting_id in fixed:
                continue
            meeting = meetings[meeting_id]
            clear_slot(meeting)
            meeting.session_id, meeting.slot_start, meeting.table_no = session_id, start, table
            _write_seats(meeting)
            placed += 1
    summary = {"placed": placed, "unplaced": len(result.unplaced), "kept": len(fixed),
               "unplaced_ids": result.unplaced}
    record("event.meeting_schedule", actor=by, obj=event, placed=placed, unplaced=len(result.unplaced),
           kept=len(fixed))
    return summary
