"""Term of protection for Vietnamese IP assets, from the rules in ``data/term_rules.csv``.

Rules live in data so DOST can correct them without a release. One row per ``ip_type``, except layout
designs, whose several rows mean "the earliest of these" (filing + 10 y, first use + 10 y, creation + 15 y;
only the rows whose date is given count).

Date arithmetic: "N years from D" is the same day and month N years later, and 29 February becomes
28 February in a non-leap year (filing 2020-02-29 + 20 y → 2040-02-28). Months work the same way, clamped to
the end of the month (2025-08-31 − 6 months → 2025-02-28). Each renewal extends the *previous* expiry, so
2024-02-29 + 10 y → 2034-02-28, renewed once → 2044-02-28 (not 02-29). The law says protection lasts "until
the end of" the period; we keep it simple: ``expiry`` is that anniversary date and the right is treated as
in force through it (:func:`is_expired` is true from the day after).

``Term.basis`` is a stable code for messages: ``"<anchor>+<N>y"`` optionally followed by
``"+<k>x<M>y"`` for renewals (``"filing+5y+2x5y"``), or one of ``indefinite`` (geographical indications),
``manual`` (copyright: needs the author's death date), ``not_applicable`` (trade secrets) and
``missing_date`` (the date the rule needs was not given; ``note`` then names it).
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from .numbers import IP_TYPES, require_ip_type

ANCHORS = ("filing", "grant", "first_use", "creation")
NO_TERM_BASES = ("indefinite", "manual", "not_applicable")


class TermError(ValueError):
    """Bad arguments or rules; ``code`` is ``renewals`` or ``rules``."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class Rule:
    ip_type: str
    basis: str  # an anchor from ANCHORS, or one of NO_TERM_BASES
    years: int | None
    woody_years: int | None
    renewable_years: int | None
    max_renewals: int | None  # None with renewable_years set: renewable indefinitely
    renewal_window_months: int | None
    grace_months: int | None
    notes: str


@dataclass(frozen=True)
class Term:
    expiry: date | None
    basis: str
    renewable: bool  # can still be renewed (again)
    renewal_window: tuple[date, date] | None = None  # (expiry − window, expiry), both inclusive
    grace_until: date | None = None  # late renewal allowed until this day, inclusive
    note: str = ""


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return day.replace(year=year, month=month0 + 1, day=min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


@cache
def load_rules() -> dict[str, tuple[Rule, ...]]:
    """Read ``data/term_rules.csv`` once; every ``ip_type`` must appear, nothing else may."""
    rules: dict[str, list[Rule]] = {}
    text = files(__package__).joinpath("data", "term_rules.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        try:
            rule = Rule(
                ip_type=row["ip_type"].strip(), basis=row["basis"].strip(), years=_int(row["years"]),
                woody_years=_int(row["woody_years"]), renewable_years=_int(row["renewable_years"]),
                max_renewals=_int(row["max_renewals"]),
                renewal_window_months=_int(row["renewal_window_months"]), grace_months=_int(row["grace_months"]),
                notes=(row["notes"] or "").strip(),
            )
        except (KeyError, ValueError, AttributeError) as exc:
            raise TermError("rules", f"bad row {row!r}") from exc
        if rule.ip_type not in IP_TYPES:
            raise TermError("rules", f"unknown ip_type {rule.ip_type!r}")
        if rule.basis in ANCHORS:
            if rule.years is None:
                raise TermError("rules", f"{rule.ip_type}: years missing")
        elif rule.basis not in NO_TERM_BASES:
            raise TermError("rules", f"{rule.ip_type}: unknown basis {rule.basis!r}")
        rules.setdefault(rule.ip_type, []).append(rule)
    missing = set(IP_TYPES) - set(rules)
    if missing:
        raise TermError("rules", f"no rule for {sorted(missing)}")
    return {ip_type: tuple(found) for ip_type, found in rules.items()}


def compute_term(
    ip_type: str,
    *,
    filing_date: date | None = None,
    grant_date: date | None = None,
    first_use_date: date | None = None,
    creation_date: date | None = None,
    renewals: int = 0,
    woody: bool = False,
) -> Term:
    """The term of protection; ``renewals`` counts renewals already granted (capped by the rule)."""
    require_ip_type(ip_type)
    if renewals < 0:
        raise TermError("renewals", str(renewals))
    rules = load_rules()[ip_type]
    anchors = {"filing": filing_date, "grant": grant_date, "first_use": first_use_date,
               "creation": creation_date}
    if rules[0].basis in NO_TERM_BASES:
        return Term(None, rules[0].basis, False, note=rules[0].notes)

    candidates: list[tuple[date, str, Rule]] = []
    for rule in rules:
        anchor = anchors[rule.basis]
        if anchor is None:
            continue
        years = rule.woody_years if woody and rule.woody_years else rule.years
        assert years is not None  # checked by load_rules
        candidates.append((add_years(anchor, years), f"{rule.basis}+{years}y", rule))
    if not candidates:
        needed = " or ".join(f"{rule.basis}_date" for rule in rules)
        return Term(None, "missing_date", False, note=f"needs {needed}")
    expiry, basis, rule = min(candidates, key=lambda c: c[0])

    if not rule.renewable_years:
        return Term(expiry, basis, False, note=rule.notes)
    done = renewals if rule.max_renewals is None else min(renewals, rule.max_renewals)
    for _ in range(done):
        expiry = add_years(expiry, rule.renewable_years)
    if done:
        basis += f"+{done}x{rule.renewable_years}y"
    renewable = rule.max_renewals is None or done < rule.max_renewals
    window = grace = None
    if renewable and rule.renewal_window_months:
        window = (add_months(expiry, -rule.renewal_window_months), expiry)
    if renewable and rule.grace_months:
        grace = add_months(expiry, rule.grace_months)
    return Term(expiry, basis, renewable, window, grace, rule.notes)


def is_expired(term: Term, today: date) -> bool:
    """True from the day after ``expiry``; never for terms without an expiry (indefinite, manual, unknown)."""
    return term.expiry is not None and today > term.expiry


def in_renewal_window(term: Term, today: date) -> bool:
    return term.renewal_window is not None and term.renewal_window[0] <= today <= term.renewal_window[1]


def in_grace_period(term: Term, today: date) -> bool:
    """After expiry but still renewable late (with a surcharge)."""
    return term.expiry is not None and term.grace_until is not None and term.expiry < today <= term.grace_until
