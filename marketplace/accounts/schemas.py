from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.common import InputSchema
from ..permissions import DEFAULT_SCOPES, SCOPES
from ..urls import external_url


class TokenRequest(InputSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=128), load_only=True)
    name = fields.String(load_default="API", validate=validate.Length(max=80))
    scopes = fields.List(fields.String(validate=validate.OneOf(list(SCOPES))), load_default=list(DEFAULT_SCOPES),
                         validate=validate.Length(min=1, max=len(SCOPES)),
                         metadata={"description": "what the token may do: " + ", ".join(SCOPES)})
    totp = fields.String(load_default=None, validate=validate.Length(max=32), load_only=True,
                         metadata={"description": "the current 6-digit code, for accounts with two-step "
                                                  "verification (DOST staff always)"})


class TokenResponse(Schema):
    token = fields.String(metadata={"description": "send as `Authorization: Bearer <token>`; shown once"})
    expires_at = fields.DateTime()
    scopes = fields.List(fields.String())


class MembershipSchema(Schema):
    organisation_id = fields.Integer()
    organisation = fields.Function(lambda m: m.organisation.legal_name)
    role = fields.String()
    status = fields.String()


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    full_name = fields.String()
    role = fields.String()
    locale = fields.String(allow_none=True)
    email_verified = fields.Function(lambda u: u.email_verified_at is not None)
    memberships = fields.Function(lambda u: MembershipSchema(many=True).dump(u.active_memberships()))


class OrganisationSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    legal_name = fields.String()
    short_name = fields.String(allow_none=True)
    org_type = fields.String()
    tax_code = fields.String(allow_none=True)
    province_code = fields.String(allow_none=True)
    commune_code = fields.String(allow_none=True)
    street_address = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    status = fields.String()
    verified_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda o: external_url("organisations.detail", slug=o.slug))


class OrganisationQuery(Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    type = fields.String(load_default=None, validate=validate.Length(max=30))
    province = fields.String(load_default=None, validate=validate.Length(max=10))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class OrganisationPage(Schema):
    items = fields.List(fields.Nested(OrganisationSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
