"""``/api/v1/auth/tokens`` and ``/api/v1/me``."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint, abort

from ..errors import ServiceError
from ..extensions import db, limiter
from ..permissions import Permission, public, requires
from .limits import json_email_key, login_limit
from .schemas import MeSchema, TokenRequest, TokenResponse
from .services import authenticate, create_api_token, require_second_factor

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Authentication and the current user")


@blp.route("/auth/tokens")
class Tokens(MethodView):
    # per client address, and per email address (guesses spread over many client addresses still count)
    decorators = [limiter.limit(login_limit), limiter.limit(login_limit, key_func=json_email_key)]

    @public
    @blp.arguments(TokenRequest)
    @blp.response(201, TokenResponse)
    def post(self, body):
        """Exchange email and password for an API token with the scopes asked for (default `read`).

        An account with two-step verification also sends the current code of its authenticator app in
        `totp`; DOST staff accounts must have set it up on the website first."""
        user = authenticate(body["email"], body["password"])
        if user is None:
            db.session.commit()
            abort(401, message=_("The email or password is not correct."), code="invalid_credentials")
        try:
            require_second_factor(user, body.get("totp"))
        except ServiceError:
            db.session.commit()  # keep the audit entry of a refused code (the error answers in JSON)
            raise
        token, secret = create_api_token(user, body.get("name") or "API", scopes=body.get("scopes"))
        db.session.commit()
        return {"token": secret, "expires_at": token.expires_at, "scopes": token.scope_list}


@blp.route("/me")
class Me(MethodView):
    @requires(Permission.ACCOUNT_MANAGE)
    @blp.response(200, MeSchema)
    def get(self):
        """The authenticated user and their organisations."""
        return current_user
