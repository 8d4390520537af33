"""Base for every HTML form: NFC-normalises all submitted text once, at the boundary."""

from __future__ import annotations

from flask_wtf import FlaskForm

from .text import nfc


class BaseForm(FlaskForm):
    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        for field in self:
            if isinstance(field.data, str):
                field.data = nfc(field.data)

    def apply_service_error(self, exc) -> bool:
        """Show a service's refusal on the field it concerns; return False if it has no field here."""
        field = getattr(self, exc.field, None) if exc.field else None
        if field is None:
            return False
        field.errors = [*field.errors, exc.message] if isinstance(field.errors, list) else [exc.message]
        return True


def max_length(n: int):
    from flask_babel import lazy_gettext as _l
    from wtforms.validators import Length

    return Length(max=n, message=_l("Use at most %(max)d characters."))
