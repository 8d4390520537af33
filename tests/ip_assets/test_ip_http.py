"""IP assets through the pages and the API: numbers, computed term, moderation, search, links, marks page."""

from datetime import date

from sqlalchemy import select

from marketplace.listings.models import Listing
from marketplace.listings.services import create_listing, submit_listing
from tests.conftest import login
from tests.ip_assets.conftest import GI, PATENT
from tests.listings.conftest import NEED, OFFER

FORM = {"ip_type": "invention", "title_vi": PATENT["title_vi"], "summary": PATENT["summary"],
        "description": PATENT["description"], "st_fields": ["401"], "sectors": ["C"], "province_code": "33",
        "application_number_raw": "1-2021-04512", "filing_date": "2021-07-12", "legal_status": "filed",
        "inventors": "Phạm Minh Nghiên; Trần Thị Lan", "classification": "IPC A23B 7/02",
        "rights_offered": ["non_exclusive_licence"], "keywords": "sấy nhãn"}


def test_register_invention_computes_the_term_and_links_to_the_office(client, db, institute):
    login(client, "vien@example.vn")
    response = client.post("/ip-assets/new", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    asset = db.session.scalar(select(Listing).where(Listing.side == "ip_asset"))
    assert asset.reference.startswith("TS-33-") and asset.kind == "invention"
    assert asset.ip.application_number == "1-2021-04512"
    assert asset.ip.expiry_date == date(2041, 7, 12) and asset.ip.expiry_basis.startswith("filing")
    assert asset.ip.inventors == ["Phạm Minh Nghiên", "Trần Thị Lan"]
    page = client.get(f"/l/{asset.reference}").get_data(as_text=True)
    assert "12/07/2041" in page and "wipopublish.ipvietnam.gov.vn" in page and "VN1202104512" in page


def test_number_that_disagrees_with_the_type_is_refused_with_the_expected_form(client, db, institute):
    login(client, "vien@example.vn")
    response = client.post("/ip-assets/new", data=FORM | {"ip_type": "trademark"})
    assert response.status_code == 422
    assert "4-" in response.get_data(as_text=True)  # the message shows the expected trademark form
    assert db.session.scalar(select(Listing)) is None


def test_odd_old_number_is_kept_as_written_with_the_flag(client, db, institute):
    login(client, "vien@example.vn")
    refused = client.post("/ip-assets/new", data=FORM | {"application_number_raw": "1-2001-00231/A"})
    assert refused.status_code == 422
    kept = client.post("/ip-assets/new", data=FORM | {"application_number_raw": "1-2001-00231/A",
                                                       "nonstandard_number": "y"})
    assert kept.status_code == 302
    asset = db.session.scalar(select(Listing))
    assert asset.ip.application_number_raw == "1-2001-00231/A" and asset.ip.nonstandard_number


def test_moderator_sees_number_and_expiry_then_asset_is_searchable(app, client, db, institute, moderator):
    user, org = institute
    asset = create_listing("ip_asset", by=user, organisation=org, data=PATENT)
    submit_listing(asset, by=user)
    db.session.commit()
    login(client, "kiemduyet@example.vn")
    review = client.get(f"/moderation/{asset.reference}").get_data(as_text=True)
    assert "1-2021-04512" in review and "12/07/2041" in review
    client.post(f"/moderation/{asset.reference}/decision", data={"decision": "approve"})
    public = app.test_client()
    page = public.get("/ip-assets?q=say+long+nhan&legal_status=granted").get_data(as_text=True)
    assert asset.reference in page
    api = public.get("/api/v1/ip-assets?available=true").get_json()
    assert [i["reference"] for i in api["items"]] == [asset.reference]
    assert api["facets"]["legal_status"] == {"granted": 1}
    detail = public.get(f"/api/v1/ip-assets/{asset.reference}").get_json()
    assert detail["type"] == "invention" and detail["expiry_date"] == "2041-07-12"
    assert detail["application_number"] == "1-2021-04512" and detail["status"] == "published"


def test_lapsed_asset_leaves_the_available_list(client, db, institute, publish):
    publish("ip_asset", institute, PATENT | {"legal_status": "lapsed"})
    assert client.get("/api/v1/ip-assets?available=true").get_json()["total"] == 0
    body = client.get("/api/v1/ip-assets?available=false").get_json()
    assert body["total"] == 1
    page = client.get(f"/l/{body['items'][0]['reference']}").get_data(as_text=True)
    assert "không còn được bảo hộ" in page


def test_api_create_and_validate_number(client, db, institute, api_token):
    headers = api_token(institute[0])
    body = {"type": "trademark", "title_vi": "Nhãn hiệu Long nhãn Phố Hiến", "application_number": "4-2022-18514",
            "filing_date": "2022-05-03", "legal_status": "granted", "certificate_number": "4-0405854-000",
            "grant_date": "2023-09-01", "classification": [{"scheme": "Nice", "code": "29"}]}
    created = client.post("/api/v1/ip-assets", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert data["expiry_date"] == "2032-05-03" and data["reference"].startswith("TS-") and data["status"] == "draft"
    ok = client.post("/api/v1/ip-assets/validate-number", json={"type": "invention", "number": "1 2024 02456"})
    assert ok.status_code == 200 and ok.get_json()["normalised"] == "1-2024-02456"
    assert ok.get_json()["office_url"].endswith("VN1202402456")
    bad = client.post("/api/v1/ip-assets/validate-number", json={"type": "trademark", "number": "1-2024-02456"})
    assert bad.status_code == 422 and "number" in bad.get_json()["error"]["fields"]
    gi = client.post("/api/v1/ip-assets/validate-number",
                     json={"type": "geographical_indication", "number": "6-00055", "kind": "certificate"})
    assert gi.get_json()["normalised"] == "00055"


def test_offer_carries_ip_assets_and_the_asset_page_lists_the_offer(client, db, institute, publish):
    asset = publish("ip_asset", institute, PATENT)
    offer = publish("offer", institute, OFFER)
    login(client, "vien@example.vn")
    client.post(f"/l/{offer.reference}/ip-assets", data={"asset": asset.reference.lower()})
    assert offer.reference in client.get(f"/l/{asset.reference}").get_data(as_text=True)
    assert asset.reference in client.get(f"/l/{offer.reference}").get_data(as_text=True)


def test_need_matches_ip_assets_too(db, institute, business, publish):
    from marketplace.matching.services import find_matches

    asset = publish("ip_asset", institute, PATENT)
    need = publish("need", business, NEED)
    assert asset.id in {m.listing.id for m in find_matches(need)}


def test_marks_page_lists_gi_with_authorised_producers(client, db, institute, publish):
    publish("ip_asset", institute, GI)
    page = client.get("/ip-assets/marks").get_data(as_text=True)
    assert "00055" in page and "HTX Nhãn lồng Tiên Lữ" in page


def test_api_refuses_an_ip_asset_without_a_type(client, db, institute, api_token):
    response = client.post("/api/v1/ip-assets", json={"title_vi": "Tài sản chưa rõ loại"},
                           headers=api_token(institute[0]))
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_ip_type"
    assert db.session.scalar(select(Listing)) is None
