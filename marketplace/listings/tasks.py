"""Queue jobs for listings: keep the search index in step with the database, expire and remind.

Web requests never write the index: the listing services write a ``listings.index`` outbox effect in the
transaction of each change; the worker runs :func:`index_listing`. ``flask search reindex`` (and the nightly
job below) rebuilds the whole index from scratch with ``search.reindex_all``.
"""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..mail.services import queue_mail
from ..outbox import tasks as outbox
from ..search import document_id, get_engine, register_source, reindex_all
from ..tasks import periodic_task
from ..timeutil import utcnow
from ..urls import external_url
from .documents import is_searchable, to_document
from .models import Listing, ReminderSent, Side, Status
from .services import expire_listing


def index_listing(payload: dict, _item=None) -> None:
    """The ``listings.index`` effect: upsert the listing's document, or remove it when it is not public."""
    listing = db.session.get(Listing, payload["id"])
    engine = get_engine()
    if is_searchable(listing):
        engine.index([to_document(listing)])
    else:
        engine.remove([document_id(payload["side"], payload["id"])])


def public_listings():
    return db.session.scalars(select(Listing).where(Listing.status == Status.PUBLISHED.value)
                              .execution_options(yield_per=500))


def _listing_documents():
    return (to_document(listing) for listing in public_listings())


def connect() -> None:
    """Called by ``create_app``: the handler of the index effect, and the listings' part of a rebuild."""
    outbox.register("listings.index", index_listing)
    register_source("listings", _listing_documents)


def remind_once(listing: Listing, kind: str, about, *, template: str = "listing_reminder", **context) -> bool:
    """Mail the listing's author once per (kind, date it is about); False if already sent."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(listing_id=listing.id, kind=kind, about=about))
    except IntegrityError:
        return False
    owner = listing.created_by
    if owner is not None and owner.is_active:
        queue_mail(owner.email, template, locale=owner.locale, name=owner.full_name, kind=kind,
                   reference=listing.reference, title=listing.title_vi, about=about.isoformat(),
                   url=external_url("listings.detail", reference=listing.reference), **context)
    return True


def check_freshness(now=None) -> dict[str, int]:
    """Expire what ran out; remind 30 and 7 days before expiry and after 90 days without confirmation."""
    now = now or utcnow()
    today = now.date()
    counts = {"expired": 0, "reminded": 0}
    for listing in db.session.scalars(select(Listing).where(Listing.status == Status.PUBLISHED.value)).all():
        end = listing.valid_until if listing.side == Side.OFFER.value else listing.deadline
        if end is not None and end < today:
            expire_listing(listing)
            counts["expired"] += 1
            continue
        if end is not None and listing.side == Side.OFFER.value:
            for days in (30, 7):
                if end - timedelta(days=days) <= today:
                    counts["reminded"] += remind_once(listing, f"expiry_{days}", end)
                    break
        confirmed = (listing.last_confirmed_at or listing.published_at or listing.created_at).date()
        if today - confirmed >= timedelta(days=90):
            counts["reminded"] += remind_once(listing, "stale_90", confirmed)
    db.session.commit()
    return counts


@periodic_task(crontab(hour="1", minute="15"))
def daily_freshness() -> None:
    check_freshness()


@periodic_task(crontab(hour="2", minute="30"))
def nightly_reindex() -> None:
    """Rebuilds the whole index (listings and every other source): repairs whatever went wrong meanwhile."""
    reindex_all()
