"""Every reference data row fits its columns (PostgreSQL enforces VARCHAR lengths; SQLite does not)."""

from marketplace.reference.models import ReferenceCode
from marketplace.reference.services import SCHEMES, read_scheme_file
from marketplace.text import nfc


def test_every_row_fits_and_is_nfc():
    columns = ReferenceCode.__table__.columns
    limits = {"code": columns["code"].type.length, "parent": columns["parent_code"].type.length,
              "label_vi": columns["label_vi"].type.length, "label_en": columns["label_en"].type.length,
              "level": columns["level"].type.length}
    assert len(SCHEMES) >= 17
    for scheme in SCHEMES.values():
        rows = read_scheme_file(scheme)
        assert rows, scheme.name
        codes = [row["code"] for row in rows]
        assert len(codes) == len(set(codes)), f"duplicate codes in {scheme.name}"
        for row in rows:
            for key, limit in limits.items():
                value = row.get(key) or ""
                assert len(value) <= limit, (scheme.name, key, value)
                assert value == nfc(value), (scheme.name, key, value)


def test_expected_sizes():
    sizes = {name: len(read_scheme_file(scheme)) for name, scheme in SCHEMES.items()}
    assert sizes["province"] == 34 and sizes["commune"] == 104 and sizes["vsic"] == 22
    assert sizes["trl"] == 9 and sizes["tt_form"] == 7 and sizes["moderation_reason"] == 7


def test_vocabulary_codes_fit_the_columns_that_store_them():
    """Codes end up in listing columns too (an IP type is the listing's kind): SQLite would not notice."""
    from marketplace.ip_assets.models import IpAssetDetails
    from marketplace.listings.models import Listing

    targets = {"offer_kind": Listing.kind, "ip_type": Listing.kind, "tech_level": Listing.tech_level,
               "maturity": Listing.maturity, "rights_mode": Listing.rights_mode, "price_type": Listing.price_type,
               "origin": Listing.origin, "contact_visibility": Listing.contact_visibility,
               "ip_legal_status": IpAssetDetails.legal_status, "ip_asking_terms": IpAssetDetails.asking_terms,
               "valuation_method": IpAssetDetails.valuation_method}
    for scheme, column in targets.items():
        limit = column.property.columns[0].type.length
        for row in read_scheme_file(SCHEMES[scheme]):
            assert len(row["code"]) <= limit, (scheme, row["code"], limit)
