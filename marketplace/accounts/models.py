from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..permissions import Role
from ..timeutil import utcnow


class OrgType(enum.StrEnum):
    RESEARCH_INSTITUTE = "research_institute"
    UNIVERSITY = "university"
    ENTERPRISE = "enterprise"
    ST_ENTERPRISE = "st_enterprise"
    STARTUP = "startup"
    COOPERATIVE = "cooperative"
    INDIVIDUAL = "individual"
    STATE_AGENCY = "state_agency"
    INTERMEDIARY = "intermediary"
    FOREIGN = "foreign"


class OrgStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    SUSPENDED = "suspended"


class MembershipRole(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"


class User(db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER.value)
    locale: Mapped[str | None] = mapped_column(String(5))
    disabled_at: Mapped[datetime | None]
    email_verified_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id", cascade="all, delete-orphan")
    second_factor: Mapped[SecondFactor | None] = relationship(back_populates="user", uselist=False,
                                                               cascade="all, delete-orphan")

    # Flask-Login protocol. The session id, not the user id, identifies a login (see LoginSession).
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None and self.anonymised_at is None

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role != Role.MEMBER.value

    login_key = None  # set per request by the user loader; not a column
    #: Set per request by the user loader: whether this browser session passed a second factor. ``None`` when
    #: the user was not loaded from a browser session (API token, CLI, a service called directly).
    login_second_factor = None  # type: bool | None

    @property
    def has_second_factor(self) -> bool:
        """Enrolled: a confirmed authenticator app (TOTP)."""
        return self.second_factor is not None and self.second_factor.confirmed_at is not None

    @property
    def needs_second_factor(self) -> bool:
        """A DOST staff member's browser session that has not passed a second factor: member permissions only
        until it does (``marketplace.permissions.user_can``)."""
        return self.is_staff and self.login_second_factor is False

    def get_id(self) -> str:
        """Flask-Login stores this in the session: the LoginSession key, never the user id."""
        if not self.login_key:
            raise RuntimeError("sign in through accounts.login.sign_in, which attaches a LoginSession key")
        return self.login_key

    def active_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.status == MembershipStatus.ACTIVE.value]

    def active_organisations(self) -> list[Organisation]:
        """The organisations this person acts for (active memberships), in the order they joined."""
        return [m.organisation for m in self.active_memberships()]

    def is_active_member(self, organisation: Organisation | int | None) -> bool:
        """True when the person is an active member of ``organisation`` (an Organisation or its id)."""
        org_id = getattr(organisation, "id", organisation)
        return org_id is not None and any(m.organisation_id == org_id for m in self.active_memberships())


class LoginSession(db.Model):
    """One signed-in browser. Logging out deletes the row, so a copied cookie stops working."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]  # the absolute lifetime: created_at + SESSION_LIFETIME_HOURS
    last_seen_at: Mapped[datetime | None]  # written at most once a minute; staff sessions idle out from it
    second_factor_at: Mapped[datetime | None]  # when this browser passed the second factor
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class SecondFactor(db.Model):
    """A person's authenticator app (TOTP, RFC 6238). The secret is stored encrypted (``accounts.crypto``) and
    shown only while enrolling; ``last_step`` is the last time step accepted, so a code is never used twice."""

    __tablename__ = "second_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]  # None while enrolling
    last_step: Mapped[int | None] = mapped_column(BigInteger)

    user: Mapped[User] = relationship(back_populates="second_factor")


class RecoveryCode(db.Model):
    """A one-time recovery code for a lost authenticator; only its SHA-256 is stored (80 random bits)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class EmailToken(db.Model):
    """Single-use token mailed to a person: email verification, password reset, email change."""

    __tablename__ = "email_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    new_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    scopes: Mapped[str] = mapped_column(String(255))  # space-separated, as in OAuth: "read listings:write"

    user: Mapped[User] = relationship()

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class Consent(db.Model):
    """A person's consent to a purpose under a notice version (Law 91/2025/QH15, Decree 356/2025)."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    notice_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(90), unique=True)
    legal_name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str | None] = mapped_column(String(80))
    org_type: Mapped[str] = mapped_column(String(30))
    tax_code: Mapped[str | None] = mapped_column(String(14), unique=True)
    province_code: Mapped[str | None] = mapped_column(String(10))
    commune_code: Mapped[str | None] = mapped_column(String(12))
    street_address: Mapped[str | None] = mapped_column(String(255))
    representative: Mapped[str | None] = mapped_column(String(120))
    representative_title: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=OrgStatus.PENDING.value, index=True)
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status_note: Mapped[str | None] = mapped_column(String(500))
    # Provenance, for listings shared with other exchanges later: where this record came from.
    source: Mapped[str] = mapped_column(String(40), default="local")
    external_refs: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation", cascade="all, delete-orphan")

    @property
    def is_verified(self) -> bool:
        return self.status == OrgStatus.VERIFIED.value

    @property
    def display_name(self) -> str:
        return self.short_name or self.legal_name

    def active_members(self) -> list[Membership]:
        return [m for m in self.memberships if m.status == MembershipStatus.ACTIVE.value]

    def membership_of(self, user) -> Membership | None:
        uid = getattr(user, "id", None)
        return next((m for m in self.memberships if m.user_id == uid), None)

    def has_active_member(self, user) -> bool:
        membership = self.membership_of(user)
        return membership is not None and membership.status == MembershipStatus.ACTIVE.value


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", name="uq_membership_user_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=MembershipRole.MEMBER.value)
    status: Mapped[str] = mapped_column(String(20), default=MembershipStatus.PENDING.value)
    message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")

    @property
    def is_owner(self) -> bool:
        return self.role == MembershipRole.OWNER.value and self.status == MembershipStatus.ACTIVE.value
