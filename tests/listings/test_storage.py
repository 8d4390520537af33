import errno
import hashlib
import io
import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.listings import storage
from marketplace.listings.storage import (
    ALLOWED,
    AttachmentError,
    InvalidKey,
    content_disposition,
    delete_stored,
    open_stored,
    save_upload,
    sniff,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 40 + b"\xff\xd9"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82")
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
KEY_RE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}\.(jpg|png|webp|pdf)")
MAX = 1024 * 1024
VI_NAME = "đề xuất công nghệ sấy nhãn.pdf"


def files_under(root: Path) -> list[Path]:
    return [Path(d) / f for d, _, names in os.walk(root) for f in names]


class ChunkedStream:
    """Returns ``data`` in chunks, then raises ``error`` (if any) instead of signalling the end."""

    def __init__(self, data: bytes, error: BaseException | None = None, fail_after: int | None = None):
        self.buf = io.BytesIO(data)
        self.error = error
        self.fail_after = fail_after
        self.reads = 0

    def read(self, n: int = -1) -> bytes:
        if self.error is not None and self.reads == self.fail_after:
            raise self.error
        self.reads += 1
        chunk = self.buf.read(n)
        if not chunk and self.error is not None:
            raise self.error
        return chunk


@pytest.mark.parametrize(("data", "content_type"), [(JPEG, "image/jpeg"), (PNG, "image/png"),
                                                    (WEBP, "image/webp"), (PDF, "application/pdf")])
def test_each_allowed_type_is_stored_by_content(tmp_path, data, content_type):
    stored = save_upload(io.BytesIO(data), "upload.bin", tmp_path, max_bytes=MAX)
    assert stored.content_type == content_type
    assert stored.key.endswith(ALLOWED[content_type])
    assert KEY_RE.fullmatch(stored.key)
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    with open_stored(tmp_path, stored.key) as fh:
        assert fh.read() == data
    assert files_under(tmp_path) == [tmp_path / stored.key]  # nothing left in tmp/


def test_png_named_pdf_is_stored_as_png(tmp_path):
    stored = save_upload(io.BytesIO(PNG), "báo cáo.pdf", tmp_path, max_bytes=MAX)
    assert stored.content_type == "image/png"
    assert stored.key.endswith(".png")
    assert stored.original_name == "báo cáo.pdf"


@pytest.mark.parametrize(("data", "name"), [
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "anh.png"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "trang.pdf"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100, "setup.pdf"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 100, "tai-lieu.pdf"),
    (b"day chi la van ban thuong, khong phai anh\n", "anh.jpg"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32, "am-thanh.webp"),
    (b"\xff\xd8", "cut.jpg"),  # too short to be a JPEG signature
])
def test_other_types_are_rejected_and_leave_nothing(tmp_path, data, name):
    with pytest.raises(AttachmentError) as info:
        save_upload(io.BytesIO(data), name, tmp_path, max_bytes=MAX)
    assert info.value.code == "type"
    assert files_under(tmp_path) == []


def test_disallowed_type_is_refused_without_reading_the_whole_stream(tmp_path):
    stream = ChunkedStream(b"MZ" + b"\x00" * (10 * storage.CHUNK))
    with pytest.raises(AttachmentError) as info:
        save_upload(stream, "x.exe", tmp_path, max_bytes=100 * storage.CHUNK)
    assert info.value.code == "type"
    assert stream.reads == 1
    assert files_under(tmp_path) == []


def test_empty_upload_is_rejected(tmp_path):
    with pytest.raises(AttachmentError) as info:
        save_upload(io.BytesIO(b""), "empty.pdf", tmp_path, max_bytes=MAX)
    assert info.value.code == "empty"
    assert isinstance(info.value, ValueError)
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("max_bytes", [len(PNG), 3 * 64 * 1024, 3 * 64 * 1024 + 17])
def test_exactly_max_bytes_is_accepted(tmp_path, max_bytes):
    data = PNG + b"\x00" * (max_bytes - len(PNG))
    stored = save_upload(io.BytesIO(data), "a.png", tmp_path, max_bytes=max_bytes)
    assert stored.size == max_bytes
    assert (tmp_path / stored.key).stat().st_size == max_bytes
    assert files_under(tmp_path) == [tmp_path / stored.key]


