"""API schemas of check-in: a scanned token in, who was admitted (and when, at which gate) out."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...api.common import InputSchema
from ..schemas import UtcDateTime


class CheckinInput(InputSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    gate = fields.String(allow_none=True, validate=validate.Length(max=40))


class CheckinSchema(Schema):
    outcome = fields.String(metadata={"enum": ["checked_in", "already"]})
    registration_id = fields.Integer()
    full_name = fields.String()
    participant_type = fields.String()
    organisation = fields.String(allow_none=True)
    checked_in_at = UtcDateTime()
    gate = fields.String(allow_none=True)
