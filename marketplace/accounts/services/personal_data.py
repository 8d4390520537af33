"""The person's rights over their data: a JSON export and anonymising deletion."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ...audit.models import AuditEntry
from ...audit.services import record
from ...errors import ServiceError
from ...extensions import db
from ...signals import personal_data_requested, user_anonymised
from ...timeutil import utcnow
from ..models import (
    ApiToken,
    Consent,
    EmailToken,
    LoginSession,
    Membership,
    MembershipRole,
    RecoveryCode,
    SecondFactor,
    User,
)
from ..passwords import verify_password


def _iso(value):
    return value.isoformat() if value else None


def export_personal_data(user: User) -> dict:
    """Everything the platform keeps about ``user``: the account's own data here, and a section from each
    domain that keeps more (``personal_data_requested`` receivers)."""
    consents = db.session.scalars(select(Consent).where(Consent.user_id == user.id)).all()
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    activity = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == user.id)
                                  .order_by(AuditEntry.created_at)).all()
    return {
        "account": {"email": user.email, "full_name": user.full_name, "phone": user.phone, "role": user.role,
                    "locale": user.locale, "created_at": _iso(user.created_at),
                    "email_verified_at": _iso(user.email_verified_at), "last_login_at": _iso(user.last_login_at),
                    "two_step_verification": user.has_second_factor},
        "organisations": [{"organisation": m.organisation.legal_name, "role": m.role, "status": m.status,
                           "since": _iso(m.created_at)} for m in user.memberships],
        "consents": [{"purpose": c.purpose, "notice_version": c.notice_version, "given_at": _iso(c.given_at),
                      "withdrawn_at": _iso(c.withdrawn_at)} for c in consents],
        "api_tokens": [{"name": t.name, "prefix": t.prefix, "created_at": _iso(t.created_at),
                        "expires_at": _iso(t.expires_at), "revoked_at": _iso(t.revoked_at), "scopes": t.scope_list}
                       for t in tokens],
        "activity": [{"at": _iso(a.created_at), "action": a.action, "ip": a.ip} for a in activity],
        **dict(result for _receiver, result in personal_data_requested.send(user) if result),
        "exported_at": _iso(utcnow()),
    }


def anonymise_user(user: User, *, current_password: str) -> None:
    """Delete the account: personal data is erased, organisation records and the audit trail stay."""
    if not verify_password(user.password_hash, current_password or ""):
        raise ServiceError("wrong_password", str(_l("Your current password is not correct.")),
                           field="current_password", status=422)
    for membership in user.active_memberships():
        if membership.role == MembershipRole.OWNER.value:
            other_owners = [m for m in membership.organisation.active_members()
                            if m.is_owner and m.user_id != user.id]
            if not other_owners:
                raise ServiceError(
                    "last_owner",
                    str(_l("You are the only owner of %(org)s. Make another member an owner first.",
                           org=membership.organisation.display_name)))
    record("user.anonymised", actor=user, obj=user)
    user.email = f"deleted-{user.id}@invalid.example"
    user.full_name = str(_l("Deleted user"))
    user.phone = None
    user.password_hash = None
    user.anonymised_at = utcnow()
    for table in (LoginSession, EmailToken, ApiToken, RecoveryCode, SecondFactor):
        db.session.execute(delete(table).where(table.user_id == user.id))
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    db.session.execute(AuditEntry.__table__.update().where(AuditEntry.actor_id == user.id).values(ip=None))
    db.session.flush()
    user_anonymised.send(user)
