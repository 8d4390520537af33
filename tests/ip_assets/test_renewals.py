"""Trademark renewal reminders: once in the 6-month window before expiry, once in the 6-month grace period."""

from datetime import date

from tests.ip_assets.conftest import PATENT

MARK = {"ip_type": "trademark", "title_vi": "Nhãn hiệu Long nhãn Phố Hiến", "application_number_raw": "4-2016-18514",
        "filing_date": "2016-05-03", "certificate_number_raw": "4-0405854-000", "grant_date": "2017-09-01",
        "legal_status": "granted", "st_fields": ["401"], "province_code": "33"}


def test_mark_renewal_reminders_once_each(db, institute, publish, mailbox):
    from marketplace.ip_assets.tasks import check_renewals

    publish("ip_asset", institute, MARK)  # expires 03/05/2026
    publish("ip_asset", institute, PATENT)  # not renewable: never reminded
    assert check_renewals(today=date(2025, 10, 1)) == 0  # before the window
    assert check_renewals(today=date(2025, 12, 1)) == 1  # in the window
    assert check_renewals(today=date(2026, 2, 1)) == 0  # already reminded for this term
    assert check_renewals(today=date(2026, 6, 1)) == 1  # grace period
    assert check_renewals(today=date(2026, 12, 1)) == 0  # after the grace period
    mails = [m for m in mailbox.to("vien@example.vn") if "Gia hạn" in m["Subject"]]
    assert len(mails) == 2
    bodies = [m.get_body().get_content() for m in mails]
    assert "03/05/2026" in bodies[0] and "03/11/2026" in bodies[1]
