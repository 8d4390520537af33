"""Attachment storage for listings: generated names, magic-byte types, atomic writes, safe downloads.

Files live under ``root`` (``DATA_DIR/uploads``, outside ``static/``) as ``ab/cd/<32 hex>.<ext>``. The
key is random and never derived from what the user typed; the original name is kept for display and for
``Content-Disposition`` only. Uploads stream into ``root/tmp/`` and are renamed into place once complete,
so a full disk, an oversized upload or an interrupted request leaves no fragment behind. The type comes
from the first bytes, never from the name or the client's ``Content-Type``. No Flask objects here: views
pass ``file_storage.stream`` and ``file_storage.filename``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from marketplace.text import fold

ALLOWED = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}
CHUNK = 64 * 1024
SNIFF_BYTES = 16  # enough for every signature in :func:`sniff`
MAX_NAME = 200
TMP_DIR = "tmp"

_KEY_RE = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/\1\2[0-9a-f]{28}\.(?:jpg|png|webp|pdf)")
# Control characters, invisible formatting (bidi overrides such as U+202E that disguise "gpj.exe"),
# lone surrogates and the Unicode line/paragraph separators.
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_RFC5987_SAFE = "!#$&+^`|~"  # attr-char besides ALPHA / DIGIT / "-" "." "_", which quote() keeps anyway


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, if it is one of :data:`ALLOWED`, else ``None``.

    SVG and HTML are deliberately absent: both can carry scripts.
    """
    head = bytes(head[:SNIFF_BYTES])
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


@dataclass(frozen=True)
class StoredFile:
    key: str
    content_type: str
    size: int
    sha256: str
    original_name: str


class AttachmentError(ValueError):
    """An upload that cannot be stored. ``code`` is ``"empty"``, ``"too_large"`` or ``"type"``."""

    CODES = frozenset({"empty", "too_large", "type"})

    def __init__(self, code: str, limit: int | None = None):
        if code not in self.CODES:
            raise ValueError(f"unknown attachment error code {code!r}")
        self.code = code
        self.limit = limit
        super().__init__(code if limit is None else f"{code} (limit {limit} bytes)")


class InvalidKey(ValueError):
    """A storage key that is not of the generated form (and so may point outside ``root``)."""


def clean_name(name: str) -> str:
    """The display form of a user's file name: NFC, last path component, no control characters.

    Vietnamese letters are kept (unlike ``werkzeug.utils.secure_filename``). May return ``""``.
    """
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROP_CATEGORIES)
    parts = [p.strip() for p in re.split(r"[/\\]", text)]
    parts = [p for p in parts if p and p not in {".", ".."}]
    text = parts[-1] if parts else ""
    if len(text) > MAX_NAME:
        stem, dot, ext = text.rpartition(".")
        if dot and stem and 0 < len(ext) <= 16:
            text = stem[: MAX_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            text = text[:MAX_NAME]
    # Cutting may separate a base letter from its mark: normalise again, and cut again to be sure.
    return unicodedata.normalize("NFC", text)[:MAX_NAME].strip()


def new_key(content_type: str) -> str:
    digits = secrets.token_hex(16)
    return f"{digits[:2]}/{digits[2:4]}/{digits}{ALLOWED[content_type]}"


def is_valid_key(key: object) -> bool:
    return isinstance(key, str) and _KEY_RE.fullmatch(key) is not None


def _path(root: Path | str, key: str) -> Path:
    if not is_valid_key(key):
        raise InvalidKey(f"not a storage key: {key!r}")
    return Path(root) / key


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_upload(stream, original_name: str, root: Path | str, *, max_bytes: int) -> StoredFile:
    """Store ``stream`` (anything with ``read(n) -> bytes``) under a new key in ``root``.

    Raises :class:`AttachmentError` for an empty, oversized (more than ``max_bytes``) or disallowed
    upload. Whatever happens, including ``OSError`` from a full disk or ``KeyboardInterrupt``, either the
    complete file is in place and returned, or no file is left behind.
    """
    if max_bytes < 1:
        raise ValueError("max_bytes must be positive")
    root = Path(root)
    tmp_dir = root / TMP_DIR
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=".part")
    tmp = Path(tmp_name)
    dest: Path | None = None
    try:
        with os.fdopen(fd, "wb") as out:
            digest = hashlib.sha256()
            size = 0
            head = b""
            content_type = None
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentError("too_large", limit=max_bytes)
                if content_type is None and len(head) < SNIFF_BYTES:
                    head += bytes(chunk[: SNIFF_BYTES - len(head)])
                    if len(head) >= SNIFF_BYTES:
                        content_type = sniff(head)
                        if content_type is None:  # no need to read the rest
                            raise AttachmentError("type")
                digest.update(chunk)
                out.write(chunk)
            if size == 0:
                raise AttachmentError("empty")
            if content_type is None:
                content_type = sniff(head)
                if content_type is None:
                    raise AttachmentError("type")
            out.flush()
            os.fsync(out.fileno())
        key = new_key(content_type)
        target = root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        dest = target
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if dest is not None:
            with contextlib.suppress(OSError):
                dest.unlink(missing_ok=True)
        raise
    name = clean_name(original_name) or "file" + ALLOWED[content_type]
    return StoredFile(key=key, content_type=content_type, size=size, sha256=digest.hexdigest(),
                      original_name=name)


def open_stored(root: Path | str, key: str) -> BinaryIO:
    """Open a stored file for reading. :class:`InvalidKey` for a malformed key, ``FileNotFoundError``."""
    return open(_path(root, key), "rb")  # the caller closes it (send_file does)


def delete_stored(root: Path | str, key: str) -> bool:
    """Remove a stored file; ``False`` when it was already gone. Parent directories are kept."""
    path = _path(root, key)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def content_disposition(original_name: str) -> str:
    """A ``Content-Disposition: attachment`` value with an ASCII fallback and an RFC 5987 UTF-8 name."""
    name = clean_name(original_name) or "file"
    ascii_only = "".join(ch if " " <= ch <= "~" else "_" for ch in fold(name))
    fallback = "".join(ch for ch in ascii_only if ch not in '"\\%').strip()
    if not fallback.strip("_. "):
        fallback = "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe=_RFC5987_SAFE)}"
