"""``/api/v1/auth/tokens`` and ``/api/v1/me``."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort

from ..extensions import db, limiter
from ..permissions import Permission, public, requires
from .schemas import MeSchema, TokenRequest, TokenResponse
from .services import authenticate, create_api_token

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Authentication and the current user")


@blp.route("/auth/tokens")
class Tokens(MethodView):
    decorators = [limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])]

    @public
    @blp.arguments(TokenRequest)
    @blp.response(201, TokenResponse)
    def post(self, body):
        """Exchange email and password for an API token."""
        user = authenticate(body["email"], body["password"])
        if user is None:
            db.session.commit()
            abort(401, message=_("The email or password is not correct."), code="invalid_credentials")
        token, secret = create_api_token(user, body.get("name") or "API")
        db.session.commit()
        return {"token": secret, "expires_at": token.expires_at}


@blp.route("/me")
class Me(MethodView):
    @requires(Permission.ACCOUNT_MANAGE)
    @blp.response(200, MeSchema)
    def get(self):
        """The authenticated user and their organisations."""
        return current_user
