"""Translated labels of meeting statuses and outcomes."""

from flask_babel import lazy_gettext as _l

MEETING_STATUS_LABELS = {
    "pending": _l("Waiting for an answer"), "accepted": _l("Accepted"), "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}
OUTCOME_LABELS = {
    "held": _l("Held"), "no_show": _l("No-show"), "follow_up": _l("Follow-up agreed"), "mou": _l("MoU signed"),
    "contract": _l("Contract signed"),
}
