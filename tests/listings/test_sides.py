"""The table of listing sides (offers, needs, IP assets): every side's fields go where they belong and come
back unchanged, its required fields are asked for, its own rules and derived values apply."""

from __future__ import annotations

import pytest

from marketplace.errors import ServiceError
from marketplace.listings.models import Listing, Side
from marketplace.listings.services import create_listing, snapshot, update_listing
from marketplace.listings.sides import SIDES, apply_fields, clean_listing_data, fields_for, quality_hints
from tests.factories.listings import IpAssetFactory, NeedFactory, OfferFactory
from tests.ip_assets.conftest import GI, PATENT
from tests.listings.conftest import NEED, OFFER

FACTORIES = {"offer": OfferFactory, "need": NeedFactory, "ip_asset": IpAssetFactory}


def test_the_table_has_every_side_and_each_form_asks_for_what_is_required():
    assert set(SIDES) == {side.value for side in Side}
    for side, spec in SIDES.items():
        assert spec.side == side
        for name in ("title_vi", *spec.required):
            assert name in fields_for(side) and hasattr(spec.form, name), (side, name)


@pytest.mark.parametrize("side", list(SIDES))
def test_an_approved_copy_of_the_fields_rebuilds_the_same_listing(db, institute, side):
    """What revision approval does: the snapshot, cleaned again, applied to a listing, gives the same values
    (an IP asset's fields on its details row, its normalised numbers and term recomputed)."""
    listing = FACTORIES[side](owner=institute)
    data = snapshot(listing)
    assert set(data) == set(fields_for(side))
    copy = Listing(side=side)
    apply_fields(copy, clean_listing_data(side, data, check_dates=False))
    assert snapshot(copy) == data
    if side != "need":  # a need's kind is not a field: it is always "need"
        assert copy.kind == listing.kind
    if side == "ip_asset":
        assert (copy.ip.application_number, copy.ip.expiry_date, copy.ip.expiry_basis) == (
            listing.ip.application_number, listing.ip.expiry_date, listing.ip.expiry_basis)


def test_an_ip_assets_kind_follows_its_type(db, institute):
    asset = create_listing("ip_asset", by=institute[0], organisation=institute[1], data=PATENT)
    assert (asset.kind, asset.ip.ip_type) == ("invention", "invention")
    update_listing(asset, by=institute[0], data={"ip_type": "utility_solution", "application_number_raw": "",
                                                 "certificate_number_raw": ""})
    assert (asset.kind, asset.ip.ip_type) == ("utility_solution", "utility_solution")


@pytest.mark.parametrize(("side", "data", "field"), [
    ("offer", OFFER | {"kind": None}, "kind"),
    ("ip_asset", {k: v for k, v in PATENT.items() if k != "ip_type"}, "ip_type"),
    ("need", NEED | {"title_vi": ""}, "title_vi"),
])
def test_a_new_listing_needs_its_sides_required_fields(db, institute, side, data, field):
    with pytest.raises(ServiceError) as refused:
        create_listing(side, by=institute[0], organisation=institute[1], data=data)
    assert (refused.value.field, refused.value.status) == (field, 422)


def test_each_sides_rules_apply_to_that_side_only(db, institute):
    user, org = institute
    with pytest.raises(ServiceError) as refused:
        create_listing("offer", by=user, organisation=org, data=OFFER | {"price_type": "fixed", "price_vnd": None})
    assert refused.value.field == "price_vnd"
    with pytest.raises(ServiceError) as refused:
        create_listing("need", by=user, organisation=org, data=NEED | {"budget_min_vnd": 9, "budget_max_vnd": 1})
    assert refused.value.field == "budget_max_vnd"
    # fields of another side are not this side's: ignored, never stored
    need = create_listing("need", by=user, organisation=org, data=NEED | {"price_vnd": 5, "ip_type": "invention"})
    assert need.price_vnd is None and need.ip is None and need.kind == "need"


def test_quality_hints_by_side(db, institute):
    offer = OfferFactory(owner=institute, trl=None, summary="")
    assert {"no_summary", "no_trl", "no_image"} <= set(quality_hints(offer))
    need = NeedFactory(owner=institute, required_specs=[], budget_max_vnd=None, budget_min_vnd=None)
    assert {"no_specs", "no_budget"} <= set(quality_hints(need))
    mark = IpAssetFactory(owner=institute, **GI | {"certificate_number_raw": "", "application_number_raw": "",
                                                   "rights_offered": []})
    hints = quality_hints(mark)
    assert "no_ip_number" in hints and "short_description" not in hints  # an abstract may be short
    assert "no_rights_offered" not in hints  # a geographical indication is not licensed
