"""Moderation of edits: a published listing's edit waits in a revision; the moderator sees what changes, and
an IP asset's revision goes through the same queue."""

from __future__ import annotations

from tests.conftest import login
from tests.factories.listings import IpAssetFactory, OfferFactory, RevisionFactory


def test_moderator_sees_the_changes_of_an_edit_then_approves_it(app, client, db, institute, moderator):
    offer = OfferFactory(owner=institute, status="published", moderator=moderator)
    approved = offer.summary
    revision = RevisionFactory(listing=offer, summary="Tiết kiệm 45 % điện năng, chạy thử 18 tháng")
    assert revision.status == "pending" and offer.summary == approved  # the public version waits
    login(client, "kiemduyet@example.vn")
    assert offer.reference in client.get("/moderation/").get_data(as_text=True)
    review = client.get(f"/moderation/{offer.reference}").get_data(as_text=True)
    assert f"<del>{approved}</del>" in review and "<ins>Tiết kiệm 45 % điện năng, chạy thử 18 tháng</ins>" in review
    client.post(f"/moderation/{offer.reference}/decision", data={"decision": "approve"})
    db.session.expire_all()
    assert offer.summary == "Tiết kiệm 45 % điện năng, chạy thử 18 tháng" and offer.pending_revision is None


def test_an_ip_assets_edit_is_reviewed_and_recomputes_the_term(client, db, institute, moderator):
    asset = IpAssetFactory(owner=institute, status="published", moderator=moderator)
    RevisionFactory(listing=asset, filing_date="2022-01-10")
    assert str(asset.ip.expiry_date) == "2041-07-12"  # filed 12/07/2021: 20 years, unchanged while waiting
    login(client, "kiemduyet@example.vn")
    assert "<ins>2022-01-10</ins>" in client.get(f"/moderation/{asset.reference}").get_data(as_text=True)
    client.post(f"/moderation/{asset.reference}/decision", data={"decision": "approve"})
    db.session.expire_all()
    assert str(asset.ip.expiry_date) == "2042-01-10"
