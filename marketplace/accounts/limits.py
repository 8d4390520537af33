"""Per-address limits, counted in the rate limiter's storage: Redis in production (``MARKETPLACE_REDIS_URL``),
so every gunicorn worker and every machine shares one count; ``memory://`` counts per process.

* Sign-in attempts (the HTML form, ``POST /api/v1/auth/tokens``, the second-factor page) are limited per
  address as well as per client address: spreading guesses over many IP addresses does not help.
* Mail an anonymous visitor can make us send to an address (password reset, "someone tried to sign up with
  your address") is limited per address; over the limit nothing is sent and the visitor sees the same answer.
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user
from limits import parse

from ..errors import ServiceError
from ..extensions import limiter
from .services import normalise_email


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address(raw) -> str:
    """The address as the account is stored (NFC, IDNA, lower case), so that spelling it another way is the
    same bucket; a malformed one is counted as typed."""
    raw = raw if isinstance(raw, str) else ""
    try:
        return normalise_email(raw)
    except ServiceError:
        return raw.strip().lower()[:254]


def form_email_key() -> str:
    """The address typed in a form (sign-in, password reset)."""
    return "login-email:" + _address(request.form.get("email"))


def json_email_key() -> str:
    """The address in a JSON body (``POST /api/v1/auth/tokens``): the same bucket as the HTML sign-in."""
    body = request.get_json(silent=True)
    return "login-email:" + _address(body.get("email") if isinstance(body, dict) else None)


def second_factor_key() -> str:
    """The account whose second factor is being tried (signing in, or a signed-in session stepping up)."""
    pending = session.get("2fa_pending") or {}
    user_id = pending.get("user_id") or getattr(current_user, "id", None)
    return f"second-factor:{user_id}"


def account_mail_allowed(email: str) -> bool:
    """Count one mail to ``email``; False once ``ACCOUNT_MAIL_RATE_LIMIT`` is reached (nothing is sent then)."""
    if not limiter.enabled:
        return True
    item = parse(current_app.config["ACCOUNT_MAIL_RATE_LIMIT"])
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "marketplace"
    return limiter.limiter.hit(item, prefix, "account-mail", _address(email))
