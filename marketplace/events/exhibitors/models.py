"""Exhibitors: an organisation's application to exhibit at an event, its booth and what it shows."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...timeutil import utcnow
from ..models import Event


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
