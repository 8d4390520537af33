"""Translated labels of registration statuses (codes stay English in the database and the API)."""

from flask_babel import lazy_gettext as _l

REG_STATUS_LABELS = {
    "pending_approval": _l("Waiting for approval"), "confirmed": _l("Confirmed"), "waitlisted": _l("On the waitlist"),
    "offered": _l("Place offered – confirm it"), "rejected": _l("Not accepted"), "cancelled": _l("Cancelled"),
    "expired": _l("Offer expired"),
}
