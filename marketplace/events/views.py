"""Public event pages (list, detail, ICS, floor plan) and organisers' event editing.

A participant's own registration pages are in ``views_registration.py``.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..extensions import db
from ..listings.attachments import upload_root
from ..listings.storage import AttachmentError, open_stored, save_upload
from ..permissions import Permission, public, requires, user_can
from ..search import SearchQuery, get_engine
from ..timeutil import utcnow
from .forms import AgendaItemForm, EventForm
from .labels import EVENT_STATUS_LABELS, EVENT_TYPE_LABELS, PARTICIPANT_LABELS, REG_STATUS_LABELS
from .models import AgendaItem, Event, EventStatus, ParticipantType, Registration
from .services import (
    TRANSITIONS,
    ServiceError,
    add_agenda_item,
    change_event_status,
    create_event,
    registration_state,
    remove_agenda_item,
    to_local,
    update_event,
)
from .tickets import event_ics

bp = Blueprint("events", __name__, url_prefix="/events")
PER_PAGE = 12
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
FLOOR_PLAN_MAX = 10 * 1024 * 1024


def get_event_or_404(slug: str) -> Event:
    """The event by slug; drafts only for DOST event organisers (404 for everyone else)."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or (not event.is_public and not user_can(current_user, Permission.EVENT_MANAGE)):
        abort(404)
    return event


def my_registration(event: Event) -> Registration | None:
    """The signed-in user's registration for ``event`` (any status), or None."""
    if not current_user.is_authenticated:
        return None
    return db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                        Registration.user_id == current_user.id))


def locale() -> str:
    return str(get_locale() or "vi")


