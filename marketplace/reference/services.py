"""Loading and editing reference codes.

Schemes and their data files are listed in :data:`SCHEMES`. Loading is idempotent: new codes are added,
changed labels refreshed, and codes an admin edited keep the admin's labels.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask_babel import get_locale
from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..timeutil import utcnow
from .models import ReferenceCode

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Scheme:
    name: str
    file: str
    version: str
    valid_from: date | None = None


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("province", "provinces.csv", "NQ202/2025", date(2025, 7, 1)),
        Scheme("commune", "communes.csv", "NQ1666/2025", date(2025, 7, 1)),
        Scheme("st_field", "st_fields.csv", "TT24/2025", date(2025, 12, 15)),
        Scheme("vsic", "vsic_sections.csv", "VSIC2025", date(2025, 11, 15)),
        # Controlled vocabularies of the Law on Technology Transfer (DOMAIN.md §7), one file, a scheme column.
        *(Scheme(name, "vocab.csv", "2026.1") for name in (
            "offer_kind", "tech_level", "maturity", "trl", "tt_object", "tt_form", "tt_method", "rights_mode",
            "price_type", "origin", "contact_visibility", "cooperation_form", "moderation_reason", "ip_type",
            "ip_legal_status", "ip_rights", "ip_asking_terms", "valuation_method", "classification_scheme")),
    )
}


def read_scheme_file(scheme: Scheme) -> list[dict]:
    path = DATA_DIR / scheme.file
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [row for row in csv.DictReader(fh) if row.get("code")]
    return [row for row in rows if row.get("scheme", scheme.name) == scheme.name]


def load_reference_data(only: str | None = None) -> dict[str, int]:
    """Upsert every scheme (or ``only``) from its data file; return rows read per scheme."""
    counts: dict[str, int] = {}
    for scheme in SCHEMES.values():
        if only and scheme.name != only:
            continue
        rows = read_scheme_file(scheme)
        existing = {
            rc.code: rc
            for rc in db.session.scalars(
                select(ReferenceCode).where(ReferenceCode.scheme == scheme.name,
                                            ReferenceCode.scheme_version == scheme.version))
        }
        for order, row in enumerate(rows):
            code = row["code"].strip()
            rc = existing.get(code)
            if rc is None:
                rc = ReferenceCode(scheme=scheme.name, scheme_version=scheme.version, code=code,
                                   valid_from=scheme.valid_from)
                db.session.add(rc)
            rc.parent_code = (row.get("parent") or "").strip() or None
            rc.level = (row.get("level") or "").strip() or "1"
            rc.sort_order = order
            if rc.edited_at is None:
                rc.label_vi = row["label_vi"].strip()
                rc.label_en = (row.get("label_en") or "").strip() or None
        counts[scheme.name] = len(rows)
    db.session.flush()
    return counts


def list_codes(scheme: str, *, parent: str | None = None, include_inactive: bool = False,
               level: str | None = None) -> list[ReferenceCode]:
    if scheme not in SCHEMES:
        return []
    stmt = select(ReferenceCode).where(ReferenceCode.scheme == scheme,
                                       ReferenceCode.scheme_version == SCHEMES[scheme].version)
    if parent is not None:
        stmt = stmt.where(ReferenceCode.parent_code == parent)
    if level is not None:
        stmt = stmt.where(ReferenceCode.level == level)
    if not include_inactive:
        stmt = stmt.where(ReferenceCode.active.is_(True))
    return list(db.session.scalars(stmt.order_by(ReferenceCode.sort_order, ReferenceCode.code)))


def get_code(scheme: str, code: str | None) -> ReferenceCode | None:
    if not code or scheme not in SCHEMES:
        return None
    return db.session.scalar(select(ReferenceCode).where(
        ReferenceCode.scheme == scheme, ReferenceCode.scheme_version == SCHEMES[scheme].version,
        ReferenceCode.code == code))


def is_active_code(scheme: str, code: str | None) -> bool:
    rc = get_code(scheme, code)
    return rc is not None and rc.active


def choices(scheme: str, *, parent: str | None = None, blank: str | None = None) -> list[tuple[str, str]]:
    locale = str(get_locale() or "vi")
    items = [(rc.code, rc.label(locale)) for rc in list_codes(scheme, parent=parent)]
    return ([("", blank)] if blank is not None else []) + items


def label_for(scheme: str, code: str | None) -> str:
    rc = get_code(scheme, code)
    if rc is None:
        return code or ""
    return rc.label(str(get_locale() or "vi"))


def update_reference_code(rc: ReferenceCode, *, by, label_vi: str, label_en: str | None, active: bool) -> None:
    changes = {}
    for field, value in (("label_vi", label_vi), ("label_en", label_en or None), ("active", active)):
        if getattr(rc, field) != value:
            changes[field] = [getattr(rc, field), value]
            setattr(rc, field, value)
    if changes:
        rc.edited_at = utcnow()
        db.session.flush()
        record("reference.updated", actor=by, obj=rc, scheme=rc.scheme, code=rc.code, changes=changes)
