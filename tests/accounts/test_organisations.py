"""Organisations over HTTP: create with tax-code checks, join requests, visibility, verification."""

from sqlalchemy import select

from marketplace.accounts.models import Membership, Organisation
from tests.conftest import login
from tests.factories.accounts import (
    ApiTokenFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    bearer,
)

FORM = {"legal_name": "Công ty TNHH Cơ khí Phố Nối", "org_type": "enterprise", "tax_code": "0100109106",
        "province_code": "33", "commune_code": "", "street_address": "Khu công nghiệp Phố Nối A"}


def test_create_organisation_makes_the_creator_owner(client, db, login_as):
    user = login_as("member")
    response = client.post("/organisations/new", data=FORM)
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation))
    assert org.status == "pending" and org.slug == "cong-ty-tnhh-co-khi-pho-noi"
    membership = db.session.scalar(select(Membership))
    assert membership.user_id == user.id and membership.is_owner


def test_wrong_tax_code_gets_a_clear_vietnamese_message_and_keeps_input(client, db, login_as):
    login_as("member")
    response = client.post("/organisations/new", data=FORM | {"tax_code": "0100109107"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "chữ số kiểm tra" in page
    assert "Công ty TNHH Cơ khí Phố Nối" in page  # nothing typed is lost
    response = client.post("/organisations/new", data=FORM | {"tax_code": "12345"})
    assert "10 chữ số" in response.get_data(as_text=True)
    assert db.session.scalar(select(Organisation)) is None


def test_unverified_email_cannot_create_organisation(client, db, login_as):
    login_as("member", verified=False)
    assert client.post("/organisations/new", data=FORM).status_code == 302
    assert db.session.scalar(select(Organisation)) is None


def test_commune_must_belong_to_the_list(client, db, login_as):
    login_as("member")
    response = client.post("/organisations/new", data=FORM | {"commune_code": "99999"})
    assert response.status_code == 422
    assert "xã/phường" in response.get_data(as_text=True)


def test_commune_options_follow_the_province(client, db):
    options = client.get("/organisations/communes?province_code=33").get_data(as_text=True)
    assert options.count("<option") == 105  # 104 communes and wards + the prompt
    assert "Phường Phố Hiến" in options
    assert client.get("/organisations/communes?province_code=").get_data(as_text=True).count("<option") == 1


def test_unverified_organisation_is_404_for_others(client, db, app):
    owner, other, moderator = UserFactory(), UserFactory(), UserFactory(moderator=True)
    org = OrganisationFactory(owner=owner)
    assert client.get(f"/organisations/{org.slug}").status_code == 404
    login(client, other.email)
    assert client.get(f"/organisations/{org.slug}").status_code == 404
    assert client.get(f"/organisations/{org.slug}/edit").status_code == 404
    owner_client = app.test_client()
    login(owner_client, owner.email)
    assert owner_client.get(f"/organisations/{org.slug}").status_code == 200
    mod = app.test_client()
    login(mod, moderator.email)
    assert mod.get(f"/organisations/{org.slug}").status_code == 200


def test_the_api_answers_404_for_the_same_organisations_as_the_pages(client, db):
    owner, member, pending = UserFactory(), UserFactory(), UserFactory()
    org = OrganisationFactory(owner=owner, members=[member])
    MembershipFactory(organisation=org, user=pending, pending=True)
    for user, visible in ((None, False), (pending, False), (member, True), (owner, True)):
        headers = {}
        if user is not None:
            token = ApiTokenFactory(user=user)
            headers = bearer(token)
        assert client.get(f"/api/v1/organisations/{org.id}", headers=headers).status_code == (200 if visible else 404)
        listed = client.get("/api/v1/organisations/", headers=headers).get_json()["items"]
        assert [o["id"] for o in listed] == ([org.id] if visible else [])


def test_join_request_approved_by_owner(client, db, app):
    owner, staff = UserFactory(), UserFactory()
    org = OrganisationFactory(verified=True, owner=owner)
    login(client, staff.email)
    assert client.post(f"/organisations/{org.slug}/join", data={"message": "Tôi là cán bộ phòng R&D"}).status_code == 302
    membership = db.session.scalar(select(Membership).where(Membership.status == "pending"))
    assert membership is not None
    # a member cannot approve their own request: only the owner manages members
    assert client.post(f"/organisations/{org.slug}/members/{membership.id}/decide",
                       data={"decision": "approve"}).status_code == 404
    owner_client = app.test_client()
    login(owner_client, owner.email)
    page = owner_client.get(f"/organisations/{org.slug}/members").get_data(as_text=True)
    assert "Tôi là cán bộ phòng R&amp;D" in page
    owner_client.post(f"/organisations/{org.slug}/members/{membership.id}/decide", data={"decision": "approve"})
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).status == "active"


def test_editing_identity_of_verified_org_needs_new_verification(client, db, make_user, make_org):
    owner = make_user(email="owner@example.vn")
    org = make_org(owner)
    login(client, "owner@example.vn")
    data = FORM | {"legal_name": org.legal_name, "org_type": org.org_type, "tax_code": ""}
    client.post(f"/organisations/{org.slug}/edit", data=data | {"street_address": "Số 1"})
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).status == "verified"
    client.post(f"/organisations/{org.slug}/edit", data=data | {"legal_name": "Tên pháp lý mới"})
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).status == "pending"


def test_directory_search_ignores_diacritics(client, db, make_user, make_org):
    owner = make_user(email="owner@example.vn")
    make_org(owner, legal_name="Viện Nghiên cứu Rau quả Phố Hiến")
    make_org(owner, legal_name="Công ty Điện tử Hưng Yên", org_type="enterprise")
    page = client.get("/organisations/?q=dien+tu").get_data(as_text=True)
    assert "Công ty Điện tử Hưng Yên" in page and "Rau quả" not in page
    page = client.get("/organisations/?type=research_institute").get_data(as_text=True)
    assert "Rau quả" in page and "Điện tử" not in page
