"""Permissions as ``scope:resource:action``, the one table mapping roles to them, and the one table mapping
them to API token scopes.

Every endpoint declares what it needs with :func:`requires` or :func:`public`; ``tests/test_permissions.py``
walks the URL map and fails on any endpoint that declares nothing. Object-level rules (an organisation's
owner managing its members, for instance) are checked by the loaders in each domain's views.

Two more checks live in :func:`requires`, so that no view repeats them:

* a request authenticated by an API token needs the token scope :data:`PERMISSION_SCOPES` gives for the
  permission and the method (403 ``insufficient_scope`` naming the scope);
* a DOST staff member whose browser session has not passed a second factor has member permissions only
  (:func:`user_can`) and is sent to the second-factor page by any endpoint that is not public.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable

from flask import abort, current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import Forbidden


class Role(enum.StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ORGANISER = "organiser"
    ADMIN = "admin"


class Permission(enum.StrEnum):
    ACCOUNT_MANAGE = "self:account:manage"
    ORGANISATION_CREATE = "self:organisation:create"
    ORGANISATION_JOIN = "self:organisation:join"
    ORGANISATION_VERIFY = "dost:organisation:verify"
    ORGANISATION_SUSPEND = "dost:organisation:suspend"
    ORGANISATION_VIEW_ALL = "dost:organisation:view"
    USER_MANAGE = "dost:user:manage"
    REFERENCE_EDIT = "dost:reference:edit"
    AUDIT_VIEW = "dost:audit:view"
    ADMIN_AREA = "dost:admin:view"
    LISTING_CREATE = "org:listing:create"
    LISTING_MODERATE = "dost:listing:moderate"
    LISTING_VIEW_ALL = "dost:listing:view"
    EVENT_REGISTER = "self:event:register"
    EVENT_MANAGE = "dost:event:manage"
    EVENT_CHECKIN = "dost:event:checkin"


_MEMBER = {Permission.ACCOUNT_MANAGE, Permission.ORGANISATION_CREATE, Permission.ORGANISATION_JOIN,
           Permission.LISTING_CREATE, Permission.EVENT_REGISTER}
_STAFF = _MEMBER | {Permission.ADMIN_AREA, Permission.ORGANISATION_VIEW_ALL, Permission.LISTING_VIEW_ALL}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MEMBER: frozenset(_MEMBER),
    Role.MODERATOR: frozenset(_STAFF | {Permission.ORGANISATION_VERIFY, Permission.LISTING_MODERATE}),
    Role.ORGANISER: frozenset(_STAFF | {Permission.EVENT_MANAGE, Permission.EVENT_CHECKIN}),
    Role.ADMIN: frozenset(Permission),
}

STAFF_ONLY: frozenset[Permission] = frozenset(Permission) - ROLE_PERMISSIONS[Role.MEMBER]

PUBLIC = "public"

# --- API token scopes ---------------------------------------------------------------------------------------
#: Every scope a token can carry: ``read`` and ``write`` cover every area (``read`` every ``*:read`` scope,
#: ``write`` every other one); an area scope covers one area. A scope never adds to what the token owner's
#: role may do: the role is checked first, the scope narrows it. ``reports:read``, ``connect:write`` and
#: ``exchanges:write`` are the areas whose APIs come next; a token may carry them already.
SCOPES: dict[str, object] = {
    "read": _l("Read everything your account may see"),
    "write": _l("Change everything your account may change"),
    "listings:write": _l("Create, edit, submit and withdraw your organisations' offers and needs"),
    "listings:moderate": _l("Decide on listings waiting for DOST review"),
    "organisations:write": _l("Create, join and verify organisations"),
    "events:register": _l("Register for events and manage your registrations"),
    "events:write": _l("Create, edit and publish events, manage their participants"),
    "events:checkin": _l("Check participants in at the gate"),
    "accounts:write": _l("Manage accounts and reference codes (administrators)"),
    "reports:read": _l("Read DOST statistics and reports"),
    "connect:write": _l("Send expressions of interest and messages"),
    "exchanges:write": _l("Push and pull listings to and from other exchanges"),
}
DEFAULT_SCOPES = ("read",)
#: Scopes of tokens made before scopes existed (the migration gives them these).
LEGACY_SCOPES = ("read", "write")

#: permission → (scope for reading: GET, HEAD, OPTIONS; scope for changing: every other method)
PERMISSION_SCOPES: dict[Permission, tuple[str, str]] = {
    Permission.ACCOUNT_MANAGE: ("read", "write"),
    Permission.ORGANISATION_CREATE: ("read", "organisations:write"),
    Permission.ORGANISATION_JOIN: ("read", "organisations:write"),
    Permission.ORGANISATION_VERIFY: ("read", "organisations:write"),
    Permission.ORGANISATION_SUSPEND: ("read", "organisations:write"),
    Permission.ORGANISATION_VIEW_ALL: ("read", "write"),
    Permission.USER_MANAGE: ("read", "accounts:write"),
    Permission.REFERENCE_EDIT: ("read", "accounts:write"),
    Permission.AUDIT_VIEW: ("read", "write"),
    Permission.ADMIN_AREA: ("reports:read", "write"),
    Permission.LISTING_CREATE: ("read", "listings:write"),
    Permission.LISTING_MODERATE: ("read", "listings:moderate"),
    Permission.LISTING_VIEW_ALL: ("read", "write"),
    Permission.EVENT_REGISTER: ("read", "events:register"),
    Permission.EVENT_MANAGE: ("read", "events:write"),
    Permission.EVENT_CHECKIN: ("read", "events:checkin"),
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def scope_needed(permission: Permission, method: str) -> str:
    read_scope, write_scope = PERMISSION_SCOPES[permission]
    return read_scope if method.upper() in SAFE_METHODS else write_scope


def scopes_allow(scopes, needed: str) -> bool:
    """True when a token carrying ``scopes`` may use an endpoint needing ``needed``."""
    scopes = set(scopes)
    return needed in scopes or ("read" if needed.endswith(":read") or needed == "read" else "write") in scopes


# --- roles, second factor -----------------------------------------------------------------------------------

def role_has(role: str | None, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def user_can(user, permission: Permission) -> bool:
    """The role's permission; a staff session still waiting for its second factor has a member's only."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if permission in STAFF_ONLY and getattr(user, "needs_second_factor", False):
        return False
    return role_has(user.role, permission)


def _insufficient_scope(needed: str) -> Forbidden:
    error = Forbidden()
    error.data = {"code": "insufficient_scope",
                  "message": _("This API token does not have the scope %(scope)s.", scope=needed),
                  "headers": {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'}}
    return error


def requires(permission: Permission, *, before_second_factor: bool = False) -> Callable:
    """Declare and enforce the permission an endpoint needs: 401 when anonymous, 403 when lacking (or when
    the API token lacks the scope). A staff session without its second factor is sent to verify it first,
    except on the endpoints that get it there (``before_second_factor=True``)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return current_app.login_manager.unauthorized()  # HTML: redirect to sign-in with ?next=
            if getattr(current_user, "needs_second_factor", False) and not before_second_factor:
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("two_factor.verify", next=target))
            if not user_can(current_user, permission):
                abort(403)
            token = g.get("api_token")
            if token is not None:
                needed = scope_needed(permission, request.method)
                if not scopes_allow(token.scope_list, needed):
                    raise _insufficient_scope(needed)
            return view(*args, **kwargs)

        wrapper.required_permission = permission
        return wrapper

    return decorate


def public(view: Callable) -> Callable:
    """Declare that an endpoint is open to everyone (it may still check objects itself)."""
    view.required_permission = PUBLIC
    return view
