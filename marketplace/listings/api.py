"""``/api/v1/offers``, ``/api/v1/needs``, ``/api/v1/search`` and ``/api/v1/moderation``."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import load_only

from ..accounts.models import Organisation
from ..errors import fail
from ..extensions import db
from ..permissions import Permission, public, requires
from ..search import SearchQuery, get_engine
from ..urls import external_url
from .loaders import get_listing_or_404
from .models import Listing, Side
from .schemas import (
    DecisionInput,
    ListingQuery,
    NeedInput,
    NeedSchema,
    OfferInput,
    OfferSchema,
    QueueItemSchema,
    SearchArgs,
    SearchPage,
)
from .services import create_listing, decide_listing, submit_listing, update_listing, withdraw_listing
from .views import FACETS
from .views_moderation import queue_items, waiting_since

blp = Blueprint("listings_api", __name__, url_prefix="/api/v1", description="Technology offers and needs")


def _load(side: str, key: str) -> Listing:
    """``key`` in a URL is an id (digits) or a reference."""
    return get_listing_or_404(int(key) if key.isdigit() else key, current_user, side=side)


def _run_search(args, types, facets=FACETS) -> dict:
    query = SearchQuery(q=args["q"], types=types, filters={k: args[k] for k in facets if args.get(k)},
                        sort=args["sort"], page=args["page"], per_page=args["per_page"], facets=list(facets))
    results = get_engine().search(query)
    ids = [h.object_id for h in results.hits]
    # only the columns the answer uses: loading whole rows (long texts, JSON) cost ~1.2 ms per page of 20
    columns = load_only(Listing.id, Listing.side, Listing.reference, Listing.title_vi, Listing.summary,
                        Listing.status)
    by_id = {x.id: x for x in db.session.scalars(select(Listing).options(columns).where(Listing.id.in_(ids)))} \
        if ids else {}
    items = []
    for hit in results.hits:
        listing = by_id.get(hit.object_id)
        if listing is not None:
            items.append({"id": listing.id, "type": listing.side, "reference": listing.reference,
                          "title_vi": listing.title_vi, "summary": listing.summary, "status": listing.status,
                          "url": external_url("listings.detail", reference=listing.reference), "score": hit.score,
                          "highlights": hit.highlights})
    return {"items": items, "total": results.total, "page": args["page"], "per_page": args["per_page"],
            "facets": results.facets, "suggestion": results.suggestion}


def _organisation_for(body) -> Organisation:
    """The organisation named by ``organisation_id``, or the caller's first one; 403 unless an active member."""
    wanted = body.pop("organisation_id", None)
    for organisation in current_user.active_organisations():
        if wanted is None or organisation.id == wanted:
            return organisation
    raise fail(None, _l("You are not an active member of that organisation."), status=403, code="not_member")


def make_listing_resource(blp, side: str, schema, input_schema, path: str, *, query_schema=ListingQuery,
                          facets=FACETS):
    """List/create, detail/patch, submit and withdraw routes for one side of listing, on ``blp``."""
    patch_schema = type(input_schema.__name__.replace("Input", "Patch"), (input_schema,), {})
    class Collection(MethodView):
        @public
        @blp.arguments(query_schema, location="query")
        @blp.response(200, SearchPage)
        def get(self, args):
            """Published listings with the same filters and facets as the pages."""
            return _run_search(args, [side], facets)

        @requires(Permission.LISTING_CREATE)
        @blp.arguments(input_schema)
        @blp.response(201, schema)
        def post(self, body):
            """Create a draft in one of the caller's organisations (first active one by default)."""
            listing = create_listing(side, by=current_user, organisation=_organisation_for(body), data=body)
            db.session.commit()
            return listing

    class Item(MethodView):
        @public
        @blp.response(200, schema)
        def get(self, key):
            """One listing by id or reference."""
            return _load(side, key)

        @requires(Permission.LISTING_CREATE)
        @blp.arguments(patch_schema(partial=True))
        @blp.response(200, schema)
        def patch(self, body, key):
            """Edit; a published listing gets a revision that waits for review (the answer shows the approved one)."""
            listing = _load(side, key)
            body.pop("organisation_id", None)
            update_listing(listing, by=current_user, data=body)
            db.session.commit()
            return listing

    def action(service, doc):
        @requires(Permission.LISTING_CREATE)
        @blp.response(200, schema)
        def post(self, key):
            listing = _load(side, key)
            service(listing, by=current_user)
            db.session.commit()
            return listing

        post.__doc__ = doc
        return type(f"{side.title()}{service.__name__.title().replace('_', '')}", (MethodView,), {"post": post})

    Collection.__name__ = f"{side.title()}Collection"
    Item.__name__ = f"{side.title()}Item"
    blp.route(f"/{path}")(Collection)
    blp.route(f"/{path}/<key>")(Item)
    blp.route(f"/{path}/<key>/submit")(action(submit_listing, "Submit a draft for DOST review."))
    blp.route(f"/{path}/<key>/withdraw")(action(withdraw_listing, "Withdraw the listing."))


make_listing_resource(blp, Side.OFFER.value, OfferSchema, OfferInput, "offers")
make_listing_resource(blp, Side.NEED.value, NeedSchema, NeedInput, "needs")


@blp.route("/search")
class Search(MethodView):
    @public
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchPage)
    def get(self, args):
        """One search over offers and needs: highlights, facet counts, "did you mean"."""
        return _run_search(args, args["type"] or ["offer", "need", "ip_asset"])


@blp.route("/moderation/queue")
class ModerationQueue(MethodView):
    @requires(Permission.LISTING_MODERATE)
    @blp.response(200, QueueItemSchema(many=True))
    def get(self):
        """Listings and revisions waiting for review, oldest first."""
        return [{"id": x.id, "reference": x.reference, "side": x.side, "kind": x.kind, "title_vi": x.title_vi,
                 "status": x.status, "revision": r is not None, "waiting_since": waiting_since(x, r)}
                for x, r in queue_items()]


@blp.route("/moderation/<any(offers, needs):section>/<int:listing_id>/decision")
class ModerationDecisionResource(MethodView):
    @requires(Permission.LISTING_MODERATE)
    @blp.arguments(DecisionInput)
    @blp.response(200, QueueItemSchema)
    def post(self, body, section, listing_id):
        """Approve, request changes or reject (reason code required unless approving)."""
        side = Side.OFFER.value if section == "offers" else Side.NEED.value
        listing = get_listing_or_404(listing_id, current_user, side=side)
        decide_listing(listing, by=current_user, **body)
        db.session.commit()
        return {"id": listing.id, "reference": listing.reference, "side": listing.side, "kind": listing.kind,
                "title_vi": listing.title_vi, "status": listing.status, "revision": False,
                "waiting_since": listing.updated_at}
