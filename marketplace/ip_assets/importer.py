"""Bulk import of IP assets from a spreadsheet (CSV or XLSX), all or nothing.

``read_rows`` only parses: headers (API codes or Vietnamese names) become service field names; list, date and
yes/no cells are converted, a cell that cannot be is noted under the row's ``PROBLEMS``. ``run_import`` sends
every row through ``create_listing`` in its own savepoint (so every row's error is reported) inside an outer
savepoint it rolls back when a row failed or on a dry run. It never commits: the caller commits only when
``not dry_run and not result.errors``, else calls ``db.session.rollback()``.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from ..errors import ServiceError
from ..extensions import db
from ..listings.loaders import require_member
from ..listings.services import create_listing
from ..reference.services import is_active_code, list_codes
from ..text import fold, nfc, problem_in_text

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
MAX_PHYSICAL_ROWS = 20 * MAX_ROWS  # blank (formatted) rows of a worksheet count here, not towards MAX_ROWS
MAX_COLUMNS = 200
PROBLEMS = "_problems"  # key of a row dict: [(header, message)] for cells read_rows could not convert

# English code (as in the API) → Vietnamese names; the first Vietnamese name heads the template's column.
COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("Loại", "Loại tài sản", "Loại tài sản trí tuệ"), "title_vi": ("Tên (tiếng Việt)", "Tên tiếng Việt", "Tên"),
    "title_en": ("Tên (tiếng Anh)", "Tên tiếng Anh"), "summary": ("Tóm tắt",), "abstract": ("Mô tả", "Bản mô tả"),
    "application_number": ("Số đơn",), "certificate_number": ("Số văn bằng", "Số bằng"),
    "nonstandard_number": ("Số không theo mẫu",), "filing_date": ("Ngày nộp đơn",), "priority_date": ("Ngày ưu tiên",),
    "publication_date": ("Ngày công bố",), "grant_date": ("Ngày cấp", "Ngày cấp bằng"),
    "legal_status": ("Tình trạng", "Tình trạng pháp lý"), "inventors": ("Tác giả", "Tác giả sáng chế"),
    "co_owners": ("Đồng chủ sở hữu",), "representative": ("Đại diện SHCN", "Đại diện sở hữu công nghiệp"),
    "classification": ("Phân loại",), "nice_goods": ("Hàng hóa, dịch vụ", "Danh mục hàng hóa, dịch vụ"),
    "rights_offered": ("Quyền chào bán",), "territory": ("Lãnh thổ",), "field_of_use": ("Lĩnh vực sử dụng",),
    "asking_terms": ("Hình thức thanh toán",), "lump_sum_vnd": ("Giá trọn gói (VNĐ)", "Giá trọn gói"),
    "royalty_pct": ("Tỷ lệ phí bản quyền (%)", "Phí bản quyền (%)"), "st_fields": ("Lĩnh vực KH&CN",),
    "sectors": ("Ngành kinh tế",), "province": ("Tỉnh/thành", "Tỉnh"), "keywords": ("Từ khóa",),
    "state_funded": ("Ngân sách nhà nước",),
}
EXAMPLE = ("Sáng chế", "Phương pháp sấy long nhãn bằng bơm nhiệt hai giai đoạn",  # template row, in COLUMNS order
           "Two-stage heat-pump drying of dried longan", "Sấy long nhãn giữ màu vàng cánh gián, tiết kiệm 40 % điện",
           "Sấy hai giai đoạn: 55 °C trong 8 giờ rồi 45 °C đến độ ẩm 16–18 %.", "1-2021-04512", "1-0038211", "",
           "12/07/2021", "", "25/10/2021", "05/03/2024", "Đã cấp văn bằng", "Phạm Minh Nghiên; Trần Thị Lan", "", "",
           "IPC A23B 7/02", "", "Li-xăng độc quyền; Li-xăng không độc quyền", "Việt Nam", "Chế biến nông sản",
           "Phí theo tỷ lệ doanh thu (royalty)", "", "3,5", "401", "C", "Hưng Yên", "sấy nhãn; bơm nhiệt", "có")
RENAMED = {"type": "ip_type", "application_number": "application_number_raw",
           "certificate_number": "certificate_number_raw", "abstract": "description", "province": "province_code"}
LISTS = {"inventors", "co_owners", "rights_offered", "st_fields", "sectors", "keywords"}
DATE_COLUMNS = {"filing_date", "priority_date", "publication_date", "grant_date"}
BOOLEANS = {"nonstandard_number", "state_funded"}
TRUE, FALSE = {"x", "yes", "y", "co", "c", "1", "true", "dung"}, {"no", "n", "khong", "k", "0", "false", "sai"}
# service field → reference scheme whose Vietnamese or English labels are accepted in place of codes
LABELLED = {"ip_type": "ip_type", "legal_status": "ip_legal_status", "asking_terms": "ip_asking_terms",
            "rights_offered": "ip_rights", "province_code": "province", "st_fields": "st_field", "sectors": "vsic"}


def _key(header) -> str:
    return " ".join(fold(nfc(str(header or ""))).replace("*", " ").split()).rstrip(":").strip()


HEADERS: dict[str, str] = {_key(name): code for code, names in COLUMNS.items() for name in (code, *names)}
CODE_FOR = {RENAMED.get(code, code): code for code in COLUMNS}  # service field → column code


class ImportFileError(Exception):
    """The file as a whole cannot be read; ``message`` is translated."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code, self.message = code, str(message)


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    column: str  # the header as written in the file, or "" when the error concerns the whole row
    message: str


