"""Flask CLI commands: ``seed demo``, ``create-admin``, ``users create``, ``reference load``."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Membership, Organisation, User
from marketplace.demo import DEMO_PASSWORD
from marketplace.reference.models import ReferenceCode
from marketplace.reference.services import SCHEMES, read_scheme_file
from tests.conftest import PASSWORD, login

DEMO_ROLES = {"admin@demo.example": "admin", "moderator@demo.example": "moderator",
              "organiser@demo.example": "organiser", "institute@demo.example": "member",
              "business@demo.example": "member", "university@demo.example": "member",
              "coop@demo.example": "member"}


@pytest.fixture()
def cli(app, db):
    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        result = runner.invoke(args=list(args), input=input)
        db.session.expire_all()
        return result

    return invoke


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _user(db, email) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _can_sign_in(app, email, password) -> bool:
    browser = app.test_client()
    return login(browser, email, password).status_code == 302 and browser.get("/account/").status_code == 200


# --- seed demo ------------------------------------------------------------------------------------------

def test_seed_demo_creates_accounts_and_organisations(app, cli, db):
    result = cli("seed", "demo")
    assert result.exit_code == 0, result.output
    assert "Demo data: {'users': 7, 'organisations': 6, 'offers': 66, 'needs': 34, 'ip_assets': 54, 'events': 2}" in result.output
    for email in DEMO_ROLES:
        assert email in result.output

    users = {u.email: u for u in db.session.scalars(select(User))}
    assert {e: u.role for e, u in users.items()} == DEMO_ROLES
    assert all(u.is_verified and u.is_active for u in users.values())
    for email in ("institute@demo.example", "business@demo.example", "university@demo.example",
                  "coop@demo.example"):
        memberships = users[email].active_memberships()
        assert len(memberships) == 1, email
        assert memberships[0].organisation.is_verified
        assert memberships[0].organisation.verified_by_id == users["admin@demo.example"].id
    statuses = sorted(o.status for o in db.session.scalars(select(Organisation)))
    assert statuses == ["pending", "verified", "verified", "verified", "verified", "verified"]
    assert _can_sign_in(app, "institute@demo.example", DEMO_PASSWORD)


def test_seed_demo_twice_adds_nothing(cli, db):
    assert cli("seed", "demo").exit_code == 0
    before = (_count(db, User), _count(db, Organisation), _count(db, Membership), _count(db, ReferenceCode))
    result = cli("seed", "demo")
    assert result.exit_code == 0, result.output
    assert "Demo data: {'users': 0, 'organisations': 0, 'offers': 0, 'needs': 0, 'ip_assets': 0, 'events': 0}" in result.output
    after = (_count(db, User), _count(db, Organisation), _count(db, Membership), _count(db, ReferenceCode))
    assert after == before and before[:2] == (7, 6)


def test_seed_demo_password_option(app, cli, db):
    password = "mật khẩu thử nghiệm 2026"
    result = cli("seed", "demo", "--password", password)
    assert result.exit_code == 0, result.output
    assert _can_sign_in(app, "admin@demo.example", password)
    assert not _can_sign_in(app, "moderator@demo.example", DEMO_PASSWORD)


def test_demo_staff_sign_in_with_the_published_demo_second_factor(app, cli, db):
    import pyotp

    from marketplace.demo.staff import DEMO_TOTP_SECRET

    assert cli("seed", "demo").exit_code == 0
    result = cli("seed", "demo-code")
    assert result.exit_code == 0, result.output
    codes = dict(line.split() for line in result.output.strip().splitlines())
    assert set(codes) == {"admin@demo.example", "moderator@demo.example", "organiser@demo.example"}
    assert all(re.fullmatch(r"\d{6}", code) for code in codes.values())
    assert pyotp.TOTP(DEMO_TOTP_SECRET).verify(codes["moderator@demo.example"], valid_window=1)
    browser = app.test_client()
    asked = browser.post("/account/login", data={"email": "moderator@demo.example", "password": DEMO_PASSWORD})
    assert asked.status_code == 302 and asked.location.startswith("/account/2fa/")
    assert browser.post("/account/2fa/", data={"code": codes["moderator@demo.example"]}).status_code == 302
    assert browser.get("/moderation/").status_code == 200  # a staff page: the second factor was accepted


# --- create-admin ---------------------------------------------------------------------------------------

def test_create_admin_reads_password_from_stdin(app, cli, db):
    result = cli("create-admin", "Boss@Example.vn", "--name", "Giám đốc Sở", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Admin boss@example.vn created." in result.output
    user = _user(db, "boss@example.vn")
    assert (user.role, user.full_name, user.is_verified) == ("admin", "Giám đốc Sở", True)
    assert _can_sign_in(app, "boss@example.vn", PASSWORD)


def test_create_admin_rejects_short_password(cli, db):
    from marketplace.accounts.services.users import PASSWORD_MESSAGES

    result = cli("create-admin", "boss@example.vn", input="short\n")
    assert result.exit_code != 0
    assert f"Error: {PASSWORD_MESSAGES['too_short']}" in result.output
    assert _user(db, "boss@example.vn") is None
    assert _count(db, User) == 0


def test_create_admin_refuses_existing_email(cli, db, make_user):
    make_user(email="boss@example.vn")
    result = cli("create-admin", "boss@example.vn", input=PASSWORD + "\n")
    assert result.exit_code != 0 and "Error:" in result.output
    assert _user(db, "boss@example.vn").role == "member"


# --- users create ---------------------------------------------------------------------------------------

def test_users_create_prints_working_tokens(client, cli, db):
    result = cli("users", "create", "a@x.vn", "b@x.vn", "--role", "organiser", "--verified", "--token",
                 input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split(" ")[0] for line in lines] == ["a@x.vn", "b@x.vn"]
    for line in lines:
        email, token = line.split(" ")
        assert re.fullmatch(r"cnso_[A-Za-z0-9_-]{20,}", token)
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        me = response.get_json()
        assert (me["email"], me["role"], me["email_verified"]) == (email, "organiser", True)
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer cnso_nope"}).status_code == 401


def test_users_create_without_token(cli, db):
    result = cli("users", "create", "c@x.vn", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "c@x.vn created"
    user = _user(db, "c@x.vn")
    assert (user.role, user.is_verified) == ("member", False)


@pytest.mark.parametrize("ref", ["slug", "tax_code"])
def test_users_create_joins_organisation(cli, db, make_user, make_org, ref):
    org = make_org(make_user(email="owner@example.vn"), tax_code="0100109106")
    value = getattr(org, ref)
    result = cli("users", "create", "a@x.vn", "b@x.vn", "--organisation", value, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    members = {m.user.email: (m.role, m.status) for m in db.session.get(Organisation, org.id).memberships}
    assert members == {"owner@example.vn": ("owner", "active"), "a@x.vn": ("member", "active"),
                       "b@x.vn": ("member", "active")}


def test_users_create_unknown_organisation(cli, db):
    result = cli("users", "create", "a@x.vn", "--organisation", "no-such-org", input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert "No organisation matches 'no-such-org'." in result.output
    assert "Traceback" not in result.output
    assert _count(db, User) == 0


def test_users_create_is_all_or_nothing(cli, db, make_user):
    make_user(email="b@x.vn")
    result = cli("users", "create", "a@x.vn", "b@x.vn", input=PASSWORD + "\n")
    assert result.exit_code != 0 and "Error:" in result.output
    assert _user(db, "a@x.vn") is None


# --- reference load -------------------------------------------------------------------------------------

def test_reference_load_prints_counts(cli, db):
    st_fields = len(read_scheme_file(SCHEMES["st_field"]))
    result = cli("reference", "load")
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith(f"province: 34, commune: 104, st_field: {st_fields}, vsic: 22, ")
    assert "tt_form: 7" in result.output and "moderation_reason: 7" in result.output
    active = db.session.scalar(select(func.count()).select_from(ReferenceCode).where(
        ReferenceCode.scheme == "province", ReferenceCode.active.is_(True)))
    assert active == 34


def test_reference_load_one_scheme(cli):
    result = cli("reference", "load", "--scheme", "vsic")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "vsic: 22"
