"""Exhibitor applications, booth assignment and the public exhibitor catalogue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...accounts.models import Organisation, User
from ...actions import attempt
from ...events.exhibitors.loaders import get_exhibitor_or_404
from ...events.loaders import get_event_or_404
from ...extensions import db
from ...listings.labels import STATUS_LABELS as LISTING_STATUS_LABELS
from ...listings.models import Status
from ...permissions import Permission, public, requires
from ...text import fold
from ..models import Event
from .forms import ApplicationForm
from .labels import BOOTH_TYPE_LABELS, EXHIBITOR_STATUS_LABELS
from .models import Exhibitor, ExhibitorListing, ExhibitorStatus
from .services import (
    LIVE,
    accepts_applications,
    application_of,
    apply_as_exhibitor,
    assign_booth,
    decide_exhibitor,
    showable_listings,
    update_application,
    withdraw_application,
)

bp = Blueprint("event_exhibitors", __name__, url_prefix="/events")
SIDE_LABELS = {"offer": _l("Offers"), "ip_asset": _l("IP assets"), "need": _l("Needs")}


def _with_items():
    return selectinload(Exhibitor.items).selectinload(ExhibitorListing.listing)


def _apply_page(event: Event, organisations: list[Organisation], chosen: Organisation | None,
                form: ApplicationForm | None = None, status: int = 200):
    applications = {}
    if organisations:
        rows = db.session.scalars(select(Exhibitor).options(_with_items()).where(
            Exhibitor.event_id == event.id, Exhibitor.organisation_id.in_([o.id for o in organisations])))
        applications = {x.organisation_id: x for x in rows}
    current = applications.get(chosen.id) if chosen else None
    listings = showable_listings(chosen) if chosen else []
    groups = [(label, [x for x in listings if x.side == side]) for side, label in SIDE_LABELS.items()]
    return render_template(
        "events/exhibitors/apply.html", event=event, organisations=organisations, chosen=chosen,
        applications=applications, current=current, open=accepts_applications(event),
        editable=current is None or current.status in LIVE or current.status == ExhibitorStatus.WITHDRAWN.value,
        form=form or ApplicationForm.for_application(current), groups=[(label, items) for label, items in groups
                                                                      if items],
        booth_types=BOOTH_TYPE_LABELS, status_labels=EXHIBITOR_STATUS_LABELS,
        listing_status_labels=LISTING_STATUS_LABELS), status


@bp.route("/<slug>/exhibit", methods=["GET", "POST"])
@requires(Permission.EVENT_REGISTER)
def apply(slug: str):
    event = get_event_or_404(slug, current_user)
    organisations = current_user.active_organisations()
    wanted = request.form.get("organisation_id") if request.method == "POST" else request.args.get("org")
    chosen = organisations[0] if organisations else None
    if wanted:
        chosen = next((o for o in organisations if str(o.id) == wanted), None)
        if chosen is None:
            abort(404)
    if request.method == "GET" or chosen is None:
        return _apply_page(event, organisations, chosen)
    form = ApplicationForm()
    data = form.application_data()
    current = application_of(event, chosen)
    if current is not None and current.status in LIVE:
        done = attempt(lambda: update_application(current, by=current_user, data=data),
                       _("Your application is updated."), form=form)
    else:
        done = attempt(lambda: apply_as_exhibitor(event, by=current_user, organisation=chosen, data=data),
                       _("Your application is sent. The organisers will review it and write to you."), form=form)
    if not done:
        return _apply_page(event, organisations, chosen, form, done.error.status)
    return redirect(url_for("event_exhibitors.apply", slug=event.slug, org=chosen.id))


@bp.post("/<slug>/exhibit/<int:exhibitor_id>/withdraw")
@requires(Permission.EVENT_REGISTER)
def withdraw(slug: str, exhibitor_id: int):
    event = get_event_or_404(slug, current_user)
    exhibitor = get_exhibitor_or_404(event, exhibitor_id, current_user, member=True)
    attempt(lambda: withdraw_application(exhibitor, by=current_user), _("Your application is withdrawn."))
    return redirect(url_for("event_exhibitors.apply", slug=event.slug, org=exhibitor.organisation_id))


@bp.get("/<slug>/exhibitors")
@public
def catalogue(slug: str):
    event = get_event_or_404(slug, current_user)
    exhibitors = db.session.scalars(
        select(Exhibitor).options(_with_items(), selectinload(Exhibitor.organisation))
        .where(Exhibitor.event_id == event.id, Exhibitor.status == ExhibitorStatus.APPROVED.value)).all()
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        needle = fold(q)
        exhibitors = [x for x in exhibitors if needle in fold(x.organisation.legal_name)
                      or needle in fold(x.organisation.short_name or "")
                      or any(needle in fold(i.listing.title_vi) for i in x.items
                             if i.listing.status == Status.PUBLISHED.value)]
    exhibitors = sorted(exhibitors, key=lambda x: (x.booth_no is None, x.booth_no or "",
                                                   fold(x.organisation.display_name)))
    shown = {x.id: sorted((i.listing for i in x.items if i.listing.status == Status.PUBLISHED.value),
                          key=lambda listing: (listing.side, listing.title_vi)) for x in exhibitors}
    return render_template("events/exhibitors/catalogue.html", event=event, exhibitors=exhibitors,
                           shown=shown, q=q, booth_types=BOOTH_TYPE_LABELS)


def _manage_page(event: Event, *, error_for: int | None = None, status: int = 200):
    """The organisers' list; after a refusal (flashed), ``error_for`` marks the application it concerns."""
    wanted = request.values.get("status") or ""
    query = (select(Exhibitor).options(_with_items(), selectinload(Exhibitor.organisation))
             .where(Exhibitor.event_id == event.id).order_by(Exhibitor.created_at, Exhibitor.id))
    if wanted in EXHIBITOR_STATUS_LABELS:
        query = query.where(Exhibitor.status == wanted)
    else:
        wanted = ""
    exhibitors = db.session.scalars(query).all()
    counts = dict(db.session.execute(select(Exhibitor.status, func.count()).where(Exhibitor.event_id == event.id)
                                     .group_by(Exhibitor.status)).all())
    applicant_ids = {x.applied_by_id for x in exhibitors if x.applied_by_id}
    applicants = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(applicant_ids)))} \
        if applicant_ids else {}
    return render_template(
        "events/exhibitors/manage.html", event=event, exhibitors=exhibitors, counts=counts,
        wanted=wanted, applicants=applicants, error_for=error_for, booth_types=BOOTH_TYPE_LABELS,
        status_labels=EXHIBITOR_STATUS_LABELS, listing_status_labels=LISTING_STATUS_LABELS,
        side_labels=SIDE_LABELS), status


