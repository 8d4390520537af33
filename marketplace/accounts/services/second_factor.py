"""The second factor: an authenticator app (TOTP, RFC 6238, through pyotp) and one-time recovery codes.

* Enrolment: :func:`pending_secret` makes (or keeps) an unconfirmed secret to show as a QR code;
  :func:`confirm_enrolment` checks a first code and returns ten recovery codes, shown once.
* Sign-in: :func:`verify_second_factor` takes a 6-digit code (±1 step of 30 s, never a step already
  used: a code cannot be replayed) or a recovery code (single use).
* Staff cannot turn it off; an administrator resets it for someone who lost their phone
  (:func:`reset_second_factor`, audited, mailed), and they enrol again at their next sign-in.

The secret is stored encrypted and never shown again after enrolment; recovery codes are stored as SHA-256.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

import pyotp
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from ...audit.services import record
from ...errors import ServiceError, fail
from ...extensions import db
from ...mail.services import queue_mail
from ...timeutil import utcnow
from ...urls import external_url
from ..encryption import decrypt, encrypt
from ..models import RecoveryCode, SecondFactor, User
from ..passwords import verify_password
from .tokens import digest
from .users import revoke_login_sessions

VALID_WINDOW = 1  # steps of 30 s accepted either side of now: phone clocks drift
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # 32 letters, no l/o/0/1 to misread: 5 bits each
_TOTP_FORMAT = re.compile(r"\d{6}")


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TOTP_ISSUER"])


def pending_secret(user: User) -> str:
    """The secret to enrol with (made on first call, kept until confirmed, so reloading the page keeps the
    QR code the person may already have scanned). Refused once a second factor is confirmed."""
    factor = user.second_factor
    if factor is not None and factor.confirmed_at is not None:
        raise ServiceError("already_enrolled", str(_l("Two-step verification is already set up.")))
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret_encrypted=encrypt(pyotp.random_base32()))
        user.second_factor = factor
        db.session.add(factor)
        db.session.flush()
    return decrypt(factor.secret_encrypted)


def _invalid_code() -> ServiceError:
    return fail("code", _l("This code is not correct, or it has already been used. Enter the current code "
                           "from your authenticator app."), status=401, code="invalid_second_factor")


def _accept_totp(factor: SecondFactor, code: str, now: datetime) -> bool:
    """True when ``code`` is valid within ±1 step and its step is newer than the last one accepted; the step
    is then stored by a conditional UPDATE, so two requests racing with one code cannot both pass."""
    try:
        step = _totp(decrypt(factor.secret_encrypted)).verify_and_get_timecode(
            code, for_time=now.replace(tzinfo=UTC), valid_window=VALID_WINDOW)
    except pyotp.exceptions.OTPVerificationError:
        return False
    result = db.session.execute(
        update(SecondFactor)
        .where(SecondFactor.id == factor.id, or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < step))
        .values(last_step=step))
    return result.rowcount == 1


def normalise_recovery_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))  # 80 bits
        db.session.add(RecoveryCode(user_id=user.id, code_hash=digest(raw), created_at=now))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
    db.session.flush()
    return codes


def confirm_enrolment(user: User, code: str, *, now: datetime | None = None) -> list[str]:
    """Confirm the pending secret with a first code; returns the recovery codes (shown once, never again)."""
    now = now or utcnow()
    factor = user.second_factor
    if factor is None or factor.confirmed_at is not None:
        raise ServiceError("no_enrolment", str(_l("Start the set-up again: open the two-step verification page.")))
    code = (code or "").strip().replace(" ", "")
    if not _TOTP_FORMAT.fullmatch(code) or not _accept_totp(factor, code, now):
        raise _invalid_code()
    factor.confirmed_at = now
    codes = _new_recovery_codes(user, now)
    record("user.second_factor_enrolled", actor=user, obj=user)
    db.session.flush()
    return codes


def verify_second_factor(user: User, code: str, *, now: datetime | None = None) -> str | None:
    """Check a sign-in code: ``"totp"`` or ``"recovery"`` when accepted, ``None`` when refused (audited; the
    caller commits either way, so the entry is kept). A success is audited by what it opens: the sign-in
    (``start_login_session``), the session's step-up (``mark_second_factor``) or the API token."""
    now = now or utcnow()
    factor = user.second_factor
    code = (code or "").strip().replace(" ", "")
    method = None
    if factor is not None and factor.confirmed_at is not None and code:
        if _TOTP_FORMAT.fullmatch(code):
            method = "totp" if _accept_totp(factor, code, now) else None
        else:
            used = db.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
                       RecoveryCode.code_hash == digest(normalise_recovery_code(code)))
                .values(used_at=now))
            method = "recovery" if used.rowcount == 1 else None
    if method is None:
        record("auth.second_factor_failed", actor=None, obj=user)
    db.session.flush()
    return method


def require_second_factor(user: User, code: str | None, *, now: datetime | None = None) -> None:
    """For the API's token exchange: a user with a second factor sends a current code with the password;
    a staff member without one must enrol on the website first."""
    if user.has_second_factor:
        if not code:
            raise fail("totp", _l("This account uses two-step verification: send the current code from the "
                                  "authenticator app in the totp field."), status=401, code="second_factor_required")
        if verify_second_factor(user, code, now=now) is None:
            raise ServiceError("invalid_second_factor", str(_invalid_code().message), field="totp", status=401)
    elif user.is_staff:
        raise ServiceError("second_factor_enrolment_required",
                           str(_l("DOST staff accounts must set up two-step verification on the website before "
                                  "they can create API tokens.")), status=403)


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _require_password(user: User, current_password: str) -> None:
    if not verify_password(user.password_hash, current_password or ""):
        raise ServiceError("wrong_password", str(_l("Your current password is not correct.")),
                           field="current_password", status=422)


def regenerate_recovery_codes(user: User, *, current_password: str, now: datetime | None = None) -> list[str]:
    """New recovery codes (the old ones stop working); shown once."""
    _require_password(user, current_password)
    if not user.has_second_factor:
        raise ServiceError("no_second_factor", str(_l("Set up two-step verification first.")))
    codes = _new_recovery_codes(user, now or utcnow())
    record("user.recovery_codes_regenerated", actor=user, obj=user)
    return codes


def _remove_second_factor(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.second_factor = None  # delete-orphan: the row goes
    db.session.flush()


def disable_second_factor(user: User, *, current_password: str) -> None:
    """A member turns off the second factor they chose; DOST staff cannot (an administrator resets it)."""
    _require_password(user, current_password)
    if user.is_staff:
        raise ServiceError("staff_second_factor",
                           str(_l("DOST staff accounts must keep two-step verification. If you lost your phone, "
                                  "ask an administrator to reset it.")))
    _remove_second_factor(user)
    record("user.second_factor_disabled", actor=user, obj=user)


def reset_second_factor(user: User, *, by: User) -> None:
    """An administrator removes someone's second factor (a lost phone): their sessions end, they are mailed,
    and they enrol again at their next sign-in."""
    if user.id == by.id:
        raise ServiceError("own_second_factor",
                           str(_l("You cannot reset your own two-step verification: ask another administrator.")))
    if user.second_factor is None:
        raise ServiceError("no_second_factor", str(_l("This account has no two-step verification to reset.")))
    _remove_second_factor(user)
    revoke_login_sessions(user)
    record("user.second_factor_reset", actor=by, obj=user)
    queue_mail(user.email, "second_factor_reset", locale=user.locale, name=user.full_name,
               url=external_url("accounts.login"))
