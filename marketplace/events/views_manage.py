"""Organisers' registration desk: list, filter, approve or reject, move between types, CSV export, badges.

The text filter ignores Vietnamese diacritics ("nguyen van an" finds "Nguyễn Văn An"), which SQL cannot do
portably, so the matching ids are found in Python over a light query of the event's registrations; a page
of full rows is then loaded by id.
"""

from __future__ import annotations

from collections import defaultdict

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Organisation
from ..audit.services import record
from ..extensions import db
from ..permissions import Permission, requires
from ..text import fold, nfc
from .export import REGISTRATION_HEADER, csv_bytes, mark_badges_printed, registration_row
from .labels import PARTICIPANT_LABELS, REG_STATUS_LABELS
from .models import ACTIVE, SEAT_HOLDING, Event, ParticipantType, Registration, RegStatus
from .services import (
    ServiceError,
    cancel_registration,
    change_participant_type,
    decide_registration,
    reissue_ticket,
)
from .tickets import qr_png
from .views import get_event_or_404

bp = Blueprint("event_manage", __name__, url_prefix="/events")
PAGE_SIZE = 50
BADGES_PAGE_SIZE = 200  # 25 A4 sheets
MAX_QUERY = 100
CSV_CHUNK = 500


@bp.url_defaults
def _keep_slug(endpoint: str, values: dict) -> None:
    """The shared ``pagination`` macro builds links from the query string alone: keep the page's event."""
    if "slug" not in values and has_request_context() and request.view_args and "slug" in request.view_args:
        values["slug"] = request.view_args["slug"]


# --- filters -----------------------------------------------------------------------------------------------

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


def _matching_ids(event: Event, filters: dict, *, statuses: tuple[str, ...] | None = None) -> list[int]:
    """Ids of the event's registrations that pass the filters, in arrival order."""
    stmt = (select(Registration.id, Registration.full_name, Registration.email, Registration.phone,
                   Registration.position, Organisation.legal_name, Organisation.short_name)
            .outerjoin(Organisation, Organisation.id == Registration.organisation_id)
            .where(Registration.event_id == event.id).order_by(Registration.arrival_no))
    if filters.get("status"):
        stmt = stmt.where(Registration.status == filters["status"])
    if statuses:
        stmt = stmt.where(Registration.status.in_(statuses))
    if filters.get("type"):
        stmt = stmt.where(Registration.participant_type == filters["type"])
    rows = db.session.execute(stmt).all()
    needle = fold(filters.get("q") or "")
    if not needle:
        return [row[0] for row in rows]
    return [row[0] for row in rows if needle in fold(" ".join(filter(None, row[1:])))]


