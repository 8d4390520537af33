"""Vietnamese tax code (mã số thuế) validation.

Form: 10 digits, or 10 digits + ``-`` + 3 digits for a dependent unit (branch). The 10th digit is a check
digit: ``10 - (31·d1 + 29·d2 + 23·d3 + 19·d4 + 17·d5 + 13·d6 + 7·d7 + 5·d8 + 3·d9) mod 11``; a result of 10
is never issued.
"""

from __future__ import annotations

import re

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_SHAPE = re.compile(r"^(\d{10})(?:-(\d{3}))?$")


class TaxCodeError(ValueError):
    """``code`` is a stable reason (``format``, ``check_digit``, ``branch``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_digit(first_nine: str) -> int | None:
    value = 10 - sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True)) % 11
    return None if value == 10 else value


def normalise_tax_code(raw: str) -> str:
    """Return the canonical form or raise :class:`TaxCodeError`. Spaces and dots are ignored."""
    cleaned = re.sub(r"[\s.]", "", raw or "").replace("–", "-")
    match = _SHAPE.match(cleaned)
    if not match:
        raise TaxCodeError("format")
    main, branch = match.groups()
    if check_digit(main[:9]) != int(main[9]):
        raise TaxCodeError("check_digit")
    if branch == "000":
        raise TaxCodeError("branch")
    return f"{main}-{branch}" if branch else main
