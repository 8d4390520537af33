"""Jinja filters and globals: Vietnamese dates (dd/mm/yyyy), VND money, reference labels, permissions."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_currency, format_date, format_datetime, get_locale
from flask_login import current_user

from ..permissions import Permission, user_can
from ..reference.services import label_for


def locale_code() -> str:
    return str(get_locale() or "vi")


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if locale_code() == "vi":
        return format_date(value, "dd/MM/yyyy")
    return format_date(value, "d MMM yyyy")


def format_moment(value: datetime | None) -> str:
    if value is None:
        return ""
    if locale_code() == "vi":
        return format_datetime(value, "HH:mm dd/MM/yyyy")
    return format_datetime(value, "d MMM yyyy, HH:mm")


def format_vnd(value: int | None) -> str:
    if value is None:
        return ""
    return format_currency(value, "VND")


def format_isoday(value: str | None) -> str:
    """A date passed as an ISO string (mail context is JSON), shown like ``day``."""
    return format_day(date.fromisoformat(value)) if value else ""


def format_isomoment(value: str | None) -> str:
    """A UTC date and time passed as an ISO string (mail context is JSON), shown like ``moment``."""
    return format_moment(datetime.fromisoformat(value)) if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(day=format_day, moment=format_moment, vnd=format_vnd, isoday=format_isoday,
                                 isomoment=format_isomoment)
    app.jinja_env.globals.update(
        label_for=label_for,
        locale_code=locale_code,
        Permission=Permission,
        can=lambda permission: user_can(current_user, permission),
    )
