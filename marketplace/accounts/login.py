"""Signing in to the site: Flask-Login wiring, :func:`sign_in`, and the second-factor step between them.

The session holds a LoginSession key, never the user id, so logging out (which deletes the row) ends that
login even if someone kept a copy of the cookie. (The API authenticates by bearer token: ``marketplace.api``.)

Someone with a second factor is not signed in by their password alone: :func:`await_second_factor` notes
who passed the password (in the signed session cookie, for ``TWO_FACTOR_PENDING_SECONDS``) and the
second-factor page signs them in. A DOST staff member without one is signed in with member permissions only
and sent to enrol (``marketplace.permissions.requires``).
"""

from __future__ import annotations

from flask import Flask, current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from ..extensions import db, login_manager
from ..timeutil import utcnow
from .models import User
from .services import load_login_session


def load_user(key: str) -> User | None:
    """Flask-Login's user loader: the user of a live LoginSession, remembering its key and whether it passed
    a second factor."""
    check = load_login_session(key)
    g.login_session_ended, g.login_session_wrote = check.ended, check.wrote
    if check.row is None:
        return None
    user = check.row.user
    user.login_key = key
    user.login_second_factor = check.row.second_factor_at is not None
    return user


def sign_in(user: User, key: str) -> None:
    """Attach a LoginSession key to the Flask session (called by the login views after commit)."""
    session.clear()
    session.permanent = True
    user.login_key = key
    login_user(user)


def await_second_factor(user: User, next_url: str | None) -> None:
    """The password was right; the second factor comes next (the second-factor page reads this)."""
    session.clear()
    session["2fa_pending"] = {"user_id": user.id, "at": utcnow().timestamp(), "next": next_url or ""}


def pending_second_factor() -> tuple[User | None, str]:
    """The user who passed the password and the page they were going to, while the note is fresh."""
    pending = session.get("2fa_pending") or {}
    at = pending.get("at") or 0
    if utcnow().timestamp() - at > current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        return None, ""
    user = db.session.get(User, pending.get("user_id") or 0)
    return (user if user is not None and user.is_active else None), pending.get("next") or ""


MAX_SECOND_FACTOR_FAILURES = 5


def second_factor_failed() -> bool:
    """Count a wrong code against the pending sign-in; False when it is used up (sign in with the password
    again: a stolen password alone gets five guesses per sign-in, and the rate limits count them too)."""
    pending = dict(session.get("2fa_pending") or {})
    pending["failures"] = pending.get("failures", 0) + 1
    if pending["failures"] >= MAX_SECOND_FACTOR_FAILURES:
        session.pop("2fa_pending", None)
        return False
    session["2fa_pending"] = pending
    return True


def load_signed_in_user() -> None:
    """Before each page: load the signed-in user now (not halfway through a view), and commit the session
    bookkeeping at once: ``last_seen_at`` (at most once a minute) or the deletion of an ended session."""
    if request.endpoint == "static" or request.path.startswith("/api/"):
        return
    user = current_user._get_current_object()
    if g.pop("login_session_wrote", False):
        db.session.commit()
    ended = g.pop("login_session_ended", None)
    if ended and not user.is_authenticated:
        session.pop("_user_id", None)
        if ended == "idle":
            flash(_("You were signed out after %(minutes)d minutes without activity. Please sign in again.",
                    minutes=current_app.config["STAFF_IDLE_MINUTES"]), "info")
        else:
            flash(_("Your session has ended. Please sign in again."), "info")


def init_app(app: Flask) -> None:
    """Flask-Login for this app: the user loader, where to sign in, how sessions are protected."""
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(load_signed_in_user)