@bp.get("/")
@public
def index():
    when = request.args.get("when") if request.args.get("when") in ("upcoming", "past") else "upcoming"
    event_type = request.args.get("type") if request.args.get("type") in EVENT_TYPE_LABELS else None
    q = (request.args.get("q") or "").strip()[:200]
    try:
        page = max(1, min(int(request.args.get("page", 1)), 500))
    except ValueError:
        page = 1
    now = utcnow()
    stmt = select(Event)
    if not (user_can(current_user, Permission.EVENT_MANAGE) and request.args.get("drafts")):
        stmt = stmt.where(Event.status != EventStatus.DRAFT.value)
    stmt = stmt.where(Event.status != EventStatus.ARCHIVED.value) if when == "upcoming" else stmt
    stmt = stmt.where(Event.ends_at >= now).order_by(Event.starts_at) if when == "upcoming" else \
        stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc())
    if event_type:
        stmt = stmt.where(Event.type == event_type)
    if q:
        hits = get_engine().search(SearchQuery(q=q, types=["event"], per_page=100)).hits
        ids = [int(h.id.split(":")[1]) for h in hits]
        stmt = stmt.where(or_(Event.id.in_(ids), Event.slug == q)) if ids else stmt.where(Event.id == -1)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    events = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("events/index.html", events=events, when=when, q=q, event_type=event_type, page=page,
                           pages=max(1, -(-total // PER_PAGE)), total=total, type_labels=EVENT_TYPE_LABELS,
                           status_labels=EVENT_STATUS_LABELS, locale=locale(),
                           can_manage=user_can(current_user, Permission.EVENT_MANAGE))


@bp.get("/<slug>")
@public
def detail(slug: str):
    event = get_event_or_404(slug)
    manage = user_can(current_user, Permission.EVENT_MANAGE)
    return render_template("events/detail.html", event=event, locale=locale(), mine=my_registration(event),
                           state=registration_state(event), type_labels=EVENT_TYPE_LABELS,
                           status_labels=EVENT_STATUS_LABELS, participant_labels=PARTICIPANT_LABELS,
                           reg_status_labels=REG_STATUS_LABELS, can_manage=manage,
                           can_checkin=user_can(current_user, Permission.EVENT_CHECKIN),
                           actions=[a for a, moves in TRANSITIONS.items() if EventStatus(event.status) in moves]
                           if manage else [], agenda_form=AgendaItemForm() if manage else None)


@bp.get("/<slug>.ics")
@public
def ics(slug: str):
    event = get_event_or_404(slug)
    return Response(event_ics(event, locale()), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'})


@bp.get("/<slug>/floor-plan")
@public
def floor_plan(slug: str):
    event = get_event_or_404(slug)
    if not event.floor_plan_key:
        abort(404)
    try:
        stream = open_stored(upload_root(), event.floor_plan_key)
    except (OSError, ValueError):
        abort(404)
    response = send_file(stream, mimetype=event.floor_plan_type, max_age=3600)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _store_floor_plan(form: EventForm, event: Event) -> bool:
    upload = form.floor_plan.data
    if not upload or not getattr(upload, "filename", ""):
        return True
    try:
        stored = save_upload(upload.stream, upload.filename, upload_root(), max_bytes=FLOOR_PLAN_MAX)
    except AttachmentError as exc:
        form.floor_plan.errors = [str(exc)]
        return False
    if stored.content_type not in IMAGE_TYPES:
        form.floor_plan.errors = [_("The floor plan must be a JPEG, PNG or WebP image.")]
        return False
    event.floor_plan_key, event.floor_plan_type = stored.key, stored.content_type
    return True


def _save(form: EventForm, event: Event | None, service, message: str):
    """Validate, run ``service`` (create or update), store the floor plan, commit; else show the form again."""
    if form.validate_on_submit():
        try:
            saved = service()
        except ServiceError as exc:
            db.session.rollback()
            if not form.apply_service_error(exc):
                flash(exc.message, "danger")
        else:
            if _store_floor_plan(form, saved):
                db.session.commit()
                flash(message, "success")
                return redirect(url_for("events.detail", slug=saved.slug))
            db.session.rollback()
    return render_template("events/edit.html", form=form, event=event, participant_types=list(ParticipantType)), \
        (422 if form.errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.EVENT_MANAGE)
def new():
    form = EventForm()
    form.fill_choices()
    return _save(form, None, lambda: create_event(by=current_user, data=form.event_data()),
                 _("The event is saved as a draft. Add the agenda, then publish it."))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@requires(Permission.EVENT_MANAGE)
def edit(slug: str):
    event = get_event_or_404(slug)
    form = EventForm(obj=event) if request.method == "GET" else EventForm()
    form.fill_choices()
    if request.method == "GET":
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            getattr(form, name).data = to_local(getattr(event, name))
        for row in event.capacities:
            getattr(form, f"capacity_{row.participant_type}").data = row.capacity
    return _save(form, event, lambda: update_event(event, by=current_user, data=form.event_data()),
                 _("Changes saved."))


@bp.post("/<slug>/status/<action>")
@requires(Permission.EVENT_MANAGE)
def status(slug: str, action: str):
    event = get_event_or_404(slug)
    try:
        change_event_status(event, by=current_user, action=action)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("The event is now “%(status)s”.", status=EVENT_STATUS_LABELS[event.status]), "success")
    return redirect(url_for("events.detail", slug=event.slug))


@bp.post("/<slug>/agenda")
@requires(Permission.EVENT_MANAGE)
def agenda_add(slug: str):
    event = get_event_or_404(slug)
    form = AgendaItemForm()
    if not form.validate_on_submit():
        flash(_("Check the agenda item: %(errors)s",
                errors="; ".join(f"{form[k].label.text}: {v[0]}" for k, v in form.errors.items())), "warning")
        return redirect(url_for("events.detail", slug=slug) + "#agenda")
    data = {k: v for k, v in form.data.items() if k != "csrf_token"}
    try:
        add_agenda_item(event, by=current_user, data=data)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("Agenda item added."), "success")
    return redirect(url_for("events.detail", slug=slug) + "#agenda")


@bp.post("/<slug>/agenda/<int:item_id>/delete")
@requires(Permission.EVENT_MANAGE)
def agenda_remove(slug: str, item_id: int):
    event = get_event_or_404(slug)
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    remove_agenda_item(item, by=current_user)
    db.session.commit()
    flash(_("Agenda item removed."), "success")
    return redirect(url_for("events.detail", slug=slug) + "#agenda")
