"""Tech fairs: events, agenda, capacity per participant type, registrations (waitlist, tickets, check-in),
exhibitors and booths, B2B matchmaking sessions and meetings with their outcomes.

Concurrency rules live in the schema as much as possible: one registration per person and event, one booth
number per event, one meeting per table and slot, one meeting per person and slot (``meeting_seat``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class EventType(enum.StrEnum):
    TECHMART = "techmart"
    TECHDEMO = "techdemo"
    EXHIBITION = "exhibition"
    TECHFEST = "techfest"
    WORKSHOP = "workshop"
    ONLINE = "online"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    REGISTRATION_CLOSED = "registration_closed"
    FINISHED = "finished"
    ARCHIVED = "archived"


class ParticipantType(enum.StrEnum):
    VISITOR = "visitor"
    EXHIBITOR = "exhibitor"
    B2B = "b2b"
    SPEAKER = "speaker"
    PRESS = "press"


class RegStatus(enum.StrEnum):
    PENDING_APPROVAL = "pending_approval"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # promoted from the waitlist, holds a seat until ``offer_expires_at``
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # an offered place that was not confirmed in time


#: statuses that hold a seat in ``event_capacity.taken``
SEAT_HOLDING = (RegStatus.CONFIRMED.value, RegStatus.OFFERED.value)
#: statuses of a live registration (the person counts as registered)
ACTIVE = (RegStatus.PENDING_APPROVAL.value, RegStatus.CONFIRMED.value, RegStatus.WAITLISTED.value,
          RegStatus.OFFERED.value)


class Event(db.Model):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.DRAFT.value, index=True)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_vi: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    province_code: Mapped[str | None] = mapped_column(String(10))
    #: floor-plan image in the upload store (``listings.storage``), served by the events blueprint
    floor_plan_key: Mapped[str | None] = mapped_column(String(80))
    floor_plan_type: Mapped[str | None] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    approval_required: Mapped[bool] = mapped_column(default=False)
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    offer_hours: Mapped[int] = mapped_column(default=48)
    #: incremented under the event's row lock by every registration: arrival order, gapless
    arrivals: Mapped[int] = mapped_column(default=0)
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    capacities: Mapped[list[EventCapacity]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                           order_by="EventCapacity.id")
    sessions: Mapped[list[AgendaItem]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                      order_by="AgendaItem.starts_at")
    matchmaking: Mapped[list[MatchmakingSession]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                                 order_by="MatchmakingSession.starts_at")
    organiser = relationship("User")

    def title(self, locale: str | None) -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_vi

    def description(self, locale: str | None) -> str:
        return (self.description_en if locale == "en" and self.description_en else self.description_vi) or ""

    def capacity_for(self, participant_type: str) -> EventCapacity | None:
        return next((c for c in self.capacities if c.participant_type == participant_type), None)

    @property
    def is_public(self) -> bool:
        return self.status != EventStatus.DRAFT.value


class EventCapacity(db.Model):
    """Seats per participant type. ``taken`` counts confirmed and offered registrations."""

    __tablename__ = "event_capacity"
    __table_args__ = (UniqueConstraint("event_id", "participant_type", name="uq_event_capacity_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    participant_type: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="capacities")

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)


class AgendaItem(db.Model):
    __tablename__ = "event_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    room: Mapped[str | None] = mapped_column(String(100))
    speakers: Mapped[str | None] = mapped_column(String(300))

    event: Mapped[Event] = relationship(back_populates="sessions")


class Registration(db.Model):
    __tablename__ = "event_registration"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_event_registration_person"),
                      Index("ix_event_registration_status", "event_id", "participant_type", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    participant_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    #: position in the event's arrival order (from ``event.arrivals``); orders the waitlist
    arrival_no: Mapped[int]
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[str | None] = mapped_column(String(120))
    needs: Mapped[str | None] = mapped_column(String(300))  # accessibility / dietary, free text
    consent_processing: Mapped[bool] = mapped_column(default=False)
    consent_share_contact: Mapped[bool] = mapped_column(default=False)
    consent_photos: Mapped[bool] = mapped_column(default=False)
    #: B2B: shown in the participants directory (explicit consent), what they bring, availability
    in_directory: Mapped[bool] = mapped_column(default=False)
    interests: Mapped[str | None] = mapped_column(String(500))
    listing_ids: Mapped[list] = mapped_column(JSON, default=list)
    availability: Mapped[list] = mapped_column(JSON, default=list)  # ISO slot starts; empty = any time
    ticket_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    offer_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    offer_expires_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_gate: Mapped[str | None] = mapped_column(String(40))
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    badge_printed_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    organisation = relationship("Organisation")


class ExhibitorStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Exhibitor(db.Model):
    """An organisation's application to exhibit; a booth number once approved (never given twice)."""

    __tablename__ = "event_exhibitor"
    __table_args__ = (UniqueConstraint("event_id", "organisation_id", name="uq_event_exhibitor_org"),
                      UniqueConstraint("event_id", "booth_no", name="uq_event_exhibitor_booth"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=ExhibitorStatus.PENDING.value)
    booth_type: Mapped[str] = mapped_column(String(20))
    booth_no: Mapped[str | None] = mapped_column(String(20))
    needs_power: Mapped[bool] = mapped_column(default=False)
    needs_internet: Mapped[bool] = mapped_column(default=False)
    staff_names: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(1000))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    organisation = relationship("Organisation")
    items: Mapped[list[ExhibitorListing]] = relationship(back_populates="exhibitor", cascade="all, delete-orphan")