@dataclass
class ImportResult:
    dry_run: bool
    valid: int = 0  # rows that passed
    created: list[str] = field(default_factory=list)  # references; empty unless imported for real
    errors: list[RowError] = field(default_factory=list)


class Rows(list):
    """``[(row_number, data)]`` plus ``headers``: service field → the header as written in the file."""

    headers: dict[str, str]


def _cells_csv(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("encoding", _l("The file is not UTF-8 text. In Excel, save it as "
                                             "“CSV UTF-8 (Comma delimited)”, or upload the .xlsx file.")) from None
    if problem_in_text(text):
        raise ImportFileError("encoding", _l("The file contains characters that are not text (e.g. NUL)."))
    delimiter = max((",", ";", "\t"), key=text.split("\n", 1)[0].count)  # the one the header row uses most
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    except csv.Error:
        raise ImportFileError("unreadable", _l("The CSV file could not be read: check its quotes.")) from None


def _cells_xlsx(data: bytes) -> list:
    """The first worksheet's rows (read whole: a generator would keep the warnings filter below switched on)."""
    from openpyxl import load_workbook

    unreadable = ImportFileError("unreadable", _l("The Excel file could not be read. Save it again as .xlsx."))
    with warnings.catch_warnings():  # openpyxl warns about styles and extensions it ignores
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001  (zip, XML and openpyxl errors all mean "not a readable workbook")
            raise unreadable from None
        try:
            rows = book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS) if book.worksheets else ()
            return list(itertools.islice(rows, MAX_PHYSICAL_ROWS + 1))
        except Exception:  # noqa: BLE001
            raise unreadable from None
        finally:
            book.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def _to_date(value):
    if isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = _text(value)
    match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", text) else text
    except ValueError:
        return text  # the service refuses it with its own message, on this row


def _cell(code: str, value, header: str, problems: list):
    if code in DATE_COLUMNS:
        return _to_date(value)
    if code in BOOLEANS:
        word = fold(_text(value))
        if word in TRUE or word in FALSE:
            return word in TRUE
        return problems.append((header, str(_l("Write “x” or “có” for yes; leave the cell empty for no."))))
    text = _text(value)
    if problem_in_text(text):
        return problems.append((header, str(_l("The cell contains characters that are not text."))))
    if code in LISTS:
        return [part.strip() for part in text.replace("\n", ";").split(";") if part.strip()]
    if code == "lump_sum_vnd" and re.fullmatch(r"\d{1,3}([., ]\d{3})+", text):
        return re.sub(r"[., ]", "", text)  # 500.000.000 as Vietnamese write it
    if code == "royalty_pct":
        return text.rstrip("%").strip().replace(",", ".")
    return text


def read_rows(data: bytes, filename: str) -> Rows:
    """Parse a CSV or XLSX upload into ``[(row_number, data)]`` keyed by service field; blank rows are skipped."""
    name = (filename or "").lower()
    if len(data) > MAX_BYTES:
        raise ImportFileError("too_large", _l("The file is larger than 2 MB. Split it into several files."))
    if name.endswith(".xlsx"):
        cells = iter(_cells_xlsx(data))
    elif name.endswith(".csv"):
        if data.startswith(b"PK\x03\x04"):
            raise ImportFileError("wrong_type", _l("This is an Excel workbook: name it .xlsx, not .csv."))
        cells = _cells_csv(data)
    else:
        raise ImportFileError("wrong_type", _l("Upload a .csv (UTF-8) or .xlsx file. Other file types, including "
                                               "old .xls workbooks, cannot be imported."))
    try:
        return _parse(cells)
    finally:
        getattr(cells, "close", lambda: None)()  # a CSV reader stopped by a header or row limit


