from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.ip_assets.numbers import IP_TYPES, IpTypeError
from marketplace.ip_assets.terms import (
    Term,
    TermError,
    add_months,
    add_years,
    compute_term,
    in_grace_period,
    in_renewal_window,
    is_expired,
    load_rules,
)

D = date.fromisoformat


def test_rules_cover_every_ip_type_and_are_read_once():
    rules = load_rules()
    assert set(rules) == set(IP_TYPES)
    assert load_rules() is rules
    assert len(rules["layout_design"]) == 3


@pytest.mark.parametrize("day, years, expected", [
    ("2020-01-15", 20, "2040-01-15"),
    ("2020-02-29", 20, "2040-02-29"),   # 2040 is a leap year
    ("2020-02-29", 10, "2030-02-28"),
    ("2024-02-29", 10, "2034-02-28"),
    ("2024-02-29", 4, "2028-02-29"),
    ("2023-02-28", 1, "2024-02-28"),
])
def test_add_years(day, years, expected):
    assert add_years(D(day), years) == D(expected)


@pytest.mark.parametrize("day, months, expected", [
    ("2034-02-28", -6, "2033-08-28"),
    ("2034-02-28", 6, "2034-08-28"),
    ("2025-08-31", -6, "2025-02-28"),
    ("2024-08-31", -6, "2024-02-29"),
    ("2025-03-31", 6, "2025-09-30"),
    ("2025-11-30", 3, "2026-02-28"),
    ("2025-01-15", -1, "2024-12-15"),
])
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(D(day), months) == D(expected)


@pytest.mark.parametrize("ip_type, kwargs, expiry, basis", [
    ("invention", {"filing_date": D("2015-06-01")}, "2035-06-01", "filing+20y"),
    ("invention", {"filing_date": D("2020-02-29")}, "2040-02-29", "filing+20y"),
    ("invention", {"filing_date": D("2021-02-28"), "grant_date": D("2024-01-01")}, "2041-02-28", "filing+20y"),
    ("utility_solution", {"filing_date": D("2020-02-29")}, "2030-02-28", "filing+10y"),
    ("utility_solution", {"filing_date": D("2018-03-05")}, "2028-03-05", "filing+10y"),
    ("industrial_design", {"filing_date": D("2020-02-29")}, "2025-02-28", "filing+5y"),
    ("trademark", {"filing_date": D("2024-02-29")}, "2034-02-28", "filing+10y"),
    ("collective_mark", {"filing_date": D("2019-04-10")}, "2029-04-10", "filing+10y"),
    ("certification_mark", {"filing_date": D("2019-04-10")}, "2029-04-10", "filing+10y"),
    ("plant_variety", {"grant_date": D("2020-07-01")}, "2040-07-01", "grant+20y"),
    ("plant_variety", {"grant_date": D("2020-07-01"), "woody": True}, "2045-07-01", "grant+25y"),
    ("plant_variety", {"grant_date": D("2020-07-01"), "filing_date": D("2018-01-01")}, "2040-07-01", "grant+20y"),
    ("trademark", {"filing_date": D("2019-04-10"), "woody": True}, "2029-04-10", "filing+10y"),  # woody ignored
])
def test_fixed_terms(ip_type, kwargs, expiry, basis):
    term = compute_term(ip_type, **kwargs)
    assert (term.expiry, term.basis) == (D(expiry), basis)
    assert term.note


@pytest.mark.parametrize("ip_type", ["invention", "utility_solution", "plant_variety", "layout_design"])
def test_patents_varieties_and_layouts_are_not_renewable(ip_type):
    term = compute_term(ip_type, filing_date=D("2020-01-01"), grant_date=D("2021-01-01"), renewals=3)
    assert not term.renewable and term.renewal_window is None and term.grace_until is None
    assert "x" not in term.basis


@pytest.mark.parametrize("renewals, expiry, basis, renewable", [
    (0, "2025-01-10", "filing+5y", True),
    (1, "2030-01-10", "filing+5y+1x5y", True),
    (2, "2035-01-10", "filing+5y+2x5y", False),
    (3, "2035-01-10", "filing+5y+2x5y", False),   # capped: at most 15 years
    (9, "2035-01-10", "filing+5y+2x5y", False),
])
def test_industrial_design_renewals(renewals, expiry, basis, renewable):
    term = compute_term("industrial_design", filing_date=D("2020-01-10"), renewals=renewals)
    assert (term.expiry, term.basis, term.renewable) == (D(expiry), basis, renewable)
    if renewable:
        assert term.renewal_window == (add_months(D(expiry), -6), D(expiry))
        assert term.grace_until == add_months(D(expiry), 6)
    else:
        assert term.renewal_window is None and term.grace_until is None


@pytest.mark.parametrize("ip_type", ["trademark", "collective_mark", "certification_mark"])
@pytest.mark.parametrize("renewals, expiry", [(0, "2029-04-10"), (1, "2039-04-10"), (7, "2099-04-10")])
def test_marks_renew_indefinitely(ip_type, renewals, expiry):
    term = compute_term(ip_type, filing_date=D("2019-04-10"), renewals=renewals)
    assert term.expiry == D(expiry) and term.renewable
    assert term.basis == "filing+10y" + (f"+{renewals}x10y" if renewals else "")


