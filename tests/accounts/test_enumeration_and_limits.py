"""What an outsider can learn or make us do by address: sign-up does not tell whether an address has an
account; sign-in attempts and account mail are limited per address (``tests/test_redis.py`` checks the same
counts are shared by two processes through Redis)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts import passwords
from marketplace.accounts.models import User
from marketplace.extensions import limiter
from tests.conftest import PASSWORD
from tests.factories.accounts import UserFactory


@pytest.fixture()
def limits_on(monkeypatch):
    """The limiter on, counting from zero (its memory storage is shared by the whole test run)."""
    monkeypatch.setattr(limiter, "enabled", True)
    limiter.reset()
    yield
    limiter.reset()


def _signup(client, email, password=PASSWORD):
    return client.post("/account/signup", data={"full_name": "Người Lạ", "email": email, "password": password,
                                                "confirm": password, "consent": "y"})


def _page_after(client, response, email) -> str:
    """The page the redirect leads to, with the address typed (echoed back either way) and the per-browser
    CSRF tokens replaced."""
    page = client.get(response.location).get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'(csrf_token"[^>]*value=|X-CSRFToken": )"[^"]+"', r"\1TOKEN", page)


# --- sign-up does not reveal accounts ---------------------------------------------------------------------

def test_signup_with_a_registered_address_answers_like_a_new_one(app, db, mailbox, monkeypatch):
    UserFactory(email="an@example.vn", full_name="Nguyễn Văn An")
    hashes = []
    real_hash = passwords.hash_password
    monkeypatch.setattr("marketplace.accounts.services.users.hash_password",
                        lambda password: hashes.append(password) or real_hash(password))

    new_client, known_client = app.test_client(), app.test_client()
    new = _signup(new_client, "moi@example.vn")
    hashed_for_new = len(hashes)
    known = _signup(known_client, "AN@example.vn")
    assert new.status_code == known.status_code == 302
    assert new.location == known.location == "/account/login"
    assert _page_after(new_client, new, "moi@example.vn") == _page_after(known_client, known, "AN@example.vn")
    # equal work: the password is hashed in both branches (argon2 is what takes the time)
    assert hashed_for_new == 1 and len(hashes) == 2

    # no second account; the owner is told, in their language, how to get in
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "an@example.vn")) == 1
    note = mailbox.to("an@example.vn")[-1]
    body = note.get_body(preferencelist=("plain",)).get_content()
    assert "Có người thử đăng ký" in note["Subject"]
    assert "/account/login" in body and "/account/password/forgot" in body
    assert mailbox.to("moi@example.vn")  # the new address gets its verification link


def test_the_owner_is_not_mailed_more_than_the_hourly_quota(client, db, mailbox, limits_on, app):
    UserFactory(email="an@example.vn")
    for _ in range(5):
        assert _signup(app.test_client(), "an@example.vn").status_code == 302
    assert len(mailbox.to("an@example.vn")) == 3  # ACCOUNT_MAIL_RATE_LIMIT: 3 per hour


# --- password-reset mail ----------------------------------------------------------------------------------

def test_reset_mail_is_limited_per_address_with_the_same_answer(client, db, mailbox, limits_on, app):
    UserFactory(email="an@example.vn")
    assert app.config["ACCOUNT_MAIL_RATE_LIMIT"] == "3 per hour"
    answers = []
    for i in range(12):  # from 12 client addresses: the per-client limit does not stop this
        response = client.post("/account/password/forgot", data={"email": "an@example.vn"},
                               environ_base={"REMOTE_ADDR": f"203.0.113.{i}"})
        answers.append((response.status_code, response.location))
    assert set(answers) == {(302, "/account/login")}
    assert len(mailbox.to("an@example.vn")) == 3
    # another address has its own quota
    client.post("/account/password/forgot", data={"email": "binh@example.vn"})
    UserFactory(email="binh@example.vn")
    client.post("/account/password/forgot", data={"email": "binh@example.vn"})
    assert len(mailbox.to("binh@example.vn")) == 1


# --- sign-in attempts per address -------------------------------------------------------------------------

def test_token_attempts_are_limited_per_address_across_client_addresses(client, db, limits_on, app):
    UserFactory(email="an@example.vn")
    codes = [client.post("/api/v1/auth/tokens", json={"email": "an@example.vn", "password": "wrong password!!"},
                         environ_base={"REMOTE_ADDR": f"198.51.100.{i}"}).status_code for i in range(13)]
    assert codes == [401] * 10 + [429] * 3  # LOGIN_RATE_LIMIT: 10 per minute
    # the right password is refused as well now (no oracle for the guesser), other addresses are not
    right = client.post("/api/v1/auth/tokens", json={"email": "an@example.vn", "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "198.51.100.200"})
    assert right.status_code == 429 and right.get_json()["error"]["code"] == "rate_limited"
    UserFactory(email="binh@example.vn")
    other = client.post("/api/v1/auth/tokens", json={"email": "binh@example.vn", "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "198.51.100.201"})
    assert other.status_code == 201


def test_html_login_attempts_are_limited_per_address_across_client_addresses(client, db, limits_on):
    UserFactory(email="an@example.vn")
    codes = [client.post("/account/login", data={"email": "An@Example.vn ", "password": "wrong password!!"},
                         environ_base={"REMOTE_ADDR": f"198.51.100.{i}"}).status_code for i in range(11)]
    assert codes == [401] * 10 + [429]


def test_second_factor_attempts_are_limited_per_account(app, db, limits_on):
    staff = UserFactory(moderator=True)
    codes = []
    for i in range(3):  # three sign-ins from three client addresses, four wrong codes each
        browser = app.test_client()
        browser.post("/account/login", data={"email": staff.email, "password": PASSWORD},
                     environ_base={"REMOTE_ADDR": f"192.0.2.{i}"})
        codes += [browser.post("/account/2fa/", data={"code": "000000"},
                               environ_base={"REMOTE_ADDR": f"192.0.2.{i}"}).status_code for _ in range(4)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    assert re.fullmatch(r"\d+ per minute", app.config["LOGIN_RATE_LIMIT"])
