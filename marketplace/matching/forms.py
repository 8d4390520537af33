from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from ..forms_base import BaseForm


class PreferencesForm(BaseForm):
    """The alert settings on the saved-searches page (the checkbox posts ``digest=1`` when ticked)."""

    digest = BooleanField(_l("Mail me (at most once a day) when a listing that strongly matches one of my listings "
                             "is published."), false_values=("", "0", "false"))
