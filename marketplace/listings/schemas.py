from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.common import InputSchema
from ..urls import external_url

CODES = fields.List(fields.String(validate=validate.Length(max=40)), validate=validate.Length(max=12))
PHRASES = fields.List(fields.String(validate=validate.Length(max=80)), validate=validate.Length(max=10))


class SpecSchema(Schema):
    parameter = fields.String(required=True, validate=validate.Length(max=120))
    target = fields.String(load_default="", validate=validate.Length(max=60))
    unit = fields.String(load_default="", validate=validate.Length(max=30))


class _ListingBase(Schema):
    title_vi = fields.String(validate=validate.Length(max=200))
    title_en = fields.String(allow_none=True, validate=validate.Length(max=200))
    summary = fields.String(allow_none=True, validate=validate.Length(max=500))
    description = fields.String(allow_none=True, validate=validate.Length(max=20000))
    keywords = PHRASES
    st_fields = CODES
    sectors = CODES
    province = fields.String(attribute="province_code", data_key="province", allow_none=True)
    application_areas = PHRASES


class _OfferFields(_ListingBase):
    kind = fields.String(validate=validate.OneOf(["technology", "equipment", "service"]))
    tech_level = fields.String(allow_none=True)
    trl = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=9))
    maturity = fields.String(allow_none=True)
    tt_objects = CODES
    tt_forms = CODES
    tt_methods = CODES
    rights_mode = fields.String(allow_none=True)
    price_type = fields.String(allow_none=True)
    price_vnd = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**15))
    origin = fields.String(allow_none=True)
    origin_country = fields.String(allow_none=True, validate=validate.Length(max=2))
    contact_visibility = fields.String()
    valid_until = fields.Date(allow_none=True)


class _NeedFields(_ListingBase):
    problem = fields.String(allow_none=True, validate=validate.Length(max=20000))
    required_specs = fields.List(fields.Nested(SpecSchema), validate=validate.Length(max=20))
    current_solution = fields.String(allow_none=True, validate=validate.Length(max=5000))
    min_trl = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=9))
    cooperation_forms = CODES
    budget_min_vnd = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**15))
    budget_max_vnd = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**15))
    deadline = fields.Date(allow_none=True)
    anonymous = fields.Boolean()


class _Identity(Schema):
    id = fields.Integer(dump_only=True)
    reference = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    url = fields.Function(lambda x: external_url("listings.detail", reference=x.reference), dump_only=True)
    organisation = fields.Function(lambda x: None if x.anonymous else {"id": x.organisation_id,
                                                                        "name": x.organisation.legal_name},
                                   dump_only=True)
    published_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    pending_revision = fields.Function(lambda x: x.pending_revision is not None, dump_only=True)


class OfferSchema(_Identity, _OfferFields):
    pass


class NeedSchema(_Identity, _NeedFields):
    pass


class OfferInput(InputSchema, _OfferFields):
    """Clients can never set status, owner or reference: those fields do not exist here."""

    organisation_id = fields.Integer(load_default=None)


class NeedInput(InputSchema, _NeedFields):
    organisation_id = fields.Integer(load_default=None)


class ListingQuery(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    kind = fields.List(fields.String(), load_default=list)
    st_fields = fields.List(fields.String(), load_default=list)
    sectors = fields.List(fields.String(), load_default=list)
    province = fields.List(fields.String(), load_default=list)
    trl = fields.List(fields.String(), load_default=list)
    price_type = fields.List(fields.String(), load_default=list)
    tt_forms = fields.List(fields.String(), load_default=list)
    sort = fields.String(load_default="relevance", validate=validate.OneOf(["relevance", "newest", "deadline"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class SearchArgs(ListingQuery):
    type = fields.List(fields.String(validate=validate.OneOf(["offer", "need", "ip_asset"])), load_default=list)


class HitSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    reference = fields.String()
    title_vi = fields.String()
    summary = fields.String(allow_none=True)
    status = fields.String()
    url = fields.String()
    score = fields.Float()
    highlights = fields.Dict(keys=fields.String(), values=fields.String())


class SearchPage(Schema):
    items = fields.List(fields.Nested(HitSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    facets = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()))
    suggestion = fields.String(allow_none=True)


class DecisionInput(InputSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "request_changes", "reject"]))
    reason_code = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class QueueItemSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    side = fields.String()
    kind = fields.String()
    title_vi = fields.String()
    status = fields.String()
    revision = fields.Boolean()
    waiting_since = fields.DateTime()