@pytest.mark.parametrize("max_bytes", [len(PNG), 3 * 64 * 1024, 3 * 64 * 1024 + 17])
def test_one_byte_over_max_is_rejected_and_leaves_nothing(tmp_path, max_bytes):
    data = PNG + b"\x00" * (max_bytes + 1 - len(PNG))
    with pytest.raises(AttachmentError) as info:
        save_upload(io.BytesIO(data), "a.png", tmp_path, max_bytes=max_bytes)
    assert info.value.code == "too_large"
    assert info.value.limit == max_bytes
    assert files_under(tmp_path) == []


def test_oversized_stream_stops_reading_at_the_limit(tmp_path):
    stream = ChunkedStream(PNG + b"\x00" * (50 * storage.CHUNK))
    with pytest.raises(AttachmentError):
        save_upload(stream, "a.png", tmp_path, max_bytes=2 * storage.CHUNK)
    assert stream.reads == 3
    assert files_under(tmp_path) == []


def test_full_disk_mid_stream_leaves_nothing(tmp_path):
    stream = ChunkedStream(PNG + b"\x00" * (10 * storage.CHUNK), error=OSError(errno.ENOSPC, "No space left"),
                           fail_after=3)
    with pytest.raises(OSError) as info:
        save_upload(stream, "a.png", tmp_path, max_bytes=MAX)
    assert info.value.errno == errno.ENOSPC
    assert stream.reads == 3  # some chunks were written before the failure
    assert files_under(tmp_path) == []


def test_full_disk_on_fsync_leaves_nothing(tmp_path, monkeypatch):
    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", fsync)
    with pytest.raises(OSError):
        save_upload(io.BytesIO(PNG * 1000), "a.png", tmp_path, max_bytes=MAX)
    assert files_under(tmp_path) == []


def test_failed_rename_leaves_nothing(tmp_path, monkeypatch):
    def replace(src, dst):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(storage.os, "replace", replace)
    with pytest.raises(OSError):
        save_upload(io.BytesIO(PDF), "a.pdf", tmp_path, max_bytes=MAX)
    assert files_under(tmp_path) == []


def test_interrupt_mid_stream_leaves_nothing(tmp_path):
    stream = ChunkedStream(PNG + b"\x00" * (5 * storage.CHUNK), error=KeyboardInterrupt(), fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        save_upload(stream, "a.png", tmp_path, max_bytes=MAX)
    assert files_under(tmp_path) == []


def test_vietnamese_name_is_kept_and_key_has_no_user_text(tmp_path):
    stored = save_upload(io.BytesIO(PDF), VI_NAME, tmp_path, max_bytes=MAX)
    assert stored.original_name == VI_NAME
    assert KEY_RE.fullmatch(stored.key)
    assert "xu" not in stored.key and "nh" not in stored.key


def test_nfd_name_is_stored_as_nfc(tmp_path):
    stored = save_upload(io.BytesIO(PDF), unicodedata.normalize("NFD", VI_NAME), tmp_path, max_bytes=MAX)
    assert stored.original_name == VI_NAME


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\win.ini", "win.ini"),
    ("C:\\Users\\An\\Tài liệu\\hồ sơ.pdf", "hồ sơ.pdf"),
    ("báo\x00cáo\r\n.pdf", "báocáo.pdf"),
    ("anh\u202egnp.exe", "anhgnp.exe"),
    ("folder/", "folder"),
    ("..", "file.pdf"),
    ("", "file.pdf"),
])
def test_original_name_is_cleaned(tmp_path, name, expected):
    assert save_upload(io.BytesIO(PDF), name, tmp_path, max_bytes=MAX).original_name == expected


def test_long_name_is_cut_to_200_keeping_the_extension(tmp_path):
    stored = save_upload(io.BytesIO(PDF), "ả" * 500 + ".pdf", tmp_path, max_bytes=MAX)
    assert len(stored.original_name) == 200
    assert stored.original_name.endswith("ả.pdf")


def test_keys_are_random(tmp_path):
    keys = {save_upload(io.BytesIO(PDF), "same.pdf", tmp_path, max_bytes=MAX).key for _ in range(20)}
    assert len(keys) == 20


