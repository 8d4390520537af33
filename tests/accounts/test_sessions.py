"""Session lifetime for everyone, idle timeout for DOST staff, cheap last-seen bookkeeping, and
``Cache-Control: no-store`` on what signed-in people see. The clock moves with time_machine, never by sleeping."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, select

from marketplace.accounts.models import LoginSession
from marketplace.audit.models import AuditEntry
from marketplace.config import load_config
from marketplace.extensions import db as _db
from marketplace.timeutil import utcnow
from tests.conftest import login
from tests.factories.accounts import UserFactory


def _signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def _at(minutes: float):
    return time_machine.travel(utcnow() + timedelta(minutes=minutes), tick=False)


def test_every_session_ends_after_its_absolute_lifetime(client, app, db):
    member = UserFactory()
    login(client, member.email)
    hours = app.config["SESSION_LIFETIME_HOURS"]
    assert hours == 12
    with _at(hours * 60 - 1):
        assert _signed_in(client)  # still alive a minute before, however active
    with _at(hours * 60 + 1):
        assert not _signed_in(client)
        assert "Phiên đăng nhập đã hết hạn" in client.get("/account/login").get_data(as_text=True)
    assert db.session.scalar(select(LoginSession)) is None  # the row is gone
    ended = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.session_ended"))
    assert ended.details == {"reason": "expired"}


def test_a_shorter_lifetime_applies_to_sessions_already_open(client, app, db, monkeypatch):
    login(client, UserFactory().email)
    monkeypatch.setitem(app.config, "SESSION_LIFETIME_HOURS", 1)
    with _at(61):
        assert not _signed_in(client)


@pytest.mark.parametrize("role", ["moderator", "organiser", "admin"])
def test_staff_sessions_end_after_30_idle_minutes(client, app, db, role):
    staff = UserFactory(role=role)
    login(client, staff.email)
    assert app.config["STAFF_IDLE_MINUTES"] == 30
    # active every 20 minutes for an hour: still signed in
    for minutes in (20, 40, 60):
        with _at(minutes):
            assert _signed_in(client), minutes
    with _at(60 + 31):  # 31 minutes after the last request
        response = client.get("/admin/")
        assert response.status_code == 302 and response.location.startswith("/account/login")
        assert "30 phút không hoạt động" in client.get("/account/login").get_data(as_text=True)


def test_member_sessions_do_not_idle_out(client, db):
    login(client, UserFactory().email)
    with _at(5 * 60):
        assert _signed_in(client)


def test_last_seen_is_written_at_most_once_a_minute(client, app, db):
    staff = UserFactory(moderator=True)
    login(client, staff.email)
    writes = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE LOGIN_SESSION"):
            writes.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            assert _signed_in(client)
        assert writes == []  # within the first minute: reads only
        with _at(1.5):
            for _ in range(5):
                assert _signed_in(client)
        assert len(writes) == 1
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    row = db.session.scalar(select(LoginSession))
    assert row.last_seen_at > row.created_at + timedelta(minutes=1)


def test_lifetime_and_idle_time_are_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("MARKETPLACE_SESSION_LIFETIME_HOURS", "8")
    monkeypatch.setenv("MARKETPLACE_STAFF_IDLE_MINUTES", "15")
    monkeypatch.setenv("MARKETPLACE_ACCOUNT_MAIL_RATE_LIMIT", "2 per hour")
    cfg = load_config({"ENV_NAME": "testing", "DATA_DIR": str(tmp_path)})
    assert (cfg["SESSION_LIFETIME_HOURS"], cfg["STAFF_IDLE_MINUTES"]) == (8, 15)
    assert cfg["PERMANENT_SESSION_LIFETIME"] == 8 * 3600  # the cookie does not outlive the session
    assert cfg["ACCOUNT_MAIL_RATE_LIMIT"] == "2 per hour"


# --- Cache-Control ----------------------------------------------------------------------------------------

def test_pages_of_signed_in_people_are_not_stored(client, db):
    anonymous = client.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    login(client, UserFactory().email)
    for url in ("/", "/account/", "/offers", "/account/export"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    static = client.get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_api_answers_for_a_token_are_not_stored(client, db):
    from tests.factories.accounts import ApiTokenFactory, bearer

    token = ApiTokenFactory()
    assert client.get("/api/v1/me", headers=bearer(token)).headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/api/v1/offers").headers.get("Cache-Control", "")
