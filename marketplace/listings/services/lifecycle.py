"""Listing lifecycle: create, edit (with revisions once published), submit, moderate, withdraw, close, confirm.

Transitions live in one table; anything else is refused with a 409. What differs between offers, needs and
IP assets comes from the table of sides (``listings.sides``). Services flush, audit, write their effects to the
outbox (the listing's search document, mail) and emit the cross-domain signals; they never commit.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...accounts.models import Organisation
from ...audit.services import record
from ...errors import fail
from ...extensions import db
from ...mail.services import queue_mail
from ...outbox.services import add_effect
from ...permissions import Permission, user_can
from ...reference.services import is_active_code
from ...signals import listing_changed, listing_published
from ...timeutil import utcnow
from ...urls import external_url
from ..labels import STATUS_LABELS
from ..loaders import require_member
from ..models import Listing, ListingRevision, ModerationDecision, Side, Status
from ..sides import SIDES, apply_fields, check_required, clean_listing_data, fields_for, read_field
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
        raise fail(None, _l("This action is not possible while the listing is “%(status)s”.",
                            status=STATUS_LABELS.get(listing.status, listing.status)),
                   status=409, code="illegal_transition")
    return target.value


def _after_change(listing: Listing) -> None:
    """Every change of content or status: re-index the listing (an effect of this domain, in the listing's
    lane so later effects see the new document), then tell other domains."""
    add_effect("listings.index", {"id": listing.id, "side": listing.side}, key=listing.id,
               lane=f"listing:{listing.id}")
    listing_changed.send(listing)


def create_listing(side: str, *, by, organisation: Organisation, data: dict) -> Listing:
    require_member(by, organisation)
    side = Side(side).value
    cleaned = clean_listing_data(side, data)
    check_required(side, cleaned)
    kind = cleaned.pop("kind", None) or SIDES[side].default_kind  # else derived from the side's fields
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
    require_member(by, listing.organisation)
    if listing.status in (S.CLOSED.value, S.WITHDRAWN.value, S.ARCHIVED.value):
        raise fail(None, _l("A closed, withdrawn or archived listing cannot be edited."), status=409,
                   code="illegal_transition")
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
    db.session.flush()
    record("listing.updated", actor=by, obj=listing, fields=sorted(cleaned))
    _after_change(listing)
    return "applied"


def submit_listing(listing: Listing, *, by) -> None:
    require_member(by, listing.organisation)
    if not listing.organisation.is_verified:
        raise fail(None, _l("Your organisation must be verified by DOST before its listings can be submitted."),
                   status=409, code="organisation_not_verified")
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
        raise fail(None, _l("You do not have permission to do this."), status=403, code="forbidden")
    if decision not in DECISIONS:
        raise fail("decision", _l("Choose approve, request changes or reject."))
    if decision != "approve" and not reason_code:
        raise fail("reason_code", _l("Give a reason for the owner."), code="reason_required")
    if reason_code and not is_active_code("moderation_reason", reason_code):
        raise fail("reason_code", _l("Choose a reason from the list."), code="invalid_reason")
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
    require_member(by, listing.organisation)
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
