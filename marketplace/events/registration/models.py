"""Registrations: one per person and event, with a status that says whether it holds a seat, its ticket and
its check-in. Seat counting and the event lock are in ``events.seats``."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...timeutil import utcnow
from ..models import Event


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