@pytest.mark.parametrize("key", [
    "../x", "../../etc/passwd", "/etc/passwd", "ab/cd/../../../etc/passwd", "tmp/upload-x.part",
    "ab/cd/abcd" + "0" * 28 + ".html", "ab/cd/abcd" + "0" * 28 + ".svg", "ab/cd/abcd" + "0" * 27 + ".pdf",
    "AB/CD/ABCD" + "0" * 28 + ".pdf", "ab/cd/ef01" + "0" * 28 + ".pdf", "ab\\cd\\abcd" + "0" * 28 + ".pdf",
    "ab/cd/abcd" + "0" * 28 + ".pdf\n", "/ab/cd/abcd" + "0" * 28 + ".pdf", "", None, 42,
])
def test_malformed_keys_are_refused(tmp_path, key):
    with pytest.raises(InvalidKey):
        open_stored(tmp_path, key)
    with pytest.raises(InvalidKey):
        delete_stored(tmp_path, key)


def test_delete_is_idempotent(tmp_path):
    stored = save_upload(io.BytesIO(JPEG), "a.jpg", tmp_path, max_bytes=MAX)
    assert delete_stored(tmp_path, stored.key) is True
    assert delete_stored(tmp_path, stored.key) is False
    assert files_under(tmp_path) == []
    with pytest.raises(FileNotFoundError):
        open_stored(tmp_path, stored.key)


def test_content_disposition_vietnamese():
    header = content_disposition(VI_NAME)
    fallback = re.search(r'filename="([^"]*)"', header).group(1)
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", header).group(1)
    assert header.startswith("attachment; ")
    assert fallback == "de xuat cong nghe say nhan.pdf"
    assert header.isascii()
    assert re.fullmatch(r"[A-Za-z0-9!#$&+\-.^_`|~%]+", encoded)
    assert unquote(encoded, encoding="utf-8", errors="strict") == VI_NAME


def test_content_disposition_normalises_and_strips_dangerous_characters():
    header = content_disposition(unicodedata.normalize("NFD", 'Bá"o c%d\r\nSet-Cookie: x=1;.pdf'))
    fallback = re.search(r'filename="([^"]*)"', header).group(1)
    assert "\r" not in header and "\n" not in header
    assert fallback == "bao cdset-cookie: x=1;.pdf"
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", header).group(1)
    assert unquote(encoded) == 'Bá"o c%dSet-Cookie: x=1;.pdf'


def test_content_disposition_non_latin_and_empty():
    assert content_disposition("报告") == "attachment; filename=\"file\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A"
    assert content_disposition("报告.pdf") == "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"
    assert content_disposition("") == "attachment; filename=\"file\"; filename*=UTF-8''file"
    assert content_disposition("../../") == "attachment; filename=\"file\"; filename*=UTF-8''file"


def test_sniff_needs_the_signature_at_the_start():
    assert sniff(b"") is None
    assert sniff(b" %PDF-1.4") is None
    assert sniff(b"RIFF\x00\x00\x00\x00WEBX") is None
    assert sniff(b"\x89PNG\r\n\x1a") is None
    assert sniff(PNG[:8]) == "image/png"


ANY_TEXT = st.one_of(
    st.text(),
    st.text(st.characters(exclude_categories=())),  # with lone surrogates
    st.text(st.sampled_from(["/", "\\", ".", "\x00", "\r", "\n", "\u202e", "đ", "ề", "\u0301", " "])),
    st.text(min_size=190, max_size=400),
)


@settings(max_examples=200, deadline=None)
@given(name=ANY_TEXT)
def test_any_name_is_accepted_and_made_safe(tmp_path_factory, name):
    root = tmp_path_factory.mktemp("prop", numbered=True)
    stored = save_upload(io.BytesIO(PNG), name, root, max_bytes=MAX)
    clean = stored.original_name
    assert clean
    assert "/" not in clean and "\\" not in clean
    assert not any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for ch in clean)
    assert len(clean) <= 200
    assert clean == unicodedata.normalize("NFC", clean)
    assert stored.content_type == "image/png" and KEY_RE.fullmatch(stored.key)
    header = content_disposition(name)
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert unquote(header.rsplit("UTF-8''", 1)[1], errors="strict") == (storage.clean_name(name) or "file")
