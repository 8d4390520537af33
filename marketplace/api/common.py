"""Shared by the API resource blueprints: the input schema base, which NFC-normalises every string once."""

from __future__ import annotations

from marshmallow import Schema, pre_load

from ..text import nfc


def _normalise(value):
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


class InputSchema(Schema):
    """Base for request bodies: every string is NFC-normalised once, here."""

    @pre_load
    def _nfc(self, data, **kwargs):
        return _normalise(data)

