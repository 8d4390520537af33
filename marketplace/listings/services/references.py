"""Readable references that never change: ``CB-33-2026-00012`` (offer), ``NC-33-2026-00003`` (need).

The province code is the issuing exchange's (``MARKETPLACE_EXCHANGE_PROVINCE``, Hưng Yên = 33), so references
stay unique when listings travel between exchanges. Numbers come from a counter row incremented with a
conditional UPDATE, so two concurrent submissions never get the same number.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...timeutil import utcnow
from ..models import REFERENCE_PREFIX, ReferenceCounter, Side

REFERENCE_RE = re.compile(r"^(CB|NC|TS|SK)-\d{2}-\d{4}-\d{5}$", re.IGNORECASE)


def next_reference(side: str) -> str:
    prefix = REFERENCE_PREFIX[Side(side)]
    province = current_app.config["EXCHANGE_PROVINCE"]
    year = utcnow().year
    key = (ReferenceCounter.prefix == prefix, ReferenceCounter.province == province, ReferenceCounter.year == year)
    for _attempt in range(3):
        result = db.session.execute(update(ReferenceCounter).where(*key).values(last=ReferenceCounter.last + 1))
        if result.rowcount:
            number = db.session.scalar(select(ReferenceCounter.last).where(*key))
            return f"{prefix}-{province}-{year}-{number:05d}"
        try:
            with db.session.begin_nested():
                db.session.add(ReferenceCounter(prefix=prefix, province=province, year=year, last=0))
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a listing reference")


def looks_like_reference(text: str) -> bool:
    return bool(REFERENCE_RE.match((text or "").strip()))
