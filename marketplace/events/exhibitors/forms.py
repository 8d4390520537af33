"""The exhibitor application form. The page renders its own inputs (booth types as radios, the organisation's
listings grouped by side); the service checks every rule, and a refusal lands on the field it names."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectMultipleField, TextAreaField

from ...forms_base import BaseForm
from .labels import BOOTH_TYPE_LABELS
from .models import Exhibitor


class ApplicationForm(BaseForm):
    organisation_id = HiddenField()
    booth_type = RadioField(_l("Booth type"), choices=list(BOOTH_TYPE_LABELS.items()), validate_choice=False)
    needs_power = BooleanField(_l("Electric power"))
    needs_internet = BooleanField(_l("Internet connection"))
    listing_ids = SelectMultipleField(_l("What you will show"), validate_choice=False)
    new_offer_titles = TextAreaField(_l("New offers to show (one title per line)"))
    staff_names = TextAreaField(_l("Staff at the booth (one name per line, at most 20)"))
    note = TextAreaField(_l("Note for the organisers"))

    @classmethod
    def for_application(cls, exhibitor: Exhibitor | None) -> ApplicationForm:
        """The form as the page first shows it: the current application, or a new one."""
        if exhibitor is None:
            return cls(formdata=None, data={"booth_type": "standard"})
        return cls(formdata=None, data={
            "booth_type": exhibitor.booth_type, "needs_power": exhibitor.needs_power,
            "needs_internet": exhibitor.needs_internet, "staff_names": "\n".join(exhibitor.staff_names or []),
            "note": exhibitor.note or "", "listing_ids": [str(i.listing_id) for i in exhibitor.items]})

    def chosen_listing_ids(self) -> set[int]:
        return {int(i) for i in self.listing_ids.data or [] if str(i).isdigit()}

    def application_data(self) -> dict:
        """What the services take (``apply_as_exhibitor``, ``update_application``)."""
        return {"booth_type": self.booth_type.data, "needs_power": bool(self.needs_power.data),
                "needs_internet": bool(self.needs_internet.data), "staff_names": self.staff_names.data or "",
                "note": self.note.data or "", "listing_ids": list(self.listing_ids.data or []),
                "new_offer_titles": self.new_offer_titles.data or ""}
