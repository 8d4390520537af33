"""Translated labels for listing states and hints (codes stay English in the database and the API)."""

from flask_babel import lazy_gettext as _l

from ..ip_assets.labels import HINT_LABELS as IP_HINT_LABELS

STATUS_LABELS = {
    "draft": _l("Draft"), "pending_review": _l("Waiting for review"), "changes_requested": _l("Changes requested"),
    "published": _l("Published"), "rejected": _l("Rejected"), "expired": _l("Expired"),
    "closed": _l("Closed (transferred)"), "withdrawn": _l("Withdrawn"), "archived": _l("Archived"),
}
HINT_LABELS = {
    "no_summary": _l("Add a one-line summary: it is what people see in search results."),
    "short_description": _l("The description is short. Explain the problem solved, how it works and the conditions of transfer."),
    "no_st_field": _l("Choose at least one S&T field so DOST can classify and report the listing."),
    "no_trl": _l("Give the technology readiness level (TRL): buyers filter on it."),
    "no_quantified_benefit": _l("Quantify the benefit (for example “energy use down 30 %” or “drying time 12 hours”)."),
    "no_image": _l("Add a photo or a specification sheet."),
    "no_specs": _l("List the required specifications (parameter, target value, unit)."),
    "no_budget": _l("Give a budget range: suppliers answer faster."),
} | IP_HINT_LABELS
SIDE_LABELS = {"offer": _l("Offer"), "need": _l("Need")}
