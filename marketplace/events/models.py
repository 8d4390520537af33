"""The event core: an event, its agenda and its capacity per participant type.

The parts of a fair keep their own models: ``registration.models`` (registrations: waitlist, tickets,
check-in), ``exhibitors.models`` (exhibitors and booths), ``meetings.models`` (B2B sessions and meetings).
Concurrency rules live in the schema as much as possible: one registration per person and event, one booth
number per event, one meeting per table and slot, one meeting per person and slot (``meeting_seat``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
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
    #: B2B sessions (``meetings.models``), named as a string: the core imports no part of the fair
    matchmaking = relationship("MatchmakingSession", back_populates="event", cascade="all, delete-orphan",
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
