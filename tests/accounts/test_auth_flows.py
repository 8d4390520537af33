"""Sign-up, verification, login/logout, password reset and changes, over HTTP."""

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from marketplace.accounts.models import Consent, EmailToken, User
from marketplace.audit.models import AuditEntry
from tests.conftest import PASSWORD, login
from tests.factories.accounts import ApiTokenFactory, UserFactory, bearer

NEW_PASSWORD = "một câu mật khẩu mới rất dài"


def _path(url: str) -> str:
    return urlsplit(url).path


def signed_out(client) -> bool:
    response = client.get("/account/")
    return response.status_code == 302 and "/account/login?next=" in response.headers["Location"]


def signup(client, email="an@example.vn", password=PASSWORD, consent="y"):
    data = {"full_name": "Nguyễn Văn An", "email": email, "password": password, "confirm": password}
    if consent:
        data["consent"] = consent
    return client.post("/account/signup", data=data)


def test_signup_verify_login_logout(client, db, mailbox, app):
    response = signup(client)
    assert response.status_code == 302 and _path(response.location) == "/account/login"
    assert signed_out(client)  # signed in only once the address is confirmed and the password typed
    user = db.session.scalar(select(User).where(User.email == "an@example.vn"))
    assert user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")
    consent = db.session.scalar(select(Consent).where(Consent.user_id == user.id))
    assert consent.notice_version == app.config["PRIVACY_NOTICE_VERSION"]

    link = mailbox.last_link("an@example.vn")
    assert client.get(_path(link)).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None
    # the verification link is single-use
    client.get(_path(link))
    assert "không hợp lệ" in client.get("/account/login").get_data(as_text=True)

    assert login(client, "an@example.vn").status_code == 302
    cookie = client.get_cookie("cnso_session")
    assert client.get("/account/").status_code == 200
    assert client.post("/account/logout").status_code == 302
    assert signed_out(client)
    # Replaying the cookie captured before logout does not sign anyone in.
    client.set_cookie("cnso_session", cookie.value)
    assert signed_out(client)


def test_signup_requires_consent_and_strong_password(client, db):
    response = signup(client, consent=None)
    assert response.status_code == 422
    assert "thông báo xử lý dữ liệu cá nhân" in response.get_data(as_text=True)
    response = signup(client, password="short")
    assert response.status_code == 422
    assert "12" in response.get_data(as_text=True)
    response = signup(client, password="password1234")
    assert response.status_code == 422
    assert "quá phổ biến" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_login_failures_are_audited_and_answered_alike(client, db, make_user):
    make_user(email="an@example.vn")
    wrong = login(client, "an@example.vn", "wrong password here")
    unknown = login(client, "nobody@example.vn", "wrong password here")
    assert wrong.status_code == unknown.status_code == 401
    assert "Email hoặc mật khẩu không đúng" in wrong.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("auth.login_failed") == 2
    assert login(client, "an@example.vn").status_code == 302
    assert "auth.login" in db.session.scalars(select(AuditEntry.action)).all()


def test_password_reset_single_use_and_same_answer(client, db, mailbox, make_user):
    make_user(email="an@example.vn")
    known = client.post("/account/password/forgot", data={"email": "an@example.vn"}, follow_redirects=True)
    unknown = client.post("/account/password/forgot", data={"email": "ghost@example.vn"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "EMAIL")  # noqa: E731
    assert strip(known, "an@example.vn") == strip(unknown, "ghost@example.vn")
    assert mailbox.to("ghost@example.vn") == []
    link = _path(mailbox.last_link("an@example.vn"))

    other = client.application.test_client()
    assert login(other, "an@example.vn").status_code == 302
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    # every session of the account ended
    assert signed_out(other)
    assert login(client, "an@example.vn", NEW_PASSWORD).status_code == 302
    client.post("/account/logout")
    # the link cannot be used twice
    response = client.post(link, data={"password": PASSWORD + "x", "confirm": PASSWORD + "x"}, follow_redirects=True)
    assert "không hợp lệ hoặc đã hết hạn" in response.get_data(as_text=True)
    assert login(client, "an@example.vn", PASSWORD + "x").status_code == 401


def test_password_reset_link_expires_within_an_hour(client, db, mailbox, make_user):
    make_user(email="an@example.vn")
    client.post("/account/password/forgot", data={"email": "an@example.vn"})
    token = db.session.scalar(select(EmailToken).where(EmailToken.purpose == "reset_password"))
    assert token.expires_at - token.created_at <= timedelta(hours=1)
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    link = _path(mailbox.last_link("an@example.vn"))
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert login(client, "an@example.vn", NEW_PASSWORD).status_code == 401


def test_change_password_needs_current_and_keeps_this_session(client, db, login_as, app):
    user = login_as("member", email="an@example.vn")
    other = app.test_client()
    login(other, "an@example.vn")
    bad = client.post("/account/password", data={"current_password": "not my password!",
                                                  "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert bad.status_code == 422
    assert "Mật khẩu hiện tại không đúng" in bad.get_data(as_text=True)
    ok = client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert ok.status_code == 302
    assert client.get("/account/").status_code == 200
    assert signed_out(other)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash


def test_change_email_needs_current_password_and_confirmation(client, db, mailbox, login_as):
    user = login_as("member", email="an@example.vn")
    bad = client.post("/account/email", data={"current_password": "nope nope nope", "new_email": "moi@example.vn"})
    assert bad.status_code == 422
    assert mailbox.to("moi@example.vn") == []
    client.post("/account/email", data={"current_password": PASSWORD, "new_email": "moi@example.vn"})
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "an@example.vn"
    client.get(_path(mailbox.last_link("moi@example.vn")))
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "moi@example.vn"


def test_language_switch_is_remembered_per_browser_and_per_user(client, db, login_as, app):
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)
    client.get("/language/en")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    user = login_as("member", email="an@example.vn")
    client.get("/language/en")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    fresh = app.test_client()
    login(fresh, "an@example.vn")
    assert 'lang="en"' in fresh.get("/account/").get_data(as_text=True)


def test_api_tokens_created_and_revoked_on_profile(client, db, login_as):
    login_as("member", email="an@example.vn")
    page = client.post("/account/tokens", data={"name": "báo cáo", "scopes": "read"}).get_data(as_text=True)
    token = page.split('id="new-token">')[1].split("<")[0].strip()
    api = client.application.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    from marketplace.accounts.models import ApiToken

    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != token and token.startswith(stored.prefix)
    client.post(f"/account/tokens/{stored.id}/revoke")
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_someone_elses_token_cannot_be_revoked_and_dead_tokens_do_not_authenticate(client, db):
    owner, other = UserFactory(), UserFactory()
    live, expired, revoked = ApiTokenFactory(user=owner), ApiTokenFactory(user=owner, expired=True), \
        ApiTokenFactory(user=owner, revoked=True)
    api = client.application.test_client()
    assert api.get("/api/v1/me", headers=bearer(live)).get_json()["email"] == owner.email
    for dead in (expired, revoked):
        assert api.get("/api/v1/me", headers=bearer(dead)).status_code == 401
    login(client, other.email)
    assert client.post(f"/account/tokens/{live.id}/revoke").status_code == 404  # not yours: not found
    assert api.get("/api/v1/me", headers=bearer(live)).status_code == 200
