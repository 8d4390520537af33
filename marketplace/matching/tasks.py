"""Queue jobs: strong-match notices when a listing is published, the daily match digest, saved-search alerts."""

from __future__ import annotations

from collections import defaultdict

from huey import crontab
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..listings.models import Listing
from ..mail.services import queue_mail
from ..outbox import tasks as outbox
from ..outbox.services import add_effect
from ..signals import listing_published
from ..tasks import periodic_task
from ..timeutil import utcnow
from ..urls import external_url
from .models import MatchNotice, MatchPreference
from .saved_searches import run_due_saved_searches
from .services import STRONG, find_matches


def _on_published(listing: Listing, **_kwargs) -> None:
    # in the listing's lane: they run after its index effect, so the new listing is found
    add_effect("matching.published", {"id": listing.id}, key=listing.id, lane=f"listing:{listing.id}")


def on_published(payload: dict, _item=None) -> None:
    """The ``matching.published`` effect: strong-match notices, then immediate saved-search alerts (the outbox
    commits them with the effect's ``done`` mark)."""
    record_strong_matches(payload["id"])
    run_due_saved_searches("immediate")


def record_strong_matches(listing_id: int) -> int:
    """Queue a notice for each opted-in owner of a strongly matching listing (sent in the daily digest)."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or not listing.is_public:
        return 0
    count = 0
    for match in find_matches(listing, limit=20, minimum=STRONG):
        owner = match.listing.created_by
        if owner is None or not owner.is_active:
            continue
        preference = db.session.get(MatchPreference, owner.id)
        if preference is None or not preference.digest:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(MatchNotice(user_id=owner.id, own_listing_id=match.listing.id,
                                           new_listing_id=listing.id, score=match.score))
            count += 1
        except IntegrityError:
            continue
    db.session.flush()
    return count


def send_match_digests(now=None) -> int:
    """At most one mail per person per run (the run is daily)."""
    now = now or utcnow()
    pending = db.session.scalars(select(MatchNotice).where(MatchNotice.sent_at.is_(None))).all()
    by_user: dict[int, list[MatchNotice]] = defaultdict(list)
    for notice in pending:
        by_user[notice.user_id].append(notice)
    for notices in by_user.values():
        owner = db.session.get(Listing, notices[0].own_listing_id).created_by
        items = []
        for notice in sorted(notices, key=lambda n: -n.score):
            new = db.session.get(Listing, notice.new_listing_id)
            own = db.session.get(Listing, notice.own_listing_id)
            if new is not None and own is not None and new.is_public:
                items.append({"own": own.reference, "reference": new.reference, "title": new.title_vi,
                              "score": notice.score,
                              "url": external_url("listings.detail", reference=new.reference)})
            notice.sent_at = now
        if items and owner is not None and owner.is_active:
            queue_mail(owner.email, "match_digest", locale=owner.locale, name=owner.full_name, items=items,
                       settings_url=external_url("matching.saved_searches"))
    db.session.commit()
    return len(by_user)


@periodic_task(crontab(minute="*/15"))
def periodic_saved_searches() -> None:
    run_due_saved_searches()
    db.session.commit()


@periodic_task(crontab(hour="0", minute="30"))  # 07:30 in Vietnam (UTC+7)
def daily_match_digest() -> None:
    send_match_digests()


def connect() -> None:
    """Called by ``create_app``: the effect of a first publication, queued when ``listing_published`` is sent."""
    outbox.register("matching.published", on_published)
    listing_published.connect(_on_published)
