"""B2B matchmaking: sessions, participant directory, meeting requests, scheduling, agendas and outcomes.

Participants (confirmed registrations; requests need type B2B or exhibitor) browse the directory, ask for
meetings, answer, say when they are free, and keep an agenda (page, print view, ICS). Organisers define
sessions, schedule meetings by hand or with the scheduler, and record outcomes.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ...accounts.forms import ORG_TYPE_LABELS
from ...actions import attempt
from ...events.loaders import get_event_or_404
from ...events.meetings.loaders import get_invitee_or_404, get_meeting_or_404, get_session_or_404
from ...extensions import db
from ...formatting import format_moment, locale_code
from ...permissions import Permission, requires
from ...reference.services import choices
from ...text import nfc
from ...timeutil import utcnow
from ...urls import external_url
from ..labels import PARTICIPANT_LABELS
from ..registration.models import RegStatus
from ..registration.services import registration_of
from ..services import can_manage
from ..tickets import CalendarEntry, calendar_bytes
from .forms import SessionForm
from .labels import MEETING_STATUS_LABELS, OUTCOME_LABELS
from .models import MatchmakingSession, Meeting, MeetingStatus, is_b2b
from .services.directory import (
    FILTER_KEYS,
    brought_listings,
    directory_entries,
    profile_listings,
    suggestions,
    update_b2b_profile,
)
from .services.meetings import (
    agenda_for,
    answer_meeting,
    cancel_meeting,
    meetings_of,
    record_outcome,
    request_meeting,
)
from .services.scheduling import (
    assign_meeting,
    availability_of,
    define_session,
    remove_session,
    run_scheduler,
    session_slots,
    set_availability,
    unassign_meeting,
)

bp = Blueprint("event_meetings", __name__, url_prefix="/events")
PAGE_SIZE = 30


@bp.url_defaults
def _keep_slug(endpoint: str, values: dict) -> None:
    """The shared ``pagination`` macro builds links from the query string alone: keep the page's event."""
    if "slug" not in values and request.view_args and "slug" in request.view_args \
            and current_app.url_map.is_endpoint_expecting(endpoint, "slug"):
        values["slug"] = request.view_args["slug"]


# --- loaders ----------------------------------------------------------------------------------------------

def _participant(slug: str, *, b2b: bool = False):
    """The event and the caller's confirmed registration; organisers pass without one. Others are sent to
    the event page with a word of explanation."""
    event = get_event_or_404(slug, current_user)
    reg = registration_of(event, current_user)
    if reg is not None and reg.status == RegStatus.CONFIRMED.value and (not b2b or is_b2b(reg)):
        return event, reg
    if can_manage(current_user) and not b2b:
        return event, None
    flash(_("B2B meetings are open to confirmed B2B participants and exhibitors of this event.") if b2b else
          _("The B2B directory is open to confirmed participants of this event."), "warning")
    return event, False


def _to_event(event):
    return redirect(url_for("events.detail", slug=event.slug))


def _slot_label(session: MatchmakingSession, start) -> str:
    return f"{session.title} · {format_moment(start)}"


def _incoming_count(reg) -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting).where(
        Meeting.invitee_id == reg.id, Meeting.status == MeetingStatus.PENDING.value)) if reg else 0


def _render(template: str, event, reg, **context):
    return render_template(f"events/meetings/{template}", event=event, reg=reg, incoming=_incoming_count(reg),
                           outcome_labels=OUTCOME_LABELS, status_labels=MEETING_STATUS_LABELS,
                           participant_labels=PARTICIPANT_LABELS, now=utcnow(), **context)


# --- participants ------------------------------------------------------------------------------------------

@bp.get("/<slug>/b2b")
@requires(Permission.EVENT_REGISTER)
def directory(slug: str):
    event, reg = _participant(slug)
    if reg is False:
        return _to_event(event)
    filters = {k: nfc(request.args.get(k, "")).strip()[:100] for k in FILTER_KEYS}
    entries = [e for e in directory_entries(event, filters) if not reg or e.registration.id != reg.id]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pairs = {}
    if reg:
        for m in meetings_of(reg, statuses=tuple(MeetingStatus)):
            pairs[m.other(reg.id).id] = m
    return _render("directory.html", event, reg, entries=entries[(page - 1) * PAGE_SIZE:page * PAGE_SIZE],
                   total=len(entries), page=page, page_size=PAGE_SIZE, filters=filters, pairs=pairs,
                   can_request=is_b2b(reg), suggestions=suggestions(reg) if is_b2b(reg) else [],
                   org_types=ORG_TYPE_LABELS, st_fields=choices("st_field"), sectors=choices("vsic"),
                   my_listings=profile_listings(reg, current_user) if reg else [],
                   my_brought=brought_listings(reg) if reg else [])


