from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ...audit.services import record
from ...errors import ServiceError
from ...extensions import db
from ...timeutil import utcnow
from ..models import ApiToken, LoginSession, User
from ..passwords import hash_password, needs_rehash, verify_password
from .tokens import digest, new_secret
from .users import normalise_email


def authenticate(email: str, password: str) -> User | None:
    """Return the user for valid credentials, else ``None``; both outcomes are audited."""
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
    user.last_login_at = utcnow()
    record("auth.login", actor=user, obj=user)
    db.session.flush()
    return user


def start_login_session(user: User, user_agent: str | None = None) -> str:
    key = new_secret()
    db.session.add(LoginSession(key_hash=digest(key), user_id=user.id, user_agent=(user_agent or "")[:200],
                                expires_at=utcnow() + timedelta(days=current_app.config["LOGIN_SESSION_DAYS"])))
    db.session.flush()
    return key


def load_login_session(key: str) -> User | None:
    row = db.session.scalar(select(LoginSession).where(LoginSession.key_hash == digest(key)))
    if row is None or row.expires_at < utcnow() or not row.user.is_active:
        return None
    return row.user


def end_login_session(key: str | None, user: User | None = None) -> None:
    if key:
        db.session.execute(delete(LoginSession).where(LoginSession.key_hash == digest(key)))
    if user is not None:
        record("auth.logout", actor=user, obj=user)
    db.session.flush()


def create_api_token(user: User, name: str, *, days: int | None = None) -> tuple[ApiToken, str]:
    secret = "cnso_" + new_secret()
    token = ApiToken(token_hash=digest(secret), prefix=secret[:12], name=(name or "API").strip()[:80],
                     user_id=user.id,
                     expires_at=utcnow() + timedelta(days=days or current_app.config["API_TOKEN_DAYS"]))
    db.session.add(token)
    db.session.flush()
    record("api_token.created", actor=user, obj=token, name=token.name)
    return token, secret


def revoke_api_token(token: ApiToken, *, by: User) -> None:
    if token.user_id != by.id:
        raise ServiceError("not_found", str(_l("Not found.")), status=404)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoked", actor=by, obj=token)
        db.session.flush()


def authenticate_api_token(secret: str) -> User | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at < now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return token.user
