"""API schemas of registrations: the caller's registration, and the organisers' list."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...api.common import InputSchema
from ..schemas import TYPES, UtcDateTime
from .models import RegStatus


class RegistrationInput(InputSchema):
    participant_type = fields.String(required=True, validate=validate.OneOf(TYPES))
    organisation_id = fields.Integer(allow_none=True, metadata={"description": "An organisation the caller belongs "
                                                                              "to, or empty for themselves."})
    consent_processing = fields.Boolean(load_default=True, metadata={
        "description": "Calling this endpoint records the caller's consent to the processing of their data for this "
                       "event (the client app must show DOST's purpose notice first); false refuses it."})
    consent_share_contact = fields.Boolean(load_default=False)
    consent_photos = fields.Boolean(load_default=False)
    in_directory = fields.Boolean(load_default=False, metadata={"description": "Listed in the B2B directory."})
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    position = fields.String(allow_none=True, validate=validate.Length(max=120))
    interests = fields.String(allow_none=True, validate=validate.Length(max=500))


class RegistrationSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    participant_type = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in RegStatus]})
    waitlist_position = fields.Integer(allow_none=True, metadata={"description": "When waitlisted: 1 is next."})
    ticket_token = fields.String(allow_none=True, metadata={"description": "What the QR ticket encodes (owner only, "
                                                                           "confirmed registrations)."})
    offer_expires_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    checked_in_at = UtcDateTime(allow_none=True)


class RegistrationAdminSchema(RegistrationSchema):
    full_name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True)
    arrival_no = fields.Integer()
    checked_in_gate = fields.String(allow_none=True)


class RegistrationQuery(Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in RegStatus]))
    participant_type = fields.String(validate=validate.OneOf(TYPES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class RegistrationPage(Schema):
    items = fields.List(fields.Nested(RegistrationAdminSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
