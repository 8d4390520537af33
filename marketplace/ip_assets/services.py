"""IP asset services. IP assets are listings of side ``ip_asset``: creating, editing, submitting and moderating
them goes through ``listings.services`` (same lifecycle, revisions and moderation), with the IP fields from
the table of sides (``listings.sides`` → ``ip_assets.fields``). This module links IP assets to offers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..errors import fail
from ..extensions import db
from ..listings.loaders import require_member
from ..listings.models import Listing, Side


def link_offer(offer: Listing, asset: Listing, *, by) -> None:
    """Attach an IP asset to an offer of the same organisation (or an asset the organisation co-owns)."""
    if offer.side != Side.OFFER.value or asset.side != Side.IP_ASSET.value:
        raise fail(None, _l("Only an IP asset can be attached to an offer."), code="invalid_link")
    require_member(by, offer.organisation)
    if asset.organisation_id != offer.organisation_id and not asset.is_public:
        raise fail(None, _l("This IP asset is not public yet."), status=409, code="not_visible")
    if asset not in offer.ip_assets:
        offer.ip_assets.append(asset)
        db.session.flush()
        record("listing.ip_linked", actor=by, obj=offer, ip_asset=asset.reference)


def unlink_offer(offer: Listing, asset: Listing, *, by) -> None:
    require_member(by, offer.organisation)
    if asset in offer.ip_assets:
        offer.ip_assets.remove(asset)
        db.session.flush()
        record("listing.ip_unlinked", actor=by, obj=offer, ip_asset=asset.reference)
