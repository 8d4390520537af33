from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ...audit.services import record
from ...errors import ServiceError
from ...extensions import db
from ...mail.services import queue_mail
from ...permissions import ROLE_PERMISSIONS, Role
from ...signals import user_registered
from ...text import nfc
from ...timeutil import utcnow
from ...urls import external_url
from ..models import ApiToken, Consent, EmailToken, LoginSession, User
from ..passwords import hash_password, password_problem, verify_password
from .tokens import digest, new_secret

TOKEN_TTL = {"verify_email": timedelta(days=2), "reset_password": timedelta(hours=1),
             "change_email": timedelta(hours=24)}

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least 12 characters."),
    "too_long": _l("Use at most 128 characters."),
    "common": _l("This password is too common or too easy to guess. Choose another one."),
    "like_email": _l("The password must not be your email address."),
}


def normalise_email(raw: str) -> str:
    try:
        return validate_email(nfc(raw).strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError("invalid_email", str(_l("Enter a valid email address.")), field="email",
                           status=422) from exc


def check_password(password: str, email: str | None = None) -> None:
    problem = password_problem(password, email=email)
    if problem:
        raise ServiceError(f"password_{problem}", str(PASSWORD_MESSAGES[problem]), field="password", status=422)


def _email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email)) is not None


def _add_user(*, email: str, password_hash: str | None, full_name: str, role: str, verified: bool,
              locale: str | None, by) -> User:
    user = User(email=email, full_name=nfc(full_name).strip() or email.split("@")[0], role=Role(role).value,
                password_hash=password_hash, locale=locale, email_verified_at=utcnow() if verified else None)
    db.session.add(user)
    db.session.flush()
    record("user.created", actor=by, obj=user, role=user.role)
    return user


def create_user(*, email: str, password: str | None, full_name: str, role: str = Role.MEMBER.value,
                verified: bool = False, locale: str | None = None, by=None) -> User:
    """An account made by an operator (CLI, demo, tests): an address already registered is refused."""
    email = normalise_email(email)
    if password is not None:
        check_password(password, email)
    if _email_taken(email):
        raise ServiceError("email_taken", str(_l("An account with this email already exists.")), field="email")
    return _add_user(email=email, password_hash=hash_password(password) if password else None,
                     full_name=full_name, role=role, verified=verified, locale=locale, by=by)


def register_user(*, email: str, password: str, full_name: str, locale: str, consent: bool,
                  notify_owner: bool = True) -> User | None:
    """Sign-up. It must not tell whether the address already has an account, neither by its answer nor by its
    time: both branches hash the password and queue one mail. A new address gets its account and a
    verification link (``User`` is returned); a registered one gets a note to its owner (``None``), unless
    ``notify_owner`` is False (the address's hourly mail quota is used up)."""
    if not consent:
        raise ServiceError("consent_required", str(_l("You must accept the privacy notice to sign up.")),
                           field="consent", status=422)
    email = normalise_email(email)
    check_password(password, email)
    password_hash = hash_password(password)  # in both branches: the same time whether or not the address is known
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        if existing.is_active and notify_owner:
            queue_mail(existing.email, "signup_existing", locale=existing.locale, name=existing.full_name,
                       login_url=external_url("accounts.login"),
                       reset_url=external_url("accounts.forgot_password"))
        record("user.signup_existing", actor=None, obj=existing)
        db.session.flush()
        return None
    user = _add_user(email=email, password_hash=password_hash, full_name=full_name, role=Role.MEMBER.value,
                     verified=False, locale=locale, by=None)
    db.session.add(Consent(user_id=user.id, purpose="account",
                           notice_version=current_app.config["PRIVACY_NOTICE_VERSION"]))
    record("user.registered", actor=user, obj=user)
    user_registered.send(user)
    send_verification(user)
    return user


def issue_email_token(user: User, purpose: str, new_email: str | None = None) -> str:
    secret = new_secret()
    db.session.add(EmailToken(token_hash=digest(secret), purpose=purpose, user_id=user.id, new_email=new_email,
                              expires_at=utcnow() + TOKEN_TTL[purpose]))
    db.session.flush()
    return secret


def consume_email_token(secret: str, purpose: str) -> EmailToken:
    token = db.session.scalar(select(EmailToken).where(EmailToken.token_hash == digest(secret or ""),
                                                       EmailToken.purpose == purpose))
    if token is None or token.used_at is not None or token.expires_at < utcnow():
        raise ServiceError("invalid_token", str(_l("This link is invalid or has expired. Ask for a new one.")),
                           status=400)
    token.used_at = utcnow()
    return token


def send_verification(user: User) -> None:
    secret = issue_email_token(user, "verify_email")
    queue_mail(user.email, "verify_email", locale=user.locale, name=user.full_name,
               url=external_url("accounts.verify_email", token=secret))


