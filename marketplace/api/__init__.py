"""``/api/v1``: flask-smorest Api, bearer-token authentication and the shared error format.

The API never authenticates from the session cookie (it is CSRF-exempt): only ``Authorization: Bearer``.
The token's scopes are checked by ``marketplace.permissions.requires`` against the endpoint's permission.
"""

from __future__ import annotations

import functools

from flask import Blueprint, Flask, g, render_template, request
from flask_login import AnonymousUserMixin
from flask_smorest import Api as _Api
from marshmallow import Schema
from marshmallow import fields as ma

from ..accounts.services import authenticate_api_token
from ..extensions import csrf
from ..permissions import public


class ErrorBody(Schema):
    code = ma.String(metadata={"description": "stable machine-readable code"})
    message = ma.String(metadata={"description": "human-readable message in the caller's language"})
    fields = ma.Dict(keys=ma.String(), values=ma.String(),
                         metadata={"description": "field name → message, for validation errors"})
    reference = ma.String(metadata={"description": "id to quote when reporting a server error"})


class ErrorSchema(Schema):
    error = ma.Nested(ErrorBody)


class Api(_Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        """Errors are handled app-wide by ``marketplace.errors`` (same JSON format, HTML elsewhere)."""


SPEC_KWARGS = {
    "info": {"description": "Public API of the technology exchange (Chợ công nghệ số). "
                           "Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/auth/tokens`. "
                           "A token carries scopes chosen when it is made (`read` by default; `write` and area "
                           "scopes such as `listings:write` or `events:checkin`); an endpoint the token's scopes "
                           "do not cover answers 403 `insufficient_scope`, naming the scope it needs."},
}


def authenticate_request() -> None:
    """Set the current user (and ``g.api_token``, whose scopes ``requires`` checks) from the bearer token
    only; a session cookie is ignored here."""
    header = request.headers.get("Authorization", "")
    token = None
    if header[:7].lower() == "bearer ":
        token = authenticate_api_token(header[7:].strip())
    g.api_token = token
    g._login_user = token.user if token is not None else AnonymousUserMixin()
    g.api_request = True


docs_bp = Blueprint("api_docs", __name__)


@docs_bp.get("/api/v1/docs")
@public
def docs():
    return render_template("api/docs.html")


def init_app(app: Flask, blueprints) -> Api:
    """One Api (and OpenAPI spec) per app; the bearer-token hook is registered on the app, not on the
    module-level blueprints, so ``create_app()`` can run more than once in a process."""
    api = Api(spec_kwargs=SPEC_KWARGS)
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for blp in blueprints:
        csrf.exempt(blp)
        api.register_blueprint(blp)
        app.before_request_funcs.setdefault(blp.name, []).append(authenticate_request)
    app.register_blueprint(docs_bp)
    # The spec endpoint registered by flask-smorest is public.
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("api-docs."):
            app.view_functions[endpoint] = public(functools.wraps(view)(
                lambda *args, _view=view, **kwargs: _view(*args, **kwargs)))
    return api