def _back_to_manage(event: Event):
    wanted = request.form.get("status") or None
    return redirect(url_for("event_exhibitors.manage", slug=event.slug, status=wanted))


@bp.get("/<slug>/manage/exhibitors")
@requires(Permission.EVENT_MANAGE)
def manage(slug: str):
    return _manage_page(get_event_or_404(slug, current_user))


@bp.post("/<slug>/manage/exhibitors/<int:exhibitor_id>/decide")
@requires(Permission.EVENT_MANAGE)
def decide(slug: str, exhibitor_id: int):
    event = get_event_or_404(slug, current_user)
    exhibitor = get_exhibitor_or_404(event, exhibitor_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        flash(_("Choose approve or reject."), "danger")
        return _manage_page(event, error_for=exhibitor.id, status=422)
    done = attempt(lambda: decide_exhibitor(exhibitor, by=current_user, approve=decision == "approve",
                                            note=request.form.get("note")),
                   lambda decided: _("%(org)s: %(status)s.", org=decided.organisation.display_name,
                                     status=EXHIBITOR_STATUS_LABELS[decided.status]))
    if not done:
        return _manage_page(event, error_for=exhibitor.id, status=done.error.status)
    return _back_to_manage(event)


def _booth_message(exhibitor: Exhibitor) -> str:
    if exhibitor.booth_no:
        return _("%(org)s has booth %(booth)s.", org=exhibitor.organisation.display_name, booth=exhibitor.booth_no)
    return _("%(org)s has no booth now.", org=exhibitor.organisation.display_name)


@bp.post("/<slug>/manage/exhibitors/<int:exhibitor_id>/booth")
@requires(Permission.EVENT_MANAGE)
def booth(slug: str, exhibitor_id: int):
    event = get_event_or_404(slug, current_user)
    exhibitor = get_exhibitor_or_404(event, exhibitor_id)
    done = attempt(lambda: assign_booth(exhibitor, by=current_user, booth_no=request.form.get("booth_no", "")),
                   _booth_message)
    if not done:
        return _manage_page(event, error_for=exhibitor.id, status=done.error.status)
    return _back_to_manage(event)
