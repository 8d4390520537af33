"""Who may see and change a listing, written once: the loader of every page and API endpoint that takes a
listing (offers, needs and IP assets alike), and the membership rule the services check.

Public listings (published, expired, closed) are visible to everyone; any other is visible only to the
members of the owning organisation and to DOST staff. What a person may not see is a 404, never a 403.
"""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Organisation
from ..errors import fail
from ..extensions import db
from ..permissions import Permission, user_can
from .models import Listing


def is_member(user, organisation: Organisation) -> bool:
    """A signed-in, active member of ``organisation``: they edit and manage its listings."""
    return bool(getattr(user, "is_authenticated", False)) and organisation.has_active_member(user)


def can_edit(user, listing: Listing) -> bool:
    return is_member(user, listing.organisation)


def can_view(user, listing: Listing) -> bool:
    return listing.is_public or can_edit(user, listing) or user_can(user, Permission.LISTING_VIEW_ALL)


def require_member(user, organisation: Organisation) -> None:
    """Refuse (403 ``not_member``) unless ``user`` acts for ``organisation``."""
    if not is_member(user, organisation):
        raise fail(None, _l("Only members of the organisation can do this."), status=403, code="not_member")


def find_listing(key: int | str, *, side: str | None = None) -> Listing | None:
    """The listing with id ``key`` (an int) or reference ``key`` (a str, in any case), whoever asks."""
    if isinstance(key, int) and not 0 < key < 2**31:
        return None  # not an id any database holds (PostgreSQL would refuse to compare it)
    stmt = select(Listing).where(Listing.id == key if isinstance(key, int) else Listing.reference == key.upper())
    if side is not None:
        stmt = stmt.where(Listing.side == side)
    return db.session.scalar(stmt)


def get_listing_or_404(key: int | str, user, *, side: str | None = None, edit: bool = False) -> Listing:
    """The listing ``key`` (id or reference, optionally of one ``side``) if ``user`` may see it, else 404.

    ``edit=True``: only members of the owning organisation get it (the owner's pages and actions).
    """
    listing = find_listing(key, side=side)
    if listing is None or not (can_edit(user, listing) if edit else can_view(user, listing)):
        abort(404)
    return listing
