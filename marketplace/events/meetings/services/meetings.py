"""B2B meetings: requests between participants, answers, cancellation, agendas and outcomes.

Who takes part: confirmed registrations of type ``b2b`` or ``exhibitor``. One request per pair of people, in
either direction. Slots and tables are given in ``scheduling.py``; the participants directory and suggestions
are in ``directory.py``. Services flush and audit, never commit; mail leaves after commit (``queue_mail``).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ....audit.services import record
from ....errors import fail
from ....extensions import db
from ....mail.services import queue_mail
from ....signals import meeting_outcome_recorded
from ....text import nfc
from ....timeutil import utcnow
from ....urls import external_url
from ...models import Event, EventStatus
from ...registration.models import Registration
from ...registration.services import registration_of
from ...seats import clear_slot
from ...services import can_manage
from ..labels import OUTCOME_LABELS
from ..models import OPEN, Meeting, MeetingStatus, Outcome, is_b2b
from .directory import brought_listing_ids

REQUESTS_OPEN = (EventStatus.PUBLISHED.value, EventStatus.REGISTRATION_CLOSED.value)
REASON_LEN = 1000
NOTE_LEN = 1000
MAX_MEETING_LISTINGS = 10
MAX_VALUE_VND = 10**15
VALUE_REQUIRED = (Outcome.MOU.value, Outcome.CONTRACT.value)


def require_manager(user) -> None:
    if not can_manage(user):
        raise fail(None, _l("Only DOST event organisers can do this."), code="forbidden", status=403)


def pair_meeting(a: Registration, b: Registration) -> Meeting | None:
    """The request between two people, whichever of them asked."""
    return db.session.scalar(select(Meeting).where(or_(
        (Meeting.requester_id == a.id) & (Meeting.invitee_id == b.id),
        (Meeting.requester_id == b.id) & (Meeting.invitee_id == a.id))))


def is_participant(meeting: Meeting, user) -> bool:
    uid = getattr(user, "id", None)
    return uid is not None and uid in (meeting.requester.user_id, meeting.invitee.user_id)


def _org_name(reg: Registration) -> str:
    return reg.organisation.display_name if reg.organisation else ""


def _locale(reg: Registration) -> str:
    return (reg.user.locale if reg.user is not None else None) or "vi"


def _clean_listing_ids(value, allowed: set[int]) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple | set):
        value = [value]
    ids: list[int] = []
    for item in value:
        try:
            number = int(str(item).strip())
        except ValueError:
            raise fail("listing_ids", _l("Choose listings from the list.")) from None
        if number not in allowed:
            raise fail("listing_ids", _l("Choose listings that one of you brings to the fair."))
        if number not in ids:
            ids.append(number)
    if len(ids) > MAX_MEETING_LISTINGS:
        raise fail("listing_ids", _l("Choose at most %(n)d listings.", n=MAX_MEETING_LISTINGS))
    return ids


def request_meeting(event: Event, *, by, invitee_registration: Registration, reason: str,
                    listing_ids=None, now: datetime | None = None) -> Meeting:
    """``by`` asks another participant for a meeting, saying why. The invitee is mailed."""
    now = now or utcnow()
    if event.status not in REQUESTS_OPEN or now >= event.ends_at:
        raise fail(None, _l("Meeting requests are closed for this event."), code="closed", status=409)
    mine = registration_of(event, by)
    if not is_b2b(mine):
        raise fail(None, _l("Only confirmed B2B participants and exhibitors of this event can request meetings."),
                   code="not_b2b", status=403)
    invitee = invitee_registration
    if invitee is None or invitee.event_id != event.id or not is_b2b(invitee) or not invitee.in_directory:
        raise fail(None, _l("This participant cannot be invited to a B2B meeting."),
                   code="not_found", status=404)
    if invitee.id == mine.id or invitee.user_id == mine.user_id:
        raise fail(None, _l("You cannot request a meeting with yourself."), code="self")
    reason = nfc(reason).strip() if isinstance(reason, str) else ""
    if not reason:
        raise fail("reason", _l("Say why you would like to meet."))
    if len(reason) > REASON_LEN:
        raise fail("reason", _l("At most %(n)d characters.", n=REASON_LEN))
    ids = _clean_listing_ids(listing_ids, set(brought_listing_ids(mine)) | set(brought_listing_ids(invitee)))
    meeting = pair_meeting(mine, invitee)
    if meeting is not None and meeting.status != MeetingStatus.CANCELLED.value:
        raise fail(None, _l("There is already a meeting request between you and this participant."),
                   code="duplicate", status=409)
    if meeting is None:
        meeting = Meeting(event_id=event.id)
        db.session.add(meeting)
    # a cancelled request between the two may be made again, by either of them
    meeting.requester_id, meeting.invitee_id = mine.id, invitee.id
    meeting.reason, meeting.listing_ids, meeting.status = reason, ids, MeetingStatus.PENDING.value
    meeting.created_at, meeting.answered_at = now, None
    meeting.outcome = meeting.value_vnd = meeting.outcome_note = meeting.outcome_by_id = meeting.outcome_at = None
    db.session.flush()
    db.session.refresh(meeting)
    record("event.meeting_request", actor=by, obj=event, meeting=meeting.id, invitee=invitee.id)
    queue_mail(invitee.email, "event_meeting_request", locale=_locale(invitee), name=invitee.full_name,
               requester=mine.full_name, organisation=_org_name(mine), reason=reason,
               title=event.title(_locale(invitee)), url=external_url("event_meetings.requests", slug=event.slug))
    return meeting


def answer_meeting(meeting: Meeting, *, by, accept: bool, now: datetime | None = None) -> Meeting:
    """The invitee accepts or declines; the requester is mailed."""
    if meeting.invitee.user_id != getattr(by, "id", None):
        raise fail(None, _l("Only the invited participant can answer this request."),
                   code="forbidden", status=403)
    if meeting.status != MeetingStatus.PENDING.value:
        raise fail(None, _l("This request has already been answered or cancelled."),
                   code="not_pending", status=409)
    meeting.status = (MeetingStatus.ACCEPTED if accept else MeetingStatus.DECLINED).value
    meeting.answered_at = now or utcnow()
    db.session.flush()
    record("event.meeting_answer", actor=by, obj=meeting.event, meeting=meeting.id, status=meeting.status)
    requester, event = meeting.requester, meeting.event
    queue_mail(requester.email, "event_meeting_answer", locale=_locale(requester), name=requester.full_name,
               accepted=bool(accept), invitee=meeting.invitee.full_name, organisation=_org_name(meeting.invitee),
               title=event.title(_locale(requester)),
               url=external_url("event_meetings.agenda" if accept else "event_meetings.requests", slug=event.slug))
    return meeting


def cancel_meeting(meeting: Meeting, *, by, notify: bool = True) -> Meeting:
    """Either participant (or an organiser) cancels a pending or accepted meeting; its slot is freed."""
    if not (is_participant(meeting, by) or can_manage(by)):
        raise fail(None, _l("You cannot cancel this meeting."), code="forbidden", status=403)
    if meeting.status not in OPEN:
        raise fail(None, _l("This meeting is no longer open."), code="not_open", status=409)
    if meeting.outcome:
        raise fail(None, _l("A meeting with a recorded outcome cannot be cancelled."),
                   code="has_outcome", status=409)
    meeting.status = MeetingStatus.CANCELLED.value
    clear_slot(meeting)
    db.session.flush()
    record("event.meeting_cancel", actor=by, obj=meeting.event, meeting=meeting.id)
    if notify:
        for reg in (meeting.requester, meeting.invitee):
            if reg.user_id != getattr(by, "id", None):
                queue_mail(reg.email, "event_meeting_cancelled", locale=_locale(reg), name=reg.full_name,
                           other=meeting.other(reg.id).full_name, title=meeting.event.title(_locale(reg)),
                           url=external_url("event_meetings.agenda", slug=meeting.event.slug))
    return meeting


def meetings_of(reg: Registration, statuses=OPEN) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(
        or_(Meeting.requester_id == reg.id, Meeting.invitee_id == reg.id), Meeting.status.in_(statuses))
        .order_by(Meeting.created_at.desc(), Meeting.id.desc())))


def agenda_for(registration: Registration) -> list[Meeting]:
    """The person's accepted meetings, in slot order; those without a slot yet come last."""
    return list(db.session.scalars(select(Meeting).where(
        or_(Meeting.requester_id == registration.id, Meeting.invitee_id == registration.id),
        Meeting.status == MeetingStatus.ACCEPTED.value)
        .order_by(Meeting.slot_start.is_(None), Meeting.slot_start, Meeting.table_no, Meeting.id)))