def _parse(cells) -> Rows:
    rows = Rows()
    header = next(cells, None)
    columns: list[tuple[str, str] | None] = []
    for raw in header or ():
        text = _text(raw)
        if not text:
            columns.append(None)
            continue
        code = HEADERS.get(_key(text))
        if code is None:
            raise ImportFileError("unknown_column", _l(
                "Unknown column “%(name)s”. Accepted columns: %(accepted)s (or their Vietnamese names, as in the "
                "template).", name=text[:60], accepted=", ".join(COLUMNS)))
        if any(c and c[0] == code for c in columns):
            raise ImportFileError("duplicate_column", _l("The column “%(name)s” appears twice.", name=text[:60]))
        columns.append((code, text))
    if not any(columns):
        raise ImportFileError("empty", _l("The first row must hold the column names, e.g. those of the template."))
    rows.headers = {RENAMED.get(code, code): text for code, text in filter(None, columns)}
    for number, values in enumerate(cells, start=2):
        values = list(values or ())
        blank = all(_text(v) == "" for v in values)
        if number > MAX_PHYSICAL_ROWS or (not blank and len(rows) >= MAX_ROWS):
            raise ImportFileError("too_many_rows", _l("Import at most %(max)d rows at a time.", max=MAX_ROWS))
        if blank:
            continue
        item: dict = {"ip_type": ""}  # a row without a type is refused, as the form refuses it
        problems: list = []
        for column, value in zip(columns, values, strict=False):
            if column is None or (value is None or _text(value) == ""):
                continue
            code, text = column
            converted = _cell(code, value, text, problems)
            if converted is not None:
                item[RENAMED.get(code, code)] = converted
        if problems:
            item[PROBLEMS] = problems
        rows.append((number, item))
    if not rows:
        raise ImportFileError("empty", _l("The file has no rows below the column names."))
    return rows


def _resolve(labels: dict, scheme: str, value: str) -> str:
    """Accept a reference code's Vietnamese or English label where a code is expected (labels: a per-import cache)."""
    if not value or is_active_code(scheme, value):
        return value
    if scheme not in labels:
        labels[scheme] = {fold(text): rc.code for rc in list_codes(scheme) for text in (rc.label_en, rc.label_vi) if text}
    return labels[scheme].get(fold(value), value)


def run_import(rows, *, by, organisation, dry_run: bool) -> ImportResult:
    """Create an IP asset draft per row; keep them only if every row passed and ``dry_run`` is false.

    Raises ServiceError (nothing done) when ``by`` is not an active member of ``organisation``. Never commits:
    commit after it only when ``not dry_run and not result.errors``, else call ``db.session.rollback()``.
    """
    require_member(by, organisation)
    headers = getattr(rows, "headers", {})
    result = ImportResult(dry_run=dry_run)
    labels: dict = {}
    created: list[str] = []
    with db.session.begin_nested() as outer:  # an exception rolls back every row too
        for number, item in rows:
            data = dict(item)
            problems = data.pop(PROBLEMS, [])
            if problems:
                result.errors.extend(RowError(number, column, message) for column, message in problems)
                continue
            for key, scheme in LABELLED.items():
                if isinstance(data.get(key), str):
                    data[key] = _resolve(labels, scheme, data[key])
                elif isinstance(data.get(key), list):
                    data[key] = [_resolve(labels, scheme, v) for v in data[key]]
            try:
                with db.session.begin_nested():
                    listing = create_listing("ip_asset", by=by, organisation=organisation, data=data)
            except ServiceError as exc:
                column = headers.get(exc.field) or CODE_FOR.get(exc.field or "", "")
                result.errors.append(RowError(number, column, exc.message))
            else:
                result.valid += 1
                created.append(listing.reference)
        if dry_run or result.errors:
            outer.rollback()
        else:
            result.created = created
    return result


def template_csv() -> str:
    """Header (Vietnamese column names) and one filled example row; serve it with a BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([names[0] for names in COLUMNS.values()])
    writer.writerow(EXAMPLE)
    return out.getvalue()
