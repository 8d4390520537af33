"""Sign-up, login, email verification, password reset, profile, API tokens, personal data."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from ..actions import attempt
from ..errors import ServiceError
from ..extensions import db, limiter
from ..permissions import SCOPES, Permission, public, requires
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
    TokenForm,
)
from .limits import account_mail_allowed, form_email_key, login_limit
from .loaders import get_api_token_or_404
from .login import await_second_factor, sign_in
from .models import ApiToken
from .services import (
    anonymise_user,
    authenticate,
    change_password,
    confirm_email_change,
    create_api_token,
    end_login_session,
    export_personal_data,
    normalise_email,
    recovery_codes_left,
    register_user,
    request_email_change,
    request_password_reset,
    reset_password,
    revoke_api_token,
    send_verification,
    start_login_session,
    verify_email,
)

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _safe_next(default: str) -> str:
    target = request.args.get("next") or request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def signup():
    """The same answer (a redirect to sign-in, "check your mailbox"), in the same time, whether or not the
    address already has an account: its owner gets a note instead of a second account."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = SignupForm()
    if form.validate_on_submit() and attempt(lambda: _register(form), form=form):
        flash(_("Thank you. We have sent a message to %(email)s: open the link in it to confirm your address, "
                "then sign in.", email=form.email.data), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/signup.html", form=form), 422 if form.errors else 200


def _register(form: SignupForm):
    try:
        notify_owner = account_mail_allowed(normalise_email(form.email.data))
    except ServiceError:
        notify_owner = False  # an invalid address: register_user refuses it on the form
    return register_user(email=form.email.data, password=form.password.data, full_name=form.full_name.data,
                         consent=form.consent.data, notify_owner=notify_owner,
                         locale=str(request.cookies.get(current_app.config["LANGUAGE_COOKIE"]) or "vi"))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=form_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(url_for("accounts.profile")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.commit()  # keep the failed-login audit entry
            flash(_("The email or password is not correct."), "danger")
            status = 401
        elif user.has_second_factor:
            db.session.commit()
            await_second_factor(user, _safe_next(""))
            return redirect(url_for("two_factor.verify"))
        else:
            key = start_login_session(user, request.user_agent.string)
            db.session.commit()
            sign_in(user, key)
            if user.is_staff:  # DOST staff: enrol a second factor before anything else
                flash(_("DOST staff accounts use two-step verification. Set it up now to continue."), "info")
                return redirect(url_for("two_factor.setup", next=_safe_next("") or None))
            flash(_("You are signed in."), "success")
            return redirect(_safe_next(url_for("accounts.profile")))
    elif form.errors:
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@requires(Permission.ACCOUNT_MANAGE, before_second_factor=True)
def logout():
    end_login_session(getattr(current_user, "login_key", None), current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("web.home"))


@bp.get("/verify/<token>", endpoint="verify_email")
@public
def verify_email_link(token: str):
    attempt(lambda: verify_email(token), _("Your email address is verified."))
    return redirect(url_for("accounts.profile" if current_user.is_authenticated else "accounts.login"))


@bp.post("/verify/resend")
@requires(Permission.ACCOUNT_MANAGE)
@limiter.limit("5 per hour")
def resend_verification():
    if current_user.is_verified:
        flash(_("Your email address is already verified."), "info")
    else:
        send_verification(current_user)
        db.session.commit()
        flash(_("We have sent a new verification link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def forgot_password():
    """The same answer whether or not the address has an account, and whether or not its hourly quota of
    mail (``ACCOUNT_MAIL_RATE_LIMIT``, shared by every worker) is used up."""
    form = EmailForm()
    if form.validate_on_submit():
        try:
            address = normalise_email(form.email.data)
        except ServiceError:
            address = None
        if address and account_mail_allowed(address):
            request_password_reset(address)
        db.session.commit()
        flash(_("If an account exists for %(email)s, we have sent it a link to choose a new password. "
                "The link works once, for one hour.", email=form.email.data), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"], endpoint="reset_password")
@public
@limiter.limit(login_limit, methods=["POST"])
def reset_password_page(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        done = attempt(lambda: reset_password(token, form.password.data), form=form)
        if done:
            logout_user()
            session.clear()
            flash(_("Your password has been changed. Sign in with the new password."), "success")
            return redirect(url_for("accounts.login"))
        if not form.errors:  # the link itself was refused (flashed): ask for a new one
            return redirect(url_for("accounts.forgot_password"))
    return render_template("accounts/reset_password.html", form=form, token=token)


@bp.get("/email/confirm/<token>")
@public
def confirm_email(token: str):
    attempt(lambda: confirm_email_change(token), _("Your email address has been changed."))
    return redirect(url_for("accounts.profile" if current_user.is_authenticated else "accounts.login"))


def _profile_page(status=200, **forms):
    user = current_user
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc())).all()
    context = {
        "profile_form": forms.get("profile_form") or ProfileForm(obj=user, formdata=None),
        "password_form": forms.get("password_form") or ChangePasswordForm(formdata=None),
        "email_form": forms.get("email_form") or ChangeEmailForm(formdata=None),
        "token_form": forms.get("token_form") or TokenForm(formdata=None),
        "tokens": tokens, "new_token": forms.get("new_token"), "scope_labels": SCOPES,
        "recovery_codes_left": recovery_codes_left(user) if user.has_second_factor else None,
    }
    return render_template("accounts/profile.html", **context), status


@bp.route("/", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_MANAGE)
def profile():
    if request.method == "GET":
        return _profile_page()
    form = ProfileForm()
    if not form.validate_on_submit():
        return _profile_page(422, profile_form=form)
    current_user.full_name = form.full_name.data.strip()
    current_user.phone = (form.phone.data or "").strip() or None
    current_user.locale = form.locale.data
    db.session.commit()
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("accounts.profile"))


@bp.post("/password")
@requires(Permission.ACCOUNT_MANAGE)
@limiter.limit(login_limit)
def change_password_view():
    form = ChangePasswordForm()
    if form.validate_on_submit() and attempt(
            lambda: change_password(current_user, current_password=form.current_password.data,
                                    new_password=form.new_password.data, keep_session=current_user.login_key),
            _("Your password has been changed. Other signed-in devices were signed out."), form=form):
        return redirect(url_for("accounts.profile"))
    return _profile_page(422, password_form=form)


@bp.post("/email")
@requires(Permission.ACCOUNT_MANAGE)
@limiter.limit(login_limit)
def change_email_view():
    form = ChangeEmailForm()
    if form.validate_on_submit() and attempt(
            lambda: request_email_change(current_user, current_password=form.current_password.data,
                                         new_email=form.new_email.data), form=form):
        flash(_("We have sent a confirmation link to the new address. Your email changes when you open it."), "info")
        return redirect(url_for("accounts.profile"))
    return _profile_page(422, email_form=form)


@bp.post("/tokens")
@requires(Permission.ACCOUNT_MANAGE)
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _profile_page(422, token_form=form)
    done = attempt(lambda: create_api_token(current_user, form.name.data, scopes=form.scopes.data), form=form)
    if not done:
        return _profile_page(422, token_form=form)
    return _profile_page(new_token=done.value[1])


@bp.post("/tokens/<int:token_id>/revoke")
@requires(Permission.ACCOUNT_MANAGE)
def revoke_token(token_id: int):
    token = get_api_token_or_404(token_id, current_user)
    attempt(lambda: revoke_api_token(token, by=current_user), _("The token has been revoked."))
    return redirect(url_for("accounts.profile"))


@bp.get("/export")
@requires(Permission.ACCOUNT_MANAGE)
def export_data():
    data = export_personal_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=my-data.json"})


@bp.route("/delete", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_MANAGE)
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit() and attempt(
            lambda: anonymise_user(current_user._get_current_object(), current_password=form.current_password.data),
            form=form):
        logout_user()
        session.clear()
        flash(_("Your account has been deleted."), "info")
        return redirect(url_for("web.home"))
    return render_template("accounts/delete.html", form=form), 422 if form.errors else 200
