"""Organisers' forms of the event core: the event itself and an agenda item."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from ..forms_base import BaseForm, max_length
from ..reference.services import choices
from .labels import EVENT_TYPE_LABELS, PARTICIPANT_LABELS
from .models import ParticipantType

REQUIRED = _l("This field is required.")
MOMENT = _l("Enter a date and time.")
PLACES = _l("Enter a whole number of places from 0 to 100000.")


class EventForm(BaseForm):
    type = SelectField(_l("Type of event"), choices=list(EVENT_TYPE_LABELS.items()), validators=[DataRequired(REQUIRED)])
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[DataRequired(REQUIRED), max_length(200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(REQUIRED), max_length(200)])
    description_vi = TextAreaField(_l("Description (Vietnamese)"), validators=[Optional(), max_length(20000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), max_length(20000)])
    venue = StringField(_l("Venue"), validators=[DataRequired(REQUIRED), max_length(200)])
    address = StringField(_l("Address"), validators=[Optional(), max_length(300)])
    province_code = SelectField(_l("Province or city"), validate_choice=False)
    starts_at = DateTimeLocalField(_l("Starts (Vietnam time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(MOMENT)])
    ends_at = DateTimeLocalField(_l("Ends (Vietnam time)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(MOMENT)])
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format="%Y-%m-%dT%H:%M",
                                               validators=[Optional()], description=_l("Empty: as soon as published."))
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), format="%Y-%m-%dT%H:%M",
                                                validators=[Optional()], description=_l("Empty: when the event ends."))
    approval_required = BooleanField(_l("Registrations need the organisers' approval"))
    waitlist_enabled = BooleanField(_l("Keep a waitlist when a participant type is full"), default=True)
    offer_hours = IntegerField(_l("Hours to confirm a place offered from the waitlist"), default=48,
                               validators=[DataRequired(REQUIRED), NumberRange(1, 720, _l("Give between 1 and 720 hours."))])
    floor_plan = FileField(_l("Floor plan (JPEG, PNG or WebP image)"))

    def fill_choices(self) -> None:
        self.province_code.choices = choices("province", blank=_l("Choose…"))

    def event_data(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "floor_plan") and not name.startswith("capacity_")}
        data["capacity"] = {t: getattr(self, f"capacity_{t}").data for t in ParticipantType
                            if getattr(self, f"capacity_{t}").data is not None}
        return data


for _type in ParticipantType:
    setattr(EventForm, f"capacity_{_type}",
            IntegerField(_l("Places: %(type)s", type=PARTICIPANT_LABELS[_type]),
                         validators=[Optional(), NumberRange(0, 100_000, PLACES)],
                         description=_l("Empty: this event does not take this type.")))


class AgendaItemForm(BaseForm):
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(MOMENT)])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(MOMENT)])
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[DataRequired(REQUIRED), max_length(200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), max_length(200)])
    room = StringField(_l("Room"), validators=[Optional(), max_length(100)])
    speakers = StringField(_l("Speakers"), validators=[Optional(), max_length(300)])
