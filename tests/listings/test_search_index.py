"""The search index follows the listings: each change queues the listing's own index effect (no signal
receiver needed), and ``flask search reindex`` rebuilds everything from the database."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.listings.services import withdraw_listing
from marketplace.outbox.models import OutboxItem
from marketplace.search import SearchQuery, get_engine
from marketplace.signals import listing_changed
from tests.factories.listings import IpAssetFactory, OfferFactory


def found(listing) -> list[int]:
    results = get_engine().search(SearchQuery(q=listing.title_vi, types=[listing.side]))
    return [hit.object_id for hit in results.hits]


def test_each_change_queues_the_listing_index_effect_itself(db, institute, moderator):
    with listing_changed.muted():  # no receiver of the cross-domain signal is needed for the index
        offer = OfferFactory(owner=institute, status="published", moderator=moderator)
        assert found(offer) == [offer.id]
        withdraw_listing(offer, by=institute[0])
        db.session.commit()
    assert found(offer) == []
    effects = db.session.scalars(select(OutboxItem).where(OutboxItem.kind == "listings.index")).all()
    assert effects and {(e.lane, e.payload["id"]) for e in effects} == {(f"listing:{offer.id}", offer.id)}


def test_cli_reindex_rebuilds_the_index_from_the_database(app, db, institute, moderator):
    offer = OfferFactory(owner=institute, status="published", moderator=moderator)
    asset = IpAssetFactory(owner=institute, status="published", moderator=moderator)
    OfferFactory(owner=institute)  # a draft is never indexed
    get_engine().clear()
    assert found(offer) == [] and found(asset) == []
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 2 documents." in result.output
    assert found(offer) == [offer.id] and found(asset) == [asset.id]
