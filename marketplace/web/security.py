"""Security headers (flask-talisman), and ``Cache-Control: no-store`` on what signed-in people see.

CSP has no inline script or style: htmx's indicator style is shipped in ``static/css/app.css``.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from ..extensions import talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_app(app: Flask) -> None:
    https = app.config["FORCE_HTTPS"]
    talisman.init_app(
        app,
        force_https=https,
        strict_transport_security=https,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"camera": "(self)", "geolocation": "()", "microphone": "()"},
    )
    app.after_request(no_store_when_signed_in)


def no_store_when_signed_in(response: Response) -> Response:
    """A page (or API answer) made for a signed-in person is never stored by a browser or a proxy: not in the
    back-button cache of a shared computer after sign-out, not in nginx's cache of anonymous pages. The user is
    read only if this request already loaded it (``g._login_user``): no query is made for this."""
    user = g.get("_login_user")
    if request.endpoint != "static" and user is not None and user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response
