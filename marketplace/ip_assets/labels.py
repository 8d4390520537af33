"""Labels of the IP asset quality hints, added to the listing hint labels."""

from flask_babel import lazy_gettext as _l

from ..listings.labels import HINT_LABELS

HINT_LABELS.update({
    "no_ip_number": _l("Give the application or certificate number so buyers can check the record at the IP office."),
    "no_rights_offered": _l("Say what is offered (assignment, exclusive or non-exclusive licence, option)."),
})
