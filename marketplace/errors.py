"""One error path for the whole app.

* :class:`ServiceError` (raised through :func:`fail`) is how a service refuses an operation; every layer
  imports it from here.
* The handlers answer JSON ``{"error": {"code", "message", "fields"}}`` under ``/api/`` and a bilingual HTML
  page elsewhere. A ``ServiceError`` that leaves a view is rolled back and answered with its status, code and
  field, so API views simply let it propagate (HTML views catch it with :func:`marketplace.actions.attempt`).
  Unexpected errors get a reference id that is logged with the traceback.
"""

from __future__ import annotations

import logging
import uuid

from flask import Flask, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A rule refused the operation. ``code`` is stable (API, tests); ``message`` is translated text;
    ``field`` names the input it concerns (or None); ``status`` is the HTTP status an API answers with."""

    def __init__(self, code: str, message: str, *, field: str | None = None, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status


def fail(field: str | None, message, *, status: int = 422, code: str | None = None) -> ServiceError:
    """The refusal of one input: ``raise fail("price_vnd", _("…"))``. The code defaults to ``invalid_<field>``
    (``invalid`` without a field); pass ``status=409`` and a code for a refusal of the current state."""
    return ServiceError(code or (f"invalid_{field}" if field else "invalid"), str(message), field=field,
                        status=status)

MESSAGES = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Please sign in to continue."),
    403: lambda: _("You do not have permission to do this."),
    404: lambda: _("We could not find that page."),
    405: lambda: _("This method is not allowed here."),
    409: lambda: _("This conflicts with the current state of the record."),
    413: lambda: _("The request is too large."),
    422: lambda: _("Some fields are not valid."),
    429: lambda: _("Too many requests. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side."),
    503: lambda: _("The service is temporarily unavailable. Please try again in a minute."),
}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 413: "too_large", 422: "validation_error", 429: "rate_limited", 500: "server_error",
         503: "unavailable"}


def wants_json() -> bool:
    return request.path.startswith("/api/") and not request.path.startswith("/api/v1/docs")


def _flatten(messages, prefix: str = "") -> dict[str, str]:
    """webargs nests errors by location and field: make ``{"field.sub": "first message"}``."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in {"json", "query", "form", "path", "headers", "files"} and not prefix:
                out.update(_flatten(value))
            else:
                out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list | tuple):
        if messages and all(isinstance(m, str) for m in messages):
            out[prefix or "_schema"] = messages[0]
        else:
            for i, item in enumerate(messages):
                out.update(_flatten(item, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out[prefix or "_schema"] = str(messages)
    return out


def error_response(status: int, *, code: str | None = None, message: str | None = None,
                   fields: dict | None = None, reference: str | None = None, headers: dict | None = None):
    message = message or MESSAGES.get(status, MESSAGES[500])()
    headers = dict(headers or {})
    if wants_json():
        body = {"error": {"code": code or CODES.get(status, "error"), "message": message, "fields": fields or {}}}
        if reference:
            body["error"]["reference"] = reference
        return body, status, headers
    # 403/404 render inside the layout; other errors use a page that needs neither the database nor the user
    template = "errors/page.html" if status in (404, 403) else "errors/generic.html"
    return render_template(template, status=status, message=message, reference=reference), status, headers


def handle_http_exception(error: HTTPException):
    if isinstance(error, InternalServerError):
        return handle_unexpected(getattr(error, "original_exception", None) or error)
    data = getattr(error, "data", None) or {}
    fields = _flatten(data["messages"]) if "messages" in data else data.get("fields")
    message = data.get("message") or (error.description if error.description and
                                      error.description != type(error).description else None)
    headers = dict(data.get("headers") or {})
    if error.code == 429:
        headers.setdefault("Retry-After", "60")
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_response(error.code or 500, code=data.get("code"), message=message, fields=fields,
                          headers=headers)


def handle_service_error(error: ServiceError):
    """A refusal that left the view: nothing of the request is kept; the caller sees why."""
    _safe_rollback()
    return error_response(error.status, code=error.code, message=error.message,
                          fields={error.field: error.message} if error.field else {})


def handle_database_unavailable(error: DBAPIError):
    if isinstance(error, OperationalError) or getattr(error, "connection_invalidated", False):
        _safe_rollback()
        log.warning("database unavailable: %s", error.__class__.__name__)
        return error_response(503, headers={"Retry-After": "30"})
    return handle_unexpected(error)


def handle_unexpected(error: BaseException):
    reference = uuid.uuid4().hex[:10]
    log.error("unhandled error ref=%s", reference, exc_info=error)
    _safe_rollback()
    return error_response(500, reference=reference)


def _safe_rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the database may be gone; nothing more to do
        log.debug("rollback failed", exc_info=True)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(DBAPIError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
