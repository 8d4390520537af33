"""Choosing the language: the signed-in user's choice, then this browser's cookie, then Vietnamese.

API clients may also ask with ``Accept-Language``."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request
from flask_login import current_user

from ..errors import wants_json


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if wants_json():
        return request.accept_languages.best_match(languages) or languages[0]
    forced = g.get("forced_locale")
    if forced in languages:
        return forced
    user = current_user if "_login_user" in g else None
    if user is not None and user.is_authenticated and user.locale in languages:
        return user.locale
    cookie = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
