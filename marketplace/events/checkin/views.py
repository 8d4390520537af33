"""Check-in at the gates (phone page with camera scanning) and live counts.

The page works without JavaScript (type the code, the whole page comes back with the answer); with htmx the
form posts in place and only the answer panel is swapped (``HX-Request``), and ``static/js/checkin.js`` adds
scanning with the phone's camera. The gate name is remembered in the session, so each phone types it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, make_response, render_template, request, session
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...actions import attempt
from ...events.loaders import get_event_or_404
from ...permissions import Permission, requires
from ...timeutil import utcnow
from ..labels import PARTICIPANT_LABELS
from ..models import Event
from ..registration.labels import REG_STATUS_LABELS
from .forms import ScanForm
from .services import MAX_GATE, CheckinResult, check_in, checkin_counts

bp = Blueprint("event_checkin", __name__, url_prefix="/events")

GATE_KEY = "checkin_gate"


@dataclass
class Answer:
    """What the result panel shows: ``outcome`` (also rendered as ``data-outcome``), a headline, details."""

    outcome: str  # checked_in, already, unknown, cancelled, not_confirmed, empty, error
    headline: str
    tone: str  # success, warning, danger, secondary
    name: str | None = None
    participant_type: str | None = None
    organisation: str | None = None
    detail: str | None = None
    at: datetime | None = None
    gate: str | None = None


def _gate_label(gate: str | None) -> str | None:
    """A gate typed as a bare number reads "gate 2"; a name ("Cổng 2", "Sảnh A") is shown as typed."""
    if not gate:
        return None
    return _("gate %(n)s", n=gate) if gate.isdigit() else gate


def _local_time(at: datetime) -> str:
    """HH:mm in Vietnam time; with the day when it was not today (a fair lasting several days)."""
    if format_date(at, "yyyy-MM-dd") == format_date(utcnow(), "yyyy-MM-dd"):
        return format_time(at, "HH:mm")
    return format_time(at, "HH:mm") + " " + format_date(at, "dd/MM" if str(get_locale()) == "vi" else "d MMM")


def _answer(result: CheckinResult) -> Answer:
    reg = result.registration
    person = {}
    if reg is not None:
        org = reg.organisation
        person = {"name": reg.full_name,
                  "participant_type": str(PARTICIPANT_LABELS.get(reg.participant_type, reg.participant_type)),
                  "organisation": (org.short_name or org.legal_name) if org is not None else None}
    if result.outcome == "checked_in":
        return Answer("checked_in", _("Checked in"), "success", at=result.at, gate=result.gate, **person)
    if result.outcome == "already":
        gate = _gate_label(result.gate)
        when = _local_time(result.at)
        headline = (_("Already checked in at %(time)s by %(gate)s", time=when, gate=gate) if gate
                    else _("Already checked in at %(time)s", time=when))
        return Answer("already", headline, "warning", at=result.at, gate=result.gate, **person)
    if result.outcome == "cancelled":
        status = str(REG_STATUS_LABELS.get(reg.status, reg.status)) if reg is not None else None
        return Answer("cancelled", _("Cancelled"), "danger", detail=status, **person)
    if result.outcome == "not_confirmed":
        status = str(REG_STATUS_LABELS.get(reg.status, reg.status)) if reg is not None else None
        return Answer("not_confirmed", _("Not confirmed"), "danger", detail=status, **person)
    return Answer("unknown", _("Not registered for this event"), "danger",
                  detail=_("Check the code, or send the person to the registration desk."))


def _scan(event: Event) -> tuple[Answer, int]:
    form = ScanForm()
    gate, code = (form.gate.data or "").strip(), form.code.data or ""
    if len(gate) > MAX_GATE:
        return Answer("error", _("The gate name is too long (at most %(n)d characters).", n=MAX_GATE),
                      "danger"), 422
    session[GATE_KEY] = gate
    if not code.strip():
        return Answer("empty", _("Type or scan a ticket code."), "secondary"), 422
    done = attempt(lambda: check_in(event, token=code, gate=gate, by=current_user), form=form)
    if not done:
        return Answer("error", done.error.message, "danger"), done.error.status or 422
    return _answer(done.value), 200


def _counts(event: Event) -> dict:
    rows = checkin_counts(event)
    for row in rows:
        row["label"] = str(PARTICIPANT_LABELS.get(row["participant_type"], row["participant_type"]))
    return {"rows": rows, "checked_in": sum(r["checked_in"] for r in rows),
            "confirmed": sum(r["confirmed"] for r in rows)}


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


@bp.get("/<slug>/checkin")
@requires(Permission.EVENT_CHECKIN)
def page(slug: str):
    event = get_event_or_404(slug, current_user)
    return render_template("events/checkin/page.html", event=event, answer=None, gate=session.get(GATE_KEY, ""),
                           counts=_counts(event))


@bp.post("/<slug>/checkin")
@requires(Permission.EVENT_CHECKIN)
def scan(slug: str):
    event = get_event_or_404(slug, current_user)
    answer, status = _scan(event)
    if _is_htmx():
        # htmx swaps only 2xx answers: every answer, even a refusal, is a 200 here
        response = make_response(render_template("events/checkin/_result.html", answer=answer))
        response.headers["HX-Trigger"] = "checkin-done"  # refreshes the counts at once
        return response
    return render_template("events/checkin/page.html", event=event, answer=answer, gate=session.get(GATE_KEY, ""),
                           counts=_counts(event)), status


@bp.get("/<slug>/checkin/counts")
@requires(Permission.EVENT_CHECKIN)
def counts(slug: str):
    event = get_event_or_404(slug, current_user)
    return render_template("events/checkin/_counts.html", counts=_counts(event))
