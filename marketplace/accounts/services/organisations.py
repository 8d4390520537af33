from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ...audit.services import record
from ...errors import ServiceError
from ...extensions import db
from ...reference.services import is_active_code
from ...signals import organisation_verified
from ...text import slugify
from ...timeutil import utcnow
from ..models import Membership, MembershipRole, MembershipStatus, Organisation, OrgStatus, OrgType, User
from ..tax_code import TaxCodeError, normalise_tax_code

EDITABLE_FIELDS = ("legal_name", "short_name", "org_type", "tax_code", "province_code", "commune_code",
                   "street_address", "representative", "representative_title", "phone", "email", "website",
                   "description")

TAX_CODE_MESSAGES = {
    "format": _l("A tax code has 10 digits, or 10 digits, a hyphen and 3 digits for a branch "
                 "(for example 0100109106 or 0100109106-001)."),
    "check_digit": _l("This tax code is not valid: its last digit does not match the check digit. "
                      "Check the number on your business registration certificate."),
    "branch": _l("A branch number cannot be 000."),
}


def clean_tax_code(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    try:
        return normalise_tax_code(raw)
    except TaxCodeError as exc:
        raise ServiceError(f"tax_code_{exc.code}", str(TAX_CODE_MESSAGES[exc.code]), field="tax_code",
                           status=422) from exc


def _unique_slug(name: str, exclude_id: int | None = None) -> str:
    base = slugify(name, max_length=70)
    slug, n = base, 1
    while True:
        found = db.session.scalar(select(Organisation.id).where(Organisation.slug == slug))
        if found is None or found == exclude_id:
            return slug
        n += 1
        slug = f"{base}-{n}"


def _apply_fields(org: Organisation, fields: dict) -> dict:
    changes = {}
    if "org_type" in fields and fields["org_type"] not in {t.value for t in OrgType}:
        raise ServiceError("org_type", str(_l("Choose an organisation type from the list.")), field="org_type",
                           status=422)
    if "tax_code" in fields:
        fields["tax_code"] = clean_tax_code(fields["tax_code"])
        if fields["tax_code"]:
            other = db.session.scalar(select(Organisation.id).where(Organisation.tax_code == fields["tax_code"]))
            if other is not None and other != org.id:
                raise ServiceError("tax_code_taken",
                                   str(_l("An organisation with this tax code is already registered. "
                                          "Ask its owner to add you instead.")), field="tax_code")
    if fields.get("province_code") and not is_active_code("province", fields["province_code"]):
        raise ServiceError("province", str(_l("Choose a province from the list.")), field="province_code", status=422)
    if fields.get("commune_code") and not is_active_code("commune", fields["commune_code"]):
        raise ServiceError("commune", str(_l("Choose a commune or ward from the list.")), field="commune_code",
                           status=422)
    for key in EDITABLE_FIELDS:
        if key in fields:
            value = fields[key]
            if isinstance(value, str):
                value = value.strip() or None
            if key == "legal_name" and not value:
                raise ServiceError("legal_name", str(_l("Enter the legal name.")), field="legal_name", status=422)
            if getattr(org, key) != value:
                changes[key] = value
                setattr(org, key, value)
    return changes


def create_organisation(*, by: User, **fields) -> Organisation:
    org = Organisation(status=OrgStatus.PENDING.value, legal_name="")
    _apply_fields(org, fields)
    org.slug = _unique_slug(org.short_name or org.legal_name)
    db.session.add(org)
    db.session.flush()
    db.session.add(Membership(user_id=by.id, organisation_id=org.id, role=MembershipRole.OWNER.value,
                              status=MembershipStatus.ACTIVE.value, decided_at=utcnow(), decided_by_id=by.id))
    record("organisation.created", actor=by, obj=org, legal_name=org.legal_name)
    db.session.flush()
    return org


def update_organisation(org: Organisation, *, by: User, **fields) -> dict:
    identity_before = (org.legal_name, org.tax_code)
    changes = _apply_fields(org, fields)
    # Changing who the organisation is after DOST verified it needs a new verification.
    if org.is_verified and (org.legal_name, org.tax_code) != identity_before:
        org.status = OrgStatus.PENDING.value
        org.verified_at = None
        changes["status"] = org.status
    if changes:
        record("organisation.updated", actor=by, obj=org, fields=sorted(changes))
        db.session.flush()
    return changes


def find_organisation(ref: str) -> Organisation | None:
    """Look up by id, slug or tax code (the CLI's ``--organisation REF``)."""
    ref = (ref or "").strip()
    conditions = [Organisation.slug == ref, Organisation.tax_code == ref]
    if ref.isdigit() and len(ref) < 10:
        conditions.append(Organisation.id == int(ref))
    return db.session.scalar(select(Organisation).where(or_(*conditions)))


def request_membership(org: Organisation, *, by: User, message: str | None = None) -> Membership:
    existing = org.membership_of(by)
    if existing is not None and existing.status != MembershipStatus.REJECTED.value:
        raise ServiceError("already_member", str(_l("You are already a member of this organisation or "
                                                     "your request is waiting.")))
    if existing is None:
        existing = Membership(user_id=by.id, organisation_id=org.id)
        db.session.add(existing)
    existing.status = MembershipStatus.PENDING.value
    existing.role = MembershipRole.MEMBER.value
    existing.message = (message or "").strip()[:500] or None
    existing.decided_at = None
    db.session.flush()
    record("membership.requested", actor=by, obj=org)
    return existing


def add_member(org: Organisation, user: User, *, by: User | None, role: str = MembershipRole.MEMBER.value) -> Membership:
    membership = org.membership_of(user)
    if membership is None:
        membership = Membership(user_id=user.id, organisation_id=org.id)
        db.session.add(membership)
        org.memberships.append(membership)
    membership.role = MembershipRole(role).value
    membership.status = MembershipStatus.ACTIVE.value
    membership.decided_at = utcnow()
    membership.decided_by_id = getattr(by, "id", None)
    db.session.flush()
    record("membership.added", actor=by, obj=org, user_id=user.id, role=membership.role)
    return membership


def decide_membership(membership: Membership, *, by: User, approve: bool) -> None:
    if membership.status != MembershipStatus.PENDING.value:
        raise ServiceError("not_pending", str(_l("This request has already been decided.")))
    membership.status = (MembershipStatus.ACTIVE if approve else MembershipStatus.REJECTED).value
    membership.decided_at = utcnow()
    membership.decided_by_id = by.id
    record("membership.approved" if approve else "membership.rejected", actor=by,
           obj=membership.organisation, user_id=membership.user_id)
    db.session.flush()


def set_organisation_status(org: Organisation, status: str, *, by: User, note: str | None = None) -> None:
    new = OrgStatus(status).value
    if org.status == new:
        return
    old, org.status = org.status, new
    org.status_note = (note or "").strip()[:500] or None
    if new == OrgStatus.VERIFIED.value:
        org.verified_at = utcnow()
        org.verified_by_id = by.id
    record(f"organisation.{new}", actor=by, obj=org, old=old, note=org.status_note)
    db.session.flush()
    if new == OrgStatus.VERIFIED.value:
        organisation_verified.send(org, by=by)
