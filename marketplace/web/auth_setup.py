"""Flask-Login wiring. The session holds a LoginSession key, never the user id, so logging out (which
deletes the row) ends that login even if someone kept a copy of the cookie."""

from __future__ import annotations

from flask import Flask, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from ..extensions import login_manager


@login_manager.user_loader
def load_user(key: str):
    from ..accounts.services import load_login_session

    user = load_login_session(key)
    if user is not None:
        user.login_key = key
    return user


def sign_in(user, key: str) -> None:
    """Attach a LoginSession key to the Flask session (called by the login view after commit)."""
    session.clear()
    session.permanent = True
    user.login_key = key
    login_user(user)


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
