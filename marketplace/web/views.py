from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

from ..accounts.models import Organisation, OrgStatus
from ..accounts.services import set_user_locale
from ..extensions import db
from ..listings.models import Listing, Status
from ..permissions import public

bp = Blueprint("web", __name__)


@bp.get("/")
@public
def home():
    latest_orgs = db.session.scalars(
        select(Organisation).where(Organisation.status == OrgStatus.VERIFIED.value)
        .order_by(Organisation.verified_at.desc()).limit(6)).all()
    org_count = db.session.scalar(select(func.count()).select_from(Organisation)
                                  .where(Organisation.status == OrgStatus.VERIFIED.value))
    latest = db.session.scalars(select(Listing).where(Listing.status == Status.PUBLISHED.value)
                                .order_by(Listing.published_at.desc(), Listing.id.desc()).limit(6)).all()
    counts = dict(db.session.execute(select(Listing.side, func.count()).where(Listing.status == Status.PUBLISHED.value)
                                     .group_by(Listing.side)).all())
    return render_template("web/home.html", latest_orgs=latest_orgs, org_count=org_count, latest=latest,
                           counts=counts)


@bp.route("/language/<code>", methods=["GET", "POST"])
@public
def set_language(code: str):
    languages = current_app.config["LANGUAGES"]
    if code not in languages:
        code = languages[0]
    target = request.values.get("next") or url_for("web.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.home")
    if current_user.is_authenticated:
        set_user_locale(current_user, code)
        db.session.commit()
    response = redirect(target)
    response.set_cookie(current_app.config["LANGUAGE_COOKIE"], code, max_age=365 * 24 * 3600,
                        samesite="Lax", httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/privacy")
@public
def privacy():
    return render_template("web/privacy.html", version=current_app.config["PRIVACY_NOTICE_VERSION"])


@bp.get("/healthz")
@public
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
