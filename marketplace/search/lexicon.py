"""Place names the query planner knows without looking at the index: provinces and communes.

A place name typed in a query is one word even when no listing mentions it ("Đà Nẵng" must not match "đá"
and "năng" scattered over a listing), and a place name typed without diacritics means the place ("da nang"
is read as "Đà Nẵng", not as "đa năng"). Names come from the reference code lists shipped with the app
(``marketplace/reference/data/provinces.csv`` and ``communes.csv``), read once per process; the search
engines stay independent of the database.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from . import analysis as an

DATA = Path(__file__).resolve().parent.parent / "reference" / "data"
PLACE_FILES = ("provinces.csv", "communes.csv")
PREFIXES = ("thành phố", "tỉnh", "phường", "xã", "thị trấn", "đặc khu")


def _names() -> list[str]:
    out = []
    for name in PLACE_FILES:
        path = DATA / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                label = an.clean(row.get("label_vi") or "").strip()
                low = label.lower()
                for prefix in PREFIXES:
                    if low.startswith(prefix + " "):
                        label = label[len(prefix) + 1:]
                        break
                if label:
                    out.append(label)
    return out


@lru_cache(maxsize=1)
def places() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Folded syllables of each place name of two syllables or more → its syllables as spelt."""
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for label in _names():
        syllables = tuple(an.words(label))
        if len(syllables) >= 2:
            out.setdefault(tuple(an.fold_word(s) for s in syllables), syllables)
    return out


@lru_cache(maxsize=1)
def place_pairs() -> frozenset[str]:
    """Folded adjacent pairs inside place names (``"da_nang"``, ``"hung_yen"``)."""
    return frozenset(an.pair(a, b) for folded in places() for a, b in zip(folded, folded[1:], strict=False))
