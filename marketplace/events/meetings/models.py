"""B2B matchmaking: sessions cut into slots at tables, meetings between two registrations, and the seats
that keep a person out of two meetings at once."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...timeutil import utcnow
from ..models import Event, ParticipantType
from ..registration.models import Registration, RegStatus


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


#: meetings that are still on: a request waiting for an answer, or an accepted meeting
OPEN = (MeetingStatus.PENDING.value, MeetingStatus.ACCEPTED.value)
#: participant types that take part in B2B meetings
B2B_TYPES = (ParticipantType.B2B.value, ParticipantType.EXHIBITOR.value)


def is_b2b(reg: Registration | None) -> bool:
    """A confirmed registration that may take part in B2B meetings."""
    return reg is not None and reg.status == RegStatus.CONFIRMED.value and reg.participant_type in B2B_TYPES


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
