from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..ip_assets.models import IpAssetDetails, offer_ip_asset
from ..timeutil import utcnow


class Side(enum.StrEnum):
    OFFER = "offer"
    NEED = "need"
    IP_ASSET = "ip_asset"  # details in ip_assets.models.IpAssetDetails (one-to-one, ``Listing.ip``)


class Status(enum.StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    ARCHIVED = "archived"


OFFER_KINDS = ("technology", "equipment", "service")
NEED_KIND = "need"
REFERENCE_PREFIX = {Side.OFFER: "CB", Side.NEED: "NC", Side.IP_ASSET: "TS"}


class Listing(db.Model):
    """An offer (chào bán/chào giao: technology, equipment, S&T service) or a need (nhu cầu công nghệ).

    One table for both sides: they share the lifecycle, moderation, search and matching; side-specific
    columns are simply empty on the other side. The columns hold the APPROVED version; an edit of a
    published listing waits in a ListingRevision until a moderator approves it.
    """

    __tablename__ = "listing"
    __table_args__ = (Index("ix_listing_side_status", "side", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    side: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value, index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    st_fields: Mapped[list] = mapped_column(JSON, default=list)
    sectors: Mapped[list] = mapped_column(JSON, default=list)
    province_code: Mapped[str | None] = mapped_column(String(10))
    application_areas: Mapped[list] = mapped_column(JSON, default=list)

    # offers
    tech_level: Mapped[str | None] = mapped_column(String(20))
    trl: Mapped[int | None]
    maturity: Mapped[str | None] = mapped_column(String(20))
    tt_objects: Mapped[list] = mapped_column(JSON, default=list)
    tt_forms: Mapped[list] = mapped_column(JSON, default=list)
    tt_methods: Mapped[list] = mapped_column(JSON, default=list)
    rights_mode: Mapped[str | None] = mapped_column(String(30))
    price_type: Mapped[str | None] = mapped_column(String(20))
    price_vnd: Mapped[int | None] = mapped_column(BigInteger)
    origin: Mapped[str | None] = mapped_column(String(20))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    contact_visibility: Mapped[str] = mapped_column(String(20), default="members")

    # needs
    problem: Mapped[str | None] = mapped_column(Text)
    required_specs: Mapped[list] = mapped_column(JSON, default=list)
    current_solution: Mapped[str | None] = mapped_column(Text)
    min_trl: Mapped[int | None]
    cooperation_forms: Mapped[list] = mapped_column(JSON, default=list)
    budget_min_vnd: Mapped[int | None] = mapped_column(BigInteger)
    budget_max_vnd: Mapped[int | None] = mapped_column(BigInteger)
    deadline: Mapped[date | None]
    anonymous: Mapped[bool] = mapped_column(default=False)

    # lifecycle
    valid_until: Mapped[date | None]
    last_confirmed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # provenance, for the national-exchange linkage (later issue)
    source: Mapped[str] = mapped_column(String(40), default="local")
    external_refs: Mapped[list] = mapped_column(JSON, default=list)
    publish_to_national: Mapped[bool] = mapped_column(default=False)

    organisation = relationship("Organisation")
    created_by = relationship("User")
    revisions: Mapped[list[ListingRevision]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="ListingRevision.id")
    attachments: Mapped[list[Attachment]] = relationship(cascade="all, delete-orphan", order_by="Attachment.id")
    # the IP side: an IP asset's details, the IP assets an offer carries and the offers that carry an asset
    ip: Mapped[IpAssetDetails | None] = relationship(back_populates="listing", cascade="all, delete-orphan")
    ip_assets: Mapped[list[Listing]] = relationship(
        secondary=offer_ip_asset, primaryjoin=lambda: Listing.id == offer_ip_asset.c.offer_id,
        secondaryjoin=lambda: Listing.id == offer_ip_asset.c.ip_asset_id, back_populates="used_by_offers")
    used_by_offers: Mapped[list[Listing]] = relationship(
        secondary=offer_ip_asset, primaryjoin=lambda: Listing.id == offer_ip_asset.c.ip_asset_id,
        secondaryjoin=lambda: Listing.id == offer_ip_asset.c.offer_id, back_populates="ip_assets")

    @property
    def has_image(self) -> bool:
        return any(a.is_image for a in self.attachments)

    @property
    def is_offer(self) -> bool:
        return self.side == Side.OFFER.value

    @property
    def is_public(self) -> bool:
        return self.status in (Status.PUBLISHED.value, Status.EXPIRED.value, Status.CLOSED.value)

    @property
    def pending_revision(self) -> ListingRevision | None:
        return next((r for r in reversed(self.revisions) if r.status in ("pending", "changes_requested")), None)


class ListingRevision(db.Model):
    """An owner's edit of a published listing, waiting for review; the approved version stays public."""

    __tablename__ = "listing_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    listing: Mapped[Listing] = relationship(back_populates="revisions")


class ModerationDecision(db.Model):
    __tablename__ = "moderation_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("listing_revision.id", ondelete="SET NULL"))
    decision: Mapped[str] = mapped_column(String(20))
    reason_code: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    moderator = relationship("User")


class ReferenceCounter(db.Model):
    """The last number issued per (prefix, province, year): references are readable and never reused."""

    __tablename__ = "reference_counter"
    __table_args__ = (UniqueConstraint("prefix", "province", "year", name="uq_reference_counter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4))
    province: Mapped[str] = mapped_column(String(4))
    year: Mapped[int]
    last: Mapped[int] = mapped_column(default=0)


class ReminderSent(db.Model):
    """A freshness reminder already mailed, so each is sent once (kind + the date it was about)."""

    __tablename__ = "listing_reminder"
    __table_args__ = (UniqueConstraint("listing_id", "kind", "about", name="uq_listing_reminder_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    about: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(db.Model):
    """An image or PDF of a listing, stored under a generated key outside ``static/`` (see storage.py)."""

    __tablename__ = "listing_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(200))
    caption: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
