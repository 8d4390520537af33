"""Bulk import of IP assets from a CSV or XLSX file: check first (dry run), then import, all or nothing.

Whatever is wrong with the upload (no file, wrong type, too large, not UTF-8, unknown column) is shown on the
form; errors in rows are listed with their row number and column, and then nothing is imported.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import SelectField

from ..errors import ServiceError
from ..extensions import db
from ..forms_base import BaseForm
from ..permissions import Permission, requires
from .importer import COLUMNS, MAX_BYTES, MAX_ROWS, ImportFileError, read_rows, run_import, template_csv

bp = Blueprint("ip_import", __name__)
TEMPLATE_NAME = "mau-nhap-tai-san-tri-tue.csv"


class ImportForm(BaseForm):
    file = FileField(_l("Spreadsheet (CSV UTF-8 or XLSX)"),
                     description=_l("One IP asset per row, the column names in the first row; at most 1,000 rows "
                                    "and 2 MB."))
    organisation_id = SelectField(_l("Organisation"), coerce=int)


@bp.route("/ip-assets/import", methods=["GET", "POST"])
@requires(Permission.LISTING_CREATE)
def import_assets():
    # Listings are always owned by an organisation its members manage, so DOST imports into its own
    # organisation (e.g. the GIs and certification marks it manages), like an institute.
    organisations = current_user.active_organisations()
    if not organisations:
        flash(_("Register or join an organisation first: listings are published in its name."), "warning")
        return redirect(url_for("accounts.profile"))
    form = ImportForm()
    form.organisation_id.choices = [(o.id, o.display_name) for o in organisations]
    action = request.form.get("action") if request.form.get("action") in ("check", "import") else "check"
    result = None
    if form.validate_on_submit():
        organisation = next((o for o in organisations if o.id == form.organisation_id.data), None)
        if organisation is None:
            abort(404)
        upload = form.file.data
        if not isinstance(upload, FileStorage) or not upload.filename:
            form.file.errors = [_("Choose a CSV or XLSX file to import.")]
        else:
            try:
                rows = read_rows(upload.stream.read(MAX_BYTES + 1), upload.filename)
                result = run_import(rows, by=current_user, organisation=organisation, dry_run=action != "import")
            except ImportFileError as exc:
                form.file.errors = [exc.message]
            except ServiceError as exc:
                db.session.rollback()
                form.organisation_id.errors = [exc.message]
            else:
                if result.dry_run or result.errors:
                    db.session.rollback()  # run_import already undid its rows; nothing else is kept either
                else:
                    db.session.commit()
    failed = bool(form.errors or (result is not None and result.errors))
    filename = form.file.data.filename if isinstance(form.file.data, FileStorage) else ""
    return render_template("ip_assets/import.html", form=form, result=result, action=action, columns=COLUMNS,
                           filename=filename, max_rows=MAX_ROWS), 422 if failed else 200


@bp.get("/ip-assets/import/template.csv")
@requires(Permission.LISTING_CREATE)
def import_template():
    response = Response("\ufeff" + template_csv(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAME}"'
    return response
