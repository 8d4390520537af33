"""A participant's side: register, "my registrations" with tickets, cancel, confirm a place offered from the
waitlist. Routes live on the ``events`` blueprint (imported by ``create_app`` for their side effect)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import MembershipStatus
from ..extensions import db
from ..permissions import Permission, requires
from ..timeutil import utcnow
from .forms import RegistrationForm
from .labels import PARTICIPANT_LABELS, REG_STATUS_LABELS
from .models import Event, Registration, RegStatus
from .services import (
    ServiceError,
    cancel_registration,
    confirm_offer,
    register,
    registration_state,
    reissue_ticket,
    waitlist_position,
)
from .tickets import qr_png
from .views import bp, get_event_or_404, locale, my_registration

_MESSAGES = {
    RegStatus.CONFIRMED.value: _l("Your place is confirmed. Your ticket is below and in your mailbox."),
    RegStatus.WAITLISTED.value: _l("The event is full: you are on the waitlist. We will write to you when a place is "
                                   "free."),
    RegStatus.PENDING_APPROVAL.value: _l("Registration received. The organisers will review it and write to you."),
}


def _organisations():
    return [m.organisation for m in current_user.memberships if m.status == MembershipStatus.ACTIVE.value]


def _own_registration_or_404(reg_id: int) -> Registration:
    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.user_id != current_user.id:
        abort(404)
    return reg


@bp.route("/<slug>/register", methods=["GET", "POST"], endpoint="register")
@requires(Permission.EVENT_REGISTER)
def register_page(slug: str):
    event = get_event_or_404(slug)
    existing = my_registration(event)
    if existing is not None and existing.status in (RegStatus.CONFIRMED.value, RegStatus.WAITLISTED.value,
                                                    RegStatus.PENDING_APPROVAL.value, RegStatus.OFFERED.value):
        flash(_("You are already registered for this event."), "info")
        return redirect(url_for("events.mine"))
    organisations = _organisations()
    form = RegistrationForm()
    form.fill_choices(event, organisations)
    if not form.is_submitted():
        form.phone.data = current_user.phone
    state = registration_state(event)
    if form.validate_on_submit():
        organisation = next((o for o in organisations if o.id == form.organisation_id.data), None)
        data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "participant_type", "organisation_id")}
        try:
            reg, _created = register(event, by=current_user, participant_type=form.participant_type.data,
                                     organisation=organisation, data=data)
        except ServiceError as exc:
            db.session.rollback()
            if not form.apply_service_error(exc):
                flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(str(_MESSAGES.get(reg.status, _l("Registration saved."))), "success")
            return redirect(url_for("events.mine"))
    return render_template("events/register.html", event=event, form=form, state=state, locale=locale()), \
        (422 if form.errors else 200)


@bp.get("/mine")
@requires(Permission.EVENT_REGISTER)
def mine():
    now = utcnow()
    regs = db.session.scalars(select(Registration).join(Registration.event)
                              .where(Registration.user_id == current_user.id).order_by(Event.starts_at.desc())).all()
    # coming events first (soonest first), then past ones (latest first)
    regs = sorted((r for r in regs if r.event.ends_at > now), key=lambda r: r.event.starts_at) + \
        [r for r in regs if r.event.ends_at <= now]
    return render_template("events/mine.html", regs=regs, locale=locale(), participant_labels=PARTICIPANT_LABELS,
                           reg_status_labels=REG_STATUS_LABELS, position=waitlist_position, now=now)


@bp.get("/registrations/<int:reg_id>/ticket.png")
@requires(Permission.EVENT_REGISTER)
def ticket_png(reg_id: int):
    reg = _own_registration_or_404(reg_id)
    if reg.status != RegStatus.CONFIRMED.value or not reg.ticket_token:
        abort(404)
    return Response(qr_png(reg.ticket_token), mimetype="image/png",
                    headers={"Cache-Control": "private, no-store"})


@bp.post("/registrations/<int:reg_id>/cancel")
@requires(Permission.EVENT_REGISTER)
def cancel(reg_id: int):
    reg = _own_registration_or_404(reg_id)
    try:
        cancel_registration(reg, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("events.mine"))


@bp.post("/registrations/<int:reg_id>/reissue")
@requires(Permission.EVENT_REGISTER)
def reissue(reg_id: int):
    reg = _own_registration_or_404(reg_id)
    try:
        reissue_ticket(reg, by=current_user)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(_("A new ticket is issued; the old code no longer works."), "success")
    return redirect(url_for("events.mine"))


@bp.route("/offers/<token>", methods=["GET", "POST"], endpoint="confirm_offer")
@requires(Permission.EVENT_REGISTER)
def confirm_offer_page(token: str):
    reg = db.session.scalar(select(Registration).where(Registration.offer_token == token))
    if reg is None or reg.user_id != current_user.id:
        flash(_("This confirmation link is not valid (any more)."), "warning")
        return redirect(url_for("events.mine"))
    if request.method == "POST":
        try:
            confirm_offer(token, by=current_user)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "warning")
        else:
            db.session.commit()
            flash(_("Your place is confirmed. Your ticket is below and in your mailbox."), "success")
        return redirect(url_for("events.mine"))
    return render_template("events/confirm_offer.html", reg=reg, event=reg.event, locale=locale())
