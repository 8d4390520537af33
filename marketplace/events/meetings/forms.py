"""The organisers' form for a matchmaking session (other B2B pages post plain fields the services check)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, StringField
from wtforms.validators import DataRequired, NumberRange

from ...forms_base import BaseForm, max_length
from ..forms import MOMENT, REQUIRED


class SessionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), max_length(200)])
    starts_at = DateTimeLocalField(_l("Starts (Vietnam time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(MOMENT)])
    ends_at = DateTimeLocalField(_l("Ends (Vietnam time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(MOMENT)])
    slot_minutes = IntegerField(_l("Minutes per meeting"), default=20,
                                validators=[NumberRange(5, 120, _l("A slot lasts from 5 to 120 minutes."))])
    tables = IntegerField(_l("Tables"), default=10,
                          validators=[NumberRange(1, 500, _l("Give from 1 to 500 tables."))])

    def session_data(self) -> dict:
        """What ``define_session`` takes."""
        return {name: self[name].data for name in ("title", "starts_at", "ends_at", "slot_minutes", "tables")}
