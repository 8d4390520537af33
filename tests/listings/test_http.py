"""The exchange loop over HTTP and the API: post, moderate, search without diacritics, visibility."""

from sqlalchemy import func, select

from marketplace.listings.models import Listing
from tests.conftest import login
from tests.factories.listings import OfferFactory
from tests.listings.conftest import NEED, OFFER

FORM_OFFER = {"kind": "technology", "title_vi": OFFER["title_vi"], "summary": OFFER["summary"],
              "description": OFFER["description"], "st_fields": ["401", "206"], "sectors": ["C"],
              "province_code": "33", "trl": "7", "price_type": "negotiable", "tt_forms": ["independent"],
              "keywords": "sấy nhãn, bơm nhiệt", "contact_visibility": "public"}


def test_institute_posts_moderator_requests_changes_then_approves_business_finds_it(
        app, client, db, institute, business, moderator, mailbox):
    login(client, "vien@example.vn")
    # a member of one organisation sees no organisation selector, so none is posted
    response = client.post("/offers/new", data=FORM_OFFER)
    assert response.status_code == 302
    listing = db.session.scalar(select(Listing))
    assert response.headers["Location"].endswith(f"/l/{listing.reference}")
    # a draft is invisible to others
    anonymous = app.test_client()
    assert anonymous.get(f"/l/{listing.reference}").status_code == 404
    assert client.post(f"/l/{listing.reference}/submit").status_code == 302

    mod = app.test_client()
    login(mod, "kiemduyet@example.vn")
    queue = mod.get("/moderation/").get_data(as_text=True)
    assert listing.reference in queue
    mod.post(f"/moderation/{listing.reference}/decision",
             data={"decision": "request_changes", "reason_code": "too_vague", "note": "Nêu rõ công suất"})
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "changes_requested"
    assert "Nêu rõ công suất" in mailbox.to("vien@example.vn")[-1].get_body().get_content()

    client.post(f"/l/{listing.reference}/edit", data=FORM_OFFER | {"description": OFFER["description"] + " 500 kg/mẻ."})
    client.post(f"/l/{listing.reference}/submit")
    mod.post(f"/moderation/{listing.reference}/decision", data={"decision": "approve", "reason_code": ""})
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "published"

    buyer = app.test_client()
    login(buyer, "dn@example.vn")
    page = buyer.get("/offers?q=cong+nghe+say+nhan").get_data(as_text=True)
    assert listing.reference in page
    assert "<mark>" in page
    detail = buyer.get(f"/l/{listing.reference}").get_data(as_text=True)
    assert OFFER["title_vi"] in detail and "Viện Nghiên cứu Rau quả Phố Hiến" in detail


def test_reference_query_goes_straight_to_the_listing(client, db, institute, publish):
    listing = publish("offer", institute)
    response = client.get(f"/search?q={listing.reference.lower()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/l/{listing.reference}")


def test_anonymous_need_hides_the_organisation(client, db, business, publish):
    need = publish("need", business, NEED | {"anonymous": True})
    page = client.get(f"/l/{need.reference}").get_data(as_text=True)
    assert "Khoái Châu" not in page
    api = client.get(f"/api/v1/needs/{need.reference}").get_json()
    assert api["organisation"] is None and api["reference"] == need.reference


def test_editing_someone_elses_listing_is_404(app, client, db, institute, business, publish):
    listing = publish("offer", institute)
    login(client, "dn@example.vn")
    assert client.get(f"/l/{listing.reference}/edit").status_code == 404
    assert client.post(f"/l/{listing.reference}/withdraw").status_code == 404


