"""Public event pages (list, detail, ICS, floor plan) and organisers' event editing and agenda.

The parts of a fair have their own blueprints (``registration``, ``checkin``, ``exhibitors``, ``meetings``);
``create_app`` registers each of them.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from ..actions import attempt
from ..errors import fail
from ..events.loaders import get_agenda_item_or_404, get_event_or_404
from ..extensions import db
from ..formatting import locale_code
from ..listings.attachments import upload_root
from ..listings.storage import AttachmentError, open_stored, save_upload
from ..permissions import Permission, public, requires, user_can
from .forms import AgendaItemForm, EventForm
from .labels import EVENT_STATUS_LABELS, EVENT_TYPE_LABELS, PARTICIPANT_LABELS
from .models import Event, EventStatus, ParticipantType
from .registration.labels import REG_STATUS_LABELS
from .registration.services import registration_of
from .services import (
    TRANSITIONS,
    add_agenda_item,
    can_manage,
    change_event_status,
    create_event,
    find_events,
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
MIB = 1024 * 1024



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
    stmt = find_events(current_user, when=when, event_type=event_type, q=q,
                       include_drafts=bool(request.args.get("drafts")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    events = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("events/index.html", events=events, when=when, q=q, event_type=event_type, page=page,
                           pages=max(1, -(-total // PER_PAGE)), total=total, type_labels=EVENT_TYPE_LABELS,
                           status_labels=EVENT_STATUS_LABELS, locale=locale_code(),
                           can_manage=can_manage(current_user))


@bp.get("/<slug>")
@public
def detail(slug: str):
    event = get_event_or_404(slug, current_user)
    manage = can_manage(current_user)
    return render_template("events/detail.html", event=event, locale=locale_code(),
                           mine=registration_of(event, current_user), state=registration_state(event),
                           type_labels=EVENT_TYPE_LABELS, status_labels=EVENT_STATUS_LABELS,
                           participant_labels=PARTICIPANT_LABELS, reg_status_labels=REG_STATUS_LABELS,
                           can_manage=manage, can_checkin=user_can(current_user, Permission.EVENT_CHECKIN),
                           actions=[a for a, moves in TRANSITIONS.items() if EventStatus(event.status) in moves]
                           if manage else [], agenda_form=AgendaItemForm() if manage else None)


@bp.get("/<slug>.ics")
@public
def ics(slug: str):
    event = get_event_or_404(slug, current_user)
    return Response(event_ics(event, locale_code()), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'})


@bp.get("/<slug>/floor-plan")
@public
def floor_plan(slug: str):
    event = get_event_or_404(slug, current_user)
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


def _store_floor_plan(form: EventForm, event: Event) -> Event:
    """Store an uploaded floor plan (images only) for ``event``; a refusal names the ``floor_plan`` field."""
    upload = form.floor_plan.data
    if not upload or not getattr(upload, "filename", ""):
        return event
    try:
        stored = save_upload(upload.stream, upload.filename, upload_root(), max_bytes=FLOOR_PLAN_MAX)
    except AttachmentError as exc:
        if exc.code == "too_large":
            raise fail("floor_plan", _l("The file is larger than %(mb)d MB.", mb=FLOOR_PLAN_MAX // MIB),
                       status=413) from None
        if exc.code == "empty":
            raise fail("floor_plan", _l("The file is empty.")) from None
        stored = None
    if stored is None or stored.content_type not in IMAGE_TYPES:
        raise fail("floor_plan", _l("The floor plan must be a JPEG, PNG or WebP image."))
    event.floor_plan_key, event.floor_plan_type = stored.key, stored.content_type
    return event


def _save(form: EventForm, event: Event | None, service, message: str):
    """Validate, run ``service`` (create or update) and store the floor plan in one unit of work; else show
    the form again."""
    if form.validate_on_submit():
        done = attempt(lambda: _store_floor_plan(form, service()), message, form=form)
        if done:
            return redirect(url_for("events.detail", slug=done.value.slug))
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
    event = get_event_or_404(slug, current_user)
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
    event = get_event_or_404(slug, current_user)
    attempt(lambda: change_event_status(event, by=current_user, action=action),
            lambda changed: _("The event is now “%(status)s”.", status=EVENT_STATUS_LABELS[changed.status]))
    return redirect(url_for("events.detail", slug=event.slug))


@bp.post("/<slug>/agenda")
@requires(Permission.EVENT_MANAGE)
def agenda_add(slug: str):
    event = get_event_or_404(slug, current_user)
    form = AgendaItemForm()
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        attempt(lambda: add_agenda_item(event, by=current_user, data=data), _("Agenda item added."))
    else:
        flash(_("Check the agenda item: %(errors)s",
                errors="; ".join(f"{form[k].label.text}: {v[0]}" for k, v in form.errors.items())), "warning")
    return redirect(url_for("events.detail", slug=slug) + "#agenda")


@bp.post("/<slug>/agenda/<int:item_id>/delete")
@requires(Permission.EVENT_MANAGE)
def agenda_remove(slug: str, item_id: int):
    event = get_event_or_404(slug, current_user)
    item = get_agenda_item_or_404(event, item_id)
    attempt(lambda: remove_agenda_item(item, by=current_user), _("Agenda item removed."))
    return redirect(url_for("events.detail", slug=slug) + "#agenda")
