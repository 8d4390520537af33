from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from ..forms_base import max_length
from ..listings.forms import REQUIRED, WHOLE, ListingForm
from ..reference.services import choices


class IpAssetForm(ListingForm):
    ip_type = SelectField(_l("Type of IP asset"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    description = TextAreaField(_l("Abstract (Markdown)"), validators=[Optional(), max_length(20000)])
    application_number_raw = StringField(_l("Application number"), validators=[Optional(), max_length(60)],
                                         description=_l("As on the filing receipt, e.g. 1-2024-02456."))
    certificate_number_raw = StringField(_l("Certificate (title) number"), validators=[Optional(), max_length(60)],
                                         description=_l("e.g. 1-0026606, 4-0405854-000, 00055 (GI), 41.VN.2020."))
    nonstandard_number = BooleanField(_l("Non-standard number: keep it exactly as written"))
    filing_date = DateField(_l("Filing date"), validators=[Optional()])
    priority_date = DateField(_l("Priority date"), validators=[Optional()])
    publication_date = DateField(_l("Publication date"), validators=[Optional()])
    grant_date = DateField(_l("Grant date"), validators=[Optional()])
    first_use_date = DateField(_l("First commercial use (layout designs)"), validators=[Optional()])
    creation_date = DateField(_l("Creation date (layout designs)"), validators=[Optional()])
    renewals = IntegerField(_l("Renewals granted"), validators=[Optional(), NumberRange(min=0, max=50, message=WHOLE)])
    woody = BooleanField(_l("Woody plant or vine (25-year term)"))
    legal_status = SelectField(_l("Legal status at the IP office"), validate_choice=False)
    expiry_override = BooleanField(_l("Override the computed expiry date"))
    expiry_date = DateField(_l("Expiry date (only when overriding)"), validators=[Optional()])
    expiry_override_reason = StringField(_l("Reason for the override"), validators=[Optional(), max_length(300)])
    inventors = TextAreaField(_l("Inventors or authors"), validators=[Optional(), max_length(2000)],
                              description=_l("Separate names with semicolons."))
    co_owners = StringField(_l("Co-owners"), validators=[Optional(), max_length(600)],
                            description=_l("Separate names with semicolons."))
    representative = StringField(_l("IP representative"), validators=[Optional(), max_length(200)])
    classification = StringField(_l("Classification"), validators=[Optional(), max_length(600)],
                                 description=_l("Scheme and code, separated by semicolons: IPC A23B 7/02; Nice 31"))
    nice_goods = TextAreaField(_l("Goods and services (Nice)"), validators=[Optional(), max_length(5000)])
    state_funded = BooleanField(_l("Result of a state-funded S&T task"))
    rights_offered = SelectMultipleField(_l("What is offered"), validate_choice=False)
    territory = StringField(_l("Territory"), validators=[Optional(), max_length(200)])
    field_of_use = StringField(_l("Field of use"), validators=[Optional(), max_length(300)])
    existing_licences = TextAreaField(_l("Existing licences and encumbrances"), validators=[Optional(), max_length(5000)])
    asking_terms = SelectField(_l("Asking terms"), validate_choice=False)
    lump_sum_vnd = IntegerField(_l("Lump sum (VND)"), validators=[Optional(), NumberRange(min=0, message=WHOLE)])
    royalty_pct = DecimalField(_l("Royalty (%)"), places=2, validators=[Optional(), NumberRange(min=0, max=100)])
    valuation_value_vnd = IntegerField(_l("Valuation (VND)"), validators=[Optional(), NumberRange(min=0, message=WHOLE)])
    valuation_method = SelectField(_l("Valuation method"), validate_choice=False)
    valuer = StringField(_l("Valuer"), validators=[Optional(), max_length(200)])
    valuation_date = DateField(_l("Valuation date"), validators=[Optional()])

    def fill_choices(self, organisations) -> None:
        super().fill_choices(organisations)
        blank = _l("Not specified")
        self.ip_type.choices = choices("ip_type", blank=_l("Choose…"))
        self.legal_status.choices = choices("ip_legal_status")
        self.rights_offered.choices = choices("ip_rights")
        self.asking_terms.choices = choices("ip_asking_terms", blank=blank)
        self.valuation_method.choices = choices("valuation_method", blank=blank)

    def listing_data(self) -> dict:
        data = super().listing_data()
        data.pop("application_areas", None)
        if data.get("royalty_pct") is not None:
            data["royalty_pct"] = float(data["royalty_pct"])
        if not data.get("expiry_override"):
            data.pop("expiry_date", None)
        return data

    def load_details(self, listing) -> None:
        """Fill the IP fields from the listing's details row (lists joined for editing)."""
        ip = listing.ip
        if ip is None:
            return
        for name in ("ip_type", "application_number_raw", "certificate_number_raw", "nonstandard_number",
                     "filing_date", "priority_date", "publication_date", "grant_date", "first_use_date",
                     "creation_date", "renewals", "woody", "legal_status", "expiry_override", "expiry_date",
                     "expiry_override_reason", "representative", "nice_goods", "state_funded", "rights_offered",
                     "territory", "field_of_use", "existing_licences", "asking_terms", "lump_sum_vnd",
                     "royalty_pct", "valuation_value_vnd", "valuation_method", "valuer", "valuation_date"):
            getattr(self, name).data = getattr(ip, name)
        self.inventors.data = "; ".join(ip.inventors or [])
        self.co_owners.data = "; ".join(ip.co_owners or [])
        self.classification.data = "; ".join(f"{c['scheme']} {c['code']}" for c in ip.classification or [])
