"""API token scopes: chosen when a token is made (``read`` by default), checked in one place against the
permission every endpoint declares, 403 ``insufficient_scope`` naming the missing scope."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from marketplace.accounts.models import ApiToken
from marketplace.config import ROOT
from marketplace.permissions import PERMISSION_SCOPES, SCOPES, Permission, scope_needed, scopes_allow
from tests.api.test_api_base import assert_error
from tests.conftest import PASSWORD
from tests.events.conftest import event, make_event, organiser, register_person  # noqa: F401  (shared fixtures)
from tests.listings.conftest import institute  # noqa: F401

OFFER = {"kind": "technology", "title_vi": "Dây chuyền đóng gói long nhãn tự động", "summary": "Năng suất 1 tấn/giờ",
         "st_fields": ["206"], "sectors": ["C"], "province": "33", "trl": 8, "price_type": "negotiable"}


def test_every_permission_maps_to_known_scopes():
    assert set(PERMISSION_SCOPES) == set(Permission)
    for read_scope, write_scope in PERMISSION_SCOPES.values():
        assert read_scope in SCOPES and write_scope in SCOPES
    assert scope_needed(Permission.LISTING_CREATE, "POST") == "listings:write"
    assert scope_needed(Permission.LISTING_CREATE, "GET") == "read"
    assert scopes_allow(["write"], "events:checkin") and not scopes_allow(["read"], "events:checkin")
    assert scopes_allow(["read"], "reports:read") and not scopes_allow(["write"], "reports:read")
    assert not scopes_allow(["events:checkin"], "events:write")


def test_read_token_reads_but_cannot_write(client, db, institute, api_token):  # noqa: F811
    headers = api_token(institute[0], scopes=("read",))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    error = assert_error(client.post("/api/v1/offers", json=OFFER, headers=headers), 403, "insufficient_scope")
    assert "listings:write" in error["message"]
    refused = client.post("/api/v1/offers", json=OFFER, headers=headers)
    assert 'scope="listings:write"' in refused.headers["WWW-Authenticate"]


def test_area_scope_allows_its_area_only(client, db, institute, api_token):  # noqa: F811
    headers = api_token(institute[0], scopes=("listings:write",))
    created = client.post("/api/v1/offers", json=OFFER, headers=headers)
    assert created.status_code == 201, created.data
    offer = created.get_json()
    assert client.post(f"/api/v1/offers/{offer['id']}/submit", headers=headers).status_code == 200
    # no `read`: reading one's own account is refused
    assert_error(client.get("/api/v1/me", headers=headers), 403, "insufficient_scope")


def test_checkin_scope_for_a_gate_device(client, db, event, organiser, make_user, register_person,  # noqa: F811
                                         api_token):
    gate = api_token(organiser, scopes=("events:checkin",))
    reg = register_person(event, make_user(email="khach@example.vn"))
    answer = client.post(f"/api/v1/events/{event.id}/checkins", json={"token": reg.ticket_token, "gate": "1"},
                         headers=gate)
    assert answer.status_code == 200, answer.data
    error = assert_error(client.patch(f"/api/v1/events/{event.id}", json={"venue": "Nơi khác"}, headers=gate), 403,
                         "insufficient_scope")
    assert "events:write" in error["message"]


def test_scopes_never_add_to_the_role(client, db, make_user, api_token, event):  # noqa: F811
    member = api_token(make_user(email="an@example.vn"), scopes=("read", "write", "events:write"))
    assert_error(client.patch(f"/api/v1/events/{event.id}", json={"venue": "Nơi khác"}, headers=member), 403,
                 "forbidden")


def test_token_exchange_takes_scopes_and_refuses_unknown_ones(client, db, make_user):
    make_user(email="an@example.vn")
    made = client.post("/api/v1/auth/tokens", json={"email": "an@example.vn", "password": PASSWORD,
                                                    "scopes": ["listings:write", "read"]})
    assert made.status_code == 201 and made.get_json()["scopes"] == ["read", "listings:write"]
    assert db.session.scalar(select(ApiToken.scopes)) == "read listings:write"
    bad = client.post("/api/v1/auth/tokens", json={"email": "an@example.vn", "password": PASSWORD,
                                                   "scopes": ["admin"]})
    assert_error(bad, 422, "validation_error")


def test_profile_form_offers_the_scopes_and_defaults_to_read(client, db, login_as):
    login_as("member", email="an@example.vn")
    page = client.get("/account/").get_data(as_text=True)
    checked = re.findall(r'name="scopes" value="([^"]+)"[^>]*\n?\s*checked', page)
    assert checked == ["read"]
    assert all(f'value="{scope}"' in page for scope in SCOPES)
    client.post("/account/tokens", data={"name": "cổng 1", "scopes": ["events:register", "read"]})
    assert db.session.scalar(select(ApiToken.scopes)) == "read events:register"
    assert "<code class=\"me-1\">events:register</code>" in client.get("/account/").get_data(as_text=True)
    none = client.post("/account/tokens", data={"name": "không quyền"})
    assert none.status_code == 422


@pytest.mark.parametrize("scopes, expected", [((), "read"), (("read", "listings:write"), "read listings:write")])
def test_cli_token_takes_scopes(app, db, scopes, expected):
    runner = app.test_cli_runner()
    args = ["users", "create", "tich-hop@example.vn", "--token"] + [f"--scope={s}" for s in scopes]
    result = runner.invoke(args=args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.scopes)) == expected
    assert runner.invoke(args=["users", "create", "x@example.vn", "--scope", "read"],
                         input=PASSWORD + "\n").exit_code != 0  # --scope needs --token


MIGRATION = textwrap.dedent('''
    import sys, warnings
    warnings.simplefilter("error")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="flask_limiter.*")
    import flask_migrate
    from sqlalchemy import text
    from marketplace import create_app
    from marketplace.extensions import db

    url, data_dir, before = sys.argv[1:4]
    app = create_app({"ENV_NAME": "testing", "DATA_DIR": data_dir, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade(revision=before)
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO \\"user\\" (id, email, full_name, role, created_at) "
                                    "VALUES (1, 'cu@example.vn', 'Cũ', 'member', CURRENT_TIMESTAMP)"))
            connection.execute(text("INSERT INTO api_token (token_hash, prefix, name, user_id, created_at, expires_at) "
                                    "VALUES ('h', 'cnso_x', 'old', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            print(connection.execute(text("SELECT scopes FROM api_token")).scalar_one())
''')


def test_tokens_made_before_scopes_keep_read_and_write(tmp_path):
    """The migration gives existing tokens ``read write`` (what every token could do before)."""
    migration = next((ROOT / "migrations" / "versions").glob("*_accounts_second_factor_recovery_codes_*.py"))
    before = re.search(r"^down_revision = '(\w+)'", migration.read_text(), re.M).group(1)
    result = subprocess.run([sys.executable, "-c", MIGRATION, f"sqlite:///{tmp_path}/m.db", str(tmp_path), before],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "read write"
