"""Browser sessions (LoginSession rows) and API tokens.

A session lives at most ``SESSION_LIFETIME_HOURS`` from sign-in, whoever you are; a DOST staff member's also
ends after ``STAFF_IDLE_MINUTES`` without a request. ``last_seen_at`` is written at most once every
``SESSION_TOUCH_SECONDS`` (not on every request), so the idle time is measured to within that much.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ...audit.services import record
from ...errors import ServiceError
from ...extensions import db
from ...permissions import DEFAULT_SCOPES, SCOPES
from ...timeutil import utcnow
from ..models import ApiToken, LoginSession, User
from ..passwords import hash_password, needs_rehash, verify_password
from .tokens import digest, new_secret
from .users import normalise_email


def authenticate(email: str, password: str) -> User | None:
    """Return the user for a valid email and password, else ``None`` (audited). The sign-in itself is
    audited by :func:`start_login_session` (after the second factor, for those who have one)."""
    try:
        email = normalise_email(email)
    except ServiceError:
        email = (email or "")[:254]
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not verify_password(user.password_hash, password or "") or not user.is_active:
        record("auth.login_failed", actor=None, obj=user, object_type="user", email=email)
        db.session.flush()
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.flush()
    return user


def start_login_session(user: User, user_agent: str | None = None, *, second_factor: str | None = None,
                        now: datetime | None = None) -> str:
    """Sign ``user`` in on one browser; returns the key the session cookie carries. ``second_factor``: how
    the second factor was passed (``"totp"``, ``"recovery"``), if it was."""
    now = now or utcnow()
    key = new_secret()
    db.session.add(LoginSession(key_hash=digest(key), user_id=user.id, user_agent=(user_agent or "")[:200],
                                created_at=now, last_seen_at=now, second_factor_at=now if second_factor else None,
                                expires_at=now + timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])))
    user.last_login_at = now
    record("auth.login", actor=user, obj=user, second_factor=second_factor)
    db.session.flush()
    return key


class SessionCheck(NamedTuple):
    row: LoginSession | None  # the live session, or None
    ended: str | None = None  # why it just ended: "expired" (past its lifetime), "idle" (staff, unused too long)
    wrote: bool = False  # something was flushed that the caller must commit


def load_login_session(key: str, *, now: datetime | None = None) -> SessionCheck:
    """Check the session for ``key``. An ended session's row is deleted; ``last_seen_at`` moves at most once
    every ``SESSION_TOUCH_SECONDS``. The caller commits when ``wrote`` (see ``accounts.login``)."""
    now = now or utcnow()
    cfg = current_app.config
    row = db.session.scalar(select(LoginSession).where(LoginSession.key_hash == digest(key)))
    if row is None or not row.user.is_active:
        return SessionCheck(None)
    last_seen = row.last_seen_at or row.created_at
    ended = None
    lifetime = timedelta(hours=cfg["SESSION_LIFETIME_HOURS"])
    if now >= min(row.expires_at, row.created_at + lifetime):  # a shorter lifetime applies to open sessions too
        ended = "expired"
    elif row.user.is_staff and now - last_seen > timedelta(minutes=cfg["STAFF_IDLE_MINUTES"]):
        ended = "idle"
    if ended:
        db.session.delete(row)
        record("auth.session_ended", actor=None, obj=row.user, reason=ended)
        db.session.flush()
        return SessionCheck(None, ended, True)
    if now - last_seen >= timedelta(seconds=cfg["SESSION_TOUCH_SECONDS"]):
        row.last_seen_at = now
        db.session.flush()
        return SessionCheck(row, None, True)
    return SessionCheck(row)


def mark_second_factor(key: str, method: str, *, now: datetime | None = None) -> None:
    """This browser session has passed the second factor (``method``: ``"enrolment"``, ``"totp"``,
    ``"recovery"``), after signing in without one."""
    row = db.session.scalar(select(LoginSession).where(LoginSession.key_hash == digest(key)))
    if row is not None:
        row.second_factor_at = now or utcnow()
        record("auth.second_factor", actor=row.user, obj=row.user, method=method)
        db.session.flush()


def end_login_session(key: str | None, user: User | None = None) -> None:
    if key:
        db.session.execute(delete(LoginSession).where(LoginSession.key_hash == digest(key)))
    if user is not None:
        record("auth.logout", actor=user, obj=user)
    db.session.flush()


def clean_scopes(scopes) -> str:
    """The space-separated scopes of a new token, in the order of ``permissions.SCOPES``; unknown ones are
    refused."""
    wanted = {s.strip() for s in (scopes or ()) if s and s.strip()} or set(DEFAULT_SCOPES)
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise ServiceError("invalid_scope", str(_l("Unknown scope: %(scopes)s. Choose from: %(known)s.",
                                                   scopes=", ".join(unknown), known=", ".join(SCOPES))),
                           field="scopes", status=422)
    return " ".join(s for s in SCOPES if s in wanted)


def create_api_token(user: User, name: str, *, scopes=DEFAULT_SCOPES, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` carrying ``scopes`` (default: ``read``); the secret is returned once."""
    scope_text = clean_scopes(scopes)
    secret = "cnso_" + new_secret()
    token = ApiToken(token_hash=digest(secret), prefix=secret[:12], name=(name or "API").strip()[:80],
                     user_id=user.id, scopes=scope_text,
                     expires_at=utcnow() + timedelta(days=days or current_app.config["API_TOKEN_DAYS"]))
    db.session.add(token)
    db.session.flush()
    record("api_token.created", actor=user, obj=token, name=token.name, scopes=scope_text)
    return token, secret


def revoke_api_token(token: ApiToken, *, by: User) -> None:
    if token.user_id != by.id:
        raise ServiceError("not_found", str(_l("Not found.")), status=404)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoked", actor=by, obj=token)
        db.session.flush()


def authenticate_api_token(secret: str) -> ApiToken | None:
    """The live token for ``secret`` (its ``user`` is the caller), else ``None``."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at < now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return token
