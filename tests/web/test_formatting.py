"""Dates as dd/mm/yyyy and money as VND in Vietnamese; English formats in English."""

from datetime import date, datetime

from flask_babel import force_locale

from marketplace.formatting import format_day, format_isoday, format_moment, format_vnd


def test_vietnamese_formats(app):
    with app.test_request_context(), force_locale("vi"):
        assert format_vnd(1_500_000) == "1.500.000\xa0₫"
        assert format_day(date(2026, 11, 20)) == "20/11/2026"
        assert format_isoday("2026-02-03") == "03/02/2026"
        # stored in UTC, shown in Vietnam time (UTC+7)
        assert format_moment(datetime(2026, 11, 26, 20, 30)) == "03:30 27/11/2026"


def test_english_formats(app):
    with app.test_request_context(), force_locale("en"):
        assert format_day(date(2026, 11, 20)) == "20 Nov 2026"
        assert "₫" in format_vnd(1_500_000) and "1,500,000" in format_vnd(1_500_000)
