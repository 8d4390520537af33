"""factory_boy factories for the events domain: events with their capacity, registrations, exhibitors, B2B
sessions and meetings — in a given state, without going through the services.

They write rows as the database would hold them after the services ran (a confirmed registration holds a
seat and has a ticket, an offered one has an offer token…), so a test can start from a state in one line.
What they skip is the services' side effects: no audit row, no mail, no search document (a test of search or
mail builds its data through the services, e.g. the ``make_event`` and ``register_person`` fixtures).

    event = EventFactory(capacity={"visitor": 2})
    draft = EventFactory(draft=True)
    reg = RegistrationFactory(event=event, user=make_user())           # confirmed, with a ticket
    waiting = RegistrationFactory(event=event, user=other, status="waitlisted")
"""

from __future__ import annotations

from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from marketplace.events.exhibitors.models import Exhibitor, ExhibitorStatus
from marketplace.events.meetings.models import MatchmakingSession, Meeting, MeetingStatus
from marketplace.events.models import AgendaItem, Event, EventCapacity, EventStatus, EventType
from marketplace.events.registration.models import SEAT_HOLDING, Registration, RegStatus
from marketplace.events.seats import new_token
from marketplace.extensions import db
from marketplace.timeutil import utcnow

#: places per participant type of a new event (as the ``FAIR`` of ``tests/events/conftest.py``)
CAPACITY = {"visitor": 50, "exhibitor": 10, "b2b": 20}


def in_days(days: int, hour: int = 1):
    """A naive UTC moment ``days`` from now at ``hour`` UTC (01:00 UTC is 08:00 in Vietnam)."""
    return (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


class _Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731  (the app context's session, per test)
        sqlalchemy_session_persistence = "commit"

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            db.session.commit()


class EventFactory(_Factory):
    """A published Techmart a month from now, nine hours long, with :data:`CAPACITY` (``capacity=`` to change
    it). Traits: ``draft``, ``past`` (ended forty days ago, finished)."""

    class Meta:
        model = Event

    class Params:
        draft = factory.Trait(status=EventStatus.DRAFT.value, published_at=None)
        past = factory.Trait(status=EventStatus.FINISHED.value,
                             starts_at=factory.LazyFunction(lambda: in_days(-40)))

    type = EventType.TECHMART.value
    status = EventStatus.PUBLISHED.value
    title_vi = factory.Sequence(lambda n: f"Chợ công nghệ và thiết bị Hưng Yên lần {n + 1}")
    title_en = factory.Sequence(lambda n: f"Hung Yen Techmart no. {n + 1}")
    slug = factory.Sequence(lambda n: f"cho-cong-nghe-hung-yen-{n + 1}")
    description_vi = "Kết nối cung cầu công nghệ nông nghiệp."
    description_en = "Agri-tech matchmaking."
    venue = "Trung tâm Hội nghị tỉnh"
    address = "Phường Phố Hiến, Hưng Yên"
    province_code = "33"
    starts_at = factory.LazyFunction(lambda: in_days(30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=9))
    published_at = factory.LazyFunction(utcnow)
    approval_required = False
    waitlist_enabled = True
    offer_hours = 24
    arrivals = 0

    @factory.post_generation
    def capacity(self, create, extracted, **kwargs):
        for participant_type, seats in (CAPACITY if extracted is None else extracted).items():
            self.capacities.append(EventCapacity(participant_type=participant_type, capacity=seats, taken=0))
        return True


class AgendaItemFactory(_Factory):
    class Meta:
        model = AgendaItem

    event = factory.SubFactory(EventFactory)
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=30))
    title_vi = factory.Sequence(lambda n: f"Phiên {n + 1}: chuyển giao công nghệ sau thu hoạch")


class RegistrationFactory(_Factory):
    """A registration of ``user`` (required: pass one from ``make_user``), confirmed with a ticket unless
    ``status`` says otherwise; a seat-holding one takes its seat in the event's capacity, an offered one gets
    an offer token that expires after the event's ``offer_hours``."""

    class Meta:
        model = Registration

    class Params:
        now = factory.LazyFunction(utcnow)

    event = factory.SubFactory(EventFactory)
    participant_type = "visitor"
    status = RegStatus.CONFIRMED.value
    arrival_no = factory.LazyAttribute(lambda o: o.event.arrivals + 1)
    full_name = factory.LazyAttribute(lambda o: o.user.full_name)
    email = factory.LazyAttribute(lambda o: o.user.email)
    consent_processing = True
    created_at = factory.SelfAttribute("now")
    ticket_token = factory.LazyAttribute(lambda o: new_token() if o.status == RegStatus.CONFIRMED.value else None)
    confirmed_at = factory.LazyAttribute(lambda o: o.now if o.status == RegStatus.CONFIRMED.value else None)
    offer_token = factory.LazyAttribute(lambda o: new_token() if o.status == RegStatus.OFFERED.value else None)
    offer_expires_at = factory.LazyAttribute(
        lambda o: o.now + timedelta(hours=o.event.offer_hours) if o.status == RegStatus.OFFERED.value else None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        event = kwargs["event"]
        event.arrivals = max(event.arrivals, kwargs["arrival_no"])
        if kwargs["status"] in SEAT_HOLDING:
            row = event.capacity_for(kwargs["participant_type"])
            assert row is not None and row.taken < row.capacity, "no free seat of that type for this registration"
            row.taken += 1
        return super()._create(model_class, *args, **kwargs)


class ExhibitorFactory(_Factory):
    """An organisation's application to exhibit (``organisation`` required), pending unless told otherwise."""

    class Meta:
        model = Exhibitor

    event = factory.SubFactory(EventFactory)
    status = ExhibitorStatus.PENDING.value
    booth_type = "standard"
    staff_names = factory.List([])
    decided_at = factory.LazyAttribute(lambda o: None if o.status == ExhibitorStatus.PENDING.value else utcnow())


class MatchmakingSessionFactory(_Factory):
    """An afternoon B2B session of the event: 13:00–16:00 Vietnam time, 20-minute slots at 5 tables."""

    class Meta:
        model = MatchmakingSession

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Phiên kết nối B2B {n + 1}")
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at.replace(hour=6))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    slot_minutes = 20
    tables = 5


class MeetingFactory(_Factory):
    """A meeting request from ``requester`` to ``invitee`` (registrations of the same event), pending unless
    ``status`` says otherwise; no slot until the scheduler or an organiser gives one."""

    class Meta:
        model = Meeting

    requester = None
    invitee = None
    event = factory.LazyAttribute(lambda o: o.requester.event)
    reason = "Tìm đối tác ứng dụng công nghệ sấy lạnh nhãn lồng."
    status = MeetingStatus.PENDING.value
    listing_ids = factory.List([])
    answered_at = factory.LazyAttribute(lambda o: None if o.status == MeetingStatus.PENDING.value else utcnow())
