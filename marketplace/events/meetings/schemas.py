"""API schema of a B2B meeting on the caller's agenda."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..schemas import UtcDateTime
from .models import Outcome


class MeetingSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    role = fields.String(metadata={"description": "requester or invitee"})
    with_name = fields.String(data_key="with")
    with_organisation = fields.String(allow_none=True)
    reason = fields.String()
    session = fields.String(allow_none=True)
    slot_start = UtcDateTime(allow_none=True)
    slot_end = UtcDateTime(allow_none=True)
    table_no = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"enum": [o.value for o in Outcome]})
    value_vnd = fields.Integer(allow_none=True)
