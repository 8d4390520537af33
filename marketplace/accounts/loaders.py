"""One loader per aggregate: load, authorize, or answer 404 (another organisation's private record is a 404,
not a 403). HTML views and the API call the same loader, so both see the same records.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..permissions import Permission, user_can
from .models import ApiToken, Membership, MembershipStatus, Organisation, OrgStatus, User


def can_view_organisation(org: Organisation, user) -> bool:
    """Verified organisations are public; others are seen by their active members and DOST staff."""
    if org.is_verified:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return org.has_active_member(user) or user_can(user, Permission.ORGANISATION_VIEW_ALL)


def can_manage_organisation(org: Organisation, user) -> bool:
    """An owner manages the profile and members; DOST staff who verify organisations may too."""
    membership = org.membership_of(user) if getattr(user, "is_authenticated", False) else None
    return bool(membership and membership.is_owner) or user_can(user, Permission.ORGANISATION_VERIFY)


def visible_organisations(user) -> ColumnElement[bool] | None:
    """The SQL form of :func:`can_view_organisation` for lists (``None``: every organisation)."""
    if user_can(user, Permission.ORGANISATION_VIEW_ALL):
        return None
    conditions = [Organisation.status == OrgStatus.VERIFIED.value]
    if getattr(user, "is_authenticated", False):
        conditions.append(Organisation.id.in_(
            select(Membership.organisation_id).where(Membership.user_id == user.id,
                                                     Membership.status == MembershipStatus.ACTIVE.value)))
    return or_(*conditions)


def get_organisation_or_404(key: int | str, user, *, manage: bool = False) -> Organisation:
    """The organisation with id ``key`` (an int, as in the API) or slug ``key`` (a str, as in page URLs)."""
    column = Organisation.id if isinstance(key, int) else Organisation.slug
    org = db.session.scalar(select(Organisation).where(column == key))
    if org is None or not can_view_organisation(org, user) or (manage and not can_manage_organisation(org, user)):
        abort(404)
    return org


def get_membership_or_404(org: Organisation, membership_id: int) -> Membership:
    """A membership (or join request) of ``org``, already loaded and authorized by the caller."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != org.id:
        abort(404)
    return membership


def get_user_or_404(user_id: int, by) -> User:
    """An account, for the person themself or for DOST administrators who manage accounts."""
    user = db.session.get(User, user_id)
    if user is None or (user.id != getattr(by, "id", None) and not user_can(by, Permission.USER_MANAGE)):
        abort(404)
    return user


def get_api_token_or_404(token_id: int, user) -> ApiToken:
    """One of ``user``'s own API tokens; anyone else's is a 404."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != getattr(user, "id", None):
        abort(404)
    return token
