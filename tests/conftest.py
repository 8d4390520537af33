"""Fixtures: ``app``, ``db`` (tables emptied after each test), ``client``, ``login_as(role)``, ``mailbox``.

DOST staff sign in with a second factor. Staff made by ``make_user``/``login_as`` and the factories have an
authenticator enrolled with :data:`TOTP_SECRET`; :func:`login` types the current code (or, for staff who have
none yet, such as the demo accounts, enrols through the set-up page as a person would).

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

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from marketplace import create_app
from marketplace.extensions import db as _db
from marketplace.extensions import limiter
from marketplace.reference.services import load_reference_data
from marketplace.search import get_engine

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the authenticator of staff made by fixtures and factories
STAFF_ROLES = {"moderator", "organiser", "admin"}


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

    def make(email="user@example.vn", role="member", verified=True, password=PASSWORD, name="Nguyễn Văn An",
             second_factor=None):
        """``second_factor``: enrol an authenticator (default: for staff, who must have one)."""
        user = create_user(email=email, password=password, full_name=name, role=role, verified=verified)
        db.session.commit()
        if second_factor if second_factor is not None else role in STAFF_ROLES:
            enrol_second_factor(user)
        return user

    return make


def enrol_second_factor(user, secret: str = TOTP_SECRET):
    """Give ``user`` a confirmed authenticator with ``secret``, as if they had enrolled (committed)."""
    from marketplace.accounts.encryption import encrypt
    from marketplace.accounts.models import SecondFactor
    from marketplace.timeutil import utcnow

    _db.session.add(SecondFactor(user_id=user.id, secret_encrypted=encrypt(secret), confirmed_at=utcnow()))
    _db.session.commit()
    _db.session.expire(user)
    return user


def totp_code(secret: str = TOTP_SECRET, step_offset: int = 0) -> str:
    """The code an authenticator app with ``secret`` shows now (by the app's clock, ``timeutil.utcnow``)."""
    from marketplace.timeutil import utcnow

    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(utcnow().replace(tzinfo=UTC)) + step_offset)


def second_factor_code(email: str) -> str:
    """The code a person with ``email``'s phone would type now: the current 30-s step, or the next one when
    the current one was used already (the site refuses a code twice). Tests sign one person in more often
    than a person can; when both steps are used, the replay marker is moved back, standing in for the 30 s
    a person would wait."""
    from marketplace.accounts.encryption import decrypt
    from marketplace.accounts.models import SecondFactor, User
    from marketplace.timeutil import utcnow

    factor_id, encrypted, last_step = _db.session.execute(
        select(SecondFactor.id, SecondFactor.secret_encrypted, SecondFactor.last_step)
        .join(User, User.id == SecondFactor.user_id).where(User.email == email)).one()
    totp = pyotp.TOTP(decrypt(encrypted))
    now_step = totp.timecode(utcnow().replace(tzinfo=UTC))
    step = max(now_step, (last_step or 0) + 1)
    if step > now_step + 1:
        _db.session.execute(update(SecondFactor).where(SecondFactor.id == factor_id).values(last_step=now_step - 1))
        _db.session.commit()
        step = now_step
    return totp.generate_otp(step)


def _enrol_through_the_page(client, setup_url: str) -> None:
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', client.get(setup_url).text).group(1)
    done = client.post(setup_url, data={"code": totp_code(secret)})
    assert done.status_code == 200 and 'id="recovery-codes"' in done.text, done.text


def pass_second_factor(client, response, email: str):
    """After a sign-in POST (Flask test client or httpx): type the current code, or enrol, when the site asks
    for it, as the person would. Returns the code page's redirect, or ``response`` itself."""
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    if location.startswith("/account/2fa/setup"):
        _enrol_through_the_page(client, location)
    elif location.startswith("/account/2fa/"):
        response = client.post("/account/2fa/", data={"code": second_factor_code(email)})
        assert response.status_code == 302, response.text
    return response


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
    """Sign in through the form; for someone with a second factor, type the current code too (the answer is
    then the code page's redirect), and for staff without one, enrol first (as the site asks them to)."""
    return pass_second_factor(client, client.post("/account/login", data={"email": email, "password": password}),
                              email)


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

    def make(user=None, scopes=("read", "write"), **kwargs):
        user = user or make_user(**kwargs)
        _token, secret = create_api_token(user, "test", scopes=scopes)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make