def test_bad_form_input_keeps_what_was_typed(client, db, institute):
    login(client, "vien@example.vn")
    response = client.post("/offers/new", data=FORM_OFFER | {"organisation_id": institute[1].id, "trl": "42",
                                                             "description": "Mô tả rất dài đã gõ"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mô tả rất dài đã gõ" in page
    assert db.session.scalar(select(Listing)) is None


def test_api_create_submit_decide_and_search(app, client, db, institute, moderator, api_token):
    owner = api_token(institute[0])
    body = {"kind": "technology", "title_vi": "Dây chuyền đóng gói long nhãn tự động", "summary": "Năng suất 1 tấn/giờ",
            "st_fields": ["206"], "sectors": ["C"], "province": "33", "trl": 8, "price_type": "fixed",
            "price_vnd": 1_250_000_000}
    # clients can never set status, owner or reference
    refused = client.post("/api/v1/offers", json=body | {"status": "published", "reference": "CB-00-0000-99999"},
                          headers=owner)
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {"status", "reference"}
    created = client.post("/api/v1/offers", json=body, headers=owner)
    assert created.status_code == 201, created.get_json()
    offer = created.get_json()
    assert offer["status"] == "draft" and offer["reference"].startswith("CB-33-")
    assert offer["url"].endswith(f"/l/{offer['reference']}")
    assert client.post(f"/api/v1/offers/{offer['id']}/submit", headers=owner).get_json()["status"] == "pending_review"
    # illegal transition → 409
    assert client.post(f"/api/v1/offers/{offer['id']}/submit", headers=owner).status_code == 409
    mod = api_token(moderator)
    queue = client.get("/api/v1/moderation/queue", headers=mod).get_json()
    assert [item["reference"] for item in queue] == [offer["reference"]]
    assert client.get("/api/v1/moderation/queue", headers=owner).status_code == 403
    bad = client.post(f"/api/v1/moderation/offers/{offer['id']}/decision", json={"decision": "reject"}, headers=mod)
    assert bad.status_code == 422 and "reason_code" in bad.get_json()["error"]["fields"]
    ok = client.post(f"/api/v1/moderation/offers/{offer['id']}/decision", json={"decision": "approve"}, headers=mod)
    assert ok.status_code == 200 and ok.get_json()["status"] == "published"
    found = client.get("/api/v1/search?q=day+chuyen+dong+goi&type=offer").get_json()
    assert found["items"][0]["reference"] == offer["reference"]
    assert "<mark>" in found["items"][0]["highlights"]["title"]
    assert found["facets"]["kind"] == {"technology": 1}
    assert client.get("/api/v1/offers?price_type=fixed").get_json()["total"] == 1
    assert client.get("/api/v1/offers?price_type=negotiable").get_json()["total"] == 0


def test_api_validation_errors_are_field_level(client, db, institute, api_token):
    owner = api_token(institute[0])
    response = client.post("/api/v1/needs", json={"title_vi": "Cần công nghệ xử lý nước thải", "min_trl": 15},
                           headers=owner)
    assert response.status_code == 422 and "min_trl" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/needs", json={"title_vi": "Cần công nghệ", "st_fields": ["zzz"]}, headers=owner)
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {
        "st_fields": response.get_json()["error"]["message"]}


def test_one_loader_finds_a_listing_by_id_or_reference_within_its_side(client, db, institute, business, publish,
                                                                       api_token):
    offer = publish("offer", institute)
    draft = OfferFactory(owner=institute)
    for key in (offer.id, offer.reference, offer.reference.lower()):
        assert client.get(f"/api/v1/offers/{key}").get_json()["reference"] == offer.reference
    assert client.get(f"/api/v1/needs/{offer.id}").status_code == 404  # an offer is not a need
    assert client.get(f"/api/v1/offers/{2**40}").status_code == 404  # no such id, and never a database error
    # a draft: 404 for everyone but its organisation, on the pages and in the API alike
    assert client.get(f"/api/v1/offers/{draft.reference}").status_code == 404
    assert client.get(f"/l/{draft.reference}").status_code == 404
    assert client.get(f"/api/v1/offers/{draft.id}", headers=api_token(business[0])).status_code == 404
    assert client.get(f"/api/v1/offers/{draft.id}", headers=api_token(institute[0])).status_code == 200


def test_api_refusals_come_from_the_services_in_the_error_format(client, db, institute, business, publish,
                                                                  api_token):
    offer = publish("offer", institute)
    buyer = api_token(business[0])
    # visible, but not theirs to edit: the service refuses
    refused = client.patch(f"/api/v1/offers/{offer.id}", json={"summary": "Sửa trộm"}, headers=buyer)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_member"
    elsewhere = client.post("/api/v1/offers", json={"kind": "technology", "title_vi": "Chào bán hộ",
                                                    "organisation_id": institute[1].id}, headers=buyer)
    assert elsewhere.status_code == 403 and elsewhere.get_json()["error"]["code"] == "not_member"
    assert db.session.scalar(select(func.count()).select_from(Listing)) == 1
