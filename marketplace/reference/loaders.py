"""Reference loaders shared by the admin pages and the API: an unknown list is a 404 naming the known ones."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _

from ..extensions import db
from .models import ReferenceCode
from .services import SCHEMES, Scheme


def get_scheme_or_404(name: str) -> Scheme:
    scheme = SCHEMES.get(name)
    if scheme is None:
        abort(404, description=_("Unknown code list. Use one of: %(schemes)s.", schemes=", ".join(SCHEMES)))
    return scheme


def get_code_or_404(code_id: int) -> ReferenceCode:
    return db.session.get(ReferenceCode, code_id) or abort(404)
