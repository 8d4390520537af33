"""Bulk import of IP assets (CSV and XLSX): check first, import all or nothing, clear refusals, never a 500."""

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from marketplace.ip_assets.importer import ImportFileError, read_rows, run_import, template_csv
from marketplace.listings.models import Listing
from tests.conftest import login

HEADER = ["type", "title_vi", "summary", "application_number", "certificate_number", "filing_date", "grant_date",
          "legal_status", "inventors", "classification", "rights_offered", "royalty_pct", "st_fields", "province",
          "keywords", "state_funded"]
GOOD = [
    ["invention", "Phương pháp sấy long nhãn bằng bơm nhiệt hai giai đoạn", "Sấy giữ màu vàng cánh gián",
     "1-2021-04512", "1-0038211", "12/07/2021", "2024-03-05", "granted", "Phạm Minh Nghiên; Trần Thị Lan",
     "IPC A23B 7/02", "exclusive_licence; Li-xăng không độc quyền", "3,5", "401", "33", "sấy nhãn; bơm nhiệt", "x"],
    ["Nhãn hiệu", "Nhãn hiệu Long nhãn Phố Hiến", "", "4-2022-18514", "4-0405854-000", "03/05/2022", "01/09/2023",
     "Đã cấp văn bằng", "", "Nice 29", "", "", "", "Hưng Yên", "", ""],
    ["utility_solution", "Giải pháp bóc vỏ nhãn tự động", "", "2-2019-00123", "", "15/03/2019", "", "filed",
     "Nguyễn Văn Cơ", "", "assignment", "", "", "33", "", "không"],
]
FIXED = ["trademark", "Nhãn hiệu Nhãn lồng Tiên Lữ", "", "4-2024-02456", "", "20/02/2024", "", "filed", "", "Nice 31",
         "", "", "", "33", "", ""]
BAD = FIXED[:3] + ["1-2024-02456"] + FIXED[4:]  # an invention number on a trademark


def make_csv(rows, header=HEADER, delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


BAD_FILE = make_csv([GOOD[0], GOOD[1], BAD, GOOD[2]])  # the bad trademark is on row 4
FIXED_FILE = make_csv([GOOD[0], GOOD[1], FIXED, GOOD[2]])


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def post(client, org, data: bytes, filename="tai-san.csv", action="check"):
    return client.post("/ip-assets/import", content_type="multipart/form-data",
                       data={"organisation_id": str(org.id), "action": action, "file": (io.BytesIO(data), filename)})


def result_of(response) -> dict:
    html = response.get_data(as_text=True)
    found = re.search(r'id="import-result"[^>]*data-valid="(\d+)" data-errors="(\d+)" data-created="(\d+)"', html)
    assert found, html[:2000]
    return {"valid": int(found[1]), "errors": int(found[2]), "created": int(found[3])}


def error_rows(response) -> list[tuple[str, str, str]]:
    table = response.get_data(as_text=True).split('id="import-errors"', 1)[1].split("</table>", 1)[0]
    return [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S))
            for row in re.findall(r"<tr><td>.*?</tr>", table, re.S)]


def test_check_lists_the_bad_row_and_nothing_is_imported_until_the_file_is_clean(client, db, institute):
    user, org = institute
    login(client, user.email)
    assert client.get("/ip-assets/import").status_code == 200
    checked = post(client, org, BAD_FILE)
    assert checked.status_code == 422 and "<caption>" in checked.get_data(as_text=True)
    assert result_of(checked)["errors"] == 1
    [(row, column, message)] = error_rows(checked)
    assert row == "4" and column == "application_number" and "4-" in message
    assert count(db) == 0

    imported = post(client, org, BAD_FILE, action="import")
    assert imported.status_code == 422 and result_of(imported) == {"valid": 3, "errors": 1, "created": 0}
    assert count(db) == 0

    ok = post(client, org, FIXED_FILE)
    assert ok.status_code == 200 and result_of(ok) == {"valid": 4, "errors": 0, "created": 0}
    assert count(db) == 0

    done = post(client, org, FIXED_FILE, action="import")
    assert done.status_code == 200 and result_of(done) == {"valid": 4, "errors": 0, "created": 4}
    assets = db.session.scalars(select(Listing).order_by(Listing.id)).all()
    assert len(assets) == 4
    assert all(a.reference.startswith("TS-") and a.status == "draft" and a.organisation_id == org.id
               and a.side == "ip_asset" for a in assets)
    page = done.get_data(as_text=True)
    assert all(f"/l/{a.reference}" in page for a in assets)
    patent, mark, _fixed, utility = assets
    assert patent.kind == "invention" and patent.ip.filing_date == date(2021, 7, 12)
    assert patent.ip.grant_date == date(2024, 3, 5) and patent.ip.royalty_pct == 3.5 and patent.ip.state_funded
    assert patent.ip.inventors == ["Phạm Minh Nghiên", "Trần Thị Lan"] and patent.keywords == ["sấy nhãn", "bơm nhiệt"]
    assert patent.ip.rights_offered == ["exclusive_licence", "non_exclusive_licence"]  # a label is accepted too
    assert patent.ip.classification == [{"scheme": "IPC", "code": "A23B 7/02"}]
    assert mark.kind == "trademark" and mark.ip.legal_status == "granted" and mark.province_code == "33"
    assert utility.ip.state_funded is False and utility.ip.application_number == "2-2019-00123"


