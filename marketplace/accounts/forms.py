from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, EqualTo, InputRequired, Length, Optional

from ..forms_base import BaseForm, max_length
from ..permissions import DEFAULT_SCOPES, SCOPES
from .models import OrgType
from .passwords import MAX_LENGTH, MIN_LENGTH

REQUIRED = _l("This field is required.")


def _password_field(label):
    return PasswordField(label, validators=[InputRequired(REQUIRED), Length(
        min=MIN_LENGTH, max=MAX_LENGTH, message=_l("Use between 12 and 128 characters."))],
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH, "maxlength": MAX_LENGTH})


def _confirm_field(target):
    return PasswordField(_l("Repeat the password"), validators=[
        InputRequired(REQUIRED), EqualTo(target, message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})


class SignupForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), max_length(120)],
                            render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), max_length(254)],
                       render_kw={"autocomplete": "email"})
    password = _password_field(_l("Password"))
    confirm = _confirm_field("password")
    consent = BooleanField(_l("I have read the privacy notice and agree to the processing of my personal data "
                              "for running my account."),
                           validators=[DataRequired(_l("You must accept the privacy notice to sign up."))])


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), max_length(254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[InputRequired(REQUIRED), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})


class EmailForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(REQUIRED), max_length(254)],
                       render_kw={"autocomplete": "email"})


class ResetPasswordForm(BaseForm):
    password = _password_field(_l("New password"))
    confirm = _confirm_field("password")


class ProfileForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), max_length(120)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(32)], render_kw={"autocomplete": "tel"})
    locale = SelectField(_l("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = _password_field(_l("New password"))
    confirm = _confirm_field("new_password")


class ChangeEmailForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    new_email = EmailField(_l("New email"), validators=[DataRequired(REQUIRED), max_length(254)])


class TokenForm(BaseForm):
    name = StringField(_l("Token name"), validators=[DataRequired(REQUIRED), max_length(80)],
                       render_kw={"placeholder": _l("e.g. reporting script")})
    scopes = SelectMultipleField(_l("What the token may do"), choices=list(SCOPES.items()),
                                 default=list(DEFAULT_SCOPES),
                                 validators=[DataRequired(_l("Choose at least one scope."))])


class CodeForm(BaseForm):
    """A code from the authenticator app (or, when signing in, a recovery code)."""

    code = StringField(_l("Verification code"), validators=[DataRequired(REQUIRED), max_length(32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True,
                                  "spellcheck": "false"})


class PasswordConfirmForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})


class DeleteAccountForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    confirm = BooleanField(_l("I understand that my account will be deleted and cannot be restored."),
                           validators=[DataRequired(REQUIRED)])


ORG_TYPE_LABELS = {
    OrgType.RESEARCH_INSTITUTE: _l("Research institute"),
    OrgType.UNIVERSITY: _l("University or college"),
    OrgType.ENTERPRISE: _l("Enterprise"),
    OrgType.ST_ENTERPRISE: _l("Science and technology enterprise"),
    OrgType.STARTUP: _l("Innovative startup"),
    OrgType.COOPERATIVE: _l("Cooperative"),
    OrgType.INDIVIDUAL: _l("Individual inventor"),
    OrgType.STATE_AGENCY: _l("State agency"),
    OrgType.INTERMEDIARY: _l("Intermediary organisation"),
    OrgType.FOREIGN: _l("Foreign organisation"),
}


class OrganisationForm(BaseForm):
    legal_name = StringField(_l("Legal name"), validators=[DataRequired(REQUIRED), max_length(255)])
    short_name = StringField(_l("Short name"), validators=[Optional(), max_length(80)])
    org_type = SelectField(_l("Organisation type"), validators=[DataRequired(REQUIRED)],
                           choices=[("", _l("Choose…"))] + [(k.value, v) for k, v in ORG_TYPE_LABELS.items()])
    tax_code = StringField(_l("Tax code (mã số thuế)"), validators=[Optional(), max_length(20)],
                           description=_l("10 digits, or 10 digits-3 digits for a branch."),
                           render_kw={"inputmode": "numeric"})
    province_code = SelectField(_l("Province or city"), validators=[Optional()], validate_choice=False)
    commune_code = SelectField(_l("Commune or ward"), validators=[Optional()], validate_choice=False)
    street_address = StringField(_l("Street address"), validators=[Optional(), max_length(255)])
    representative = StringField(_l("Legal representative"), validators=[Optional(), max_length(120)])
    representative_title = StringField(_l("Representative's position"), validators=[Optional(), max_length(120)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(32)])
    email = EmailField(_l("Contact email"), validators=[Optional(), max_length(254)])
    website = StringField(_l("Website"), validators=[Optional(), max_length(255),
                                                     URL(message=_l("Enter a full address starting with https://"))])
    description = TextAreaField(_l("Description"), validators=[Optional(), max_length(5000)])


class JoinForm(BaseForm):
    message = TextAreaField(_l("Message to the owner (optional)"), validators=[Optional(), max_length(500)])
