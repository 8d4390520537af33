from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.ip_assets.numbers import (
    CODES,
    IP_TYPES,
    IpTypeError,
    check_application_number,
    check_certificate_number,
    wipo_publish_id,
    wipo_publish_url,
)
from marketplace.reference.services import SCHEMES, read_scheme_file

TODAY = date(2026, 11, 15)
MARKS = ("trademark", "collective_mark", "certification_mark")


def test_ip_types_match_the_reference_vocabulary():
    assert set(IP_TYPES) == {row["code"] for row in read_scheme_file(SCHEMES["ip_type"])}


# --- application numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize("ip_type, raw, normalised", [
    ("invention", "1-2024-02456", "1-2024-02456"),
    ("utility_solution", "2-2023-00123", "2-2023-00123"),
    ("industrial_design", "3-2022-01234", "3-2022-01234"),
    ("trademark", "4-2019-43953", "4-2019-43953"),
    ("collective_mark", "4-2019-43953", "4-2019-43953"),
    ("certification_mark", "4-2019-43953", "4-2019-43953"),
    ("trademark", "VN-4-2019-43953", "4-2019-43953"),
    ("trademark", "vn 4-2019-43953", "4-2019-43953"),
    ("trademark", "VN4-2019-43953", "4-2019-43953"),
    ("trademark", "4 2019 43953", "4-2019-43953"),
    ("trademark", "  4 -\u00a02019 - 43953\n", "4-2019-43953"),
    ("trademark", "4\u20132019\u201343953", "4-2019-43953"),          # en dash
    ("trademark", "4\u20142019\u221243953", "4-2019-43953"),          # em dash, minus
    ("trademark", "4\u20112019\uff0d43953", "4-2019-43953"),          # non-breaking, full-width hyphen
    ("trademark", "VN4201943953", "4-2019-43953"),                     # WIPO Publish id
    ("invention", "VN1202402456", "1-2024-02456"),
    ("invention", "1-1981-00001", "1-1981-00001"),                     # first year
    ("invention", "1-2027-00001", "1-2027-00001"),                     # next year (today + 1)
])
def test_application_valid_and_variants(ip_type, raw, normalised):
    check = check_application_number(ip_type, raw, today=TODAY)
    assert (check.code, check.normalised, check.standard, check.raw) == ("ok", normalised, True, raw)
    assert check.kind == "application" and check.ok


@pytest.mark.parametrize("ip_type, raw, code", [
    ("trademark", "4-2019-043953", "format"),         # six-digit serial: never trimmed
    ("trademark", "4-2019-4395", "format"),           # four-digit serial: never padded
    ("trademark", "4-19-43953", "format"),            # two-digit year
    ("trademark", "4201943953", "format"),            # compact form only with the VN prefix
    ("trademark", "4/2019/43953", "format"),
    ("trademark", "S-2000-00123", "format"),          # odd old number
    ("trademark", "Số đơn 4-2019-43953", "format"),
    ("trademark", "\u0664-2019-43953", "format"),     # Arabic-Indic four is not read as 4
    ("trademark", "\uff14-2019-43953", "format"),     # full-width four neither
    ("trademark", "4-2019-43953-000", "format"),
    ("trademark", "1-2019-43953", "type_mismatch"),
    ("invention", "4-2019-43953", "type_mismatch"),
    ("utility_solution", "1-2024-02456", "type_mismatch"),
    ("industrial_design", "VN4201943953", "type_mismatch"),
    ("collective_mark", "6-2019-00001", "type_mismatch"),
    ("invention", "1-1980-00001", "year"),
    ("invention", "1-2028-00001", "year"),
    ("trademark", "4-0019-43953", "year"),
    ("invention", "", "empty"),
    ("invention", "  \u2003 ", "empty"),
])
def test_application_refused(ip_type, raw, code):
    check = check_application_number(ip_type, raw, today=TODAY)
    assert (check.code, check.normalised, check.standard, check.raw) == (code, None, False, raw)
    assert check.expected and not check.ok


