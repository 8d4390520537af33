"""Events: who sees which, create, edit, agenda, and the lifecycle draft → published → registration closed →
finished → archived.

Times: the database keeps naive UTC. Input may carry an offset (ISO 8601, converted) or not, in which case it is
Vietnam time (UTC+7), as organisers type it. Services flush, audit, queue the event's search document and emit
``event_changed``; they never commit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from ..audit.services import record
from ..errors import ServiceError, fail
from ..extensions import db
from ..permissions import Permission, user_can
from ..search import SearchQuery, get_engine
from ..signals import event_changed
from ..text import nfc, slugify
from ..timeutil import utcnow
from .documents import queue_index
from .labels import EVENT_STATUS_LABELS, EVENT_TYPE_LABELS
from .models import AgendaItem, Event, EventCapacity, EventStatus, EventType, ParticipantType
from .seats import fill_free_seats, lock_event_seats

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_CAPACITY = 100_000
E = EventStatus
TRANSITIONS: dict[str, dict[str, str]] = {
    "publish": {E.DRAFT: E.PUBLISHED, E.REGISTRATION_CLOSED: E.PUBLISHED},
    "close_registration": {E.PUBLISHED: E.REGISTRATION_CLOSED},
    "finish": {E.PUBLISHED: E.FINISHED, E.REGISTRATION_CLOSED: E.FINISHED},
    "archive": {E.FINISHED: E.ARCHIVED, E.DRAFT: E.ARCHIVED},
}

WHEN = ("upcoming", "past", "all")
SEARCH_LIMIT = 100


# --- who sees which event ----------------------------------------------------------------------------------

def can_manage(user) -> bool:
    """DOST event organisers: they see drafts and run every part of a fair."""
    return user_can(user, Permission.EVENT_MANAGE)


def can_see(event: Event, user) -> bool:
    """Drafts are for organisers only; every other event is public."""
    return event.is_public or can_manage(user)


def event_key(key: str) -> int | str:
    """An event named in a URL of the API: its id (digits) or its slug."""
    return int(key) if key.isdigit() else key


def find_events(user, *, when: str = "upcoming", event_type: str | None = None, q: str | None = None,
                include_drafts: bool = False, now: datetime | None = None) -> Select:
    """The event list as ``user`` may see it: upcoming (soonest first, archived ones left out), past (latest
    first) or all; ``q`` searches titles, descriptions and venues with or without diacritics, or is a slug."""
    now = now or utcnow()
    stmt = select(Event)
    if not (include_drafts and can_manage(user)):
        stmt = stmt.where(Event.status != EventStatus.DRAFT.value)
    if when == "upcoming":
        stmt = stmt.where(Event.status != EventStatus.ARCHIVED.value, Event.ends_at >= now).order_by(Event.starts_at)
    elif when == "past":
        stmt = stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc())
    else:
        stmt = stmt.order_by(Event.starts_at.desc())
    if event_type in EVENT_TYPE_LABELS:
        stmt = stmt.where(Event.type == event_type)
    if q:
        hits = get_engine().search(SearchQuery(q=q, types=["event"], per_page=SEARCH_LIMIT)).hits
        stmt = stmt.where(or_(Event.id.in_([h.object_id for h in hits] or [-1]), Event.slug == q))
    return stmt


# --- input -------------------------------------------------------------------------------------------------


def parse_moment(field: str, value) -> datetime | None:
    """A datetime (or ISO 8601 text) to naive UTC; naive input is Vietnam time."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise fail(field, _l("Enter a date and time such as 2026-12-05T08:00.")) from None
    if not isinstance(value, datetime):
        raise fail(field, _l("Enter a date and time such as 2026-12-05T08:00."))
    if value.tzinfo is None:
        value = value.replace(tzinfo=VIETNAM)
    value = value.astimezone(UTC).replace(tzinfo=None)
    if not 2000 <= value.year <= 2100:
        raise fail(field, _l("The date must be between 2000 and 2100."))
    return value


