from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class ReferenceCode(db.Model):
    """One code of one scheme version. Vietnamese label canonical, English a gloss."""

    __tablename__ = "reference_code"
    __table_args__ = (
        UniqueConstraint("scheme", "scheme_version", "code", name="uq_reference_code_scheme_version_code"),
        Index("ix_reference_code_scheme_parent", "scheme", "parent_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(String(30))
    scheme_version: Mapped[str] = mapped_column(String(30))
    code: Mapped[str] = mapped_column(String(40))
    parent_code: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(20))
    label_vi: Mapped[str] = mapped_column(String(255))
    label_en: Mapped[str | None] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    edited_at: Mapped[datetime | None]
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" and self.label_en else self.label_vi
