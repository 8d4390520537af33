"""API schemas of the event core (``EventSchema`` out, ``EventInput`` in); the parts of a fair keep theirs."""

from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from ..api.common import InputSchema
from .models import EventStatus, EventType, ParticipantType

TYPES = [t.value for t in ParticipantType]


class UtcDateTime(fields.DateTime):
    """Naive UTC from the database, written as ISO 8601 with ``Z``."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


class CapacitySchema(Schema):
    capacity = fields.Integer()
    taken = fields.Integer(metadata={"description": "Confirmed places plus places offered from the waitlist."})
    free = fields.Integer()


class AgendaItemSchema(Schema):
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    title_vi = fields.String()
    title_en = fields.String(allow_none=True)
    room = fields.String(allow_none=True)
    speakers = fields.String(allow_none=True)


class EventSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    type = fields.String()
    status = fields.String(metadata={"enum": [s.value for s in EventStatus]})
    title_vi = fields.String()
    title_en = fields.String()
    description_vi = fields.String(allow_none=True)
    description_en = fields.String(allow_none=True)
    venue = fields.String()
    address = fields.String(allow_none=True)
    province = fields.String(attribute="province_code", allow_none=True)
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    registration_opens_at = UtcDateTime(allow_none=True)
    registration_closes_at = UtcDateTime(allow_none=True)
    approval_required = fields.Boolean()
    waitlist_enabled = fields.Boolean()
    offer_hours = fields.Integer(metadata={"description": "Hours to confirm a place offered from the waitlist."})
    capacity = fields.Method("_capacity", metadata={"description": "Places by participant type."})
    agenda = fields.List(fields.Nested(AgendaItemSchema), attribute="sessions")
    registration = fields.String(metadata={"description": "open, not_yet, closed or unavailable"})
    url = fields.String()
    ics_url = fields.String()

    def _capacity(self, event):
        return {c.participant_type: {"capacity": c.capacity, "taken": c.taken, "free": c.free}
                for c in event.capacities}


class EventInput(InputSchema):
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in EventType]))
    title_vi = fields.String(required=True, validate=validate.Length(min=1, max=200))
    title_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description_vi = fields.String(allow_none=True, validate=validate.Length(max=20000))
    description_en = fields.String(allow_none=True, validate=validate.Length(max=20000))
    venue = fields.String(required=True, validate=validate.Length(min=1, max=200))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    province = fields.String(data_key="province", attribute="province_code", allow_none=True,
                             validate=validate.Length(max=10))
    starts_at = fields.String(required=True, metadata={"description": "ISO 8601; without an offset: Vietnam time.",
                                                       "example": "2026-12-12T08:00:00+07:00"})
    ends_at = fields.String(required=True, metadata={"description": "ISO 8601; without an offset: Vietnam time."})
    registration_opens_at = fields.String(allow_none=True)
    registration_closes_at = fields.String(allow_none=True)
    capacity = fields.Dict(keys=fields.String(validate=validate.OneOf(TYPES)),
                           values=fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000)),
                           required=True, metadata={"example": {"visitor": 50, "b2b": 20}})
    waitlist_enabled = fields.Boolean(required=True)
    approval_required = fields.Boolean(required=True)
    offer_hours = fields.Integer(strict=True, validate=validate.Range(min=1, max=720))


class EventPatchInput(EventInput):
    """PATCH body: any subset of the event's fields (load with ``partial=True``)."""


class EventQuery(Schema):
    when = fields.String(load_default="upcoming", validate=validate.OneOf(["upcoming", "past", "all"]))
    type = fields.String(validate=validate.OneOf([t.value for t in EventType]))
    q = fields.String(validate=validate.Length(max=200))
    include_drafts = fields.Boolean(load_default=False, metadata={"description": "Organisers only."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class EventPage(Schema):
    items = fields.List(fields.Nested(EventSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