def to_local(value: datetime | None) -> datetime | None:
    """Naive UTC from the database → naive Vietnam time (for form fields)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(VIETNAM).replace(tzinfo=None)


def _text(data: dict, field: str, max_len: int, *, required: bool = False) -> str | None:
    value = data.get(field)
    value = nfc(value).strip() if isinstance(value, str) else value
    if value in (None, ""):
        if required:
            raise fail(field, _l("This field is required."))
        return None
    if not isinstance(value, str):
        raise fail(field, _l("Enter text."))
    if len(value) > max_len:
        raise fail(field, _l("At most %(n)d characters.", n=max_len))
    return value


def _capacity(value) -> dict[str, int]:
    if not isinstance(value, dict) or not value:
        raise fail("capacity", _l("Give the number of places for at least one participant type."))
    result = {}
    for key, seats in value.items():
        if key not in ParticipantType.__members__.values():
            raise fail("capacity", _l("Unknown participant type: %(type)s.", type=str(key)[:40]))
        if isinstance(seats, bool):
            seats = None
        elif not isinstance(seats, int):
            try:
                seats = int(str(seats).strip())
            except ValueError:
                seats = None
        if seats is None or not 0 <= seats <= MAX_CAPACITY:
            raise fail("capacity", _l("Places must be a whole number from 0 to %(max)d.", max=MAX_CAPACITY))
        result[key] = seats
    return result


def clean_event_data(data: dict, *, partial: bool = False, current: Event | None = None) -> dict:
    """Validate event input (form or API). With ``partial``, absent keys keep the current values."""
    out: dict = {}

    def has(key):
        return not partial or key in data

    if has("type"):
        if data.get("type") not in EventType.__members__.values():
            raise fail("type", _l("Choose the type of event."))
        out["type"] = data["type"]
    for field, max_len, required in (("title_vi", 200, True), ("title_en", 200, True), ("venue", 200, True),
                                     ("address", 300, False), ("description_vi", 20000, False),
                                     ("description_en", 20000, False), ("province_code", 10, False)):
        if has(field):
            out[field] = _text(data, field, max_len, required=required)
    for field in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        if has(field):
            out[field] = parse_moment(field, data.get(field))
            if field in ("starts_at", "ends_at") and out[field] is None:
                raise fail(field, _l("This field is required."))
    for field in ("approval_required", "waitlist_enabled"):
        if has(field):
            out[field] = bool(data.get(field))
    if has("offer_hours") and data.get("offer_hours") not in (None, ""):
        try:
            hours = int(data["offer_hours"])
        except (TypeError, ValueError):
            hours = 0
        if not 1 <= hours <= 720:
            raise fail("offer_hours", _l("Give between 1 and 720 hours."))
        out["offer_hours"] = hours
    if has("capacity"):
        out["capacity"] = _capacity(data.get("capacity"))

    def value(key):
        return out[key] if key in out else getattr(current, key, None)

    starts, ends = value("starts_at"), value("ends_at")
    if starts and ends and ends <= starts:
        raise fail("ends_at", _l("The event must end after it starts."))
    opens, closes = value("registration_opens_at"), value("registration_closes_at")
    if opens and closes and closes <= opens:
        raise fail("registration_closes_at", _l("Registration must close after it opens."))
    if closes and ends and closes > ends:
        raise fail("registration_closes_at", _l("Registration cannot close after the event ends."))
    return out


def _unique_slug(title: str, starts_at: datetime) -> str:
    base = slugify(f"{title} {starts_at:%Y}", max_length=100)
    slug, n = base, 1
    while db.session.scalar(select(func.count()).select_from(Event).where(Event.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _set_capacity(event: Event, capacity: dict[str, int]) -> None:
    for participant_type, seats in capacity.items():
        row = event.capacity_for(participant_type)
        if row is None:
            event.capacities.append(EventCapacity(participant_type=participant_type, capacity=seats, taken=0))
        elif seats < row.taken:
            raise fail("capacity", _l("%(type)s: %(taken)d places are already taken; the capacity cannot be lower.",
                                       type=participant_type, taken=row.taken))
        else:
            row.capacity = seats


def _require_manager(user) -> None:
    if not can_manage(user):
        raise ServiceError("forbidden", str(_l("Only DOST event organisers can do this.")), status=403)


def _changed(event: Event) -> None:
    """The event's content or status changed: its search document follows (same domain: a direct call), and
    other domains hear ``event_changed``."""
    queue_index(event)
    event_changed.send(event)


# --- operations --------------------------------------------------------------------------------------------


def create_event(*, by, data: dict) -> Event:
    _require_manager(by)
    cleaned = clean_event_data(data)
    capacity = cleaned.pop("capacity")
    event = Event(organiser_id=by.id, status=EventStatus.DRAFT.value, **cleaned)
    event.slug = _unique_slug(event.title_vi, event.starts_at)
    db.session.add(event)
    _set_capacity(event, capacity)
    db.session.flush()
    record("event.create", actor=by, obj=event, title=event.title_vi)
    _changed(event)
    return event


def update_event(event: Event, *, by, data: dict) -> Event:
    _require_manager(by)
    if event.status == EventStatus.ARCHIVED.value:
        raise ServiceError("archived", str(_l("An archived event cannot be changed.")), status=409)
    cleaned = clean_event_data(data, partial=True, current=event)
    capacity = cleaned.pop("capacity", None)
    if capacity is not None:
        lock_event_seats(event)  # same lock order as registrations, and "not below taken" on live counts
    for key, value in cleaned.items():
        setattr(event, key, value)
    if capacity is not None:
        _set_capacity(event, capacity)
    db.session.flush()
    record("event.update", actor=by, obj=event, fields=sorted(cleaned) + (["capacity"] if capacity else []))
    _changed(event)
    if capacity is not None:  # a raised capacity lets the waitlist move up
        for participant_type in capacity:
            fill_free_seats(event, participant_type)
    return event


def change_event_status(event: Event, *, by, action: str) -> Event:
    _require_manager(by)
    target = TRANSITIONS.get(action, {}).get(EventStatus(event.status))
    if target is None:
        raise ServiceError("illegal_transition", str(_l("This action is not possible while the event is “%(status)s”.",
                                                         status=EVENT_STATUS_LABELS.get(event.status, event.status))),
                           status=409)
    if action == "publish" and not event.capacities:
        raise fail("capacity", _l("Give the number of places before publishing."))
    event.status = target.value
    if action == "publish" and event.published_at is None:
        event.published_at = utcnow()
    db.session.flush()
    record(f"event.{action}", actor=by, obj=event)
    _changed(event)
    return event


def registration_state(event: Event, now: datetime | None = None) -> str:
    """``open``, ``not_yet``, ``closed`` or ``unavailable`` (draft, finished, archived)."""
    now = now or utcnow()
    if event.status != EventStatus.PUBLISHED.value:
        return "closed" if event.status == EventStatus.REGISTRATION_CLOSED.value else "unavailable"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_yet"
    if now >= (event.registration_closes_at or event.ends_at):
        return "closed"
    return "open"


def add_agenda_item(event: Event, *, by, data: dict) -> AgendaItem:
    _require_manager(by)
    starts, ends = parse_moment("starts_at", data.get("starts_at")), parse_moment("ends_at", data.get("ends_at"))
    if starts is None or ends is None:
        raise fail("starts_at" if starts is None else "ends_at", _l("This field is required."))
    if ends <= starts:
        raise fail("ends_at", _l("The session must end after it starts."))
    if starts < event.starts_at - timedelta(days=1) or ends > event.ends_at + timedelta(days=1):
        raise fail("starts_at", _l("The session must fall within the event's dates."))
    item = AgendaItem(event=event, starts_at=starts, ends_at=ends,
                      title_vi=_text(data, "title_vi", 200, required=True), title_en=_text(data, "title_en", 200),
                      room=_text(data, "room", 100), speakers=_text(data, "speakers", 300))
    db.session.add(item)
    db.session.flush()
    record("event.agenda_add", actor=by, obj=event, title=item.title_vi)
    queue_index(event)  # session titles are searchable
    return item


def remove_agenda_item(item: AgendaItem, *, by) -> None:
    _require_manager(by)
    event = item.event
    record("event.agenda_remove", actor=by, obj=event, title=item.title_vi)
    db.session.delete(item)
    db.session.flush()
    queue_index(event)