@bp.post("/<slug>/b2b/profile")
@requires(Permission.EVENT_REGISTER)
def profile(slug: str):
    event, reg = _participant(slug)
    if not reg:
        return _to_event(event) if reg is False else abort(404)
    data = {"in_directory": request.form.get("in_directory") == "1", "interests": request.form.get("interests", ""),
            "listing_ids": request.form.getlist("listing_ids")}
    attempt(lambda: update_b2b_profile(reg, by=current_user, data=data), _("Your B2B profile is saved."))
    return redirect(url_for("event_meetings.directory", slug=event.slug))


@bp.post("/<slug>/b2b/request/<int:registration_id>")
@requires(Permission.EVENT_REGISTER)
def request_view(slug: str, registration_id: int):
    event, reg = _participant(slug, b2b=True)
    if not reg:
        return _to_event(event)
    invitee = get_invitee_or_404(event, registration_id)
    done = attempt(lambda: request_meeting(event, by=current_user, invitee_registration=invitee,
                                           reason=request.form.get("reason", ""),
                                           listing_ids=request.form.getlist("listing_ids")),
                   _("Your request was sent to %(name)s.", name=invitee.full_name))
    if not done:
        return redirect(url_for("event_meetings.directory", slug=event.slug, _anchor=f"p{registration_id}"))
    return redirect(url_for("event_meetings.requests", slug=event.slug))


@bp.get("/<slug>/b2b/requests")
@requires(Permission.EVENT_REGISTER)
def requests(slug: str):
    event, reg = _participant(slug, b2b=True)
    if not reg:
        return _to_event(event)
    everything = meetings_of(reg, statuses=tuple(MeetingStatus))
    return _render("requests.html", event, reg,
                   incoming_list=[m for m in everything if m.invitee_id == reg.id],
                   outgoing_list=[m for m in everything if m.requester_id == reg.id])


@bp.post("/<slug>/b2b/meetings/<int:meeting_id>/answer")
@requires(Permission.EVENT_REGISTER)
def answer(slug: str, meeting_id: int):
    event = get_event_or_404(slug, current_user)
    meeting = get_meeting_or_404(event, meeting_id, current_user)
    accept = request.form.get("decision") == "accept"
    attempt(lambda: answer_meeting(meeting, by=current_user, accept=accept),
            _("Meeting accepted. It will appear on your agenda with a time and a table.") if accept
            else _("Request declined."))
    return redirect(url_for("event_meetings.requests", slug=event.slug))


def _back(event):
    target = "event_meetings.manage" if request.form.get("back") == "manage" and can_manage(current_user) else \
        "event_meetings.agenda" if request.form.get("back") == "agenda" else "event_meetings.requests"
    return redirect(url_for(target, slug=event.slug))


@bp.post("/<slug>/b2b/meetings/<int:meeting_id>/cancel")
@requires(Permission.EVENT_REGISTER)
def cancel(slug: str, meeting_id: int):
    event = get_event_or_404(slug, current_user)
    meeting = get_meeting_or_404(event, meeting_id, current_user)
    attempt(lambda: cancel_meeting(meeting, by=current_user), _("Meeting cancelled."))
    return _back(event)


@bp.post("/<slug>/b2b/meetings/<int:meeting_id>/outcome")
@requires(Permission.EVENT_REGISTER)
def outcome(slug: str, meeting_id: int):
    event = get_event_or_404(slug, current_user)
    meeting = get_meeting_or_404(event, meeting_id, current_user)
    attempt(lambda: record_outcome(meeting, by=current_user, outcome=request.form.get("outcome", ""),
                                   value_vnd=request.form.get("value_vnd"), note=request.form.get("note")),
            _("Outcome recorded. Thank you."))
    return _back(event)


@bp.route("/<slug>/b2b/availability", methods=["GET", "POST"])
@requires(Permission.EVENT_REGISTER)
def availability(slug: str):
    event, reg = _participant(slug, b2b=True)
    if not reg:
        return _to_event(event)
    if request.method == "POST" and attempt(
            lambda: set_availability(reg, by=current_user, slot_starts=request.form.getlist("slot")),
            _("Your availability is saved.")):
        return redirect(url_for("event_meetings.agenda", slug=event.slug))
    chosen = availability_of(reg)
    sessions = [(s, [(start, start + timedelta(minutes=s.slot_minutes)) for start in session_slots(s)])
                for s in event.matchmaking]
    return _render("availability.html", event, reg, sessions=sessions, chosen=chosen)


def _agenda_rows(reg):
    return [(m, m.other(reg.id)) for m in agenda_for(reg)]


@bp.get("/<slug>/b2b/agenda")
@requires(Permission.EVENT_REGISTER)
def agenda(slug: str):
    event, reg = _participant(slug, b2b=True)
    if not reg:
        return _to_event(event)
    template = "agenda_print.html" if request.args.get("print") == "1" else "agenda.html"
    return _render(template, event, reg, rows=_agenda_rows(reg), timedelta=timedelta)


