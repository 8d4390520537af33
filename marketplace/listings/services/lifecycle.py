"""Listing lifecycle: create, edit (with revisions once published), submit, moderate, withdraw, close, confirm.

Transitions live in one table; anything else is refused with a 409. Services flush, audit, emit signals and
queue mail and search indexing after commit; they never commit.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...accounts.models import MembershipStatus, Organisation
from ...audit.services import record
from ...errors import ServiceError
from ...extensions import db
from ...mail.services import queue_mail
from ...permissions import Permission, user_can
from ...signals import listing_changed, listing_published
from ...timeutil import utcnow
from ...urls import external_url
from ..labels import STATUS_LABELS
from ..models import NEED_KIND, Listing, ListingRevision, ModerationDecision, Side, Status
from .fields import EXTENSIONS, apply_fields, clean_listing_data, fields_for, read_field
from .references import next_reference

S = Status
TRANSITIONS: dict[str, dict[str, str]] = {
    "submit": {S.DRAFT: S.PENDING_REVIEW, S.CHANGES_REQUESTED: S.PENDING_REVIEW, S.REJECTED: S.PENDING_REVIEW},
    "approve": {S.PENDING_REVIEW: S.PUBLISHED},
    "request_changes": {S.PENDING_REVIEW: S.CHANGES_REQUESTED},
    "reject": {S.PENDING_REVIEW: S.REJECTED},
    "withdraw": {S.PENDING_REVIEW: S.WITHDRAWN, S.PUBLISHED: S.WITHDRAWN, S.CHANGES_REQUESTED: S.WITHDRAWN,
                 S.EXPIRED: S.WITHDRAWN},
    "close": {S.PUBLISHED: S.CLOSED, S.EXPIRED: S.CLOSED},
    "expire": {S.PUBLISHED: S.EXPIRED},
    "archive": {S.CLOSED: S.ARCHIVED, S.WITHDRAWN: S.ARCHIVED, S.EXPIRED: S.ARCHIVED, S.REJECTED: S.ARCHIVED},
    "confirm": {S.PUBLISHED: S.PUBLISHED, S.EXPIRED: S.PUBLISHED},
}
DECISIONS = ("approve", "request_changes", "reject")


def _transition(listing: Listing, action: str) -> str:
    target = TRANSITIONS[action].get(Status(listing.status))
    if target is None:
        raise ServiceError("illegal_transition",
                           str(_l("This action is not possible while the listing is “%(status)s”.",
                                  status=STATUS_LABELS.get(listing.status, listing.status))), status=409)
    return target.value


def is_member(user, organisation: Organisation) -> bool:
    membership = organisation.membership_of(user)
    return membership is not None and membership.status == MembershipStatus.ACTIVE.value


def can_edit(user, listing: Listing) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and is_member(user, listing.organisation)


def _require_member(user, organisation: Organisation) -> None:
    if not is_member(user, organisation):
        raise ServiceError("not_member", str(_l("Only members of the organisation can do this.")), status=403)


def _after_change(listing: Listing) -> None:
    listing_changed.send(listing)


def create_listing(side: str, *, by, organisation: Organisation, data: dict) -> Listing:
    _require_member(by, organisation)
    side = Side(side).value
    cleaned = clean_listing_data(side, data)
    if not cleaned.get("title_vi"):
        raise ServiceError("invalid_title_vi", str(_l("Enter a title in Vietnamese.")), field="title_vi", status=422)
    if side == Side.OFFER.value and not cleaned.get("kind"):
        raise ServiceError("invalid_kind", str(_l("Choose technology, equipment or S&T service.")), field="kind",
                           status=422)
    kind = cleaned.pop("kind", None) or (cleaned.get("ip_type") if side in EXTENSIONS else NEED_KIND)
    listing = Listing(side=side, kind=kind or side, organisation_id=organisation.id,
                      organisation=organisation, created_by_id=by.id, status=Status.DRAFT.value,
                      reference=next_reference(side))
    listing.contact_visibility = "members"
    apply_fields(listing, cleaned)
    db.session.add(listing)
    db.session.flush()
    record("listing.created", actor=by, obj=listing, reference=listing.reference)
    return listing


def snapshot(listing: Listing) -> dict:
    """The editable fields of ``listing`` as JSON-ready values (dates as ISO strings)."""
    data = {}
    for field in fields_for(listing.side):
        value = read_field(listing, field)
        data[field] = value.isoformat() if isinstance(value, date) else value
    return data


def update_listing(listing: Listing, *, by, data: dict) -> str:
    """Apply an edit. Published listings get a pending revision instead; returns "applied" or "revision"."""
    if not can_edit(by, listing):
        raise ServiceError("not_member", str(_l("Only members of the organisation can do this.")), status=403)
    if listing.status in (S.CLOSED.value, S.WITHDRAWN.value, S.ARCHIVED.value):
        raise ServiceError("illegal_transition", str(_l("A closed, withdrawn or archived listing cannot be edited.")),
                           status=409)
    cleaned = clean_listing_data(listing.side, data)
    if listing.status in (S.PUBLISHED.value, S.EXPIRED.value):
        revision = listing.pending_revision
        merged = snapshot(listing) | (revision.data if revision else {}) | {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in cleaned.items()}
        if revision is None:
            revision = ListingRevision(listing=listing, created_by_id=by.id, data=merged)
            db.session.add(revision)
        revision.data = merged
        revision.status = "pending"
        revision.created_at = utcnow()
        db.session.flush()
        record("listing.revision_submitted", actor=by, obj=listing, revision=revision.id)
        return "revision"
    apply_fields(listing, cleaned)
    if "ip_type" in cleaned:
        listing.kind = cleaned["ip_type"]
    db.session.flush()
    record("listing.updated", actor=by, obj=listing, fields=sorted(cleaned))
    _after_change(listing)
    return "applied"


def submit_listing(listing: Listing, *, by) -> None:
    _require_member(by, listing.organisation)
    if not listing.organisation.is_verified:
        raise ServiceError("organisation_not_verified",
                           str(_l("Your organisation must be verified by DOST before its listings can be submitted.")),
                           status=409)
    listing.status = _transition(listing, "submit")
    listing.submitted_at = utcnow()
    db.session.flush()
    record("listing.submitted", actor=by, obj=listing)
    _after_change(listing)


def _mail_owner(listing: Listing, template: str, **context) -> None:
    recipient = listing.created_by
    if recipient is None or not recipient.is_active:
        return
    queue_mail(recipient.email, template, locale=recipient.locale, name=recipient.full_name,
               reference=listing.reference, title=listing.title_vi,
               url=external_url("listings.detail", reference=listing.reference), **context)


def decide_listing(listing: Listing, *, by, decision: str, reason_code: str | None = None,
                   note: str | None = None, notify: bool = True) -> ModerationDecision:
    if not user_can(by, Permission.LISTING_MODERATE):
        raise ServiceError("forbidden", str(_l("You do not have permission to do this.")), status=403)
    if decision not in DECISIONS:
        raise ServiceError("invalid_decision", str(_l("Choose approve, request changes or reject.")),
                           field="decision", status=422)
    if decision != "approve" and not reason_code:
        raise ServiceError("reason_required", str(_l("Give a reason for the owner.")), field="reason_code", status=422)
    from ...reference.services import is_active_code

    if reason_code and not is_active_code("moderation_reason", reason_code):
        raise ServiceError("invalid_reason", str(_l("Choose a reason from the list.")), field="reason_code", status=422)
    note = (note or "").strip()[:2000] or None
    revision = listing.pending_revision if listing.status in (S.PUBLISHED.value, S.EXPIRED.value) else None
    if revision is not None and revision.status != "pending":
        revision = None
    if revision is None:
        listing.status = _transition(listing, decision)
        if decision == "approve":
            _publish(listing)
    else:
        revision.status = {"approve": "approved", "request_changes": "changes_requested",
                           "reject": "rejected"}[decision]
        revision.decided_at = utcnow()
        if decision == "approve":
            cleaned = clean_listing_data(listing.side, revision.data, check_dates=False)
            apply_fields(listing, cleaned)
            if "ip_type" in cleaned:
                listing.kind = cleaned["ip_type"]
            listing.last_confirmed_at = utcnow()
    entry = ModerationDecision(listing_id=listing.id, revision_id=revision.id if revision else None,
                               decision=decision, reason_code=reason_code, note=note, moderator_id=by.id)
    db.session.add(entry)
    db.session.flush()
    record(f"listing.{decision}", actor=by, obj=listing, reason=reason_code, revision=entry.revision_id)
    if notify:
        _mail_owner(listing, "listing_decision", decision=decision, reason_code=reason_code or "",
                    note=note or "", revision=bool(revision))
    _after_change(listing)
    if decision == "approve" and revision is None:
        listing_published.send(listing)
    return entry


def _publish(listing: Listing) -> None:
    now = utcnow()
    listing.published_at = listing.published_at or now
    listing.last_confirmed_at = now
    if listing.side == Side.OFFER.value and (listing.valid_until is None or listing.valid_until < now.date()):
        listing.valid_until = now.date() + timedelta(days=current_app.config["LISTING_VALID_DAYS"])


def _owner_action(listing: Listing, *, by, action: str) -> None:
    if not can_edit(by, listing):
        raise ServiceError("not_member", str(_l("Only members of the organisation can do this.")), status=403)
    listing.status = _transition(listing, action)
    if action == "close":
        listing.closed_at = utcnow()
    db.session.flush()
    record(f"listing.{action}", actor=by, obj=listing)
    _after_change(listing)


def withdraw_listing(listing: Listing, *, by) -> None:
    _owner_action(listing, by=by, action="withdraw")


def close_listing(listing: Listing, *, by) -> None:
    _owner_action(listing, by=by, action="close")


def confirm_listing(listing: Listing, *, by) -> None:
    """One click "still valid": refreshes the confirmation date and extends validity if it ran out."""
    _owner_action(listing, by=by, action="confirm")
    listing.last_confirmed_at = utcnow()
    today = utcnow().date()
    if listing.valid_until is None or listing.valid_until < today + timedelta(days=30):
        listing.valid_until = today + timedelta(days=current_app.config["LISTING_VALID_DAYS"])
    db.session.flush()


def expire_listing(listing: Listing) -> None:
    listing.status = _transition(listing, "expire")
    db.session.flush()
    record("listing.expired", obj=listing)
    _after_change(listing)
