"""Signing in to the site: Flask-Login wiring and :func:`sign_in`.

The session holds a LoginSession key, never the user id, so logging out (which deletes the row) ends that
login even if someone kept a copy of the cookie. (The API authenticates by bearer token: ``marketplace.api``.)
"""

from __future__ import annotations

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from ..extensions import login_manager
from .models import User
from .services import load_login_session


def load_user(key: str) -> User | None:
    """Flask-Login's user loader: the user of a live LoginSession, remembering its key for ``get_id``."""
    user = load_login_session(key)
    if user is not None:
        user.login_key = key
    return user


def sign_in(user: User, key: str) -> None:
    """Attach a LoginSession key to the Flask session (called by the login views after commit)."""
    session.clear()
    session.permanent = True
    user.login_key = key
    login_user(user)


def init_app(app: Flask) -> None:
    """Flask-Login for this app: the user loader, where to sign in, how sessions are protected."""
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
