"""One row per derived effect, written in the transaction of the change that causes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

#: 64-bit ids on PostgreSQL; SQLite only auto-increments an ``INTEGER PRIMARY KEY`` (which is 64-bit there)
BigId = BigInteger().with_variant(Integer(), "sqlite")


class EffectStatus:
    PENDING = "pending"  # waiting to run (first time, or again after a failure: see ``available_at``)
    RUNNING = "running"  # claimed by a worker until ``leased_until``; past it, any worker may take it again
    DONE = "done"
    DEAD = "dead"  # failed ``max_attempts`` times: kept for an administrator to look at and retry


class OutboxItem(db.Model):
    """An effect to carry out after the commit: ``kind`` names the handler, ``payload`` its JSON input.

    Items of the same ``lane`` run one after another in id order (deliveries to one partner); items without
    a lane run in any order, concurrently.
    """

    __tablename__ = "outbox_item"
    __table_args__ = (Index("ix_outbox_item_due", "status", "available_at"),
                      Index("ix_outbox_item_lane", "lane", "status"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    lane: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default=EffectStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
