"""The IP side of a listing: its fields (kept on the details row ``Listing.ip``), cleaning them (number
checks against the official forms), derived values (normalised numbers, the computed term), search fields
and quality hints. ``listings.sides`` puts these in the table of listing sides."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from ..errors import fail
from ..listings.fields import parse_date, parse_int
from ..listings.models import Listing
from ..listings.quality import common_hints
from ..reference.services import is_active_code
from ..text import nfc
from ..timeutil import utcnow
from .models import IpAssetDetails
from .numbers import check_application_number, check_certificate_number
from .terms import compute_term

LISTING_FIELDS = ("title_vi", "title_en", "summary", "description", "keywords", "st_fields", "sectors", "province_code")
DETAILS_FIELDS = ("ip_type", "application_number_raw", "certificate_number_raw", "nonstandard_number", "filing_date",
             "priority_date", "priority_data", "publication_number", "publication_date", "grant_date",
             "first_use_date", "creation_date", "renewals", "woody", "expiry_date", "expiry_override",
             "expiry_override_reason", "legal_status", "inventors", "co_owners", "representative", "classification",
             "nice_goods", "state_funded", "authorised_users", "rights_offered", "territory", "field_of_use",
             "existing_licences", "asking_terms", "lump_sum_vnd", "royalty_pct", "valuation_value_vnd",
             "valuation_method", "valuer", "valuation_date")
DATES = ("filing_date", "priority_date", "publication_date", "grant_date", "first_use_date", "creation_date",
         "valuation_date", "expiry_date")
TEXTS = {"priority_data": 200, "publication_number": 40, "representative": 200, "nice_goods": 5000,
         "territory": 200, "field_of_use": 300, "existing_licences": 5000, "valuer": 200,
         "expiry_override_reason": 300, "application_number_raw": 60, "certificate_number_raw": 60}
AVAILABLE_STATUSES = {"filed", "formality_accepted", "published", "substantive_exam", "granted"}

NUMBER_MESSAGES = {
    "format": _l("This number does not follow the official form (expected e.g. %(expected)s). "
                 "Check it, or tick “non-standard number” to keep it as written."),
    "type_mismatch": _l("The first digit of the number does not match the type "
                        "(1 invention, 2 utility solution, 3 design, 4 trademark); expected e.g. %(expected)s."),
    "year": _l("The year in this number is not plausible (expected e.g. %(expected)s)."),
    "not_applicable": _l("This type of IP asset has no application or certificate number; leave the field empty."),
}


def _names(field, value, limit=20):
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [v for v in (p.strip() for p in value.replace("\n", ";").split(";")) if v]
    if not isinstance(value, list) or len(value) > limit:
        raise fail(field, _l("Enter at most %(max)d items.", max=limit))
    return [nfc(str(v)).strip()[:200] for v in value if str(v).strip()]


def _classification(value):
    if value in (None, ""):
        return []
    if isinstance(value, str):  # "IPC A23B 7/02; Nice 31"
        items = []
        for part in (p.strip() for p in value.split(";")):
            if part:
                scheme, _, code = part.partition(" ")
                items.append({"scheme": scheme, "code": code.strip()})
        value = items
    if not isinstance(value, list) or len(value) > 30:
        raise fail("classification", _l("Enter at most %(max)d items.", max=30))
    out = []
    for item in value:
        scheme, code = str(item.get("scheme", "")).strip(), nfc(str(item.get("code", ""))).strip()[:40]
        if not is_active_code("classification_scheme", scheme) or not code:
            raise fail("classification", _l("Write each class as a scheme and a code, e.g. “IPC A23B 7/02; Nice 31”."))
        out.append({"scheme": scheme, "code": code})
    return out


def _authorised(value):
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 200:
        raise fail("authorised_users", _l("Enter at most %(max)d items.", max=200))
    return [{k: nfc(str(item.get(k) or "")).strip()[:200] for k in ("name", "commune", "products")}
            for item in value if isinstance(item, dict) and item.get("name")]


def clean_ip_fields(data: dict, cleaned: dict | None = None, **_options) -> dict:
    """Validate and normalise the IP fields present in ``data`` (the details row's columns)."""
    out: dict = {}
    if "ip_type" in data:
        if not is_active_code("ip_type", data.get("ip_type") or ""):
            raise fail("ip_type", _l("Choose a type of IP asset from the list."))
        out["ip_type"] = data["ip_type"]
    for field, limit in TEXTS.items():
        if field in data:
            value = data[field]
            out[field] = nfc(str(value)).strip()[:limit] or None if value not in (None, "") else None
    for field in DATES:
        if field in data:
            out[field] = parse_date(field, data[field])
    for field in ("nonstandard_number", "woody", "expiry_override", "state_funded"):
        if field in data:
            out[field] = bool(data[field])
    if "renewals" in data:
        out["renewals"] = parse_int("renewals", data["renewals"], 0, 50) or 0
    for field in ("lump_sum_vnd", "valuation_value_vnd"):
        if field in data:
            out[field] = parse_int(field, data[field], 0, 10**15)
    if "royalty_pct" in data:
        value = data["royalty_pct"]
        try:
            out["royalty_pct"] = None if value in (None, "") else round(float(value), 2)
        except (TypeError, ValueError):
            raise fail("royalty_pct", _l("Enter a percentage, e.g. 3.5.")) from None
        if out["royalty_pct"] is not None and not 0 <= out["royalty_pct"] <= 100:
            raise fail("royalty_pct", _l("Enter a percentage, e.g. 3.5."))
    for field, scheme in (("legal_status", "ip_legal_status"), ("asking_terms", "ip_asking_terms"),
                          ("valuation_method", "valuation_method")):
        if field in data:
            value = data[field] or None
            if value and not is_active_code(scheme, value):
                raise fail(field, _l("Choose a value from the list."))
            out[field] = value
    if "rights_offered" in data:
        rights = [r for r in data["rights_offered"] or [] if r]
        if any(not is_active_code("ip_rights", r) for r in rights):
            raise fail("rights_offered", _l("Choose a value from the list."))
        out["rights_offered"] = rights
    for field in ("inventors", "co_owners"):
        if field in data:
            out[field] = _names(field, data[field])
    if "classification" in data:
        out["classification"] = _classification(data["classification"])
    if "authorised_users" in data:
        out["authorised_users"] = _authorised(data["authorised_users"])
    if out.get("expiry_override") and not out.get("expiry_override_reason"):
        raise fail("expiry_override_reason", _l("Give the reason for overriding the computed expiry date."))
    _check_number_fields(data, out)
    return out


def _check_number_fields(data: dict, out: dict) -> None:
    ip_type = out.get("ip_type") or data.get("ip_type")
    if not ip_type:
        return
    for field, checker in (("application_number_raw", check_application_number),
                           ("certificate_number_raw", check_certificate_number)):
        raw = out.get(field)
        if not raw:
            continue
        result = checker(ip_type, raw)
        if result.code == "not_applicable" or (result.code in NUMBER_MESSAGES and not out.get("nonstandard_number")):
            raise fail(field, NUMBER_MESSAGES[result.code] % {"expected": result.expected})


def apply_derived(listing: Listing) -> None:
    """Normalised numbers and the computed term, from what was typed."""
    ip: IpAssetDetails = listing.ip
    listing.kind = ip.ip_type or listing.kind
    for raw_field, field, checker in (("application_number_raw", "application_number", check_application_number),
                                      ("certificate_number_raw", "certificate_number", check_certificate_number)):
        raw = getattr(ip, raw_field)
        setattr(ip, field, checker(ip.ip_type, raw).normalised if raw else None)
    if not ip.expiry_override:
        term = compute_term(ip.ip_type, filing_date=ip.filing_date, grant_date=ip.grant_date,
                            first_use_date=ip.first_use_date, creation_date=ip.creation_date,
                            renewals=ip.renewals or 0, woody=bool(ip.woody))
        ip.expiry_date = term.expiry
        ip.expiry_basis = term.basis
    else:
        ip.expiry_basis = "override"


def is_available(ip: IpAssetDetails | None, today: date | None = None) -> bool:
    today = today or utcnow().date()
    if ip is None or not ip.rights_offered or ip.legal_status not in AVAILABLE_STATUSES:
        return False
    return ip.expiry_date is None or ip.expiry_date >= today


def search_fields(listing: Listing) -> dict:
    ip = listing.ip
    if ip is None:
        return {}
    classes = [f"{c['scheme']}:{c['code'].split(' ')[0] if c['scheme'] == 'IPC' else c['code']}"
               for c in ip.classification or []]
    return {"legal_status": ip.legal_status, "classes": classes, "available": is_available(ip)}


def ip_hints(listing: Listing) -> list[str]:
    """An abstract may be short; the numbers and what is offered matter more."""
    ip = listing.ip
    hints = common_hints(listing, long_description=False)
    if ip is None or not (ip.application_number or ip.certificate_number or ip.ip_type == "trade_secret"):
        hints.append("no_ip_number")
    if ip is not None and not ip.rights_offered and ip.ip_type not in ("geographical_indication", "certification_mark"):
        hints.append("no_rights_offered")
    return hints
