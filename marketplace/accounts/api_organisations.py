"""``/api/v1/organisations``: the public directory of verified organisations (staff see all)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import func, or_, select

from ..extensions import db
from ..permissions import public
from .loaders import get_organisation_or_404, visible_organisations
from .models import Organisation
from .schemas import OrganisationPage, OrganisationQuery, OrganisationSchema

blp = Blueprint("organisations_api", __name__, url_prefix="/api/v1/organisations",
                description="Organisations (suppliers and seekers of technology)")


@blp.route("/")
class OrganisationList(MethodView):
    @public
    @blp.arguments(OrganisationQuery, location="query")
    @blp.response(200, OrganisationPage)
    def get(self, args):
        """Verified organisations, filtered by name, type and province."""
        stmt = select(Organisation)
        visible = visible_organisations(current_user)
        if visible is not None:
            stmt = stmt.where(visible)
        if args["type"]:
            stmt = stmt.where(Organisation.org_type == args["type"])
        if args["province"]:
            stmt = stmt.where(Organisation.province_code == args["province"])
        if args["q"]:
            needle = args["q"].strip().lower()
            stmt = stmt.where(or_(func.lower(Organisation.legal_name).contains(needle),
                                  func.lower(Organisation.short_name).contains(needle),
                                  Organisation.tax_code == needle))
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        items = db.session.scalars(stmt.order_by(Organisation.legal_name, Organisation.id)
                                   .limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])).all()
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("/<int:org_id>")
class OrganisationDetail(MethodView):
    @public
    @blp.response(200, OrganisationSchema)
    def get(self, org_id: int):
        """One organisation; another organisation's unverified record answers 404."""
        return get_organisation_or_404(org_id, current_user)
