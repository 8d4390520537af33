"""Offer and need pages: browse with facets, search, detail, create, edit, owner actions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..actions import attempt
from ..extensions import db
from ..permissions import Permission, public, requires
from ..search import SearchQuery, document_id, get_engine, object_id_of
from ..timeutil import utcnow
from .labels import HINT_LABELS, STATUS_LABELS
from .loaders import can_edit, find_listing, get_listing_or_404
from .markdown import render_markdown
from .models import Listing, Side
from .services import (
    close_listing,
    confirm_listing,
    create_listing,
    looks_like_reference,
    submit_listing,
    update_listing,
    withdraw_listing,
)
from .sides import SIDES, quality_hints

bp = Blueprint("listings", __name__)
FACETS = ("kind", "st_fields", "sectors", "province", "trl", "price_type", "tt_forms")
PER_PAGE = 20


def _query_from_args(types: list[str], facets=FACETS) -> SearchQuery:
    filters = {key: [v for v in request.args.getlist(key) if v] for key in facets}
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    sort = request.args.get("sort") or "relevance"
    if sort not in ("relevance", "newest", "deadline"):
        sort = "relevance"
    return SearchQuery(q=(request.args.get("q") or "").strip()[:200], types=types,
                       filters={k: v for k, v in filters.items() if v}, sort=sort, page=min(page, 500),
                       per_page=PER_PAGE, facets=list(facets))


def browse_page(types: list[str], template_title: str, side: str | None, facets=FACETS):
    query = _query_from_args(types, facets)
    if query.q and looks_like_reference(query.q):
        found = find_listing(query.q)
        if found is not None and found.is_public:
            return redirect(url_for("listings.detail", reference=found.reference))
    results = get_engine().search(query)
    ids = {hit.object_id for hit in results.hits}
    by_id = {x.id: x for x in db.session.scalars(select(Listing).where(Listing.id.in_(ids)))} if ids else {}
    items = [(hit, by_id.get(hit.object_id)) for hit in results.hits]
    items = [(hit, listing) for hit, listing in items if listing is not None]
    return render_template("listings/browse.html", results=results, items=items, query=query, side=side,
                           title=template_title, facets=facets)


@bp.get("/offers")
@public
def offers():
    return browse_page(["offer"], _("Technology offers"), "offer")


@bp.get("/needs")
@public
def needs():
    return browse_page(["need"], _("Technology needs"), "need")


@bp.get("/search")
@public
def search():
    types = [t for t in request.args.getlist("type") if t in ("offer", "need", "ip_asset")] or \
        ["offer", "need", "ip_asset"]
    return browse_page(types, _("Search"), None)


@bp.get("/l/<reference>")
@public
def detail(reference: str):
    listing = get_listing_or_404(reference, current_user)
    similar = []
    if listing.is_public:
        other = "need" if listing.side != "need" else "offer"
        text = " ".join(filter(None, [listing.title_vi, listing.summary, listing.description, listing.problem]))
        for doc_id, _score, _terms in get_engine().similar(text, types=[listing.side, other],
                                                           exclude_ids=[document_id(listing.side, listing.id)],
                                                           limit=6):
            found = db.session.get(Listing, object_id_of(doc_id))
            if found is not None and found.is_public:
                similar.append(found)
    member = can_edit(current_user, listing)
    show_contact = listing.contact_visibility == "public" or member or (
        listing.contact_visibility == "members" and current_user.is_authenticated)
    return render_template("listings/detail.html", listing=listing, member=member, similar=similar,
                           today=utcnow().date(),
                           description=render_markdown(listing.description), problem=render_markdown(listing.problem),
                           current_solution=render_markdown(listing.current_solution),
                           hints=[HINT_LABELS.get(h, h) for h in quality_hints(listing)] if member else [],
                           status_labels=STATUS_LABELS, show_contact=show_contact)


def _form_page(form, side: str, listing: Listing | None):
    return render_template("listings/form.html", form=form, side=side, listing=listing,
                           side_fields_template=SIDES[side].form_template), 422 if form.errors else 200


def create_page(side: str):
    """The "new listing" page of any side (offers and needs here, IP assets in ``ip_assets.views``)."""
    organisations = current_user.active_organisations()
    if not organisations:
        flash(_("Register or join an organisation first: listings are published in its name."), "warning")
        return redirect(url_for("accounts.profile"))
    form = SIDES[side].form()
    form.fill_choices(organisations)
    if request.method == "GET":
        form.province_code.data = organisations[0].province_code
    if form.validate_on_submit():
        # one organisation: the selector is not shown and nothing is posted
        chosen = form.organisation_id.data if len(organisations) > 1 else organisations[0].id
        organisation = next((o for o in organisations if o.id == chosen), None)
        if organisation is None:
            abort(404)
        done = attempt(lambda: create_listing(side, by=current_user, organisation=organisation,
                                              data=form.listing_data()),
                       lambda listing: _("Draft %(ref)s saved. Submit it for review when it is ready.",
                                         ref=listing.reference), form=form)
        if done:
            return redirect(url_for("listings.detail", reference=done.value.reference))
    return _form_page(form, side, None)


@bp.route("/<any(offers, needs):section>/new", methods=["GET", "POST"])
@requires(Permission.LISTING_CREATE)
def create(section: str):
    return create_page(Side.OFFER.value if section == "offers" else Side.NEED.value)


@bp.route("/l/<reference>/edit", methods=["GET", "POST"])
@requires(Permission.LISTING_CREATE)
def edit(reference: str):
    listing = get_listing_or_404(reference, current_user, edit=True)
    form = SIDES[listing.side].form(obj=listing)
    form.fill_choices([listing.organisation])
    if request.method == "GET":
        form.load(listing, listing.pending_revision)
    if form.validate_on_submit() and attempt(
            lambda: update_listing(listing, by=current_user, data=form.listing_data()),
            lambda outcome: _("Your changes were sent for review. The approved version stays public meanwhile.")
            if outcome == "revision" else _("Saved."), form=form):
        return redirect(url_for("listings.detail", reference=listing.reference))
    return _form_page(form, listing.side, listing)


ACTIONS = {"submit": (submit_listing, _l("Sent to DOST for review.")),
           "withdraw": (withdraw_listing, _l("The listing was withdrawn.")),
           "close": (close_listing, _l("The listing is marked as transferred and closed.")),
           "confirm": (confirm_listing, _l("Thank you: the listing is confirmed as still valid."))}


@bp.post("/l/<reference>/<any(submit, withdraw, close, confirm):action>")
@requires(Permission.LISTING_CREATE)
def act(reference: str, action: str):
    listing = get_listing_or_404(reference, current_user, edit=True)
    service, message = ACTIONS[action]
    attempt(lambda: service(listing, by=current_user), message)
    return redirect(url_for("listings.detail", reference=listing.reference))


@bp.get("/my/listings")
@requires(Permission.LISTING_CREATE)
def mine():
    org_ids = [o.id for o in current_user.active_organisations()]
    listings = db.session.scalars(select(Listing).where(Listing.organisation_id.in_(org_ids))
                                  .order_by(Listing.updated_at.desc())).all() if org_ids else []
    return render_template("listings/mine.html", listings=listings, status_labels=STATUS_LABELS)


__all__ = ["FACETS", "bp", "browse_page", "create_page"]