def _value(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise fail("value_vnd", _l("Enter the value in VND as a whole number."))
    if not isinstance(value, int):
        text = str(value).strip().replace(".", "").replace(",", "").replace(" ", "").replace("\u00a0", "")
        if not text.isdigit():
            raise fail("value_vnd", _l("Enter the value in VND as a whole number."))
        value = int(text)
    if not 0 <= value <= MAX_VALUE_VND:
        raise fail("value_vnd", _l("Enter a value from 0 to %(max)s VND.", max=f"{MAX_VALUE_VND:,}".replace(",", ".")))
    return value


def record_outcome(meeting: Meeting, *, by, outcome: str, value_vnd=None, note: str | None = None,
                   now: datetime | None = None) -> Meeting:
    """Either participant or an organiser records what came of an accepted meeting (the latest record counts).

    MoUs and contracts need their value in VND; other outcomes may carry one. Emits ``meeting_outcome_recorded``.
    """
    now = now or utcnow()
    if not (is_participant(meeting, by) or can_manage(by)):
        raise fail(None, _l("You cannot record the outcome of this meeting."), code="forbidden", status=403)
    if meeting.status != MeetingStatus.ACCEPTED.value:
        raise fail(None, _l("Only an accepted meeting has an outcome."), code="not_accepted", status=409)
    if now < (meeting.slot_start or meeting.event.starts_at):
        raise fail(None, _l("The outcome can be recorded once the meeting has taken place."),
                   code="too_early", status=409)
    if outcome not in OUTCOME_LABELS:
        raise fail("outcome", _l("Choose an outcome."))
    value = _value(value_vnd)
    if outcome in VALUE_REQUIRED and value is None:
        raise fail("value_vnd", _l("Give the value of the MoU or contract in VND."))
    note = nfc(note).strip() if isinstance(note, str) else None
    if note and len(note) > NOTE_LEN:
        raise fail("note", _l("At most %(n)d characters.", n=NOTE_LEN))
    meeting.outcome, meeting.value_vnd, meeting.outcome_note = outcome, value, note or None
    meeting.outcome_by_id, meeting.outcome_at = by.id, now
    db.session.flush()
    record("event.meeting_outcome", actor=by, obj=meeting.event, meeting=meeting.id, outcome=outcome,
           value_vnd=value)
    meeting_outcome_recorded.send(meeting, by=by)
    return meeting
