"""Jinja filters and globals: the formatting helpers, reference labels, permissions."""

from __future__ import annotations

import json

from flask import Flask
from flask_login import current_user

from ..formatting import format_day, format_isoday, format_isomoment, format_moment, format_vnd, locale_code
from ..permissions import Permission, user_can
from ..reference.services import label_for


def readable_json(value) -> str:
    """JSON as people read it (Vietnamese letters as letters, not ``\\u1ea5``); escaped like any text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(day=format_day, moment=format_moment, vnd=format_vnd, isoday=format_isoday,
                                 isomoment=format_isomoment, readable_json=readable_json)
    app.jinja_env.globals.update(
        label_for=label_for,
        locale_code=locale_code,
        Permission=Permission,
        can=lambda permission: user_can(current_user, permission),
    )
