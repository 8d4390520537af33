"""Fixtures: ``app``, ``db`` (tables emptied after each test), ``client``, ``login_as(role)``, ``mailbox``.

The database is SQLite in a temporary directory unless ``MARKETPLACE_TEST_DATABASE_URL`` points at
PostgreSQL (``.ci/run`` does both). Tests commit for real — views, queued jobs and multi-process servers
must see the same data — so isolation is by deleting every row after each test rather than by rolling
back a wrapping transaction.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db as _db
from marketplace.extensions import limiter
from marketplace.reference.services import load_reference_data
from marketplace.search import get_engine

PASSWORD = "correct horse battery staple"


def pytest_configure(config):
    """``MARKETPLACE_TEST_CLOCK_SHIFT_DAYS=365``: the whole run happens that many days from today (the clock
    keeps ticking), so a test that depends on the calendar date fails now rather than on some future day.
    ``.ci/run`` runs the in-process tests once more this way; servers started in subprocesses keep the real
    clock, so those tests (``slow``, ``e2e``) are left out of that run."""
    days = os.environ.get("MARKETPLACE_TEST_CLOCK_SHIFT_DAYS")
    if days:
        import time_machine

        traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=int(days)), tick=True)
        traveller.start()
        config._clock_traveller = traveller


def pytest_unconfigure(config):
    traveller = getattr(config, "_clock_traveller", None)
    if traveller is not None:
        traveller.stop()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def database_url(data_dir) -> str:
    return os.environ.get("MARKETPLACE_TEST_DATABASE_URL") or f"sqlite:///{data_dir / 'test.db'}"


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Flask reuses an already pushed app context for a request; the ``db`` fixture keeps one pushed for the
    test body, so without this, ``g`` (the signed-in user) and the database session would leak between
    requests and between clients.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(data_dir, database_url):
    app = create_app({"ENV_NAME": "testing", "DATA_DIR": str(data_dir), "SQLALCHEMY_DATABASE_URI": database_url,
                      "BASE_URL": "http://testserver",
                      # .ci/run: Whoosh on the SQLite pass, tantivy on the PostgreSQL pass
                      "SEARCH_BACKEND": os.environ.get("MARKETPLACE_TEST_SEARCH_BACKEND", "whoosh")})
    app.test_client_class = FreshContextClient
    limiter.enabled = False  # rate-limit tests switch it on with monkeypatch
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        load_reference_data()
        _db.session.commit()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


REFERENCE_TABLES = {"reference_code"}


@pytest.fixture()
def db(app):
    ctx = app.app_context()
    ctx.push()
    yield _db
    _db.session.rollback()
    _db.session.remove()
    for table in reversed(_db.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            _db.session.execute(table.delete())
    _db.session.execute(text("UPDATE reference_code SET active = :t, edited_at = NULL").bindparams(t=True))
    _db.session.commit()
    load_reference_data()
    _db.session.commit()
    _db.session.remove()
    get_engine().clear()
    ctx.pop()


@pytest.fixture()
def client(app, db):
    return app.test_client()


class Mailbox:
    def __init__(self, directory: Path):
        self.directory = directory

    def clear(self) -> None:
        if self.directory.exists():
            for path in self.directory.glob("*.eml"):
                path.unlink()

    def messages(self) -> list:
        if not self.directory.exists():
            return []
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(p.read_bytes()) for p in sorted(self.directory.glob("*.eml"))]

    def to(self, address: str) -> list:
        return [m for m in self.messages() if m["To"] == address]

    def last_link(self, address: str) -> str:
        body = self.to(address)[-1].get_body(preferencelist=("plain",)).get_content()
        return re.search(r"https?://\S+", body).group(0)


@pytest.fixture()
def mailbox(app, db):
    box = Mailbox(Path(app.config["DATA_DIR"]) / "mail")
    box.clear()
    yield box
    box.clear()


@pytest.fixture()
def make_user(db):
    from marketplace.accounts.services import create_user

    def make(email="user@example.vn", role="member", verified=True, password=PASSWORD, name="Nguyễn Văn An"):
        user = create_user(email=email, password=password, full_name=name, role=role, verified=verified)
        db.session.commit()
        return user

    return make


@pytest.fixture()
def make_org(db):
    from marketplace.accounts.services import create_organisation, set_organisation_status

    def make(owner, verified=True, **fields):
        data = {"legal_name": "Viện Công nghệ Sau thu hoạch", "org_type": "research_institute",
                "province_code": "33"} | fields
        org = create_organisation(by=owner, **data)
        if verified:
            set_organisation_status(org, "verified", by=owner)
        db.session.commit()
        return org

    return make


def login(client, email: str, password: str = PASSWORD):
    return client.post("/account/login", data={"email": email, "password": password})


@pytest.fixture()
def login_as(client, make_user):
    def do(role: str = "member", email: str | None = None, **kwargs):
        user = make_user(email=email or f"{role}@example.vn", role=role, **kwargs)
        response = login(client, user.email)
        assert response.status_code == 302, response.data
        return user

    return do


@pytest.fixture()
def api_token(db, make_user):
    from marketplace.accounts.services import create_api_token

    def make(user=None, **kwargs):
        user = user or make_user(**kwargs)
        _token, secret = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make
