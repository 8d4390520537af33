"""Translated labels for event codes (codes stay English in the database and the API)."""

from flask_babel import lazy_gettext as _l

EVENT_TYPE_LABELS = {
    "techmart": _l("Technology and equipment fair (Techmart)"),
    "techdemo": _l("Technology demonstration and matchmaking (TechDemo)"),
    "exhibition": _l("Exhibition"),
    "techfest": _l("Innovation and start-up festival (Techfest)"),
    "workshop": _l("Workshop"),
    "online": _l("Online Techmart"),
}
EVENT_STATUS_LABELS = {
    "draft": _l("Draft"), "published": _l("Open"), "registration_closed": _l("Registration closed"),
    "finished": _l("Finished"), "archived": _l("Archived"),
}
PARTICIPANT_LABELS = {
    "visitor": _l("Visitor"), "exhibitor": _l("Exhibitor"), "b2b": _l("B2B participant"),
    "speaker": _l("Speaker"), "press": _l("Press"),
}
REG_STATUS_LABELS = {
    "pending_approval": _l("Waiting for approval"), "confirmed": _l("Confirmed"), "waitlisted": _l("On the waitlist"),
    "offered": _l("Place offered – confirm it"), "rejected": _l("Not accepted"), "cancelled": _l("Cancelled"),
    "expired": _l("Offer expired"),
}
BOOTH_TYPE_LABELS = {
    "standard": _l("Standard booth (3×3 m)"), "raw_space": _l("Raw space"), "shared": _l("Shared provincial booth"),
}
EXHIBITOR_STATUS_LABELS = {
    "pending": _l("Waiting for review"), "approved": _l("Approved"), "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
MEETING_STATUS_LABELS = {
    "pending": _l("Waiting for an answer"), "accepted": _l("Accepted"), "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}
OUTCOME_LABELS = {
    "held": _l("Held"), "no_show": _l("No-show"), "follow_up": _l("Follow-up agreed"), "mou": _l("MoU signed"),
    "contract": _l("Contract signed"),
}