@pytest.mark.parametrize("ip_type, expected", [
    ("invention", "1-2024-02456"), ("utility_solution", "2-2023-00123"),
    ("industrial_design", "3-2022-01234"), ("trademark", "4-2019-43953"), ("certification_mark", "4-2019-43953"),
])
def test_application_expected_example_is_itself_valid(ip_type, expected):
    check = check_application_number(ip_type, "x", today=TODAY)
    assert check.expected == expected
    assert check_application_number(ip_type, expected, today=TODAY).normalised == expected


def test_application_year_defaults_to_the_current_clock():
    assert check_application_number("invention", "1-2024-02456").code == "ok"
    assert check_application_number("invention", "1-2999-02456").code == "year"


# --- certificate numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize("ip_type, raw, normalised", [
    ("invention", "1-0026606", "1-0026606"),
    ("invention", "1 0026606", "1-0026606"),
    ("invention", "VN-1-0026606", "1-0026606"),
    ("invention", "1-0026606-000", "1-0026606-000"),         # suffix kept as typed
    ("utility_solution", "2-0002345", "2-0002345"),
    ("industrial_design", "3\u20130025123", "3-0025123"),
    ("trademark", "4-0405854-000", "4-0405854-000"),
    ("trademark", "4-0405854", "4-0405854"),                  # suffix never invented
    ("trademark", "4 0405854 000", "4-0405854-000"),
    ("collective_mark", "4\u20140405854\u2014001", "4-0405854-001"),
    ("certification_mark", " 4-0405854-000 ", "4-0405854-000"),
    ("geographical_indication", "00055", "00055"),
    ("geographical_indication", "6-00055", "00055"),
    ("geographical_indication", "6 \u2013 00055", "00055"),
    ("plant_variety", "41.VN.2020", "41.VN.2020"),
    ("plant_variety", "41.vn.2020", "41.VN.2020"),
    ("plant_variety", "41 VN 2020", "41.VN.2020"),
    ("plant_variety", "41-VN-2020", "41.VN.2020"),
    ("plant_variety", "123.VN.2021", "123.VN.2021"),
])
def test_certificate_valid_and_variants(ip_type, raw, normalised):
    check = check_certificate_number(ip_type, raw, today=TODAY)
    assert (check.code, check.normalised, check.standard, check.raw) == ("ok", normalised, True, raw)
    assert check.kind == "certificate"


@pytest.mark.parametrize("ip_type, raw, code", [
    ("invention", "49382", "format"),                   # short patent number: not padded
    ("invention", "1-26606", "format"),
    ("invention", "1-00266060", "format"),
    ("invention", "10026606", "format"),
    ("invention", "1-0026606-00", "format"),
    ("trademark", "4-0405854-0000", "format"),
    ("trademark", "4-405854-000", "format"),
    ("trademark", "No. 4-0405854-000", "format"),
    ("trademark", "1-0026606", "type_mismatch"),
    ("invention", "4-0405854-000", "type_mismatch"),
    ("industrial_design", "2-0002345", "type_mismatch"),
    ("geographical_indication", "0055", "format"),
    ("geographical_indication", "000055", "format"),
    ("geographical_indication", "7-00055", "format"),
    ("geographical_indication", "4-0405854-000", "format"),
    ("plant_variety", "1.VN.2020", "format"),
    ("plant_variety", "41.VN.20", "format"),
    ("plant_variety", "41.KR.2020", "format"),
    ("plant_variety", "41VN2020", "format"),
    ("plant_variety", "41.VN.1975", "year"),
    ("plant_variety", "41.VN.2030", "year"),
    ("trademark", "", "empty"),
    ("geographical_indication", " ", "empty"),
])
def test_certificate_refused(ip_type, raw, code):
    check = check_certificate_number(ip_type, raw, today=TODAY)
    assert (check.code, check.normalised, check.standard, check.raw) == (code, None, False, raw)
    assert check.expected


