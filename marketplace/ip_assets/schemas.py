from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.common import InputSchema
from ..listings.schemas import CODES, PHRASES, ListingQuery, _Identity


class ClassSchema(Schema):
    scheme = fields.String(required=True, validate=validate.OneOf(["IPC", "Locarno", "Nice", "Vienna", "species"]))
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class AuthorisedUserSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(max=200))
    commune = fields.String(load_default="", validate=validate.Length(max=200))
    products = fields.String(load_default="", validate=validate.Length(max=200))


class _IpFields(Schema):
    """Field names follow the model; ``type``, ``application_number`` and ``certificate_number`` are the
    names clients use for ``ip_type`` and the numbers as typed (the normalised forms are read-only)."""

    type = fields.String(attribute="ip_type", data_key="type")
    title_vi = fields.String(validate=validate.Length(max=200))
    title_en = fields.String(allow_none=True, validate=validate.Length(max=200))
    summary = fields.String(allow_none=True, validate=validate.Length(max=500))
    abstract = fields.String(attribute="description", data_key="abstract", allow_none=True,
                             validate=validate.Length(max=20000))
    keywords = PHRASES
    st_fields = CODES
    sectors = CODES
    province = fields.String(attribute="province_code", data_key="province", allow_none=True)
    application_number = fields.String(attribute="application_number_raw", data_key="application_number",
                                       allow_none=True, validate=validate.Length(max=60))
    certificate_number = fields.String(attribute="certificate_number_raw", data_key="certificate_number",
                                       allow_none=True, validate=validate.Length(max=60))
    nonstandard_number = fields.Boolean()
    filing_date = fields.Date(allow_none=True)
    priority_date = fields.Date(allow_none=True)
    publication_date = fields.Date(allow_none=True)
    grant_date = fields.Date(allow_none=True)
    first_use_date = fields.Date(allow_none=True)
    creation_date = fields.Date(allow_none=True)
    renewals = fields.Integer(validate=validate.Range(min=0, max=50))
    woody = fields.Boolean()
    legal_status = fields.String()
    expiry_override = fields.Boolean()
    expiry_date = fields.Date(allow_none=True)
    expiry_override_reason = fields.String(allow_none=True, validate=validate.Length(max=300))
    inventors = fields.List(fields.String(validate=validate.Length(max=200)), validate=validate.Length(max=20))
    co_owners = fields.List(fields.String(validate=validate.Length(max=200)), validate=validate.Length(max=20))
    representative = fields.String(allow_none=True, validate=validate.Length(max=200))
    classification = fields.List(fields.Nested(ClassSchema), validate=validate.Length(max=30))
    nice_goods = fields.String(allow_none=True, validate=validate.Length(max=5000))
    state_funded = fields.Boolean()
    authorised_users = fields.List(fields.Nested(AuthorisedUserSchema), validate=validate.Length(max=200))
    rights_offered = CODES
    territory = fields.String(allow_none=True, validate=validate.Length(max=200))
    field_of_use = fields.String(allow_none=True, validate=validate.Length(max=300))
    existing_licences = fields.String(allow_none=True, validate=validate.Length(max=5000))
    asking_terms = fields.String(allow_none=True)
    lump_sum_vnd = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**15))
    royalty_pct = fields.Float(allow_none=True, validate=validate.Range(min=0, max=100))
    valuation_value_vnd = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**15))
    valuation_method = fields.String(allow_none=True)
    valuer = fields.String(allow_none=True, validate=validate.Length(max=200))
    valuation_date = fields.Date(allow_none=True)


IP_ATTRS = [name for name, field in _IpFields._declared_fields.items()
            if (field.attribute or name) not in ("title_vi", "title_en", "summary", "description", "keywords",
                                                 "st_fields", "sectors", "province_code")]


class IpAssetSchema(_Identity, _IpFields):
    application_number_normalised = fields.Function(lambda x: x.ip.application_number if x.ip else None)
    certificate_number_normalised = fields.Function(lambda x: x.ip.certificate_number if x.ip else None)
    office_url = fields.Function(lambda x: x.ip.office_url if x.ip else None)
    expiry_basis = fields.Function(lambda x: x.ip.expiry_basis if x.ip else None)

    def get_attribute(self, obj, attr, default):
        """IP fields live on the listing's details row."""
        if obj.ip is not None and attr in {(f.attribute or n) for n, f in _IpFields._declared_fields.items()
                                           if n in IP_ATTRS}:
            return getattr(obj.ip, attr, default)
        return super().get_attribute(obj, attr, default)


class IpAssetInput(InputSchema, _IpFields):
    organisation_id = fields.Integer(load_default=None)


class IpAssetQuery(ListingQuery):
    legal_status = fields.List(fields.String(), load_default=list)
    classes = fields.List(fields.String(), load_default=list)
    available = fields.List(fields.String(), load_default=list)


class NumberCheckInput(InputSchema):
    type = fields.String(required=True)
    number = fields.String(required=True, validate=validate.Length(max=60))
    kind = fields.String(load_default="application", validate=validate.OneOf(["application", "certificate"]))


class NumberCheckOutput(Schema):
    type = fields.String()
    kind = fields.String()
    raw = fields.String()
    normalised = fields.String()
    standard = fields.Boolean()
    office_url = fields.String(allow_none=True)
