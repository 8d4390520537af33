"""The fields of offers and needs, and cleaning them: codes checked against reference data, Markdown stripped
of HTML, money as integer VND, dates and ranges checked. Shared by the HTML forms, the API and the seed.

The parsers (:func:`parse_int`, :func:`parse_date`) are also used by the IP side (``ip_assets.fields``);
which side has which fields and rules is the table in :mod:`marketplace.listings.sides`.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from ..errors import fail
from ..reference.services import is_active_code
from ..text import nfc
from .markdown import strip_html
from .models import OFFER_KINDS

COMMON = ("title_vi", "title_en", "summary", "description", "keywords", "st_fields", "sectors", "province_code",
          "application_areas")
OFFER_FIELDS = COMMON + ("kind", "tech_level", "trl", "maturity", "tt_objects", "tt_forms", "tt_methods",
                         "rights_mode", "price_type", "price_vnd", "origin", "origin_country", "contact_visibility",
                         "valid_until")
NEED_FIELDS = COMMON + ("problem", "required_specs", "current_solution", "min_trl", "cooperation_forms",
                        "budget_min_vnd", "budget_max_vnd", "deadline", "anonymous")

SINGLE_CODES = {"province_code": "province", "tech_level": "tech_level", "maturity": "maturity",
                "rights_mode": "rights_mode", "price_type": "price_type", "origin": "origin",
                "contact_visibility": "contact_visibility"}
MULTI_CODES = {"st_fields": "st_field", "sectors": "vsic", "tt_objects": "tt_object", "tt_forms": "tt_form",
               "tt_methods": "tt_method", "cooperation_forms": "cooperation_form"}
TEXT_LIMITS = {"title_vi": 200, "title_en": 200, "summary": 500, "description": 20000, "problem": 20000,
               "current_solution": 5000, "origin_country": 2}
MARKDOWN = {"description", "problem", "current_solution"}
MAX_VND = 10**15


def _text(field, value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(field, _l("Enter text."))
    value = nfc(value).strip()
    if field in MARKDOWN:
        value = strip_html(value)
    if value and len(value) > TEXT_LIMITS.get(field, 500):
        raise fail(field, _l("Use at most %(max)d characters.", max=TEXT_LIMITS[field]))
    return value or None


def _short_list(field, value, max_items=10, max_len=80):
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in (part.strip() for part in value.replace("\n", ",").split(",")) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(field, _l("Enter a list of short phrases."))
    cleaned = []
    for item in value:
        item = nfc(item).strip()
        if item and item not in cleaned:
            if len(item) > max_len:
                raise fail(field, _l("Each item may have at most %(max)d characters.", max=max_len))
            cleaned.append(item)
    if len(cleaned) > max_items:
        raise fail(field, _l("Enter at most %(max)d items.", max=max_items))
    return cleaned


def parse_int(field, value, low, high):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise fail(field, _l("Enter a whole number.")) from None
    if isinstance(value, float) and value != number or isinstance(value, bool):
        raise fail(field, _l("Enter a whole number."))
    if not low <= number <= high:
        raise fail(field, _l("Enter a number from %(low)s to %(high)s.", low=low, high=high))
    return number


def parse_date(field, value):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise fail(field, _l("Enter a date as dd/mm/yyyy.")) from None


def _specs(value):
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 20:
        raise fail("required_specs", _l("Enter at most 20 specifications."))
    specs = []
    for item in value:
        if not isinstance(item, dict):
            raise fail("required_specs", _l("Each specification needs a parameter, a target value and a unit."))
        spec = {key: nfc(str(item.get(key) or "")).strip()[:limit]
                for key, limit in (("parameter", 120), ("target", 60), ("unit", 30))}
        if spec["parameter"]:
            specs.append(spec)
    return specs


def _date(field, value, today: date, check_dates: bool):
    day = parse_date(field, value)
    if not check_dates or day is None:
        return day
    if day < today:
        raise fail(field, _l("The date must not be in the past."))
    if field == "valid_until" and day > today + timedelta(days=3 * 365):
        raise fail(field, _l("A listing can be valid for at most 3 years; confirm it again later."))
    return day


def _clean_field(field: str, value, today: date, check_dates: bool):
    if field in TEXT_LIMITS:
        return _text(field, value)
    if field in SINGLE_CODES:
        value = (value or "").strip() if isinstance(value, str) else value
        if value and not is_active_code(SINGLE_CODES[field], str(value)):
            raise fail(field, _l("Choose a value from the list."))
        return value or None
    if field in MULTI_CODES:
        codes = _short_list(field, value, max_items=12, max_len=40)
        bad = [c for c in codes if not is_active_code(MULTI_CODES[field], c)]
        if bad:
            raise fail(field, _l("Unknown code: %(codes)s. Choose values from the list.", codes=", ".join(bad)))
        return codes
    if field in ("keywords", "application_areas"):
        return _short_list(field, value)
    if field in ("trl", "min_trl"):
        return parse_int(field, value, 1, 9)
    if field in ("price_vnd", "budget_min_vnd", "budget_max_vnd"):
        return parse_int(field, value, 0, MAX_VND)
    if field in ("deadline", "valid_until"):
        return _date(field, value, today, check_dates)
    if field == "required_specs":
        return _specs(value)
    if field == "anonymous":
        return bool(value)
    if field == "kind":
        if value not in OFFER_KINDS:
            raise fail(field, _l("Choose technology, equipment or S&T service."))
        return value
    raise ValueError(f"no cleaning rule for listing field {field!r}")


def clean_columns(fields: tuple[str, ...], data: dict, *, today: date, check_dates: bool = True) -> dict:
    """Validate and normalise the ``fields`` present in ``data`` (unknown keys are ignored).

    ``check_dates=False`` when re-applying data that was checked when it was typed (an approved revision).
    """
    out = {field: _clean_field(field, data[field], today, check_dates) for field in fields if field in data}
    if "title_vi" in data and not out.get("title_vi"):
        raise fail("title_vi", _l("Enter a title in Vietnamese."))
    return out


def offer_rules(data: dict, cleaned: dict, **_options) -> dict:
    """An offer's rule across fields: a fixed price needs the price."""
    if cleaned.get("price_type") == "fixed" and not cleaned.get("price_vnd") and "price_vnd" in data:
        raise fail("price_vnd", _l("Enter the price in VND for a fixed price."))
    return {}


def need_rules(data: dict, cleaned: dict, **_options) -> dict:
    """A need's rule across fields: the budget range is in order."""
    low, high = cleaned.get("budget_min_vnd"), cleaned.get("budget_max_vnd")
    if low is not None and high is not None and low > high:
        raise fail("budget_max_vnd", _l("The maximum budget must not be lower than the minimum."))
    return {}
