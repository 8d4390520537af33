"""Translated labels of booth types and application statuses."""

from flask_babel import lazy_gettext as _l

BOOTH_TYPE_LABELS = {
    "standard": _l("Standard booth (3×3 m)"), "raw_space": _l("Raw space"), "shared": _l("Shared provincial booth"),
}
EXHIBITOR_STATUS_LABELS = {
    "pending": _l("Waiting for review"), "approved": _l("Approved"), "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
