"""The scan form at the gates (the page renders its own inputs: the gate is kept apart, for the camera)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from ...forms_base import BaseForm


class ScanForm(BaseForm):
    """A ticket code (scanned or typed) and the gate it was scanned at. A refusal of the check-in that names
    the gate is kept on the ``gate`` field, for the answer panel."""

    code = StringField(_l("Ticket code"))
    gate = StringField(_l("Gate"))
