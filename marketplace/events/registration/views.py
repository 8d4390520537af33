"""Registration pages: a participant registers, keeps "my registrations" with tickets, cancels, confirms a place
offered from the waitlist; organisers work the desk (list, filters, decisions, moves, CSV export, name badges).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ...actions import attempt
from ...audit.services import record
from ...events.loaders import get_event_or_404
from ...events.registration.loaders import get_registration_or_404
from ...extensions import db
from ...formatting import locale_code
from ...permissions import Permission, requires
from ...text import nfc
from ...timeutil import utcnow
from ..labels import PARTICIPANT_LABELS
from ..models import Event, ParticipantType
from ..services import registration_state
from ..tickets import qr_png
from .export import REGISTRATION_HEADER, csv_bytes, registration_row
from .forms import RegistrationForm
from .labels import REG_STATUS_LABELS
from .models import ACTIVE, SEAT_HOLDING, Registration, RegStatus
from .services import (
    badge_ids,
    cancel_registration,
    change_participant_type,
    confirm_offer,
    decide_registration,
    load_registrations,
    mark_badges_printed,
    matching_ids,
    offer_of,
    register,
    registration_counts,
    registration_of,
    reissue_ticket,
    waitlist_position,
    waitlist_positions,
)

bp = Blueprint("event_registration", __name__, url_prefix="/events")
PAGE_SIZE = 50
BADGES_PAGE_SIZE = 200  # 25 A4 sheets
MAX_QUERY = 100
CSV_CHUNK = 500

_MESSAGES = {
    RegStatus.CONFIRMED.value: _l("Your place is confirmed. Your ticket is below and in your mailbox."),
    RegStatus.WAITLISTED.value: _l("The event is full: you are on the waitlist. We will write to you when a place is "
                                   "free."),
    RegStatus.PENDING_APPROVAL.value: _l("Registration received. The organisers will review it and write to you."),
}


@bp.url_defaults
def _keep_slug(endpoint: str, values: dict) -> None:
    """The shared ``pagination`` macro builds links from the query string alone: keep the page's event."""
    if "slug" not in values and has_request_context() and request.view_args and "slug" in request.view_args \
            and current_app.url_map.is_endpoint_expecting(endpoint, "slug"):
        values["slug"] = request.view_args["slug"]


# --- a participant -----------------------------------------------------------------------------------------

@bp.route("/<slug>/register", methods=["GET", "POST"], endpoint="register")
@requires(Permission.EVENT_REGISTER)
def register_page(slug: str):
    event = get_event_or_404(slug, current_user)
    existing = registration_of(event, current_user)
    if existing is not None and existing.status in ACTIVE:
        flash(_("You are already registered for this event."), "info")
        return redirect(url_for("event_registration.mine"))
    organisations = current_user.active_organisations()
    form = RegistrationForm()
    form.fill_choices(event, organisations)
    if not form.is_submitted():
        form.phone.data = current_user.phone
    if form.validate_on_submit():
        organisation = next((o for o in organisations if o.id == form.organisation_id.data), None)
        data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "participant_type", "organisation_id")}
        done = attempt(lambda: register(event, by=current_user, participant_type=form.participant_type.data,
                                        organisation=organisation, data=data)[0],
                       lambda reg: _MESSAGES.get(reg.status, _l("Registration saved.")), form=form)
        if done:
            return redirect(url_for("event_registration.mine"))
    return render_template("events/registration/register.html", event=event, form=form,
                           state=registration_state(event), locale=locale_code()), (422 if form.errors else 200)


@bp.get("/mine")
@requires(Permission.EVENT_REGISTER)
def mine():
    now = utcnow()
    regs = db.session.scalars(select(Registration).join(Registration.event)
                              .where(Registration.user_id == current_user.id).order_by(Event.starts_at.desc())).all()
    # coming events first (soonest first), then past ones (latest first)
    regs = sorted((r for r in regs if r.event.ends_at > now), key=lambda r: r.event.starts_at) + \
        [r for r in regs if r.event.ends_at <= now]
    return render_template("events/registration/mine.html", regs=regs, locale=locale_code(),
                           participant_labels=PARTICIPANT_LABELS, reg_status_labels=REG_STATUS_LABELS,
                           position=waitlist_position, now=now)


