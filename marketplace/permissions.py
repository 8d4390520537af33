"""Permissions as ``scope:resource:action`` and the one table mapping roles to them.

Every endpoint declares what it needs with :func:`requires` or :func:`public`; ``tests/test_permissions.py``
walks the URL map and fails on any endpoint that declares nothing. Object-level rules (an organisation's
owner managing its members, for instance) are checked by the loaders in each domain's views.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable

from flask import abort, current_app, request
from flask_login import current_user


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

PUBLIC = "public"


def role_has(role: str | None, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def user_can(user, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return role_has(user.role, permission)


def requires(permission: Permission) -> Callable:
    """Declare and enforce the permission an endpoint needs: 401 when anonymous, 403 when lacking."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return current_app.login_manager.unauthorized()  # HTML: redirect to sign-in with ?next=
            if not user_can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_permission = permission
        return wrapper

    return decorate


def public(view: Callable) -> Callable:
    """Declare that an endpoint is open to everyone (it may still check objects itself)."""
    view.required_permission = PUBLIC
    return view
