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
