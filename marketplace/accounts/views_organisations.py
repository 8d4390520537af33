"""Organisation pages: public directory, create, edit, join requests, members."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..actions import attempt
from ..extensions import db
from ..permissions import Permission, public, requires
from ..reference.services import choices
from ..text import fold
from .forms import ORG_TYPE_LABELS, JoinForm, OrganisationForm
from .loaders import can_manage_organisation, get_membership_or_404, get_organisation_or_404
from .models import Membership, Organisation, OrgStatus
from .services import create_organisation, decide_membership, request_membership, update_organisation
from .services.organisations import EDITABLE_FIELDS

bp = Blueprint("organisations", __name__, url_prefix="/organisations")
PAGE_SIZE = 20


def _fields(form: OrganisationForm) -> dict:
    return {f: getattr(form, f).data for f in EDITABLE_FIELDS}


def _fill_choices(form: OrganisationForm) -> None:
    form.province_code.choices = choices("province", blank=_("Choose…"))
    province = form.province_code.data or None
    form.commune_code.choices = choices("commune", parent=province, blank=_("Choose…")) if province else \
        [("", _("Choose a province first"))]


@bp.get("/")
@public
def directory():
    q = (request.args.get("q") or "").strip()
    org_type = request.args.get("type") or ""
    province = request.args.get("province") or ""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    stmt = select(Organisation).where(Organisation.status == OrgStatus.VERIFIED.value)
    if org_type:
        stmt = stmt.where(Organisation.org_type == org_type)
    if province:
        stmt = stmt.where(Organisation.province_code == province)
    orgs = db.session.scalars(stmt.order_by(Organisation.legal_name)).all()
    if q:
        needle = fold(q)
        orgs = [o for o in orgs if needle in fold(f"{o.legal_name} {o.short_name or ''} {o.tax_code or ''}")]
    total = len(orgs)
    orgs = orgs[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    return render_template("organisations/directory.html", orgs=orgs, total=total, page=page, page_size=PAGE_SIZE,
                           q=q, org_type=org_type, province=province, type_labels=ORG_TYPE_LABELS,
                           provinces=choices("province"))


@bp.get("/communes")
@public
def commune_options():
    """htmx: the commune ``<option>`` list for a province."""
    province = request.args.get("province_code") or ""
    options = choices("commune", parent=province) if province else []
    return render_template("organisations/_commune_options.html", options=options)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.ORGANISATION_CREATE)
def create():
    if not current_user.is_verified:
        flash(_("Verify your email address before registering an organisation."), "warning")
        return redirect(url_for("accounts.profile"))
    form = OrganisationForm()
    _fill_choices(form)
    if form.validate_on_submit():
        done = attempt(lambda: create_organisation(by=current_user, **_fields(form)),
                       _("The organisation is registered. DOST will verify it before it can publish."), form=form)
        if done:
            return redirect(url_for("organisations.detail", slug=done.value.slug))
    return render_template("organisations/form.html", form=form, org=None), 422 if form.errors else 200


@bp.get("/<slug>")
@public
def detail(slug: str):
    org = get_organisation_or_404(slug, current_user)
    membership = org.membership_of(current_user) if current_user.is_authenticated else None
    return render_template("organisations/detail.html", org=org, membership=membership,
                           manage=can_manage_organisation(org, current_user),
                           join_form=JoinForm(formdata=None), type_labels=ORG_TYPE_LABELS)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_MANAGE)
def edit(slug: str):
    org = get_organisation_or_404(slug, current_user, manage=True)
    form = OrganisationForm(obj=org)
    _fill_choices(form)
    if form.validate_on_submit():
        done = attempt(lambda: update_organisation(org, by=current_user, **_fields(form)), form=form)
        if done:
            if done.value.get("status") == OrgStatus.PENDING.value:
                flash(_("Saved. The legal name or tax code changed, so DOST will verify the organisation again."),
                      "warning")
            else:
                flash(_("Saved."), "success")
            return redirect(url_for("organisations.detail", slug=org.slug))
    return render_template("organisations/form.html", form=form, org=org), 422 if form.errors else 200


@bp.post("/<slug>/join")
@requires(Permission.ORGANISATION_JOIN)
def join(slug: str):
    org = get_organisation_or_404(slug, current_user)
    form = JoinForm()
    if not current_user.is_verified:
        flash(_("Verify your email address before joining an organisation."), "warning")
    elif form.validate_on_submit():
        attempt(lambda: request_membership(org, by=current_user, message=form.message.data),
                _("Your request has been sent to the organisation's owner."))
    return redirect(url_for("organisations.detail", slug=org.slug))


@bp.get("/<slug>/members")
@requires(Permission.ACCOUNT_MANAGE)
def members(slug: str):
    org = get_organisation_or_404(slug, current_user, manage=True)
    memberships = db.session.scalars(select(Membership).where(Membership.organisation_id == org.id)
                                     .order_by(Membership.status, Membership.created_at)).all()
    return render_template("organisations/members.html", org=org, memberships=memberships)


@bp.post("/<slug>/members/<int:membership_id>/decide")
@requires(Permission.ACCOUNT_MANAGE)
def decide(slug: str, membership_id: int):
    org = get_organisation_or_404(slug, current_user, manage=True)
    membership = get_membership_or_404(org, membership_id)
    approve = request.form.get("decision") == "approve"
    attempt(lambda: decide_membership(membership, by=current_user, approve=approve),
            _("Request approved.") if approve else _("Request declined."))
    return redirect(url_for("organisations.members", slug=org.slug))


