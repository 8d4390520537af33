"""Two-step verification: DOST staff must have it, members may; TOTP with QR enrolment, replay refused,
recovery codes hashed and single-use, administrators reset it for a lost phone."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import func, select

from marketplace.accounts.models import LoginSession, RecoveryCode, SecondFactor, User
from marketplace.accounts.services import confirm_enrolment, pending_secret, verify_second_factor
from marketplace.audit.models import AuditEntry
from marketplace.errors import ServiceError
from marketplace.permissions import Permission, user_can
from marketplace.timeutil import utcnow
from tests.conftest import PASSWORD, login, second_factor_code, totp_code
from tests.factories.accounts import UserFactory


def _password_only(client, email, password=PASSWORD):
    return client.post("/account/login", data={"email": email, "password": password})


def _signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def _actions(db) -> list[str]:
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


# --- signing in with a second factor ----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["moderator", "organiser", "admin"])
def test_staff_password_alone_does_not_sign_in(client, db, role):
    staff = UserFactory(role=role)
    response = _password_only(client, staff.email)
    assert response.status_code == 302 and response.location == "/account/2fa/"
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0  # no session yet

    wrong = client.post("/account/2fa/", data={"code": totp_code(step_offset=5)})
    assert wrong.status_code == 401 and "không đúng" in wrong.get_data(as_text=True)
    assert not _signed_in(client)
    done = client.post("/account/2fa/", data={"code": totp_code()})
    assert done.status_code == 302
    assert _signed_in(client) and client.get("/admin/").status_code == 200
    session = db.session.scalar(select(LoginSession))
    assert session.second_factor_at is not None
    assert _actions(db)[-2:] == ["auth.second_factor_failed", "auth.login"]


def test_a_code_one_step_either_side_is_accepted_two_steps_is_not(client, db):
    staff = UserFactory(moderator=True)
    for offset, accepted in ((-2, False), (2, False), (-1, True)):
        other = client.application.test_client()
        _password_only(other, staff.email)
        response = other.post("/account/2fa/", data={"code": totp_code(step_offset=offset)})
        assert (response.status_code == 302) is accepted, offset
    other = client.application.test_client()
    _password_only(other, staff.email)
    assert other.post("/account/2fa/", data={"code": totp_code(step_offset=1)}).status_code == 302


def test_a_code_cannot_be_replayed_in_its_window(client, app, db):
    staff = UserFactory(moderator=True)
    code = totp_code()
    _password_only(client, staff.email)
    assert client.post("/account/2fa/", data={"code": code}).status_code == 302
    thief = app.test_client()
    _password_only(thief, staff.email)
    assert thief.post("/account/2fa/", data={"code": code}).status_code == 401  # same code, same 30 s
    assert not _signed_in(thief)
    # an older step than the last one used is refused too
    assert verify_second_factor(staff, totp_code(step_offset=-1)) is None


def test_the_password_step_expires_and_five_wrong_codes_end_it(client, app, db):
    staff = UserFactory(organiser=True)
    _password_only(client, staff.email)
    with time_machine.travel(utcnow() + timedelta(seconds=app.config["TWO_FACTOR_PENDING_SECONDS"] + 5)):
        late = client.post("/account/2fa/", data={"code": totp_code()})
    assert late.status_code == 302 and late.location == "/account/login"
    _password_only(client, staff.email)
    for _ in range(4):
        assert client.post("/account/2fa/", data={"code": "000000"}).status_code == 401
    fifth = client.post("/account/2fa/", data={"code": "000000"})
    assert fifth.status_code == 302 and fifth.location == "/account/login"
    assert client.post("/account/2fa/", data={"code": second_factor_code(staff.email)}).location == "/account/login"
    assert not _signed_in(client)


# --- enrolment --------------------------------------------------------------------------------------------

def test_staff_without_second_factor_is_sent_to_enrol_before_any_staff_page(client, db):
    staff = UserFactory(moderator=True, second_factor=False)
    response = _password_only(client, staff.email)
    assert response.status_code == 302 and response.location.startswith("/account/2fa/setup")
    # signed in, but with a member's permissions only: every page that needs a permission sends to enrolment
    for url in ("/moderation/", "/admin/", "/account/", "/my/listings"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer.location.startswith("/account/2fa/"), url
    me = db.session.get(User, staff.id)
    me.login_second_factor = False  # as the user loader sets it for this browser session
    assert not user_can(me, Permission.LISTING_MODERATE) and not user_can(me, Permission.LISTING_VIEW_ALL)
    assert user_can(me, Permission.LISTING_CREATE)  # what every member may do
    # a public page works, without the staff view
    assert client.get("/").status_code == 200
    assert client.post("/account/logout").status_code == 302  # signing out needs no second factor


def test_enrolment_shows_a_qr_code_without_inline_script_then_recovery_codes_once(client, db):
    staff = UserFactory(admin=True, second_factor=False)
    _password_only(client, staff.email)
    page = client.get("/account/2fa/setup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert not re.search(r"<[^>]+\son\w+=", html)  # no inline event handlers
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)" id="totp-qr"', html)
    assert qr and b"<script" not in base64.b64decode(qr.group(1))
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    assert client.get("/account/2fa/setup").get_data(as_text=True).count(secret) == 1  # reloading keeps the key

    stored = db.session.scalar(select(SecondFactor.secret_encrypted).where(SecondFactor.user_id == staff.id))
    assert secret not in stored  # encrypted at rest
    assert client.post("/account/2fa/setup", data={"code": "123456"}).status_code == 422
    done = client.post("/account/2fa/setup", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r'<code class="token-box">([a-z2-9-]{19})</code>', done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    stored_hashes = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == staff.id)).all()
    assert len(stored_hashes) == 10 and not set(codes) & set(stored_hashes)
    assert client.get("/admin/").status_code == 200  # this session passed the second factor
    # the key is never shown again
    again = client.get("/account/2fa/setup")
    assert again.status_code == 302 and secret not in client.get("/account/").get_data(as_text=True)
    assert "user.second_factor_enrolled" in _actions(db)


def test_recovery_codes_sign_in_once_and_can_be_regenerated(client, app, db):
    staff = UserFactory(moderator=True)
    codes = _regenerate(client, staff)
    other = app.test_client()
    _password_only(other, staff.email)
    assert other.post("/account/2fa/", data={"code": codes[0].upper().replace("-", " ")}).status_code == 302
    assert "còn lại 9 mã" in other.get("/account/").get_data(as_text=True)
    third = app.test_client()
    _password_only(third, staff.email)
    assert third.post("/account/2fa/", data={"code": codes[0]}).status_code == 401  # used once already
    fresh = _regenerate(client, staff)
    assert not set(fresh) & set(codes)
    fourth = app.test_client()
    _password_only(fourth, staff.email)
    assert fourth.post("/account/2fa/", data={"code": codes[1]}).status_code == 401  # old codes stop working
    assert fourth.post("/account/2fa/", data={"code": fresh[1]}).status_code == 302


def _regenerate(client, user) -> list[str]:
    login(client, user.email)
    refused = client.post("/account/2fa/recovery-codes", data={"current_password": "not my password!"})
    assert refused.status_code == 302
    page = client.post("/account/2fa/recovery-codes", data={"current_password": PASSWORD})
    return re.findall(r'<code class="token-box">([a-z2-9-]{19})</code>', page.get_data(as_text=True))


def test_service_enrolment_refuses_a_second_enrolment(db):
    member = UserFactory()
    secret = pending_secret(member)
    assert pending_secret(member) == secret
    confirm_enrolment(member, pyotp.TOTP(secret).now())
    with pytest.raises(ServiceError) as refused:
        pending_secret(member)
    assert refused.value.code == "already_enrolled"


# --- members opt in ---------------------------------------------------------------------------------------

def test_a_member_may_turn_it_on_and_off_staff_may_not_turn_it_off(client, app, db):
    member = UserFactory(email="an@example.vn")
    login(client, member.email)
    assert client.get("/account/").status_code == 200  # members are not forced
    html = client.get("/account/2fa/setup").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
    client.post("/account/2fa/setup", data={"code": pyotp.TOTP(secret).now()})
    other = app.test_client()
    assert _password_only(other, member.email).location == "/account/2fa/"  # now asked for the code
    client.post("/account/2fa/disable", data={"current_password": PASSWORD})
    assert _password_only(app.test_client(), member.email).location == "/account/"

    staff = UserFactory(moderator=True)
    staff_client = app.test_client()
    login(staff_client, staff.email)
    staff_client.post("/account/2fa/disable", data={"current_password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, staff.id).has_second_factor


# --- administrators reset a lost phone --------------------------------------------------------------------

def test_admin_resets_another_staff_members_second_factor(client, app, db, mailbox):
    admin, moderator = UserFactory(admin=True), UserFactory(moderator=True, email="kd@example.vn")
    phone_lost = app.test_client()
    login(phone_lost, moderator.email)
    login(client, admin.email)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{moderator.id}/second-factor/reset" in page
    assert f"/admin/users/{admin.id}/second-factor/reset" not in page  # not one's own
    assert client.post(f"/admin/users/{moderator.id}/second-factor/reset").status_code == 302

    db.session.expire_all()
    assert not db.session.get(User, moderator.id).has_second_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == moderator.id)) == 0
    assert phone_lost.get("/account/").status_code == 302  # signed out everywhere
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.second_factor_reset"))
    assert entry.actor_id == admin.id and entry.object_id == moderator.id
    assert mailbox.to("kd@example.vn")
    # the next sign-in enrols again
    assert _password_only(app.test_client(), moderator.email).location.startswith("/account/2fa/setup")


def test_admin_cannot_reset_their_own_and_moderators_cannot_reset_anyones(client, app, db):
    admin, moderator = UserFactory(admin=True), UserFactory(moderator=True)
    login(client, admin.email)
    client.post(f"/admin/users/{admin.id}/second-factor/reset")
    other = app.test_client()
    login(other, moderator.email)
    assert other.post(f"/admin/users/{admin.id}/second-factor/reset").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).has_second_factor


# --- the API ----------------------------------------------------------------------------------------------

def test_staff_token_needs_the_totp_code_and_an_enrolled_second_factor(client, db):
    staff = UserFactory(organiser=True)
    body = {"email": staff.email, "password": PASSWORD}
    missing = client.post("/api/v1/auth/tokens", json=body)
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "second_factor_required"
    wrong = client.post("/api/v1/auth/tokens", json=body | {"totp": totp_code(step_offset=4)})
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "invalid_second_factor"
    code = totp_code()
    made = client.post("/api/v1/auth/tokens", json=body | {"totp": code})
    assert made.status_code == 201, made.data
    replay = client.post("/api/v1/auth/tokens", json=body | {"totp": code})
    assert replay.status_code == 401

    unenrolled = UserFactory(moderator=True, second_factor=False)
    refused = client.post("/api/v1/auth/tokens", json={"email": unenrolled.email, "password": PASSWORD,
                                                        "totp": "123456"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "second_factor_enrolment_required"
    assert "auth.second_factor_failed" in _actions(db)


def test_promotion_revokes_tokens_made_without_a_second_factor(client, db):
    from marketplace.accounts.services import set_user_role
    from tests.factories.accounts import ApiTokenFactory, bearer

    admin, member = UserFactory(admin=True), UserFactory()
    token = ApiTokenFactory(user=member)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    set_user_role(member, "moderator", by=admin)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
