from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Introduction(db.Model):
    """A moderator marked an offer–need match "introduced": the start of a deal (counted in DOST reports)."""

    __tablename__ = "match_introduction"
    __table_args__ = (UniqueConstraint("offer_id", "need_id", name="uq_match_introduction_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(1000))
    introduced_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offer = relationship("Listing", foreign_keys=[offer_id])
    need = relationship("Listing", foreign_keys=[need_id])
    introduced_by = relationship("User")


class MatchPreference(db.Model):
    """Opt-in: mail me (at most one digest a day) when a strongly matching listing is published."""

    __tablename__ = "match_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[bool] = mapped_column(default=False)


class MatchNotice(db.Model):
    """A strong match waiting for the owner's next daily digest; ``sent_at`` once mailed."""

    __tablename__ = "match_notice"
    __table_args__ = (UniqueConstraint("user_id", "own_listing_id", "new_listing_id", name="uq_match_notice_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    own_listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"))
    new_listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"))
    score: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class SavedSearch(db.Model):
    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    query: Mapped[dict] = mapped_column(JSON)
    frequency: Mapped[str] = mapped_column(String(10), default="daily")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_run_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)

    user = relationship("User")


class SavedSearchHit(db.Model):
    """A listing already mailed for a saved search: each new match is mailed exactly once."""

    __tablename__ = "saved_search_hit"
    __table_args__ = (UniqueConstraint("saved_search_id", "listing_id", name="uq_saved_search_hit_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_search.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
