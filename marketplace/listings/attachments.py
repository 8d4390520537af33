"""Attachment services: add an image or PDF to a listing, remove one. They flush and audit, never commit.

Files and rows must agree: a row without its file is a broken link, a file without its row is an orphan
nobody can reach or delete. The two cannot share one transaction, so:

* **Adding** stores the file first (``storage.save_upload``), then flushes the row. If the flush fails the
  file is deleted at once. The stored key is also remembered on the session (``session.info``) together
  with the transaction it belongs to, and two session listeners below finish the job: when that
  transaction (or a savepoint enclosing it) is rolled back, or the session is closed without committing,
  the file is deleted; when the outermost transaction commits, it is kept. So a view that rolls back, a
  commit that fails, or a request that ends without committing leaves no orphan file — the view needs no
  cleanup code of its own. A crash of the whole process between save and commit can still leave a file
  behind; a periodic sweep comparing ``uploads/`` with ``listing_attachment.key`` would catch it
  (not written yet).
* **Removing** deletes the row, and the file only after the commit (``tasks.after_commit``): a rolled
  back removal keeps its file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..audit.services import record
from ..errors import ServiceError, fail
from ..extensions import db
from ..tasks import after_commit
from ..text import nfc
from . import storage
from .loaders import require_member
from .models import Attachment, Listing, Status

log = logging.getLogger(__name__)

MAX_ATTACHMENTS = 10
MAX_CAPTION = 200
CLOSED_STATUSES = (Status.CLOSED.value, Status.WITHDRAWN.value, Status.ARCHIVED.value)
MIB = 1024 * 1024

_UNCOMMITTED = "marketplace_uncommitted_uploads"


def upload_root() -> Path:
    """Where attachments are stored: ``DATA_DIR/uploads``, outside ``static/``."""
    return Path(current_app.config["DATA_DIR"]) / "uploads"


def discard_stored(root: Path | str, key: str) -> bool:
    """Delete a stored file, logging instead of raising: used where the database work already happened."""
    try:
        return storage.delete_stored(root, key)
    except (OSError, storage.InvalidKey):
        log.warning("could not delete stored attachment %s under %s", key, root, exc_info=True)
        return False


# --- files stored in a transaction that has not committed yet -------------------------------------------

def _current_transaction(session: Session):
    session.connection()  # begin now, so the transaction we remember is the one that commits or rolls back
    return session.get_nested_transaction() or session.get_transaction()


def _remember(session: Session, root: Path, key: str) -> None:
    session.info.setdefault(_UNCOMMITTED, []).append((_current_transaction(session), str(root), key))


def _forget(session: Session, key: str) -> None:
    pending = session.info.get(_UNCOMMITTED)
    if pending:
        pending[:] = [entry for entry in pending if entry[2] != key]


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _discard_within(session: Session, ended) -> None:
    pending = session.info.get(_UNCOMMITTED)
    if not pending:
        return
    keep = []
    for entry in pending:
        transaction, root, key = entry
        if _within(transaction, ended):
            discard_stored(root, key)
        else:
            keep.append(entry)
    if keep:
        session.info[_UNCOMMITTED] = keep
    else:
        session.info.pop(_UNCOMMITTED, None)


@event.listens_for(Session, "after_commit")
def _keep_committed_uploads(session: Session) -> None:
    # Releasing a SAVEPOINT fires after_commit too: the files are durable only once the outermost commits.
    if not session.in_nested_transaction():
        session.info.pop(_UNCOMMITTED, None)


@event.listens_for(Session, "after_soft_rollback")
def _discard_rolled_back_uploads(session: Session, previous_transaction) -> None:
    _discard_within(session, previous_transaction)


@event.listens_for(Session, "after_transaction_end")
def _discard_unfinished_uploads(session: Session, transaction) -> None:
    # The outermost transaction ended without after_commit having claimed its files: closed, not committed.
    if transaction.parent is None:
        _discard_within(session, transaction)


# --- services ------------------------------------------------------------------------------------------

def _upload_error(exc: storage.AttachmentError) -> ServiceError:
    if exc.code == "too_large":
        limit = exc.limit or current_app.config["UPLOAD_MAX_BYTES"]
        if limit >= MIB:
            message = _l("The file is larger than %(mb)d MB.", mb=limit // MIB)
        else:
            message = _l("The file is larger than %(kb)d KB.", kb=max(1, limit // 1024))
        return fail("file", message, status=413, code="file_too_large")
    if exc.code == "empty":
        return fail("file", _l("The file is empty."), code="file_empty")
    return fail("file", _l("Only JPEG, PNG, WebP images and PDF files are accepted."), code="file_type")


def add_attachment(listing: Listing, *, by, stream, filename: str | None, caption: str | None = None) -> Attachment:
    """Store ``stream`` (anything with ``read(n)``) as a new attachment of ``listing``.

    Refusals (``ServiceError``): not a member (403), listing closed/withdrawn/archived (409), already
    :data:`MAX_ATTACHMENTS` (409), caption too long (422, field ``caption``), empty or disallowed file
    (422, field ``file``), file over ``UPLOAD_MAX_BYTES`` (413, field ``file``).
    """
    require_member(by, listing.organisation)
    if listing.status in CLOSED_STATUSES:
        raise fail(None, _l("Files cannot be added to a closed, withdrawn or archived listing."), status=409,
                   code="listing_closed")
    caption = nfc(caption or "").strip() or None
    if caption is not None and len(caption) > MAX_CAPTION:
        raise fail("caption", _l("Use at most %(max)d characters.", max=MAX_CAPTION))
    count = db.session.scalar(select(func.count()).select_from(Attachment)
                              .where(Attachment.listing_id == listing.id))
    if count >= MAX_ATTACHMENTS:
        raise fail(None, _l("A listing can have at most %(max)d files. Remove one first.", max=MAX_ATTACHMENTS),
                   status=409, code="too_many_attachments")

    root = upload_root()
    try:
        stored = storage.save_upload(stream, filename or "", root, max_bytes=current_app.config["UPLOAD_MAX_BYTES"])
    except storage.AttachmentError as exc:
        raise _upload_error(exc) from exc

    session = db.session()
    _remember(session, root, stored.key)
    attachment = Attachment(key=stored.key, content_type=stored.content_type, size=stored.size,
                            sha256=stored.sha256, original_name=stored.original_name, caption=caption,
                            uploaded_by_id=by.id)
    try:
        listing.attachments.append(attachment)
        session.flush()
    except BaseException:
        _forget(session, stored.key)
        discard_stored(root, stored.key)
        raise
    record("listing.attachment_added", actor=by, obj=listing, attachment=attachment.id,
           name=attachment.original_name, content_type=attachment.content_type, size=attachment.size)
    return attachment


def remove_attachment(attachment: Attachment, *, by) -> None:
    """Delete ``attachment``; its file goes once the transaction commits (kept if it rolls back)."""
    listing = db.session.get(Listing, attachment.listing_id)
    require_member(by, listing.organisation)
    key, details = attachment.key, {"attachment": attachment.id, "name": attachment.original_name}
    if attachment in listing.attachments:
        listing.attachments.remove(attachment)  # delete-orphan: the row goes at flush
    else:
        db.session.delete(attachment)
    db.session.flush()
    record("listing.attachment_removed", actor=by, obj=listing, **details)
    after_commit(db.session(), discard_stored, upload_root(), key)


__all__ = ["MAX_ATTACHMENTS", "add_attachment", "discard_stored", "remove_attachment", "upload_root"]
