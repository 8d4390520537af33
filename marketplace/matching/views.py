"""Matches of a listing (owners and moderators), introductions, saved searches and unsubscribe."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..actions import attempt
from ..extensions import db
from ..listings.loaders import get_listing_or_404
from ..permissions import Permission, public, requires, user_can
from .forms import PreferencesForm
from .labels import reason_text
from .models import Introduction, MatchPreference, SavedSearch
from .saved_searches import (
    FILTER_KEYS,
    create_saved_search,
    delete_saved_search,
    set_match_digest,
    unsubscribe,
)
from .services import can_see_matches, find_matches, introduce

bp = Blueprint("matching", __name__)


@bp.get("/l/<reference>/matches")
@requires(Permission.ACCOUNT_MANAGE)
def matches(reference: str):
    listing = get_listing_or_404(reference, current_user)
    if not can_see_matches(current_user, listing):
        abort(404)
    found = find_matches(listing, limit=20) if listing.is_public or listing.status == "pending_review" else []
    column = Introduction.offer_id if listing.side != "need" else Introduction.need_id
    introduced = {(i.need_id if listing.side != "need" else i.offer_id)
                  for i in db.session.scalars(select(Introduction).where(column == listing.id))}
    return render_template("matching/matches.html", listing=listing, matches=found, introduced=introduced,
                           reason_text=reason_text, moderator=user_can(current_user, Permission.LISTING_MODERATE))


@bp.post("/l/<reference>/matches/<other>/introduce")
@requires(Permission.LISTING_MODERATE)
def introduce_view(reference: str, other: str):
    listing = get_listing_or_404(reference, current_user)
    partner = get_listing_or_404(other, current_user)
    attempt(lambda: introduce(listing, partner, by=current_user, note=request.form.get("note")),
            _("Marked as introduced: %(a)s ↔ %(b)s.", a=listing.reference, b=partner.reference))
    return redirect(url_for("matching.matches", reference=listing.reference))


@bp.get("/saved-searches")
@requires(Permission.ACCOUNT_MANAGE)
def saved_searches():
    items = db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == current_user.id)
                               .order_by(SavedSearch.created_at.desc())).all()
    preference = db.session.get(MatchPreference, current_user.id)
    form = PreferencesForm(formdata=None, digest=bool(preference and preference.digest))
    return render_template("matching/saved_searches.html", items=items, form=form)


@bp.post("/saved-searches")
@requires(Permission.ACCOUNT_MANAGE)
def save_search():
    query = {"q": request.form.get("q", ""), "types": request.form.getlist("types"),
             "filters": {k: request.form.getlist(k) for k in FILTER_KEYS}}
    if not attempt(lambda: create_saved_search(by=current_user, name=request.form.get("name", ""), query=query,
                                               frequency=request.form.get("frequency", "daily")),
                   _("Search saved. We will mail you new listings that match it.")):
        return redirect(request.referrer or url_for("listings.search"))
    return redirect(url_for("matching.saved_searches"))


@bp.post("/saved-searches/<int:saved_id>/delete")
@requires(Permission.ACCOUNT_MANAGE)
def delete_search(saved_id: int):
    saved = db.session.get(SavedSearch, saved_id)
    if saved is None or saved.user_id != current_user.id:
        abort(404)
    attempt(lambda: delete_saved_search(saved, by=current_user), _("Saved search deleted."))
    return redirect(url_for("matching.saved_searches"))


@bp.post("/saved-searches/preferences")
@requires(Permission.ACCOUNT_MANAGE)
def preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        attempt(lambda: set_match_digest(by=current_user, digest=form.digest.data), _("Preferences saved."))
    else:
        flash(_("The form expired. Please submit it again."), "danger")
    return redirect(url_for("matching.saved_searches"))


@bp.route("/saved-searches/unsubscribe/<token>", methods=["GET", "POST"], endpoint="unsubscribe")
@public
def unsubscribe_view(token: str):
    """Works without signing in: GET shows a confirmation (mail scanners follow links), POST unsubscribes."""
    if request.method == "POST":
        saved = unsubscribe(token)
        db.session.commit()
        if saved is None:
            abort(404)
        return render_template("matching/unsubscribed.html", saved=saved, done=True)
    return render_template("matching/unsubscribed.html", saved=None, done=False, token=token)

