from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..forms_base import BaseForm, max_length

ROLE_LABELS = {"member": _l("Member"), "moderator": _l("DOST moderator"), "organiser": _l("DOST event organiser"),
               "admin": _l("DOST administrator")}


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()))


class OrgStatusForm(BaseForm):
    status = SelectField(_l("Status"), choices=[("verified", _l("Verified")), ("suspended", _l("Suspended")),
                                                ("pending", _l("Waiting for verification"))])
    note = TextAreaField(_l("Note"), validators=[Optional(), max_length(500)])


class ReferenceCodeForm(BaseForm):
    label_vi = StringField(_l("Vietnamese label"), validators=[DataRequired(_l("This field is required.")),
                                                               max_length(255)])
    label_en = StringField(_l("English label"), validators=[Optional(), max_length(255)])
    active = BooleanField(_l("Active (can be chosen in forms)"))