@pytest.mark.parametrize("ip_type, expected", [
    ("invention", "1-0026606"), ("utility_solution", "2-0002345"), ("industrial_design", "3-0025123"),
    ("trademark", "4-0405854-000"), ("collective_mark", "4-0405854-000"),
    ("geographical_indication", "00055"), ("plant_variety", "41.VN.2020"),
])
def test_certificate_expected_example_is_itself_valid(ip_type, expected):
    check = check_certificate_number(ip_type, "?", today=TODAY)
    assert check.expected == expected
    assert check_certificate_number(ip_type, expected, today=TODAY).normalised == expected


# --- free-form and not applicable ----------------------------------------------------------------------

@pytest.mark.parametrize("ip_type, kind, raw, normalised", [
    ("copyright", "certificate", "1234/2019/QTG", "1234/2019/QTG"),
    ("copyright", "certificate", "  Số 1234/2019/QTG ", "Số 1234/2019/QTG"),
    ("copyright", "certificate", "So\u0302\u0301 12", "Số 12"),                    # decomposed → NFC
    ("layout_design", "certificate", "TKBT 0001\u2013A", "TKBT 0001-A"),
    ("layout_design", "application", "5-2020-00001", "5-2020-00001"),
    ("copyright", "application", "(2019) 12", "(2019) 12"),
    ("geographical_indication", "application", "6-2019-00001", "6-2019-00001"),
    ("plant_variety", "application", "2019.VN.123", "2019.VN.123"),
])
def test_free_form_numbers_are_standard(ip_type, kind, raw, normalised):
    check_fn = check_application_number if kind == "application" else check_certificate_number
    check = check_fn(ip_type, raw)
    assert (check.code, check.normalised, check.standard) == ("ok", normalised, True)
    assert check.expected.startswith("free text")


@pytest.mark.parametrize("raw, code", [
    ("", "empty"), ("\t ", "empty"), ("---", "format"), ("12\x0034", "format"), ("a\u200bb", "format"),
    ("1" * 65, "format"), ("12;34", "format"), ("\u0301", "format"),
])
def test_free_form_refusals(raw, code):
    check = check_certificate_number("copyright", raw)
    assert (check.code, check.normalised, check.standard, check.raw) == (code, None, False, raw)


@pytest.mark.parametrize("raw", ["", "123", "1-2024-02456"])
def test_trade_secrets_have_no_numbers(raw):
    for check in (check_application_number("trade_secret", raw), check_certificate_number("trade_secret", raw)):
        assert (check.code, check.normalised, check.standard, check.raw) == ("not_applicable", None, False, raw)


def test_unknown_ip_type_is_a_programming_error():
    for fn in (check_application_number, check_certificate_number, wipo_publish_id):
        with pytest.raises(IpTypeError) as exc:
            fn("patent", "1-2024-02456")
        assert exc.value.code == "ip_type"


def test_none_is_treated_as_empty():
    assert check_application_number("invention", None).code == "empty"  # type: ignore[arg-type]
    assert check_certificate_number("invention", None).raw == ""  # type: ignore[arg-type]


# --- WIPO Publish --------------------------------------------------------------------------------------

BASE = "https://wipopublish.ipvietnam.gov.vn/wopublish-search/public/detail/"


@pytest.mark.parametrize("ip_type, number, record_id, section", [
    ("invention", "1-2024-02456", "VN1202402456", "patents"),
    ("utility_solution", "2-2023-00123", "VN2202300123", "patents"),
    ("industrial_design", "3-2022-01234", "VN3202201234", "designs"),
    ("trademark", "4-2019-43953", "VN4201943953", "trademarks"),
    ("collective_mark", "4-2026-18514", "VN4202618514", "trademarks"),
    ("certification_mark", "4-2019-43953", "VN4201943953", "trademarks"),
])
def test_wipo_publish_links(ip_type, number, record_id, section):
    assert wipo_publish_id(ip_type, number) == record_id
    assert wipo_publish_url(ip_type, number) == f"{BASE}{section}?id={record_id}"


