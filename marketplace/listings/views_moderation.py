"""DOST moderation: the queue (oldest first, waiting time), review with a diff, decisions, bulk approval."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from ..actions import attempt
from ..errors import ServiceError
from ..extensions import db
from ..permissions import Permission, requires
from ..reference.services import label_for
from ..timeutil import utcnow
from .forms import DecisionForm
from .labels import HINT_LABELS, STATUS_LABELS
from .loaders import find_listing, get_listing_or_404
from .markdown import render_markdown
from .models import Listing, ListingRevision, ModerationDecision, Status
from .services import decide_listing, snapshot
from .sides import fields_for, quality_hints

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def queue_items(side: str | None = None, kind: str | None = None) -> list[tuple[Listing, ListingRevision | None]]:
    pending_revision = select(ListingRevision.listing_id).where(ListingRevision.status == "pending")
    stmt = select(Listing).where(or_(Listing.status == Status.PENDING_REVIEW.value, Listing.id.in_(pending_revision)))
    if side:
        stmt = stmt.where(Listing.side == side)
    if kind:
        stmt = stmt.where(Listing.kind == kind)
    items = []
    for listing in db.session.scalars(stmt):
        revision = listing.pending_revision
        revision = revision if revision is not None and revision.status == "pending" else None
        items.append((listing, revision))
    items.sort(key=lambda item: waiting_since(*item))
    return items


def waiting_since(listing: Listing, revision: ListingRevision | None):
    return revision.created_at if revision else (listing.submitted_at or listing.updated_at)


def diff(listing: Listing, revision: ListingRevision) -> list[tuple[str, object, object]]:
    current = snapshot(listing)
    return [(field, current.get(field), revision.data.get(field)) for field in fields_for(listing.side)
            if current.get(field) != revision.data.get(field)]


@bp.get("/")
@requires(Permission.LISTING_MODERATE)
def queue():
    side = request.args.get("side") or None
    kind = request.args.get("kind") or None
    items = queue_items(side, kind)
    now = utcnow()
    return render_template("moderation/queue.html", items=items, side=side, kind=kind, now=now,
                           waiting_since=waiting_since)


@bp.get("/<reference>")
@requires(Permission.LISTING_MODERATE)
def review(reference: str):
    listing = get_listing_or_404(reference, current_user)
    revision = listing.pending_revision
    revision = revision if revision is not None and revision.status == "pending" else None
    form = DecisionForm(formdata=None)
    form.fill_choices()
    history = db.session.scalars(select(ModerationDecision).where(ModerationDecision.listing_id == listing.id)
                                 .order_by(ModerationDecision.created_at.desc())).all()
    return render_template("moderation/review.html", listing=listing, revision=revision, form=form,
                           changes=diff(listing, revision) if revision else [], history=history,
                           hints=[HINT_LABELS.get(h, h) for h in quality_hints(listing)], status_labels=STATUS_LABELS,
                           description=render_markdown(listing.description), problem=render_markdown(listing.problem),
                           label_for=label_for, today=utcnow().date())


@bp.post("/<reference>/decision")
@requires(Permission.LISTING_MODERATE)
def decision(reference: str):
    listing = get_listing_or_404(reference, current_user)
    form = DecisionForm()
    form.fill_choices()
    if form.validate_on_submit() and not attempt(
            lambda: decide_listing(listing, by=current_user, decision=form.decision.data,
                                   reason_code=form.reason_code.data or None, note=form.note.data),
            _("Decision on %(ref)s saved and mailed to the owner.", ref=listing.reference)):
        return redirect(url_for("moderation.review", reference=listing.reference))
    return redirect(url_for("moderation.queue"))


@bp.post("/bulk-approve")
@requires(Permission.LISTING_MODERATE)
def bulk_approve():
    references = request.form.getlist("reference")[:200]
    approved, refused = 0, []
    for reference in references:
        listing = find_listing(reference)
        if listing is None:
            continue
        try:
            with db.session.begin_nested():
                decide_listing(listing, by=current_user, decision="approve")
            approved += 1
        except ServiceError:
            refused.append(reference)
    db.session.commit()
    flash(_("%(n)d listings approved.", n=approved), "success")
    if refused:
        flash(_("Not approved (state changed meanwhile): %(refs)s", refs=", ".join(refused)), "warning")
    return redirect(url_for("moderation.queue"))
