"""The DOST admin area: accounts and roles, organisation verification, reference codes, the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.forms import ORG_TYPE_LABELS
from ..accounts.loaders import get_organisation_or_404, get_user_or_404
from ..accounts.models import Organisation, User
from ..accounts.services import reset_second_factor, set_organisation_status, set_user_disabled, set_user_role
from ..actions import attempt
from ..audit.models import AuditEntry
from ..extensions import db
from ..permissions import Permission, requires, user_can
from ..reference.loaders import get_code_or_404, get_scheme_or_404
from ..reference.services import SCHEMES, list_codes, update_reference_code
from .forms import ROLE_LABELS, OrgStatusForm, ReferenceCodeForm, RoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _paginate(stmt):
    page = _page()
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total, page


@bp.get("/")
@requires(Permission.ADMIN_AREA)
def index():
    counts = {
        "users": db.session.scalar(select(func.count()).select_from(User)),
        "pending_orgs": db.session.scalar(select(func.count()).select_from(Organisation)
                                          .where(Organisation.status == "pending")),
        "verified_orgs": db.session.scalar(select(func.count()).select_from(Organisation)
                                           .where(Organisation.status == "verified")),
    }
    return render_template("admin/index.html", counts=counts)


@bp.get("/users")
@requires(Permission.USER_MANAGE)
def users():
    q = (request.args.get("q") or "").strip().lower()
    stmt = select(User).options(selectinload(User.second_factor)).order_by(User.created_at.desc())
    if q:
        stmt = stmt.where(or_(func.lower(User.email).contains(q), func.lower(User.full_name).contains(q)))
    rows, total, page = _paginate(stmt)
    return render_template("admin/users.html", users=rows, total=total, page=page, page_size=PAGE_SIZE, q=q,
                           role_labels=ROLE_LABELS, role_form=RoleForm(formdata=None))


@bp.post("/users/<int:user_id>/role")
@requires(Permission.USER_MANAGE)
def user_role(user_id: int):
    user = get_user_or_404(user_id, current_user)
    form = RoleForm()
    if form.validate_on_submit():
        attempt(lambda: set_user_role(user, form.role.data, by=current_user),
                _("Role of %(email)s changed.", email=user.email))
    return redirect(url_for("admin.users", q=request.args.get("q") or None))


@bp.post("/users/<int:user_id>/disable")
@requires(Permission.USER_MANAGE)
def user_disable(user_id: int):
    user = get_user_or_404(user_id, current_user)
    disable = request.form.get("disabled") == "1"
    attempt(lambda: set_user_disabled(user, disable, by=current_user),
            _("Account disabled.") if disable else _("Account enabled."))
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/second-factor/reset")
@requires(Permission.USER_MANAGE)
def user_second_factor_reset(user_id: int):
    """A lost phone: the person's second factor goes, their sessions end, they enrol again (audited, mailed)."""
    user = get_user_or_404(user_id, current_user)
    attempt(lambda: reset_second_factor(user, by=current_user),
            _("Two-step verification of %(email)s has been reset. They set it up again at their next sign-in.",
              email=user.email))
    return redirect(url_for("admin.users", q=request.args.get("q") or None))


@bp.get("/organisations")
@requires(Permission.ORGANISATION_VIEW_ALL)
def organisations():
    status = request.args.get("status") or "pending"
    stmt = select(Organisation).order_by(Organisation.created_at)
    if status != "all":
        stmt = stmt.where(Organisation.status == status)
    rows, total, page = _paginate(stmt)
    return render_template("admin/organisations.html", orgs=rows, total=total, page=page, page_size=PAGE_SIZE,
                           status=status, type_labels=ORG_TYPE_LABELS, status_form=OrgStatusForm(formdata=None))


@bp.post("/organisations/<int:org_id>/status")
@requires(Permission.ORGANISATION_VERIFY)
def organisation_status(org_id: int):
    org = get_organisation_or_404(org_id, current_user)
    form = OrgStatusForm()
    if form.status.data == "suspended" and not user_can(current_user, Permission.ORGANISATION_SUSPEND):
        abort(403)
    if form.validate_on_submit():
        attempt(lambda: set_organisation_status(org, form.status.data, by=current_user, note=form.note.data),
                _("%(name)s: status saved.", name=org.display_name))
    return redirect(url_for("admin.organisations", status=request.args.get("status") or "pending"))


@bp.get("/reference")
@requires(Permission.REFERENCE_EDIT)
def reference():
    scheme = get_scheme_or_404(request.args.get("scheme") or "province").name
    codes = list_codes(scheme, include_inactive=True)
    return render_template("admin/reference.html", schemes=SCHEMES, scheme=scheme, codes=codes)


@bp.route("/reference/<int:code_id>", methods=["GET", "POST"])
@requires(Permission.REFERENCE_EDIT)
def reference_edit(code_id: int):
    rc = get_code_or_404(code_id)
    form = ReferenceCodeForm(obj=rc)
    if form.validate_on_submit() and attempt(
            lambda: update_reference_code(rc, by=current_user, label_vi=form.label_vi.data.strip(),
                                          label_en=(form.label_en.data or "").strip(), active=form.active.data),
            _("Saved."), form=form):
        return redirect(url_for("admin.reference", scheme=rc.scheme))
    return render_template("admin/reference_edit.html", form=form, rc=rc), 422 if form.errors else 200


@bp.get("/audit")
@requires(Permission.AUDIT_VIEW)
def audit():
    action = (request.args.get("action") or "").strip()
    stmt = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    rows, total, page = _paginate(stmt)
    return render_template("admin/audit.html", entries=rows, total=total, page=page, page_size=PAGE_SIZE,
                           action=action)