@pytest.mark.parametrize("ip_type, number", [
    ("invention", "4-2019-43953"),          # type digit disagrees
    ("trademark", "VN-4-2019-43953"),       # not normalised
    ("trademark", "4 2019 43953"),
    ("trademark", ""),
    ("geographical_indication", "00055"),
    ("plant_variety", "41.VN.2020"),
    ("layout_design", "3-2022-01234"),
    ("copyright", "1234/2019/QTG"),
    ("trade_secret", "4-2019-43953"),
])
def test_no_wipo_publish_link(ip_type, number):
    assert wipo_publish_id(ip_type, number) is None
    assert wipo_publish_url(ip_type, number) is None


# --- properties ----------------------------------------------------------------------------------------

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d"
NUMBERISH = st.text(alphabet=st.sampled_from(list("0123456789 .VNvn/\u00a0\u0664\uff14\u0301") + list(DASHES)),
                    max_size=24)
NEAR_VALID = st.one_of(*(st.from_regex(pattern, fullmatch=True) for pattern in (
    r"(VN|vn)?[ \-\u2013]?[0-9][ \-\u2013\u2212]{1,2}[0-9]{4}[ \-\u2014]{1,2}[0-9]{4,6}",
    r"(VN)?[0-9]{10,11}",
    r"[0-9][ \-\u2013][0-9]{6,8}([ \-\uff0d][0-9]{2,4})?",
    r"(6[ \-\u2013])?[0-9]{4,6}",
    r"[0-9]{1,4}[ .\-]{1,2}(VN|vn|Vn|KR)[ .\-]{1,2}[0-9]{3,5}",
)))
ANY_TEXT = st.one_of(st.text(), NUMBERISH, NEAR_VALID)
CHECKS = {
    "application": lambda ip_type, raw: check_application_number(ip_type, raw, today=TODAY),
    "certificate": lambda ip_type, raw: check_certificate_number(ip_type, raw, today=TODAY),
}


@given(st.sampled_from(IP_TYPES), st.sampled_from(sorted(CHECKS)), ANY_TEXT)
def test_no_input_raises_and_normalised_is_stable(ip_type, kind, raw):
    check = CHECKS[kind](ip_type, raw)
    assert check.code in CODES and check.kind == kind and check.raw == raw
    assert (check.normalised is not None) == (check.code == "ok")
    if check.normalised is None:
        assert not check.standard
        return
    again = CHECKS[kind](ip_type, check.normalised)
    assert again.code == "ok" and again.standard
    assert again.normalised == check.normalised


def _separator():
    return st.one_of(st.sampled_from(list(DASHES)), st.just(" "), st.text(alphabet=" -\u2013", min_size=1,
                                                                           max_size=3))


@given(st.sampled_from(["invention", "utility_solution", "industrial_design", *MARKS]),
       st.integers(1981, 2027), st.integers(0, 99999), _separator(), _separator(),
       st.sampled_from(["", "VN", "vn-", "VN "]))
def test_generated_applications_normalise_without_changing_digits(ip_type, year, serial, sep1, sep2, prefix):
    digit = {"invention": "1", "utility_solution": "2", "industrial_design": "3"}.get(ip_type, "4")
    check = check_application_number(ip_type, f"{prefix}{digit}{sep1}{year}{sep2}{serial:05d}", today=TODAY)
    assert check.normalised == f"{digit}-{year}-{serial:05d}"
    assert wipo_publish_id(ip_type, check.normalised) == f"VN{digit}{year}{serial:05d}"


@given(st.sampled_from(["invention", "utility_solution", "industrial_design", *MARKS]),
       st.integers(0, 9_999_999), st.one_of(st.none(), st.integers(0, 999)), _separator(), _separator())
def test_generated_certificates_keep_the_suffix_as_typed(ip_type, serial, suffix, sep1, sep2):
    digit = {"invention": "1", "utility_solution": "2", "industrial_design": "3"}.get(ip_type, "4")
    tail = "" if suffix is None else f"{sep2}{suffix:03d}"
    check = check_certificate_number(ip_type, f"{digit}{sep1}{serial:07d}{tail}")
    assert check.normalised == f"{digit}-{serial:07d}" + ("" if suffix is None else f"-{suffix:03d}")