def test_xlsx_with_real_dates_and_vietnamese_headers_imports(client, db, institute):
    user, org = institute
    book = Workbook()
    sheet = book.active
    sheet.append(["Loại", "TÊN (TIẾNG VIỆT)", "so don", "Ngày nộp đơn", "Ngày cấp", "Tình trạng", "Số văn bằng"])
    sheet.append(["Sáng chế", "Quy trình bảo quản nhãn tươi bằng màng bao", "1-2020-01234",
                  datetime(2020, 2, 14), date(2023, 6, 1), "granted", "1-0034567"])
    sheet.append([None] * 7)  # a blank row is skipped
    data = io.BytesIO()
    book.save(data)
    login(client, user.email)
    response = post(client, org, data.getvalue(), filename="TaiSan.XLSX", action="import")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert result_of(response)["created"] == 1
    asset = db.session.scalar(select(Listing))
    assert asset.ip.filing_date == date(2020, 2, 14) and asset.ip.grant_date == date(2023, 6, 1)
    assert asset.ip.application_number == "1-2020-01234" and asset.ip.expiry_date == date(2040, 2, 14)


@pytest.mark.parametrize(("data", "filename", "needle"), [
    (make_csv([GOOD[0]], header=HEADER[:-1] + ["ghi chú"]), "a.csv", "ghi chú"),
    (b"type,title_vi\ninvention,abc\n", "a.txt", None),
    (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n", "a.pdf", None),
    (b"%PDF-1.4 not a workbook", "a.xlsx", None),
    (b"type,title_vi\ninvention,Vi\xeat Nam\n", "a.csv", None),  # Latin-1, not UTF-8
    (b"", "a.csv", None),
    (make_csv([FIXED] * 1001), "many.csv", "1000"),
])
def test_unreadable_files_are_refused_on_the_form(client, db, institute, data, filename, needle):
    user, org = institute
    login(client, user.email)
    response = post(client, org, data, filename=filename, action="import")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and 'id="import-result"' not in html
    if needle:
        message = html.split('id="file-error">', 1)[1].split("</div>", 1)[0]
        assert needle in message
        if filename == "a.csv":
            assert "title_vi" in message and "application_number" in message  # the accepted columns are listed
    assert count(db) == 0


def test_missing_file_and_foreign_organisation_are_refused(client, db, institute, business):
    user, org = institute
    login(client, user.email)
    missing = client.post("/ip-assets/import", data={"organisation_id": str(org.id), "action": "check"})
    assert missing.status_code == 422 and 'id="file-error"' in missing.get_data(as_text=True)
    foreign = post(client, business[1], FIXED_FILE, action="import")
    assert foreign.status_code in (404, 422) and 'id="import-result"' not in foreign.get_data(as_text=True)
    assert count(db) == 0


def test_only_the_users_own_organisations_are_offered(client, db, institute, business):
    login(client, business[0].email)
    page = client.get("/ip-assets/import").get_data(as_text=True)
    assert f'value="{business[1].id}"' in page and f'value="{institute[1].id}"' not in page
    response = post(client, institute[1], FIXED_FILE, action="import")  # a forged organisation id
    assert response.status_code in (404, 422)
    assert db.session.scalar(select(func.count()).select_from(Listing)) == 0


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get("/ip-assets/import").status_code == 302
    assert client.get("/ip-assets/import/template.csv").status_code == 302


def test_template_downloads_with_a_bom_and_round_trips(client, db, institute):
    user, org = institute
    login(client, user.email)
    response = client.get("/ip-assets/import/template.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith("\ufeff".encode())
    rows = read_rows(response.data, "mau.csv")
    [(number, item)] = rows
    assert number == 2 and item["ip_type"] == "Sáng chế" and item["filing_date"] == date(2021, 7, 12)
    assert item["inventors"] == ["Phạm Minh Nghiên", "Trần Thị Lan"] and item["state_funded"] is True
    result = run_import(rows, by=user, organisation=org, dry_run=True)
    assert (result.valid, result.errors) == (1, [])
    db.session.rollback()  # as the caller must after a dry run: it also ends the transaction
    checked = post(client, org, response.data, filename="mau.csv")
    assert result_of(checked) == {"valid": 1, "errors": 0, "created": 0}


# --- service level ---

def test_run_import_is_all_or_nothing(db, institute):
    user, org = institute
    result = run_import(read_rows(BAD_FILE, "a.csv"), by=user, organisation=org, dry_run=False)
    assert [(e.row, e.column) for e in result.errors] == [(4, "application_number")]
    assert result.valid == 3 and result.created == []
    assert count(db) == 0  # the three valid rows are already undone, before the caller rolls back
    db.session.rollback()

    dry = run_import(read_rows(FIXED_FILE, "a.csv"), by=user, organisation=org, dry_run=True)
    assert (dry.valid, dry.errors, dry.created) == (4, [], [])
    db.session.rollback()
    assert count(db) == 0

    done = run_import(read_rows(FIXED_FILE, "a.csv"), by=user, organisation=org, dry_run=False)
    assert done.errors == [] and len(done.created) == 4
    db.session.commit()
    assert sorted(db.session.scalars(select(Listing.reference))) == sorted(done.created)


def test_every_bad_row_is_reported_with_its_column(db, institute):
    user, org = institute
    header = ["Loại", "Tên (tiếng Việt)", "Ngày nộp đơn", "Ngân sách nhà nước", "royalty_pct"]
    rows = [["invention", "Một", "31/02/2021", "", ""],  # no 31 February
            ["trademark", "", "", "", ""],  # no title
            ["", "Ba", "", "", ""],  # no type
            ["invention", "Bốn", "", "có lẽ", ""],  # not a yes/no
            ["invention", "Năm", "", "", "150"],
            ["sáng chế", "Sáu", "2021-07-12", "X", "2"]]
    data = make_csv(rows, header=header, delimiter=";", bom=True)
    result = run_import(read_rows(data, "a.csv"), by=user, organisation=org, dry_run=False)
    db.session.rollback()
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Ngày nộp đơn"), (3, "Tên (tiếng Việt)"), (4, "Loại"), (5, "Ngân sách nhà nước"), (6, "royalty_pct")]
    assert all(e.message for e in result.errors) and result.valid == 1 and count(db) == 0


def test_read_rows_limits(db):
    with pytest.raises(ImportFileError) as too_large:
        read_rows(b"type,title_vi\n" + b"invention,x\n" * 200_000, "a.csv")
    assert too_large.value.code == "too_large"
    with pytest.raises(ImportFileError) as too_many:
        read_rows(b"type\ttitle_vi\n" + b"invention\tx\n" * 1001, "a.csv")
    assert too_many.value.code == "too_many_rows"
    assert len(read_rows(b"type\ttitle_vi\n" + b"invention\tx\n" * 1000, "a.csv")) == 1000
    with pytest.raises(ImportFileError) as unknown:
        read_rows(b"type,colour\n", "a.csv")
    assert unknown.value.code == "unknown_column" and "colour" in unknown.value.message
    with pytest.raises(ImportFileError) as duplicate:
        read_rows("type,Loại\n".encode(), "a.csv")
    assert duplicate.value.code == "duplicate_column"
    assert template_csv().splitlines()[0].startswith("Loại,Tên (tiếng Việt)")