def _ticket_png(reg: Registration, *, box_size: int = 8) -> Response:
    """The QR ticket of a confirmed registration; kept out of shared caches, and a revoked one never served
    from a cache."""
    if reg.status != RegStatus.CONFIRMED.value or not reg.ticket_token:
        abort(404)
    return Response(qr_png(reg.ticket_token, box_size=box_size), mimetype="image/png",
                    headers={"Cache-Control": "private, no-store"})


@bp.get("/registrations/<int:reg_id>/ticket.png")
@requires(Permission.EVENT_REGISTER)
def ticket_png(reg_id: int):
    return _ticket_png(get_registration_or_404(reg_id, current_user))


@bp.post("/registrations/<int:reg_id>/cancel")
@requires(Permission.EVENT_REGISTER)
def cancel(reg_id: int):
    reg = get_registration_or_404(reg_id, current_user)
    attempt(lambda: cancel_registration(reg, by=current_user), _("Your registration is cancelled."))
    return redirect(url_for("event_registration.mine"))


@bp.post("/registrations/<int:reg_id>/reissue")
@requires(Permission.EVENT_REGISTER)
def reissue(reg_id: int):
    reg = get_registration_or_404(reg_id, current_user)
    attempt(lambda: reissue_ticket(reg, by=current_user), _("A new ticket is issued; the old code no longer works."))
    return redirect(url_for("event_registration.mine"))


@bp.route("/offers/<token>", methods=["GET", "POST"], endpoint="confirm_offer")
@requires(Permission.EVENT_REGISTER)
def confirm_offer_page(token: str):
    reg = offer_of(token, current_user)
    if reg is None:
        flash(_("This confirmation link is not valid (any more)."), "warning")
        return redirect(url_for("event_registration.mine"))
    if request.method == "POST":
        attempt(lambda: confirm_offer(token, by=current_user),
                _("Your place is confirmed. Your ticket is below and in your mailbox."))
        return redirect(url_for("event_registration.mine"))
    return render_template("events/registration/confirm_offer.html", reg=reg, event=reg.event, locale=locale_code())


# --- the organisers' desk ----------------------------------------------------------------------------------

def _filters() -> dict:
    """The list filters from the query string, invalid values dropped (never an error)."""
    status = request.args.get("status") or ""
    ptype = request.args.get("type") or ""
    q = " ".join(nfc(request.args.get("q") or "").split())[:MAX_QUERY]
    return {"status": status if status in RegStatus.__members__.values() else "",
            "type": ptype if ptype in ParticipantType.__members__.values() else "", "q": q}


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _list_args(filters: dict, *, page: int | None = None) -> dict:
    """Query-string arguments that bring the organiser back to the same filtered page."""
    args = {k: v for k, v in filters.items() if v}
    if page and page > 1:
        args["page"] = page
    return args


def _desk_registration(slug: str, reg_id: int) -> tuple[Event, Registration]:
    event = get_event_or_404(slug, current_user)
    return event, get_registration_or_404(reg_id, current_user, event=event)


def _back(event: Event):
    return redirect(url_for("event_registration.desk", slug=event.slug, **_list_args(_filters(), page=_page())))


@bp.get("/<slug>/manage/registrations")
@requires(Permission.EVENT_MANAGE)
def desk(slug: str):
    event = get_event_or_404(slug, current_user)
    filters = _filters()
    ids = matching_ids(event, filters)
    page = _page()
    counts = registration_counts(event)
    totals = {key: sum(c[key] for c in counts) for key in
              ("capacity", "taken", "confirmed", "offered", "waitlisted", "pending", "checked_in")}
    return render_template(
        "events/registration/desk.html", event=event, total=len(ids), page=page, page_size=PAGE_SIZE,
        rows=load_registrations(ids[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]), filters=filters,
        list_args=_list_args(filters, page=page), filter_args=_list_args(filters), counts=counts, totals=totals,
        positions=waitlist_positions(event), types=[c.participant_type for c in event.capacities],
        participant_labels=PARTICIPANT_LABELS, status_labels=REG_STATUS_LABELS, active=ACTIVE,
        seat_holding=SEAT_HOLDING)


