"""Vietnamese text helpers: NFC normalisation, accent folding, slugs and input hygiene.

Everything typed by a person passes ``nfc`` once at the boundary (forms, API schemas, CLI).
"""

from __future__ import annotations

import unicodedata

from slugify import slugify as _slugify

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Lower-case and strip Vietnamese diacritics: ``"Đà Nẵng"`` → ``"da nang"``.

    ``đ``/``Đ`` have no Unicode decomposition, so they are mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", value.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def slugify(value: str, max_length: int = 80) -> str:
    return _slugify(fold(value), max_length=max_length, word_boundary=True) or "x"


def problem_in_text(value: str) -> str | None:
    """Return a reason code when ``value`` cannot be stored safely, else ``None``.

    PostgreSQL rejects NUL in text and UTF-8 cannot encode lone surrogates; SQLite accepts both, so the
    check must happen before any database sees the value.
    """
    if "\x00" in value:
        return "nul"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "surrogate"
    return None
