"""Exhibitor applications, booth assignment and the public exhibitor catalogue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Organisation, User
from ..extensions import db
from ..listings.labels import STATUS_LABELS as LISTING_STATUS_LABELS
from ..listings.models import Status
from ..permissions import Permission, public, requires
from ..text import fold
from .labels import BOOTH_TYPE_LABELS, EXHIBITOR_STATUS_LABELS
from .models import Event, Exhibitor, ExhibitorListing, ExhibitorStatus
from .services.exhibitors import (
    LIVE,
    ServiceError,
    accepts_applications,
    apply_as_exhibitor,
    assign_booth,
    decide_exhibitor,
    showable_listings,
    update_application,
    withdraw_application,
)
from .views import get_event_or_404

bp = Blueprint("event_exhibitors", __name__, url_prefix="/events")
SIDE_LABELS = {"offer": _l("Offers"), "ip_asset": _l("IP assets"), "need": _l("Needs")}


def _my_organisations() -> list[Organisation]:
    return [m.organisation for m in current_user.active_memberships()]


def _get_exhibitor_or_404(event: Event, exhibitor_id: int) -> Exhibitor:
    exhibitor = db.session.get(Exhibitor, exhibitor_id)
    if exhibitor is None or exhibitor.event_id != event.id:
        abort(404)
    return exhibitor


def _with_items():
    return selectinload(Exhibitor.items).selectinload(ExhibitorListing.listing)


def _form_values(exhibitor: Exhibitor | None) -> dict:
    """What the application form shows: the posted values after an error, else the current application."""
    if request.method == "POST":
        return {"booth_type": request.form.get("booth_type", ""), "needs_power": bool(request.form.get("needs_power")),
                "needs_internet": bool(request.form.get("needs_internet")),
                "staff_names": request.form.get("staff_names", ""), "note": request.form.get("note", ""),
                "listing_ids": {int(i) for i in request.form.getlist("listing_ids") if i.isdigit()},
                "new_offer_titles": request.form.get("new_offer_titles", "")}
    if exhibitor is None:
        return {"booth_type": "standard", "needs_power": False, "needs_internet": False, "staff_names": "", "note": "",
                "listing_ids": set(), "new_offer_titles": ""}
    return {"booth_type": exhibitor.booth_type, "needs_power": exhibitor.needs_power,
            "needs_internet": exhibitor.needs_internet, "staff_names": "\n".join(exhibitor.staff_names or []),
            "note": exhibitor.note or "", "listing_ids": {i.listing_id for i in exhibitor.items},
            "new_offer_titles": ""}


def _apply_page(event: Event, organisations: list[Organisation], chosen: Organisation | None,
                error: ServiceError | None = None):
    applications = {}
    if organisations:
        rows = db.session.scalars(select(Exhibitor).options(_with_items()).where(
            Exhibitor.event_id == event.id, Exhibitor.organisation_id.in_([o.id for o in organisations])))
        applications = {x.organisation_id: x for x in rows}
    current = applications.get(chosen.id) if chosen else None
    listings = showable_listings(chosen) if chosen else []
    groups = [(label, [x for x in listings if x.side == side]) for side, label in SIDE_LABELS.items()]
    status = error.status if error else 200
    return render_template(
        "events/exhibitors_apply.html", event=event, organisations=organisations, chosen=chosen,
        applications=applications, current=current, open=accepts_applications(event),
        editable=current is None or current.status in LIVE or current.status == ExhibitorStatus.WITHDRAWN.value,
        values=_form_values(current), groups=[(label, items) for label, items in groups if items],
        error=error, booth_types=BOOTH_TYPE_LABELS, status_labels=EXHIBITOR_STATUS_LABELS,
        listing_status_labels=LISTING_STATUS_LABELS), status


@bp.route("/<slug>/exhibit", methods=["GET", "POST"])
@requires(Permission.EVENT_REGISTER)
def apply(slug: str):
    event = get_event_or_404(slug)
    organisations = _my_organisations()
    wanted = request.form.get("organisation_id") if request.method == "POST" else request.args.get("org")
    chosen = organisations[0] if organisations else None
    if wanted:
        chosen = next((o for o in organisations if str(o.id) == wanted), None)
        if chosen is None:
            abort(404)
    if request.method == "GET" or chosen is None:
        return _apply_page(event, organisations, chosen)
    data = {"booth_type": request.form.get("booth_type"), "needs_power": bool(request.form.get("needs_power")),
            "needs_internet": bool(request.form.get("needs_internet")),
            "staff_names": request.form.get("staff_names", ""), "note": request.form.get("note", ""),
            "listing_ids": request.form.getlist("listing_ids"),
            "new_offer_titles": request.form.get("new_offer_titles", "")}
    current = db.session.scalar(select(Exhibitor).where(Exhibitor.event_id == event.id,
                                                        Exhibitor.organisation_id == chosen.id))
    try:
        if current is not None and current.status in LIVE:
            update_application(current, by=current_user, data=data)
            message = _("Your application is updated.")
        else:
            apply_as_exhibitor(event, by=current_user, organisation=chosen, data=data)
            message = _("Your application is sent. The organisers will review it and write to you.")
    except ServiceError as exc:
        db.session.rollback()
        return _apply_page(event, organisations, chosen, error=exc)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("event_exhibitors.apply", slug=event.slug, org=chosen.id))


@bp.post("/<slug>/exhibit/<int:exhibitor_id>/withdraw")
@requires(Permission.EVENT_REGISTER)
def withdraw(slug: str, exhibitor_id: int):
    event = get_event_or_404(slug)
    exhibitor = _get_exhibitor_or_404(event, exhibitor_id)
    if exhibitor.organisation not in _my_organisations():
        abort(404)
    try:
        withdraw_application(exhibitor, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("Your application is withdrawn."), "success")
    return redirect(url_for("event_exhibitors.apply", slug=event.slug, org=exhibitor.organisation_id))


@bp.get("/<slug>/exhibitors")
@public
def catalogue(slug: str):
    event = get_event_or_404(slug)
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
    return render_template("events/exhibitors_catalogue.html", event=event, exhibitors=exhibitors,
                           shown=shown, q=q, booth_types=BOOTH_TYPE_LABELS)


def _manage_page(event: Event, *, error: ServiceError | None = None, error_for: int | None = None):
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
        "events/exhibitors_manage.html", event=event, exhibitors=exhibitors, counts=counts,
        wanted=wanted, applicants=applicants, error=error, error_for=error_for, booth_types=BOOTH_TYPE_LABELS,
        status_labels=EXHIBITOR_STATUS_LABELS, listing_status_labels=LISTING_STATUS_LABELS,
        side_labels=SIDE_LABELS), error.status if error else 200


def _back_to_manage(event: Event):
    wanted = request.form.get("status") or None
    return redirect(url_for("event_exhibitors.manage", slug=event.slug, status=wanted))


@bp.get("/<slug>/manage/exhibitors")
@requires(Permission.EVENT_MANAGE)
def manage(slug: str):
    return _manage_page(get_event_or_404(slug))


@bp.post("/<slug>/manage/exhibitors/<int:exhibitor_id>/decide")
@requires(Permission.EVENT_MANAGE)
def decide(slug: str, exhibitor_id: int):
    event = get_event_or_404(slug)
    exhibitor = _get_exhibitor_or_404(event, exhibitor_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        return _manage_page(event, error=ServiceError("invalid_decision", _("Choose approve or reject."),
                                                      status=422), error_for=exhibitor.id)
    try:
        decide_exhibitor(exhibitor, by=current_user, approve=decision == "approve", note=request.form.get("note"))
    except ServiceError as exc:
        db.session.rollback()
        return _manage_page(event, error=exc, error_for=exhibitor_id)
    db.session.commit()
    flash(_("%(org)s: %(status)s.", org=exhibitor.organisation.display_name,
            status=EXHIBITOR_STATUS_LABELS[exhibitor.status]), "success")
    return _back_to_manage(event)


@bp.post("/<slug>/manage/exhibitors/<int:exhibitor_id>/booth")
@requires(Permission.EVENT_MANAGE)
def booth(slug: str, exhibitor_id: int):
    event = get_event_or_404(slug)
    exhibitor = _get_exhibitor_or_404(event, exhibitor_id)
    try:
        assign_booth(exhibitor, by=current_user, booth_no=request.form.get("booth_no", ""))
    except ServiceError as exc:
        db.session.rollback()
        return _manage_page(event, error=exc, error_for=exhibitor_id)
    db.session.commit()
    if exhibitor.booth_no:
        flash(_("%(org)s has booth %(booth)s.", org=exhibitor.organisation.display_name, booth=exhibitor.booth_no),
              "success")
    else:
        flash(_("%(org)s has no booth now.", org=exhibitor.organisation.display_name), "success")
    return _back_to_manage(event)