class ExhibitorListing(db.Model):
    """An offer, IP asset or need an exhibitor shows at the fair."""

    __tablename__ = "event_exhibitor_listing"
    __table_args__ = (UniqueConstraint("exhibitor_id", "listing_id", name="uq_event_exhibitor_listing"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("event_exhibitor.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"))

    exhibitor: Mapped[Exhibitor] = relationship(back_populates="items")
    listing = relationship("Listing")


class MatchmakingSession(db.Model):
    """A B2B session: a time window cut into slots of ``slot_minutes`` at ``tables`` tables."""

    __tablename__ = "event_matchmaking_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    slot_minutes: Mapped[int]
    tables: Mapped[int]

    event: Mapped[Event] = relationship(back_populates="matchmaking")


class MeetingStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Outcome(enum.StrEnum):
    HELD = "held"
    NO_SHOW = "no_show"
    FOLLOW_UP = "follow_up"
    MOU = "mou"
    CONTRACT = "contract"


class Meeting(db.Model):
    __tablename__ = "event_meeting"
    __table_args__ = (UniqueConstraint("session_id", "slot_start", "table_no", name="uq_event_meeting_table"),
                      UniqueConstraint("requester_id", "invitee_id", name="uq_event_meeting_pair"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("event_registration.id", ondelete="CASCADE"), index=True)
    invitee_id: Mapped[int] = mapped_column(ForeignKey("event_registration.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(1000))
    listing_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.PENDING.value)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("event_matchmaking_session.id", ondelete="SET NULL"))
    slot_start: Mapped[datetime | None]
    table_no: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    value_vnd: Mapped[int | None] = mapped_column(BigInteger)
    outcome_note: Mapped[str | None] = mapped_column(String(1000))
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    outcome_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    requester: Mapped[Registration] = relationship(foreign_keys=[requester_id])
    invitee: Mapped[Registration] = relationship(foreign_keys=[invitee_id])
    session: Mapped[MatchmakingSession | None] = relationship()

    def other(self, registration_id: int) -> Registration:
        return self.invitee if registration_id == self.requester_id else self.requester


class MeetingSeat(db.Model):
    """One row per participant of a scheduled meeting: a person is never in two meetings in the same slot."""

    __tablename__ = "event_meeting_seat"
    __table_args__ = (UniqueConstraint("registration_id", "slot_start", name="uq_event_meeting_seat_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("event_meeting.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("event_registration.id", ondelete="CASCADE"))
    slot_start: Mapped[datetime]