def verify_email(secret: str) -> User:
    token = consume_email_token(secret, "verify_email")
    user = token.user
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record("user.email_verified", actor=user, obj=user)
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists; callers answer the same either way."""
    try:
        email = normalise_email(email)
    except ServiceError:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        return
    secret = issue_email_token(user, "reset_password")
    queue_mail(user.email, "reset_password", locale=user.locale, name=user.full_name,
               url=external_url("accounts.reset_password", token=secret))
    record("user.password_reset_requested", actor=user, obj=user)


def revoke_login_sessions(user: User, keep_key_hash: str | None = None) -> None:
    """Sign ``user`` out of every browser (but the one whose key hash is ``keep_key_hash``)."""
    stmt = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_key_hash:
        stmt = stmt.where(LoginSession.key_hash != keep_key_hash)
    db.session.execute(stmt)


def reset_password(secret: str, password: str) -> User:
    token = consume_email_token(secret, "reset_password")
    user = token.user
    check_password(password, user.email)
    user.password_hash = hash_password(password)
    # Proving control of the mailbox also verifies it.
    user.email_verified_at = user.email_verified_at or utcnow()
    revoke_login_sessions(user)
    db.session.execute(delete(EmailToken).where(EmailToken.user_id == user.id,
                                                 EmailToken.purpose == "reset_password",
                                                 EmailToken.used_at.is_(None)))
    record("user.password_reset", actor=user, obj=user)
    db.session.flush()
    return user


def _require_current_password(user: User, current_password: str) -> None:
    if not verify_password(user.password_hash, current_password or ""):
        raise ServiceError("wrong_password", str(_l("Your current password is not correct.")),
                           field="current_password", status=422)


def change_password(user: User, *, current_password: str, new_password: str, keep_session: str | None) -> None:
    _require_current_password(user, current_password)
    check_password(new_password, user.email)
    user.password_hash = hash_password(new_password)
    revoke_login_sessions(user, keep_key_hash=digest(keep_session) if keep_session else None)
    record("user.password_changed", actor=user, obj=user)
    db.session.flush()


def request_email_change(user: User, *, current_password: str, new_email: str) -> None:
    _require_current_password(user, current_password)
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise ServiceError("same_email", str(_l("This is already your email address.")), field="new_email",
                           status=422)
    if _email_taken(new_email):
        raise ServiceError("email_taken", str(_l("An account with this email already exists.")), field="new_email")
    secret = issue_email_token(user, "change_email", new_email=new_email)
    queue_mail(new_email, "change_email", locale=user.locale, name=user.full_name,
               url=external_url("accounts.confirm_email", token=secret))
    record("user.email_change_requested", actor=user, obj=user)


def confirm_email_change(secret: str) -> User:
    token = consume_email_token(secret, "change_email")
    user = token.user
    if _email_taken(token.new_email):
        raise ServiceError("email_taken", str(_l("An account with this email already exists.")))
    old = user.email
    user.email = token.new_email
    user.email_verified_at = utcnow()
    record("user.email_changed", actor=user, obj=user, old=old, new=user.email)
    db.session.flush()
    return user


def set_user_locale(user: User, locale: str) -> None:
    if locale in current_app.config["LANGUAGES"] and user.locale != locale:
        user.locale = locale
        db.session.flush()


def set_user_role(user: User, role: str, *, by: User) -> None:
    new_role = Role(role).value
    if user.id == by.id and new_role != Role.ADMIN.value:
        raise ServiceError("own_role", str(_l("You cannot remove your own administrator role.")))
    if user.role != new_role:
        record("user.role_changed", actor=by, obj=user, old=user.role, new=new_role)
        if ROLE_PERMISSIONS[Role(new_role)] - ROLE_PERMISSIONS[Role(user.role)]:
            # New powers: API tokens made under the old role (perhaps without a second factor) stop working.
            revoked = db.session.execute(
                ApiToken.__table__.update()
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=utcnow()))
            if revoked.rowcount:
                record("api_token.revoked_on_role_change", actor=by, obj=user, count=revoked.rowcount)
        user.role = new_role
        db.session.flush()


def set_user_disabled(user: User, disabled: bool, *, by: User) -> None:
    if user.id == by.id:
        raise ServiceError("own_account", str(_l("You cannot disable your own account.")))
    if disabled and user.disabled_at is None:
        user.disabled_at = utcnow()
        revoke_login_sessions(user)
        record("user.disabled", actor=by, obj=user)
    elif not disabled and user.disabled_at is not None:
        user.disabled_at = None
        record("user.enabled", actor=by, obj=user)
    db.session.flush()
