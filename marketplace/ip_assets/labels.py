"""Labels of the IP asset quality hints (``ip_assets.fields.ip_hints``); ``listings.labels`` shows them with the
hints of every side."""

from flask_babel import lazy_gettext as _l

HINT_LABELS = {
    "no_ip_number": _l("Give the application or certificate number so buyers can check the record at the IP office."),
    "no_rights_offered": _l("Say what is offered (assignment, exclusive or non-exclusive licence, option)."),
}