@bp.post("/<slug>/manage/registrations/<int:reg_id>/decide")
@requires(Permission.EVENT_MANAGE)
def desk_decide(slug: str, reg_id: int):
    event, reg = _desk_registration(slug, reg_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        flash(_("Choose approve or reject."), "warning")
        return _back(event)
    attempt(lambda: decide_registration(reg, by=current_user, approve=decision == "approve"),
            lambda decided: _("%(name)s: %(status)s.", name=decided.full_name,
                              status=REG_STATUS_LABELS.get(decided.status, decided.status)))
    return _back(event)


@bp.post("/<slug>/manage/registrations/<int:reg_id>/type")
@requires(Permission.EVENT_MANAGE)
def desk_move(slug: str, reg_id: int):
    event, reg = _desk_registration(slug, reg_id)
    participant_type = request.form.get("participant_type") or ""
    attempt(lambda: change_participant_type(reg, by=current_user, participant_type=participant_type),
            lambda moved: _("%(name)s moved to “%(type)s”.", name=moved.full_name,
                            type=PARTICIPANT_LABELS.get(moved.participant_type, moved.participant_type)))
    return _back(event)


@bp.post("/<slug>/manage/registrations/<int:reg_id>/cancel")
@requires(Permission.EVENT_MANAGE)
def desk_cancel(slug: str, reg_id: int):
    event, reg = _desk_registration(slug, reg_id)
    message = (_("Registration of %(name)s cancelled; the seat goes to the next person on the waitlist.",
                 name=reg.full_name) if reg.status in SEAT_HOLDING
               else _("Registration of %(name)s cancelled.", name=reg.full_name))
    attempt(lambda: cancel_registration(reg, by=current_user), message)
    return _back(event)


@bp.post("/<slug>/manage/registrations/<int:reg_id>/reissue")
@requires(Permission.EVENT_MANAGE)
def desk_reissue(slug: str, reg_id: int):
    event, reg = _desk_registration(slug, reg_id)
    attempt(lambda: reissue_ticket(reg, by=current_user),
            _("A new ticket was mailed to %(name)s; the old one no longer works.", name=reg.full_name))
    return _back(event)


@bp.get("/<slug>/manage/registrations.csv")
@requires(Permission.EVENT_MANAGE)
def desk_csv(slug: str):
    event = get_event_or_404(slug, current_user)
    filters = _filters()
    ids = matching_ids(event, filters)
    positions = waitlist_positions(event)

    def rows():
        for start in range(0, len(ids), CSV_CHUNK):
            for reg in load_registrations(ids[start:start + CSV_CHUNK]):
                yield registration_row(reg, positions.get(reg.id))

    body = csv_bytes([str(h) for h in REGISTRATION_HEADER], rows())
    # personal data leaves the system: keep a trace of who took it
    record("event.export_registrations", actor=current_user, obj=event, count=len(ids),
           filters={k: v for k, v in filters.items() if v} or None)
    db.session.commit()
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-registrations.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- name badges -------------------------------------------------------------------------------------------

def _badge_filters() -> dict:
    ptype = request.args.get("type") or ""
    return {"type": ptype if ptype in ParticipantType.__members__.values() else "",
            "new": "1" if request.args.get("new") == "1" else ""}


@bp.get("/<slug>/manage/badges")
@requires(Permission.EVENT_MANAGE)
def badges(slug: str):
    event = get_event_or_404(slug, current_user)
    filters = _badge_filters()
    ids = badge_ids(event, participant_type=filters["type"], only_new=bool(filters["new"]))
    page = _page()
    return render_template("events/registration/badges.html", event=event, total=len(ids), page=page,
                           rows=load_registrations(ids[(page - 1) * BADGES_PAGE_SIZE:page * BADGES_PAGE_SIZE]),
                           page_size=BADGES_PAGE_SIZE, filters=filters,
                           types=[c.participant_type for c in event.capacities],
                           participant_labels=PARTICIPANT_LABELS)


@bp.post("/<slug>/manage/badges/printed")
@requires(Permission.EVENT_MANAGE)
def badges_printed(slug: str):
    event = get_event_or_404(slug, current_user)
    ids = [int(v) for v in request.form.getlist("reg_id") if v.isdigit() and len(v) < 12]
    attempt(lambda: mark_badges_printed(event, ids, by=current_user),
            lambda count: _("%(n)d badges marked as printed.", n=count))
    args = {k: v for k, v in _badge_filters().items() if v}
    return redirect(url_for("event_registration.badges", slug=event.slug, **args))


@bp.get("/<slug>/manage/registrations/<int:reg_id>/qr.png")
@requires(Permission.EVENT_MANAGE)
def badge_qr(slug: str, reg_id: int):
    _event, reg = _desk_registration(slug, reg_id)
    return _ticket_png(reg, box_size=6)
