"""Two-step verification pages: the code after the password, enrolment (QR code), recovery codes.

DOST staff must have it (``marketplace.permissions``); members may turn it on from their account page.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import attempt
from ..extensions import db, limiter
from ..permissions import Permission, public, requires
from .forms import CodeForm, PasswordConfirmForm
from .limits import login_limit, second_factor_key
from .login import pending_second_factor, second_factor_failed, sign_in
from .services import (
    confirm_enrolment,
    disable_second_factor,
    mark_second_factor,
    pending_secret,
    provisioning_uri,
    recovery_codes_left,
    regenerate_recovery_codes,
    start_login_session,
    verify_second_factor,
)

bp = Blueprint("two_factor", __name__, url_prefix="/account/2fa")


def _next(default: str) -> str:
    target = request.args.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as an SVG ``data:`` URI for an ``<img>`` (no script, allowed by the CSP)."""
    svg = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@bp.route("/", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=second_factor_key)
def verify():
    """After the password (signing in), or for a signed-in session that needs it (stepping up)."""
    if current_user.is_authenticated:
        return _step_up()
    user, next_url = pending_second_factor()
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        method = verify_second_factor(user, form.code.data)
        if method is not None:
            key = start_login_session(user, request.user_agent.string, second_factor=method)
            db.session.commit()
            sign_in(user, key)
            _flash_signed_in(user, method)
            return redirect(next_url or url_for("accounts.profile"))
        db.session.commit()  # keep the audit entry of the refused code
        if not second_factor_failed():
            flash(_("Too many wrong codes. Sign in again."), "danger")
            return redirect(url_for("accounts.login"))
        form.code.errors = [_("This code is not correct, or it has already been used.")]
    return render_template("accounts/two_factor_verify.html", form=form), 401 if form.errors else 200


def _flash_signed_in(user, method: str) -> None:
    flash(_("You are signed in."), "success")
    if method == "recovery":
        flash(_("You used a recovery code; %(count)d remain. Generate new ones on your account page if you run "
                "low.", count=recovery_codes_left(user)), "warning")


def _step_up():
    user = current_user._get_current_object()
    next_url = _next(url_for("accounts.profile"))
    if not user.needs_second_factor:
        return redirect(next_url)
    if not user.has_second_factor:
        return redirect(url_for("two_factor.setup", next=request.args.get("next")))
    form = CodeForm()
    if form.validate_on_submit():
        method = verify_second_factor(user, form.code.data)
        if method is not None:
            mark_second_factor(user.login_key, method)
            db.session.commit()
            _flash_signed_in(user, method)
            return redirect(next_url)
        db.session.commit()
        form.code.errors = [_("This code is not correct, or it has already been used.")]
    return render_template("accounts/two_factor_verify.html", form=form), 401 if form.errors else 200


@bp.route("/setup", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_MANAGE, before_second_factor=True)
@limiter.limit(login_limit, methods=["POST"])
def setup():
    """Enrolment: scan the QR code, type the first code, keep the recovery codes."""
    user = current_user._get_current_object()
    if user.has_second_factor:
        if user.needs_second_factor:
            return redirect(url_for("two_factor.verify", next=request.args.get("next")))
        flash(_("Two-step verification is already set up."), "info")
        return redirect(url_for("accounts.profile"))
    secret = pending_secret(user)
    db.session.commit()
    form = CodeForm()
    if form.validate_on_submit():
        done = attempt(lambda: _confirm(user, form.code.data), form=form)
        if done:
            return render_template("accounts/recovery_codes.html", codes=done.value, enrolled=True,
                                   next_url=_next(url_for("accounts.profile")))
    return render_template("accounts/two_factor_setup.html", form=form, secret=secret,
                           qr=qr_data_uri(provisioning_uri(user, secret))), 422 if form.errors else 200


def _confirm(user, code: str) -> list[str]:
    codes = confirm_enrolment(user, code)
    mark_second_factor(user.login_key, "enrolment")
    return codes


@bp.post("/recovery-codes")
@requires(Permission.ACCOUNT_MANAGE)
@limiter.limit(login_limit)
def recovery_codes():
    """New recovery codes (the old ones stop working), after the password."""
    form = PasswordConfirmForm()
    done = form.validate_on_submit() and attempt(
        lambda: regenerate_recovery_codes(current_user, current_password=form.current_password.data), form=form)
    if not done:
        for error in form.errors.get("current_password", []):
            flash(error, "danger")
        return redirect(url_for("accounts.profile") + "#two-factor")
    return render_template("accounts/recovery_codes.html", codes=done.value, enrolled=False,
                           next_url=url_for("accounts.profile"))


@bp.post("/disable")
@requires(Permission.ACCOUNT_MANAGE)
@limiter.limit(login_limit)
def disable():
    """A member turns two-step verification off (DOST staff cannot)."""
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        if not attempt(lambda: disable_second_factor(current_user, current_password=form.current_password.data),
                       _("Two-step verification is turned off."), form=form):
            for error in form.errors.get("current_password", []):
                flash(error, "danger")
    return redirect(url_for("accounts.profile") + "#two-factor")
