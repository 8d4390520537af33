"""IP asset pages: browse with IP facets, register, Hưng Yên's collective marks and GIs, links to offers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..actions import attempt
from ..extensions import db
from ..listings.loaders import find_listing, get_listing_or_404
from ..listings.models import Listing, Side, Status
from ..listings.views import browse_page, create_page
from ..permissions import Permission, public, requires
from .models import IpAssetDetails
from .services import link_offer, unlink_offer

bp = Blueprint("ip_assets", __name__)
FACETS = ("kind", "legal_status", "available", "classes", "st_fields", "province")
COMMUNITY_TYPES = ("geographical_indication", "collective_mark", "certification_mark")


@bp.get("/ip-assets")
@public
def browse():
    return browse_page(["ip_asset"], _("Intellectual property assets"), Side.IP_ASSET.value, facets=FACETS)


@bp.route("/ip-assets/new", methods=["GET", "POST"])
@requires(Permission.LISTING_CREATE)
def create():
    return create_page(Side.IP_ASSET.value)


@bp.get("/ip-assets/marks")
@public
def community_marks():
    """Hưng Yên's geographical indications, collective and certification marks, and who may use them."""
    rows = db.session.scalars(
        select(Listing).join(IpAssetDetails, IpAssetDetails.listing_id == Listing.id)
        .where(Listing.side == Side.IP_ASSET.value, Listing.status == Status.PUBLISHED.value,
               IpAssetDetails.ip_type.in_(COMMUNITY_TYPES))
        .order_by(IpAssetDetails.ip_type, Listing.title_vi)).all()
    return render_template("ip_assets/marks.html", assets=rows)


@bp.post("/l/<reference>/ip-assets")
@requires(Permission.LISTING_CREATE)
def link(reference: str):
    offer = get_listing_or_404(reference, current_user, edit=True)
    asset = find_listing((request.form.get("asset") or "").strip()[:32])
    if asset is None:
        flash(_("No IP asset has this reference."), "warning")
        return redirect(url_for("listings.detail", reference=offer.reference))
    attempt(lambda: link_offer(offer, asset, by=current_user),
            _("%(ref)s is now shown with this offer.", ref=asset.reference))
    return redirect(url_for("listings.detail", reference=offer.reference))


@bp.post("/l/<reference>/ip-assets/<asset_reference>/unlink")
@requires(Permission.LISTING_CREATE)
def unlink(reference: str, asset_reference: str):
    offer = get_listing_or_404(reference, current_user, edit=True)
    asset = find_listing(asset_reference)
    if asset is None:
        abort(404)
    attempt(lambda: unlink_offer(offer, asset, by=current_user))
    return redirect(url_for("listings.detail", reference=offer.reference))
