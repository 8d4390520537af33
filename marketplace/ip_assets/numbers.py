"""Vietnamese IP application and certificate numbers: check, normalise, link to WIPO Publish.

Official forms (DOMAIN.md §2, d3):

* Application (số đơn) ``T-YYYY-NNNNN``; ``T`` is 1 invention, 2 utility solution, 3 industrial design, 4 any
  mark (trademark, collective, certification). Accepted variants: a ``VN`` prefix (``VN-4-2019-43953``), spaces
  instead of dashes (``4 2019 43953``), the WIPO Publish id (``VN4201943953``) and Unicode dashes.
  The serial has exactly five digits (``4-2019-043953`` is refused). The year must lie in 1981 … this year + 1.
* Certificate (số văn bằng) ``T-NNNNNNN`` for types 1–4, with an optional ``-NNN`` suffix
  (``4-0405854-000``); the suffix is kept exactly as typed, never added or dropped. Geographical indications
  ``NNNNN`` (``00055``; ``6-00055`` is accepted and shortened to ``00055``). Plant varieties ``NN.VN.YYYY``
  (``41.VN.2020``; a 2- or 3-digit serial, never padded).
* Free-form types — layout designs, copyright, and applications for geographical indications and plant
  varieties, whose official forms are not known here: any short, printable text (letters, digits, spaces and
  ``- . / ( ) # : _ ,``, at most 64 characters) is ``ok`` *and* ``standard``, so callers need no
  "non-standard number" flag for them. ``normalised`` is that text in NFC with dashes and spaces tidied.
* Trade secrets have no numbers: always ``not_applicable``.

Anything else gets ``standard=False`` and ``normalised=None``; ``raw`` is kept as typed so the caller may
store it with an explicit "non-standard number" flag. Digits are never rewritten: no padding, no truncation,
no Unicode digits read as ASCII.

``normalised`` is set exactly when ``code == "ok"``; then it re-checks as ``ok`` and normalises to itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ..timeutil import utcnow

IP_TYPES: tuple[str, ...] = (
    "invention", "utility_solution", "industrial_design", "layout_design", "trademark", "collective_mark",
    "certification_mark", "geographical_indication", "plant_variety", "copyright", "trade_secret",
)
MARKS = frozenset({"trademark", "collective_mark", "certification_mark"})
CODES = frozenset({"ok", "empty", "format", "type_mismatch", "year", "not_applicable"})
FIRST_YEAR = 1981
FREE_FORM_MAX = 64

#: The digit NOIP puts in front of application and certificate numbers.
TYPE_DIGIT: dict[str, str] = {
    "invention": "1", "utility_solution": "2", "industrial_design": "3",
    "trademark": "4", "collective_mark": "4", "certification_mark": "4",
}
_WIPO_SECTION = {"1": "patents", "2": "patents", "3": "designs", "4": "trademarks"}
WIPO_DETAIL_URL = "https://wipopublish.ipvietnam.gov.vn/wopublish-search/public/detail/{section}?id={id}"

_APPLICATION_EXAMPLE = {"1": "1-2024-02456", "2": "2-2023-00123", "3": "3-2022-01234", "4": "4-2019-43953"}
_CERTIFICATE_EXAMPLE = {"1": "1-0026606", "2": "2-0002345", "3": "3-0025123", "4": "4-0405854-000"}
_FREE_FORM_EXAMPLE = "free text, e.g. 1234/2019/QTG"

# Hyphen, non-breaking hyphen, figure dash, en/em dash, horizontal bar, hyphen bullet, minus, small and
# full-width hyphen-minus: all read as "-".
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d", "-"))
_FREE_FORM_PUNCTUATION = frozenset(" -./()#:_,")

# ``[0-9]`` and explicit ``[Vv][Nn]`` on purpose: ``\d`` and IGNORECASE accept non-ASCII look-alikes.
_VN = r"(?:[Vv][Nn][ -]*)?"
_APPLICATION = re.compile(_VN + r"([0-9])[ -]+([0-9]{4})[ -]+([0-9]{5})")
_APPLICATION_COMPACT = re.compile(r"[Vv][Nn][ -]*([0-9])([0-9]{4})([0-9]{5})")
_CERTIFICATE = re.compile(_VN + r"([0-9])[ -]+([0-9]{7})(?:[ -]+([0-9]{3}))?")
_GI_CERTIFICATE = re.compile(r"(?:6[ -]+)?([0-9]{5})")
_PLANT_CERTIFICATE = re.compile(r"([0-9]{2,3})[ .-]+[Vv][Nn][ .-]+([0-9]{4})")


class IpTypeError(ValueError):
    """An ``ip_type`` outside :data:`IP_TYPES` (a programming error, not bad input); ``code`` is ``ip_type``."""

    def __init__(self, ip_type: object):
        super().__init__(f"unknown ip_type {ip_type!r}")
        self.code = "ip_type"


def require_ip_type(ip_type: str) -> str:
    if ip_type not in IP_TYPES:
        raise IpTypeError(ip_type)
    return ip_type


@dataclass(frozen=True)
class NumberCheck:
    kind: str  # "application" | "certificate"
    raw: str
    normalised: str | None
    standard: bool
    expected: str
    code: str

    @property
    def ok(self) -> bool:
        return self.code == "ok"


def _tidy(raw: str) -> str:
    """Unicode dashes → ``-``, runs of whitespace → one space, trimmed. Digits are left alone."""
    return " ".join(raw.translate(_DASHES).split())


def _year_ok(year: str, today: date | None) -> bool:
    return FIRST_YEAR <= int(year) <= (today or utcnow().date()).year + 1


def _free_form(kind: str, raw: str) -> NumberCheck:
    text = _tidy(unicodedata.normalize("NFC", raw))
    if not text:
        return NumberCheck(kind, raw, None, False, _FREE_FORM_EXAMPLE, "empty")
    if (
        len(text) > FREE_FORM_MAX
        or not any(ch.isalnum() for ch in text)
        or not all(ch.isalnum() or ch in _FREE_FORM_PUNCTUATION for ch in text)
    ):
        return NumberCheck(kind, raw, None, False, _FREE_FORM_EXAMPLE, "format")
    return NumberCheck(kind, raw, text, True, _FREE_FORM_EXAMPLE, "ok")


def check_application_number(ip_type: str, raw: str, *, today: date | None = None) -> NumberCheck:
    """Check an application number (số đơn) typed for an asset of ``ip_type``; never raises on ``raw``."""
    require_ip_type(ip_type)
    raw = raw or ""
    if ip_type == "trade_secret":
        return NumberCheck("application", raw, None, False, "", "not_applicable")
    digit = TYPE_DIGIT.get(ip_type)
    if digit is None:
        return _free_form("application", raw)
    expected = _APPLICATION_EXAMPLE[digit]
    text = _tidy(raw)
    if not text:
        return NumberCheck("application", raw, None, False, expected, "empty")
    match = _APPLICATION.fullmatch(text) or _APPLICATION_COMPACT.fullmatch(text)
    if not match:
        return NumberCheck("application", raw, None, False, expected, "format")
    typed_digit, year, serial = match.groups()
    if typed_digit != digit:
        return NumberCheck("application", raw, None, False, expected, "type_mismatch")
    if not _year_ok(year, today):
        return NumberCheck("application", raw, None, False, expected, "year")
    return NumberCheck("application", raw, f"{typed_digit}-{year}-{serial}", True, expected, "ok")


def check_certificate_number(ip_type: str, raw: str, *, today: date | None = None) -> NumberCheck:
    """Check a certificate/grant number (số văn bằng); never raises on ``raw``.

    ``today`` only matters for plant varieties, whose numbers carry a year.
    """
    require_ip_type(ip_type)
    raw = raw or ""
    if ip_type == "trade_secret":
        return NumberCheck("certificate", raw, None, False, "", "not_applicable")
    if ip_type in ("layout_design", "copyright"):
        return _free_form("certificate", raw)
    digit = TYPE_DIGIT.get(ip_type)
    expected = (
        _CERTIFICATE_EXAMPLE[digit] if digit
        else "00055" if ip_type == "geographical_indication"
        else "41.VN.2020"
    )
    text = _tidy(raw)
    if not text:
        return NumberCheck("certificate", raw, None, False, expected, "empty")
    if ip_type == "geographical_indication":
        match = _GI_CERTIFICATE.fullmatch(text)
        if not match:
            return NumberCheck("certificate", raw, None, False, expected, "format")
        return NumberCheck("certificate", raw, match.group(1), True, expected, "ok")
    if ip_type == "plant_variety":
        match = _PLANT_CERTIFICATE.fullmatch(text)
        if not match:
            return NumberCheck("certificate", raw, None, False, expected, "format")
        serial, year = match.groups()
        if not _year_ok(year, today):
            return NumberCheck("certificate", raw, None, False, expected, "year")
        return NumberCheck("certificate", raw, f"{serial}.VN.{year}", True, expected, "ok")
    match = _CERTIFICATE.fullmatch(text)
    if not match:
        return NumberCheck("certificate", raw, None, False, expected, "format")
    typed_digit, serial, suffix = match.groups()
    if typed_digit != digit:
        return NumberCheck("certificate", raw, None, False, expected, "type_mismatch")
    normalised = f"{typed_digit}-{serial}" + (f"-{suffix}" if suffix else "")
    return NumberCheck("certificate", raw, normalised, True, expected, "ok")


_NORMALISED_APPLICATION = re.compile(r"([1-4])-([0-9]{4})-([0-9]{5})")


def wipo_publish_id(ip_type: str, normalised_application: str) -> str | None:
    """``VN`` + the application digits (``VN4201943953``) for inventions, utility solutions, designs and
    marks; ``None`` for other types or when the number is not in normalised form for this type."""
    require_ip_type(ip_type)
    match = _NORMALISED_APPLICATION.fullmatch(normalised_application or "")
    if not match or TYPE_DIGIT.get(ip_type) != match.group(1):
        return None
    return "VN" + "".join(match.groups())


def wipo_publish_url(ip_type: str, normalised_application: str) -> str | None:
    """The WIPO Publish (NOIP) detail page for the application, or ``None`` (see :func:`wipo_publish_id`)."""
    record_id = wipo_publish_id(ip_type, normalised_application)
    if record_id is None:
        return None
    return WIPO_DETAIL_URL.format(section=_WIPO_SECTION[TYPE_DIGIT[ip_type]], id=record_id)
