"""How values are shown to people: Vietnamese dates (dd/mm/yyyy), Vietnam time, VND money.

A ground-floor module: templates get these as filters (``web.template_helpers``), and labels, mail and
exports call them directly.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_currency, format_date, format_datetime, get_locale


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
