"""A person's rights over their data: the JSON export and deleting (anonymising) the account."""

from __future__ import annotations

import json

from sqlalchemy import select

from marketplace.accounts.models import ApiToken, LoginSession, Membership, Organisation, User
from marketplace.audit.models import AuditEntry
from tests.conftest import PASSWORD, login


def _browser(app):
    """Another browser (the ``client`` fixture's class: each request in its own app context)."""
    return app.test_client()


def _sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.location.startswith("/account/login")


def _fresh_user(db, user_id) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def _member_of_someone_elses_org(db, make_user, make_org, user):
    from marketplace.accounts.services.organisations import add_member

    owner = make_user(email="owner@example.vn")
    org = make_org(owner, legal_name="Công ty TNHH Cơ khí Mỹ Hào", org_type="enterprise")
    add_member(org, user, by=owner)
    db.session.commit()
    return org


# --- export ---------------------------------------------------------------------------------------------

def test_export_after_signup(app, client, db, mailbox, make_org):
    response = client.post("/account/signup", data={
        "full_name": "Vũ Thị Hoa", "email": "Hoa.Vu@Example.vn", "password": PASSWORD, "confirm": PASSWORD,
        "consent": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "hoa.vu@example.vn"))
    assert user is not None
    org = make_org(user, legal_name="Hợp tác xã Nhãn lồng Tiên Lữ", org_type="cooperative", verified=False)
    assert login(client, "hoa.vu@example.vn").status_code == 302  # sign-up does not sign in (enumeration)

    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename=my-data.json" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))

    assert data["account"]["email"] == "hoa.vu@example.vn"
    assert data["account"]["full_name"] == "Vũ Thị Hoa"
    assert data["account"]["email_verified_at"] is None
    assert data["organisations"] == [{"organisation": org.legal_name, "role": "owner", "status": "active",
                                      "since": data["organisations"][0]["since"]}]
    assert [(c["purpose"], c["notice_version"]) for c in data["consents"]] == [
        ("account", app.config["PRIVACY_NOTICE_VERSION"])]
    assert data["consents"][0]["given_at"] and data["consents"][0]["withdrawn_at"] is None
    actions = [a["action"] for a in data["activity"]]
    assert {"user.registered", "organisation.created"} <= set(actions)
    assert data["exported_at"]
    assert PASSWORD not in response.get_data(as_text=True)
    assert "password_hash" not in data["account"]


def test_export_needs_sign_in(client):
    assert _sent_to_sign_in(client.get("/account/export"))


def test_export_is_only_my_data(client, db, login_as, make_user, make_org):
    other = make_user(email="other@example.vn")
    make_org(other)
    login_as("member", email="me@example.vn")
    data = client.get("/account/export").get_json()
    assert data["account"]["email"] == "me@example.vn"
    assert data["organisations"] == []
    assert "organisation.created" not in [a["action"] for a in data["activity"]]
    assert "auth.login" in [a["action"] for a in data["activity"]]


# --- delete ---------------------------------------------------------------------------------------------

def test_delete_with_wrong_password_changes_nothing(client, db, login_as, make_user, make_org):
    user = login_as("member", email="leaver@example.vn")
    org = _member_of_someone_elses_org(db, make_user, make_org, user)
    response = client.post("/account/delete", data={"current_password": "not my password at all", "confirm": "y"})
    assert response.status_code == 422
    user = _fresh_user(db, user.id)
    assert user.email == "leaver@example.vn"
    assert user.password_hash is not None and user.anonymised_at is None
    assert org.membership_of(user) is not None
    assert client.get("/account/").status_code == 200
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.anonymised")).all() == []


def test_delete_needs_the_confirmation_box(client, db, login_as):
    user = login_as("member", email="leaver@example.vn")
    response = client.post("/account/delete", data={"current_password": PASSWORD})
    assert response.status_code == 422
    assert _fresh_user(db, user.id).anonymised_at is None


def test_delete_anonymises_and_signs_out(app, client, db, login_as, make_user, make_org, api_token):
    user = login_as("member", email="leaver@example.vn")
    user_id = user.id
    org = _member_of_someone_elses_org(db, make_user, make_org, user)
    org_id = org.id
    token = api_token(user)
    other_device = _browser(app)
    assert login(other_device, "leaver@example.vn").status_code == 302
    assert other_device.get("/account/").status_code == 200

    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302

    user = _fresh_user(db, user_id)
    assert user.email == f"deleted-{user_id}@invalid.example"
    assert user.password_hash is None
    assert user.anonymised_at is not None
    assert user.full_name != "Nguyễn Văn An" and user.phone is None
    for table in (Membership, LoginSession, ApiToken):
        assert db.session.scalars(select(table).where(table.user_id == user_id)).all() == []
    assert [e.object_id for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.anonymised"))] == [user_id]
    assert all(e.ip is None for e in db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == user_id)))

    # the organisation the person represented stays, with its owner
    org = db.session.get(Organisation, org_id)
    assert org is not None and [m.user.email for m in org.active_members()] == ["owner@example.vn"]

    # signed out everywhere, and cannot come back
    assert _sent_to_sign_in(client.get("/account/"))
    assert _sent_to_sign_in(other_device.get("/account/"))
    assert client.get("/api/v1/me", headers=token).status_code == 401
    fresh = _browser(app)
    assert login(fresh, "leaver@example.vn").status_code == 401
    assert login(fresh, f"deleted-{user_id}@invalid.example").status_code == 401
    assert _sent_to_sign_in(fresh.get("/account/"))


def test_only_owner_must_hand_over_first(app, client, db, login_as, make_user, make_org):
    from marketplace.accounts.services.organisations import add_member

    client.set_cookie("cnso_lang", "en")
    user = login_as("member", email="founder@example.vn")
    org = make_org(user, short_name="Viện RQ Phố Hiến")
    org_id = org.id

    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You are the only owner of Viện RQ Phố Hiến. Make another member an owner first." in page
    assert _fresh_user(db, user.id).anonymised_at is None
    assert client.get("/account/").status_code == 200

    # an ordinary member does not count: an owner is needed
    member = make_user(email="colleague@example.vn")
    add_member(db.session.get(Organisation, org_id), member, by=user)
    db.session.commit()
    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 200
    assert _fresh_user(db, user.id).anonymised_at is None

    add_member(db.session.get(Organisation, org_id), member, by=user, role="owner")
    db.session.commit()
    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert _fresh_user(db, user.id).anonymised_at is not None
    org = db.session.get(Organisation, org_id)
    assert org is not None
    assert [(m.user.email, m.role) for m in org.active_members()] == [("colleague@example.vn", "owner")]
