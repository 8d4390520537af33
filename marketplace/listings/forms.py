from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from ..forms_base import BaseForm, max_length
from ..reference.services import choices

REQUIRED = _l("This field is required.")
WHOLE = _l("Enter a whole number.")


class ListingForm(BaseForm):
    """The fields every side of listing has; each side's form adds its own (see ``listings.sides``)."""

    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=False)
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[DataRequired(REQUIRED), max_length(200)])
    title_en = StringField(_l("Title (English, optional)"), validators=[Optional(), max_length(200)])
    summary = StringField(_l("One-line summary"), validators=[Optional(), max_length(500)],
                          description=_l("Shown in search results."))
    st_fields = SelectMultipleField(_l("S&T fields (Circular 24/2025)"), validate_choice=False)
    sectors = SelectMultipleField(_l("Economic sectors (VSIC 2025)"), validate_choice=False)
    province_code = SelectField(_l("Province or city"), validate_choice=False)
    keywords = StringField(_l("Keywords"), validators=[Optional(), max_length(400)],
                           description=_l("Separate with commas."))
    application_areas = StringField(_l("Application areas"), validators=[Optional(), max_length(400)],
                                    description=_l("Separate with commas, e.g. longan drying, OCOP products."))

    def fill_choices(self, organisations) -> None:
        self.organisation_id.choices = [(o.id, o.legal_name) for o in organisations]
        self.st_fields.choices = [(c, f"{c} – {label}") for c, label in choices("st_field")]
        self.sectors.choices = [(c, f"{c} – {label}") for c, label in choices("vsic")]
        self.province_code.choices = choices("province", blank=_l("Choose…"))

    def listing_data(self) -> dict:
        skip = {"organisation_id", "csrf_token"}
        return {name: field.data for name, field in self._fields.items() if name not in skip}

    def load(self, listing, revision=None) -> None:
        """Fill the edit page: the approved listing, or the edit waiting for review (nothing typed is lost)."""
        self.load_details(listing)
        if revision is not None:
            self.process(data=revision.data)
            self.fill_choices([listing.organisation])
        for name in ("keywords", "application_areas"):
            if name in self:
                values = (revision.data.get(name) if revision else None) or getattr(listing, name) or []
                self[name].data = ", ".join(values)
        self.organisation_id.data = listing.organisation_id

    def load_details(self, listing) -> None:
        """Fill fields that are not columns of the listing (a side's details row); none by default."""


class OfferForm(ListingForm):
    kind = SelectField(_l("Kind of offer"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    description = TextAreaField(_l("Description (Markdown)"), validators=[Optional(), max_length(20000)],
                                description=_l("The problem solved, how it works, technical parameters, "
                                               "quantified advantages, conditions of transfer."))
    tech_level = SelectField(_l("Technology level"), validate_choice=False)
    trl = SelectField(_l("Technology readiness level (TRL, self-declared)"), validate_choice=False)
    maturity = SelectField(_l("Maturity"), validate_choice=False)
    tt_objects = SelectMultipleField(_l("What is transferred (Law on Technology Transfer, Art. 4)"),
                                     validate_choice=False)
    tt_forms = SelectMultipleField(_l("Forms of transfer (Art. 5)"), validate_choice=False)
    tt_methods = SelectMultipleField(_l("Methods of transfer (Art. 6)"), validate_choice=False)
    rights_mode = SelectField(_l("Rights offered"), validate_choice=False)
    price_type = SelectField(_l("Price"), validate_choice=False)
    price_vnd = IntegerField(_l("Price (VND)"), validators=[Optional(), NumberRange(min=0, message=WHOLE)])
    origin = SelectField(_l("Origin"), validate_choice=False)
    contact_visibility = SelectField(_l("Who sees the contact details"), validate_choice=False)
    valid_until = DateField(_l("Valid until"), validators=[Optional()],
                            description=_l("Default: 12 months after publication."))

    def fill_choices(self, organisations) -> None:
        super().fill_choices(organisations)
        blank = _l("Not specified")
        self.kind.choices = choices("offer_kind")
        for name in ("tech_level", "trl", "maturity", "rights_mode", "price_type", "origin"):
            getattr(self, name).choices = choices(name, blank=blank)
        self.contact_visibility.choices = choices("contact_visibility")
        self.tt_objects.choices = choices("tt_object")
        self.tt_forms.choices = choices("tt_form")
        self.tt_methods.choices = choices("tt_method")


class NeedForm(ListingForm):
    problem = TextAreaField(_l("Problem statement (Markdown)"), validators=[DataRequired(REQUIRED), max_length(20000)],
                            description=_l("Current process, pain point, constraints."))
    required_specs = TextAreaField(_l("Required specifications"), validators=[Optional(), max_length(4000)],
                                   description=_l("One per line: parameter | target value | unit, "
                                                  "e.g. Moisture after drying | ≤ 18 | %"))
    current_solution = TextAreaField(_l("Current solution"), validators=[Optional(), max_length(5000)])
    min_trl = SelectField(_l("Minimum TRL"), validate_choice=False)
    cooperation_forms = SelectMultipleField(_l("Desired cooperation"), validate_choice=False)
    budget_min_vnd = IntegerField(_l("Budget from (VND)"), validators=[Optional(), NumberRange(min=0, message=WHOLE)])
    budget_max_vnd = IntegerField(_l("Budget up to (VND)"), validators=[Optional(), NumberRange(min=0, message=WHOLE)])
    deadline = DateField(_l("Answers wanted by"), validators=[Optional()])
    anonymous = BooleanField(_l("Publish without our organisation's name"))

    def fill_choices(self, organisations) -> None:
        super().fill_choices(organisations)
        self.min_trl.choices = choices("trl", blank=_l("Not specified"))
        self.cooperation_forms.choices = choices("cooperation_form")

    def listing_data(self) -> dict:
        data = super().listing_data()
        specs = []
        for line in (data.get("required_specs") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if parts and parts[0]:
                specs.append({"parameter": parts[0], "target": parts[1] if len(parts) > 1 else "",
                              "unit": parts[2] if len(parts) > 2 else ""})
        data["required_specs"] = specs
        data["min_trl"] = data.get("min_trl") or None
        return data

    def load(self, listing, revision=None) -> None:
        super().load(listing, revision)
        specs = revision.data.get("required_specs") if revision else listing.required_specs
        self.required_specs.data = "\n".join(" | ".join([s.get("parameter", ""), s.get("target", ""),
                                                         s.get("unit", "")]) for s in specs or [])


class DecisionForm(BaseForm):
    decision = SelectField(_l("Decision"), choices=[("approve", _l("Approve and publish")),
                                                    ("request_changes", _l("Request changes")),
                                                    ("reject", _l("Reject"))])
    reason_code = SelectField(_l("Reason"), validate_choice=False)
    note = TextAreaField(_l("Note to the owner"), validators=[Optional(), max_length(2000)])

    def fill_choices(self) -> None:
        self.reason_code.choices = choices("moderation_reason", blank=_l("No reason (approval)"))
