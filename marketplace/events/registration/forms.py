"""The registration form of a participant (the service checks the rules again, for the API too)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ...forms_base import BaseForm, max_length
from ..forms import REQUIRED
from ..labels import PARTICIPANT_LABELS


class RegistrationForm(BaseForm):
    participant_type = SelectField(_l("I take part as"), validators=[DataRequired(REQUIRED)])
    organisation_id = SelectField(_l("On behalf of"), coerce=int, validate_choice=False)
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(32)])
    position = StringField(_l("Position"), validators=[Optional(), max_length(120)])
    needs = StringField(_l("Accessibility or dietary needs"), validators=[Optional(), max_length(300)])
    interests = TextAreaField(_l("What you are looking for or bring to the fair"),
                              validators=[Optional(), max_length(500)],
                              description=_l("Helps the B2B matchmaking; shown to other participants only if you "
                                             "agree to the directory below."))
    consent_processing = BooleanField(_l("I agree that DOST processes the data above to organise this event."))
    consent_share_contact = BooleanField(_l("Exhibitors may receive my name, organisation and email when they scan "
                                            "my badge."))
    consent_photos = BooleanField(_l("I agree to appear in photos and videos of the event."))
    in_directory = BooleanField(_l("List me in the B2B participants directory of this event."))

    def fill_choices(self, event, organisations) -> None:
        self.participant_type.choices = [(c.participant_type, PARTICIPANT_LABELS.get(c.participant_type))
                                         for c in event.capacities if c.capacity > 0]
        self.organisation_id.choices = [(0, _l("Myself (no organisation)"))] + \
            [(o.id, o.legal_name) for o in organisations]
