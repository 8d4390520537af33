import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.accounts.tax_code import TaxCodeError, check_digit, normalise_tax_code


@pytest.mark.parametrize("raw, expected", [
    ("0100109106", "0100109106"),
    ("0100109106-001", "0100109106-001"),
    (" 0100 109 106 ", "0100109106"),
    ("0100.109.106-012", "0100109106-012"),
    ("0900108126", "0900108126"),
])
def test_valid_codes(raw, expected):
    assert normalise_tax_code(raw) == expected


@pytest.mark.parametrize("raw, reason", [
    ("0100109107", "check_digit"),       # last digit off by one
    ("010010910", "format"),             # 9 digits
    ("01001091060", "format"),           # 11 digits
    ("0100109106-01", "format"),         # branch with 2 digits
    ("0100109106-000", "branch"),
    ("01001O9106", "format"),            # letter O
    ("", "format"),
])
def test_invalid_codes(raw, reason):
    with pytest.raises(TaxCodeError) as exc:
        normalise_tax_code(raw)
    assert exc.value.code == reason


def test_check_digit_ten_is_never_issued():
    # 31*0+29*0+23*0+19*0+17*0+13*0+7*0+5*0+3*0 = 0 -> 10 - 0 = 10: no valid code starts 000000000
    assert check_digit("000000000") is None
    for last in range(10):
        with pytest.raises(TaxCodeError):
            normalise_tax_code(f"000000000{last}")


@given(st.text(max_size=30))
def test_any_string_is_accepted_or_refused_with_a_reason(raw):
    try:
        result = normalise_tax_code(raw)
    except TaxCodeError as exc:
        assert exc.code in {"format", "check_digit", "branch"}
    else:
        assert len(result) in (10, 14)


@given(st.from_regex(r"\A[0-9]{9}\Z"), st.integers(min_value=1, max_value=999))
def test_computed_check_digit_validates(first_nine, branch):
    digit = check_digit(first_nine)
    if digit is None:
        return
    code = f"{first_nine}{digit}"
    assert normalise_tax_code(code) == code
    assert normalise_tax_code(f"{code}-{branch:03d}") == f"{code}-{branch:03d}"
    wrong = (digit + 1) % 10
    with pytest.raises(TaxCodeError):
        normalise_tax_code(f"{first_nine}{wrong}")
