"""Listing attachments over HTML: upload, delete, download.

Downloads are visible exactly when the listing is (``access.get_listing_or_404``), and are always served as
``attachment`` with ``nosniff`` and a sandboxing CSP: user files are never rendered inline on our origin.
Uploads and deletions redirect back to the listing with a flash message, whatever went wrong.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import StringField

from ..actions import attempt
from ..extensions import db, talisman
from ..forms_base import BaseForm, max_length
from ..permissions import Permission, public, requires
from . import storage
from .attachments import MAX_CAPTION, add_attachment, remove_attachment, upload_root
from .loaders import get_listing_or_404
from .models import Attachment, Listing

bp = Blueprint("attachments", __name__)

DOWNLOAD_CSP = "default-src 'none'; sandbox"


class AttachmentForm(BaseForm):
    file = FileField(_l("File"))
    caption = StringField(_l("Caption (optional)"), validators=[max_length(MAX_CAPTION)])


def _back(listing: Listing):
    return redirect(url_for("listings.detail", reference=listing.reference))


@bp.post("/l/<reference>/attachments")
@requires(Permission.LISTING_CREATE)
def upload(reference: str):
    listing = get_listing_or_404(reference, current_user, edit=True)
    form = AttachmentForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            flash(_("The form expired. Please submit it again."), "danger")
        else:
            flash(next(iter(form.errors.values()))[0], "danger")
        return _back(listing)
    upload_file = form.file.data
    if not isinstance(upload_file, FileStorage) or not upload_file.filename:
        flash(_("Choose a file to upload."), "danger")
        return _back(listing)
    # A failed or missing commit needs no cleanup here: attachments.py deletes the stored file when the
    # transaction it was added in rolls back or ends uncommitted.
    attempt(lambda: add_attachment(listing, by=current_user, stream=upload_file.stream,
                                   filename=upload_file.filename, caption=form.caption.data),
            lambda attachment: _("“%(name)s” was attached.", name=attachment.original_name))
    return _back(listing)


@bp.post("/l/<reference>/attachments/<int:attachment_id>/delete")
@requires(Permission.LISTING_CREATE)
def delete(reference: str, attachment_id: int):
    listing = get_listing_or_404(reference, current_user, edit=True)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.listing_id != listing.id:
        abort(404)
    attempt(lambda: remove_attachment(attachment, by=current_user),
            _("“%(name)s” was removed.", name=attachment.original_name))
    return _back(listing)


@bp.get("/attachments/<int:attachment_id>/<path:name>")
@public
@talisman(content_security_policy=None)  # the view sets its own, stricter policy below
def download(attachment_id: int, name: str):
    """``name`` only makes the URL readable; the stored original name is what the browser is given."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    get_listing_or_404(attachment.listing_id, current_user)  # 404 unless the listing is visible to the user
    try:
        fh = storage.open_stored(upload_root(), attachment.key)
    except (FileNotFoundError, storage.InvalidKey):
        current_app.logger.warning("attachment %s: stored file %s is missing", attachment.id, attachment.key)
        abort(404)
    response = send_file(fh, mimetype=attachment.content_type, conditional=True, etag=attachment.sha256,
                         last_modified=attachment.created_at, max_age=None)
    response.headers["Content-Disposition"] = storage.content_disposition(attachment.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.app_template_filter("filesize")
def filesize(size: int | None) -> str:
    """``1,5 MB`` / ``820 KB`` / ``12 B`` in the current locale's number format."""
    size = size or 0
    if size >= 1024 * 1024:
        return f"{format_decimal(round(size / (1024 * 1024), 1), format='#,##0.#')} MB"
    if size >= 1024:
        return f"{format_decimal(round(size / 1024), format='#,##0')} KB"
    return f"{size} B"


__all__ = ["bp"]
