from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .numbers import wipo_publish_url

offer_ip_asset = Table(
    "offer_ip_asset", db.metadata,
    Column("offer_id", ForeignKey("listing.id", ondelete="CASCADE"), primary_key=True),
    Column("ip_asset_id", ForeignKey("listing.id", ondelete="CASCADE"), primary_key=True),
)
"""An offer can carry several IP assets; an IP asset page lists the offers that use it."""


class IpAssetDetails(db.Model):
    """The IP-specific part of a listing whose side is ``ip_asset`` (one-to-one with Listing).

    Numbers keep both what was typed (``*_raw``) and the normalised form; a number that does not follow the
    official format is kept only with ``nonstandard_number`` set, never silently rewritten.
    """

    __tablename__ = "ip_asset"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), primary_key=True)
    ip_type: Mapped[str] = mapped_column(String(30), index=True)
    application_number_raw: Mapped[str | None] = mapped_column(String(60))
    application_number: Mapped[str | None] = mapped_column(String(30), index=True)
    certificate_number_raw: Mapped[str | None] = mapped_column(String(60))
    certificate_number: Mapped[str | None] = mapped_column(String(30), index=True)
    nonstandard_number: Mapped[bool] = mapped_column(default=False)
    filing_date: Mapped[date | None]
    priority_date: Mapped[date | None]
    priority_data: Mapped[str | None] = mapped_column(String(200))
    publication_number: Mapped[str | None] = mapped_column(String(40))
    publication_date: Mapped[date | None]
    grant_date: Mapped[date | None]
    first_use_date: Mapped[date | None]
    creation_date: Mapped[date | None]
    renewals: Mapped[int] = mapped_column(default=0)
    woody: Mapped[bool] = mapped_column(default=False)
    expiry_date: Mapped[date | None]
    expiry_basis: Mapped[str | None] = mapped_column(String(40))
    expiry_override: Mapped[bool] = mapped_column(default=False)
    expiry_override_reason: Mapped[str | None] = mapped_column(String(300))
    legal_status: Mapped[str] = mapped_column(String(30), default="filed")
    status_checked_at: Mapped[datetime | None]
    inventors: Mapped[list] = mapped_column(JSON, default=list)
    co_owners: Mapped[list] = mapped_column(JSON, default=list)
    representative: Mapped[str | None] = mapped_column(String(200))
    classification: Mapped[list] = mapped_column(JSON, default=list)
    nice_goods: Mapped[str | None] = mapped_column(Text)
    state_funded: Mapped[bool] = mapped_column(default=False)
    managing_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    authorised_users: Mapped[list] = mapped_column(JSON, default=list)
    rights_offered: Mapped[list] = mapped_column(JSON, default=list)
    territory: Mapped[str | None] = mapped_column(String(200))
    field_of_use: Mapped[str | None] = mapped_column(String(300))
    existing_licences: Mapped[str | None] = mapped_column(Text)
    asking_terms: Mapped[str | None] = mapped_column(String(20))
    lump_sum_vnd: Mapped[int | None] = mapped_column(BigInteger)
    royalty_pct: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    valuation_value_vnd: Mapped[int | None] = mapped_column(BigInteger)
    valuation_method: Mapped[str | None] = mapped_column(String(20))
    valuer: Mapped[str | None] = mapped_column(String(200))
    valuation_date: Mapped[date | None]

    listing = relationship("Listing", back_populates="ip")  # declared with its other side on Listing
    managing_organisation = relationship("Organisation")

    @property
    def office_url(self) -> str | None:
        """The public record at the IP office (WIPO Publish), built from the application number."""
        return wipo_publish_url(self.ip_type, self.application_number) if self.application_number else None
