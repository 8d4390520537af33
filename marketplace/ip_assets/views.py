"""IP asset pages: browse with IP facets, register, Hưng Yên's collective marks and GIs, links to offers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..listings.models import Listing, Side, Status
from ..listings.services import ServiceError
from ..listings.views import browse_page, create_page, get_listing_or_404
from ..permissions import Permission, public, requires
from . import forms as _forms  # noqa: F401  (registers the IP asset form)
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
    offer = get_listing_or_404(reference, edit=True)
    asset = db.session.scalar(select(Listing).where(Listing.reference == (request.form.get("asset") or "").upper()))
    if asset is None:
        flash(_("No IP asset has this reference."), "warning")
        return redirect(url_for("listings.detail", reference=offer.reference))
    try:
        link_offer(offer, asset, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("%(ref)s is now shown with this offer.", ref=asset.reference), "success")
    return redirect(url_for("listings.detail", reference=offer.reference))


@bp.post("/l/<reference>/ip-assets/<asset_reference>/unlink")
@requires(Permission.LISTING_CREATE)
def unlink(reference: str, asset_reference: str):
    offer = get_listing_or_404(reference, edit=True)
    asset = db.session.scalar(select(Listing).where(Listing.reference == asset_reference.upper()))
    if asset is None:
        abort(404)
    unlink_offer(offer, asset, by=current_user)
    db.session.commit()
    return redirect(url_for("listings.detail", reference=offer.reference))