def _load(ids: list[int]) -> list[Registration]:
    """Registrations by id, in the order of ``ids``, with their organisation loaded."""
    if not ids:
        return []
    found = {r.id: r for r in db.session.scalars(select(Registration).options(selectinload(Registration.organisation))
                                                 .where(Registration.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _waitlist_positions(event: Event) -> dict[int, int]:
    """Registration id → position on its participant type's waitlist (1 = next in line)."""
    rows = db.session.execute(select(Registration.id, Registration.participant_type).where(
        Registration.event_id == event.id, Registration.status == RegStatus.WAITLISTED.value)
        .order_by(Registration.arrival_no)).all()
    seen: dict[str, int] = defaultdict(int)
    positions = {}
    for reg_id, ptype in rows:
        seen[ptype] += 1
        positions[reg_id] = seen[ptype]
    return positions


def _counts(event: Event) -> list[dict]:
    """Per participant type: capacity, seats taken, and people per status; checked in counts confirmed people."""
    rows = db.session.execute(
        select(Registration.participant_type, Registration.status, func.count(),
               func.count(Registration.checked_in_at))
        .where(Registration.event_id == event.id)
        .group_by(Registration.participant_type, Registration.status)).all()
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for ptype, status, count, checked in rows:
        by_type[ptype][status] += count
        if status == RegStatus.CONFIRMED.value:
            by_type[ptype]["checked_in"] += checked
    return [{"type": c.participant_type, "capacity": c.capacity, "taken": c.taken,
             "confirmed": by_type[c.participant_type][RegStatus.CONFIRMED.value],
             "offered": by_type[c.participant_type][RegStatus.OFFERED.value],
             "waitlisted": by_type[c.participant_type][RegStatus.WAITLISTED.value],
             "pending": by_type[c.participant_type][RegStatus.PENDING_APPROVAL.value],
             "checked_in": by_type[c.participant_type]["checked_in"]} for c in event.capacities]


def _registration_or_404(event: Event, reg_id: int) -> Registration:
    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.event_id != event.id:
        abort(404)
    return reg


def _back(event: Event):
    filters = _filters()
    return redirect(url_for("event_manage.registrations", slug=event.slug, **_list_args(filters, page=_page())))


# --- the registration list -------------------------------------------------------------------------------

@bp.get("/<slug>/manage/registrations")
@requires(Permission.EVENT_MANAGE)
def registrations(slug: str):
    event = get_event_or_404(slug)
    filters = _filters()
    ids = _matching_ids(event, filters)
    page = _page()
    rows = _load(ids[(page - 1) * PAGE_SIZE:page * PAGE_SIZE])
    counts = _counts(event)
    totals = {key: sum(c[key] for c in counts) for key in
              ("capacity", "taken", "confirmed", "offered", "waitlisted", "pending", "checked_in")}
    return render_template(
        "events/manage_registrations.html", event=event, rows=rows, total=len(ids), page=page,
        page_size=PAGE_SIZE, filters=filters, list_args=_list_args(filters, page=page),
        filter_args=_list_args(filters), counts=counts, totals=totals, positions=_waitlist_positions(event),
        types=[c.participant_type for c in event.capacities], participant_labels=PARTICIPANT_LABELS,
        status_labels=REG_STATUS_LABELS, active=ACTIVE, seat_holding=SEAT_HOLDING)


@bp.post("/<slug>/manage/registrations/<int:reg_id>/decide")
@requires(Permission.EVENT_MANAGE)
def decide(slug: str, reg_id: int):
    event = get_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        flash(_("Choose approve or reject."), "warning")
        return _back(event)
    try:
        decide_registration(reg, by=current_user, approve=decision == "approve")
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("%(name)s: %(status)s.", name=reg.full_name, status=REG_STATUS_LABELS.get(reg.status, reg.status)),
              "success")
    return _back(event)


@bp.post("/<slug>/manage/registrations/<int:reg_id>/type")
@requires(Permission.EVENT_MANAGE)
def move(slug: str, reg_id: int):
    event = get_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    participant_type = request.form.get("participant_type") or ""
    try:
        change_participant_type(reg, by=current_user, participant_type=participant_type)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("%(name)s moved to “%(type)s”.", name=reg.full_name,
                type=PARTICIPANT_LABELS.get(reg.participant_type, reg.participant_type)), "success")
    return _back(event)


@bp.post("/<slug>/manage/registrations/<int:reg_id>/cancel")
@requires(Permission.EVENT_MANAGE)
def cancel(slug: str, reg_id: int):
    event = get_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    held_seat = reg.status in SEAT_HOLDING
    try:
        cancel_registration(reg, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        if held_seat:
            flash(_("Registration of %(name)s cancelled; the seat goes to the next person on the waitlist.",
                    name=reg.full_name), "success")
        else:
            flash(_("Registration of %(name)s cancelled.", name=reg.full_name), "success")
    return _back(event)


@bp.post("/<slug>/manage/registrations/<int:reg_id>/reissue")
@requires(Permission.EVENT_MANAGE)
def reissue(slug: str, reg_id: int):
    event = get_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    try:
        reissue_ticket(reg, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("A new ticket was mailed to %(name)s; the old one no longer works.", name=reg.full_name), "success")
    return _back(event)


@bp.get("/<slug>/manage/registrations.csv")
@requires(Permission.EVENT_MANAGE)
def export_csv(slug: str):
    event = get_event_or_404(slug)
    filters = _filters()
    ids = _matching_ids(event, filters)
    positions = _waitlist_positions(event)

    def rows():
        for start in range(0, len(ids), CSV_CHUNK):
            for reg in _load(ids[start:start + CSV_CHUNK]):
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


# --- badges ------------------------------------------------------------------------------------------------

def _badge_filters() -> dict:
    ptype = request.args.get("type") or ""
    return {"type": ptype if ptype in ParticipantType.__members__.values() else "",
            "new": "1" if request.args.get("new") == "1" else ""}


def _badge_ids(event: Event, filters: dict) -> list[int]:
    """Confirmed people, sorted the Vietnamese way: by given name (the last word), then the full name."""
    stmt = select(Registration.id, Registration.full_name).where(
        Registration.event_id == event.id, Registration.status == RegStatus.CONFIRMED.value)
    if filters["type"]:
        stmt = stmt.where(Registration.participant_type == filters["type"])
    if filters["new"]:
        stmt = stmt.where(Registration.badge_printed_at.is_(None))
    rows = db.session.execute(stmt).all()

    def key(row):
        name = fold(row.full_name or "")
        return (name.split()[-1] if name.split() else "", name, row.id)

    return [row.id for row in sorted(rows, key=key)]


@bp.get("/<slug>/manage/badges")
@requires(Permission.EVENT_MANAGE)
def badges(slug: str):
    event = get_event_or_404(slug)
    filters = _badge_filters()
    ids = _badge_ids(event, filters)
    page = _page()
    rows = _load(ids[(page - 1) * BADGES_PAGE_SIZE:page * BADGES_PAGE_SIZE])
    return render_template("events/manage_badges.html", event=event, rows=rows, total=len(ids), page=page,
                           page_size=BADGES_PAGE_SIZE, filters=filters,
                           types=[c.participant_type for c in event.capacities],
                           participant_labels=PARTICIPANT_LABELS)


@bp.post("/<slug>/manage/badges/printed", endpoint="mark_badges_printed")
@requires(Permission.EVENT_MANAGE)
def mark_printed(slug: str):
    event = get_event_or_404(slug)
    ids = [int(v) for v in request.form.getlist("reg_id") if v.isdigit() and len(v) < 12]
    try:
        count = mark_badges_printed(event, ids, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("%(n)d badges marked as printed.", n=count), "success")
    filters = _badge_filters()
    args = {k: v for k, v in filters.items() if v}
    return redirect(url_for("event_manage.badges", slug=event.slug, **args))


@bp.get("/<slug>/manage/registrations/<int:reg_id>/qr.png")
@requires(Permission.EVENT_MANAGE)
def badge_qr(slug: str, reg_id: int):
    event = get_event_or_404(slug)
    reg = _registration_or_404(event, reg_id)
    if reg.status != RegStatus.CONFIRMED.value or not reg.ticket_token:
        abort(404)
    response = Response(qr_png(reg.ticket_token, box_size=6), mimetype="image/png")
    # the QR is the ticket: keep it out of shared caches, and never show a revoked one from the cache
    response.headers["Cache-Control"] = "private, no-store"
    return response