@bp.get("/<slug>/b2b/agenda.ics")
@requires(Permission.EVENT_REGISTER)
def agenda_ics(slug: str):
    event, reg = _participant(slug, b2b=True)
    if not reg:
        return _to_event(event)
    url = external_url("event_meetings.agenda", slug=event.slug)
    entries = []
    for meeting, other in _agenda_rows(reg):
        if meeting.slot_start is None:
            continue
        org = f" ({other.organisation.display_name})" if other.organisation else ""
        entries.append(CalendarEntry(
            uid=f"meeting-{meeting.id}@cho-cong-nghe", starts_at=meeting.slot_start,
            ends_at=meeting.slot_start + timedelta(minutes=meeting.session.slot_minutes),
            summary=_("B2B meeting: %(name)s", name=other.full_name + org),
            location=_("%(venue)s, table %(table)d", venue=event.venue, table=meeting.table_no),
            description=f"{meeting.reason}\n\n{url}", url=url))
    body = calendar_bytes(entries, name=_("B2B agenda · %(title)s", title=event.title(locale_code())))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{event.slug}-b2b.ics"'})


# --- organisers --------------------------------------------------------------------------------------------

def _manage_page(event, form: SessionForm, status: int = 200):
    meetings = list(db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)
                                       .order_by(Meeting.slot_start.is_(None), Meeting.slot_start, Meeting.table_no,
                                                 Meeting.id)))
    counts = {s: sum(1 for m in meetings if m.status == s) for s in MeetingStatus}
    accepted = [m for m in meetings if m.status == MeetingStatus.ACCEPTED.value]
    slots = [(f"{s.id}|{start.isoformat()}", _slot_label(s, start)) for s in event.matchmaking
             for start in session_slots(s)]
    outcomes = {o: sum(1 for m in accepted if m.outcome == o) for o in OUTCOME_LABELS}
    value = sum(m.value_vnd or 0 for m in accepted if m.outcome in ("mou", "contract"))
    return _render("manage.html", event, None, form=form, accepted=accepted, counts=counts, slots=slots,
                   outcomes=outcomes, value=value,
                   scheduled=sum(1 for m in accepted if m.session_id)), status


@bp.get("/<slug>/manage/b2b")
@requires(Permission.EVENT_MANAGE)
def manage(slug: str):
    return _manage_page(get_event_or_404(slug, current_user), SessionForm(formdata=None))


@bp.post("/<slug>/manage/b2b/sessions")
@requires(Permission.EVENT_MANAGE)
def add_session(slug: str):
    event = get_event_or_404(slug, current_user)
    form = SessionForm()
    if not form.validate() or not attempt(lambda: define_session(event, by=current_user, data=form.session_data()),
                                          _("Matchmaking session added."), form=form):
        return _manage_page(event, form, 422)
    return redirect(url_for("event_meetings.manage", slug=event.slug))


@bp.post("/<slug>/manage/b2b/sessions/<int:session_id>/delete")
@requires(Permission.EVENT_MANAGE)
def delete_session(slug: str, session_id: int):
    event = get_event_or_404(slug, current_user)
    session = get_session_or_404(event, session_id)
    attempt(lambda: remove_session(session, by=current_user), _("Session removed."))
    return redirect(url_for("event_meetings.manage", slug=event.slug))


@bp.post("/<slug>/manage/b2b/meetings/<int:meeting_id>/assign")
@requires(Permission.EVENT_MANAGE)
def assign(slug: str, meeting_id: int):
    event = get_event_or_404(slug, current_user)
    meeting = get_meeting_or_404(event, meeting_id, current_user)
    session_id, _sep, start = request.form.get("slot", "").partition("|")
    session = db.session.get(MatchmakingSession, int(session_id)) if session_id.isdigit() else None
    attempt(lambda: assign_meeting(meeting, by=current_user, session=session, slot_start=start,
                                   table_no=request.form.get("table_no", ""),
                                   ignore_availability=request.form.get("ignore_availability") == "1"),
            lambda m: _("Meeting scheduled: %(slot)s, table %(table)d.", slot=_slot_label(session, m.slot_start),
                        table=m.table_no))
    return redirect(url_for("event_meetings.manage", slug=event.slug, _anchor=f"m{meeting_id}"))


@bp.post("/<slug>/manage/b2b/meetings/<int:meeting_id>/unassign")
@requires(Permission.EVENT_MANAGE)
def unassign(slug: str, meeting_id: int):
    event = get_event_or_404(slug, current_user)
    meeting = get_meeting_or_404(event, meeting_id, current_user)
    attempt(lambda: unassign_meeting(meeting, by=current_user), _("The meeting no longer has a slot."))
    return redirect(url_for("event_meetings.manage", slug=event.slug, _anchor=f"m{meeting_id}"))


@bp.post("/<slug>/manage/b2b/schedule")
@requires(Permission.EVENT_MANAGE)
def schedule(slug: str):
    event = get_event_or_404(slug, current_user)
    done = attempt(lambda: run_scheduler(event, by=current_user))
    if done:
        result = done.value
        flash(_("Scheduler done: %(placed)d meetings placed, %(kept)d kept as they were, %(unplaced)d could not be "
                "placed.", placed=result["placed"], kept=result["kept"], unplaced=result["unplaced"]),
              "success" if not result["unplaced"] else "warning")
    return redirect(url_for("event_meetings.manage", slug=event.slug))
