"""``/api/v1/offers/{id}/matches`` and ``/api/v1/needs/{id}/matches``: ranked matches with score and reasons."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..listings.loaders import get_listing_or_404
from ..permissions import Permission, requires
from ..urls import external_url
from .labels import reason_text
from .services import can_see_matches, find_matches

blp = Blueprint("matching_api", __name__, url_prefix="/api/v1", description="Offer↔need matching")


class ReasonSchema(Schema):
    code = fields.String()
    text = fields.String()
    details = fields.Dict()


class MatchSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    reference = fields.String()
    title_vi = fields.String()
    url = fields.String()
    score = fields.Integer(metadata={"description": "0–100"})
    reasons = fields.List(fields.Nested(ReasonSchema))


def _matches(side: str, listing_id: int):
    listing = get_listing_or_404(listing_id, current_user, side=side)
    if not can_see_matches(current_user, listing):
        abort(404)
    return [{"id": m.listing.id, "type": m.listing.side, "reference": m.listing.reference,
             "title_vi": m.listing.title_vi, "score": m.score,
             "url": external_url("listings.detail", reference=m.listing.reference),
             "reasons": [{"code": r["code"], "text": reason_text(r),
                          "details": {k: v for k, v in r.items() if k != "code"}} for r in m.reasons]}
            for m in find_matches(listing, limit=20)]


@blp.route("/offers/<int:listing_id>/matches")
class OfferMatches(MethodView):
    @requires(Permission.ACCOUNT_MANAGE)
    @blp.response(200, MatchSchema(many=True))
    def get(self, listing_id: int):
        """Needs matching an offer (its owners and DOST moderators only)."""
        return _matches("offer", listing_id)


@blp.route("/needs/<int:listing_id>/matches")
class NeedMatches(MethodView):
    @requires(Permission.ACCOUNT_MANAGE)
    @blp.response(200, MatchSchema(many=True))
    def get(self, listing_id: int):
        """Offers matching a need (its owners and DOST moderators only)."""
        return _matches("need", listing_id)