def test_renewal_extends_the_previous_expiry_across_leap_days():
    term = compute_term("trademark", filing_date=D("2024-02-29"), renewals=1)
    assert term.expiry == D("2044-02-28")   # 2024-02-29 → 2034-02-28 → 2044-02-28, not 2044-02-29


def test_trademark_renewal_window_and_grace():
    term = compute_term("trademark", filing_date=D("2016-08-31"))
    assert term.expiry == D("2026-08-31")
    assert term.renewal_window == (D("2026-02-28"), D("2026-08-31"))
    assert term.grace_until == D("2027-02-28")
    cases = [
        ("2026-02-27", False, False, False),
        ("2026-02-28", True, False, False),
        ("2026-08-31", True, False, False),   # the expiry day itself is still in force
        ("2026-09-01", False, True, True),
        ("2027-02-28", False, True, True),
        ("2027-03-01", False, False, True),
    ]
    for today, window, grace, expired in cases:
        day = D(today)
        assert (in_renewal_window(term, day), in_grace_period(term, day), is_expired(term, day)) == (
            window, grace, expired), today


@pytest.mark.parametrize("dates, expiry, basis", [
    ({"filing_date": D("2020-05-01")}, "2030-05-01", "filing+10y"),
    ({"first_use_date": D("2019-03-01")}, "2029-03-01", "first_use+10y"),
    ({"creation_date": D("2016-01-20")}, "2031-01-20", "creation+15y"),
    ({"filing_date": D("2020-05-01"), "first_use_date": D("2019-03-01")}, "2029-03-01", "first_use+10y"),
    ({"filing_date": D("2020-05-01"), "creation_date": D("2014-01-20")}, "2029-01-20", "creation+15y"),
    ({"filing_date": D("2020-05-01"), "first_use_date": D("2021-03-01"), "creation_date": D("2016-01-20")},
     "2030-05-01", "filing+10y"),
    ({"filing_date": D("2020-05-01"), "first_use_date": D("2020-01-01"), "creation_date": D("2012-02-29")},
     "2027-02-28", "creation+15y"),
])
def test_layout_design_earliest_of_three(dates, expiry, basis):
    term = compute_term("layout_design", **dates)
    assert (term.expiry, term.basis, term.renewable) == (D(expiry), basis, False)


@pytest.mark.parametrize("ip_type, kwargs, note_part", [
    ("layout_design", {"grant_date": D("2020-01-01")}, "first_use_date"),
    ("invention", {"grant_date": D("2020-01-01")}, "filing_date"),
    ("trademark", {}, "filing_date"),
    ("plant_variety", {"filing_date": D("2020-01-01"), "woody": True}, "grant_date"),
])
def test_missing_dates(ip_type, kwargs, note_part):
    term = compute_term(ip_type, **kwargs)
    assert (term.expiry, term.basis, term.renewable, term.renewal_window) == (None, "missing_date", False, None)
    assert note_part in term.note


@pytest.mark.parametrize("ip_type, basis", [
    ("geographical_indication", "indefinite"),
    ("copyright", "manual"),
    ("trade_secret", "not_applicable"),
])
def test_no_computed_term(ip_type, basis):
    term = compute_term(ip_type, filing_date=D("2010-01-01"), grant_date=D("2011-01-01"),
                        creation_date=D("2009-01-01"), renewals=2)
    assert (term.expiry, term.basis, term.renewable, term.renewal_window, term.grace_until) == (
        None, basis, False, None, None)
    assert not is_expired(term, D("2999-01-01"))
    assert not in_renewal_window(term, D("2011-01-01")) and not in_grace_period(term, D("2011-01-01"))


def test_bad_arguments():
    with pytest.raises(TermError) as exc:
        compute_term("trademark", filing_date=D("2020-01-01"), renewals=-1)
    assert exc.value.code == "renewals"
    with pytest.raises(IpTypeError):
        compute_term("patent", filing_date=D("2020-01-01"))


def test_predicates_on_hand_built_terms():
    term = Term(D("2030-01-01"), "filing+10y", False)
    assert not is_expired(term, D("2030-01-01")) and is_expired(term, D("2030-01-02"))
    assert not in_renewal_window(term, D("2029-12-01")) and not in_grace_period(term, D("2030-02-01"))
    assert in_grace_period(replace(term, grace_until=D("2030-07-01")), D("2030-02-01"))


@given(st.sampled_from(IP_TYPES), st.dates(date(1981, 1, 1), date(2060, 12, 31)),
       st.dates(date(1981, 1, 1), date(2060, 12, 31)), st.integers(0, 12), st.booleans())
def test_terms_are_consistent(ip_type, filing, grant, renewals, woody):
    term = compute_term(ip_type, filing_date=filing, grant_date=grant, first_use_date=filing,
                        creation_date=grant, renewals=renewals, woody=woody)
    if term.expiry is None:
        assert term.renewal_window is None and term.grace_until is None
        return
    assert term.expiry > min(filing, grant)
    if term.renewal_window:
        start, end = term.renewal_window
        assert start < end == term.expiry and not is_expired(term, end)
        assert term.grace_until and term.grace_until > term.expiry
        assert in_grace_period(term, term.grace_until) and not in_renewal_window(term, term.grace_until)
