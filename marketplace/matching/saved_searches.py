"""Saved searches and alert preferences.

A signed-in user keeps a query with filters and a frequency; the worker mails each new matching listing once
(SavedSearchHit), with an unsubscribe link that works without signing in. The match digest (strong matches of
one's own listings, at most daily) is opt-in. Services flush and audit; the caller commits.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..errors import fail
from ..extensions import db
from ..listings.models import Listing, Status
from ..mail.services import queue_mail
from ..search import SearchQuery, get_engine
from ..text import nfc
from ..timeutil import utcnow
from ..urls import external_url
from .models import MatchPreference, SavedSearch, SavedSearchHit

FREQUENCIES = ("immediate", "daily", "weekly")
FILTER_KEYS = ("kind", "st_fields", "sectors", "province", "trl", "price_type", "tt_forms", "legal_status", "classes",
               "available")
MAX_PER_USER = 20


def normalise_query(raw: dict) -> dict:
    q = nfc(str(raw.get("q") or "")).strip()[:200]
    types = [t for t in raw.get("types") or [] if t in ("offer", "need", "ip_asset")] or ["offer", "need", "ip_asset"]
    filters = {k: [str(v)[:20] for v in raw.get("filters", {}).get(k, [])][:12] for k in FILTER_KEYS
               if raw.get("filters", {}).get(k)}
    return {"q": q, "types": types, "filters": filters}


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="saved-search-unsubscribe")


def unsubscribe_token(saved: SavedSearch) -> str:
    """Stable and signed: every alert's link keeps working, and nobody can forge one for another search."""
    return _signer().dumps(saved.id)


def create_saved_search(*, by, name: str, query: dict, frequency: str) -> SavedSearch:
    if frequency not in FREQUENCIES:
        raise fail("frequency", _l("Choose immediately, daily or weekly."))
    query = normalise_query(query)
    if not query["q"] and not query["filters"]:
        raise fail(None, _l("Type some words or choose a filter before saving the search."), code="empty_query")
    count = len(db.session.scalars(select(SavedSearch.id).where(SavedSearch.user_id == by.id,
                                                                SavedSearch.active.is_(True))).all())
    if count >= MAX_PER_USER:
        raise fail(None, _l("You can keep at most %(n)d saved searches.", n=MAX_PER_USER), status=409,
                   code="too_many")
    saved = SavedSearch(user_id=by.id, name=nfc(name or query["q"] or "").strip()[:120] or str(_l("My search")),
                        query=query, frequency=frequency, last_run_at=utcnow())
    db.session.add(saved)
    db.session.flush()
    record("saved_search.created", actor=by, obj=saved)
    return saved


def delete_saved_search(saved: SavedSearch, *, by) -> None:
    if saved.user_id != by.id:
        raise fail(None, _l("Not found."), status=404, code="not_found")
    db.session.delete(saved)
    db.session.flush()


def unsubscribe(token: str) -> SavedSearch | None:
    try:
        saved_id = _signer().loads(token or "")
    except BadSignature:
        return None
    saved = db.session.get(SavedSearch, saved_id) if isinstance(saved_id, int) else None
    if saved is not None and saved.active:
        saved.active = False
        record("saved_search.unsubscribed", obj=saved)
        db.session.flush()
    return saved


def new_hits(saved: SavedSearch) -> list[Listing]:
    """Published listings matching the query that were not mailed yet (newest first, at most 50)."""
    query = saved.query
    results = get_engine().search(SearchQuery(q=query.get("q", ""), types=query.get("types") or ["offer", "need"],
                                              filters=query.get("filters") or {}, sort="newest", per_page=50))
    ids = [hit.object_id for hit in results.hits]
    if not ids:
        return []
    sent = set(db.session.scalars(select(SavedSearchHit.listing_id).where(
        SavedSearchHit.saved_search_id == saved.id, SavedSearchHit.listing_id.in_(ids))))
    rows = db.session.scalars(select(Listing).where(Listing.id.in_([i for i in ids if i not in sent]),
                                                    Listing.status == Status.PUBLISHED.value)).all()
    since = saved.created_at
    return [x for x in rows if (x.published_at or x.created_at) >= since]


def due(saved: SavedSearch, now) -> bool:
    if saved.frequency == "immediate" or saved.last_run_at is None:
        return True
    period = timedelta(days=1) if saved.frequency == "daily" else timedelta(days=7)
    return now - saved.last_run_at >= period - timedelta(minutes=5)


def run_saved_search(saved: SavedSearch, now=None) -> int:
    """Mail what is new for one saved search; returns the number of listings mailed."""
    now = now or utcnow()
    listings = new_hits(saved)
    saved.last_run_at = now
    fresh = []
    for listing in listings:
        try:
            with db.session.begin_nested():
                db.session.add(SavedSearchHit(saved_search_id=saved.id, listing_id=listing.id))
        except IntegrityError:
            continue
        fresh.append(listing)
    if fresh and saved.user.is_active:
        queue_mail(saved.user.email, "saved_search_alert", locale=saved.user.locale, name=saved.user.full_name,
                   search=saved.name,
                   items=[{"reference": x.reference, "title": x.title_vi,
                           "url": external_url("listings.detail", reference=x.reference)} for x in fresh],
                   unsubscribe_url=external_url("matching.unsubscribe", token=unsubscribe_token(saved)))
    db.session.flush()
    return len(fresh)


def run_due_saved_searches(frequency: str | None = None, now=None) -> int:
    """Run every active saved search that is due; returns the number of listings mailed. The caller commits."""
    now = now or utcnow()
    stmt = select(SavedSearch).where(SavedSearch.active.is_(True))
    if frequency:
        stmt = stmt.where(SavedSearch.frequency == frequency)
    total = 0
    for saved in db.session.scalars(stmt).all():
        if due(saved, now):
            total += run_saved_search(saved, now)
    return total


def set_match_digest(*, by, digest: bool) -> MatchPreference:
    """Opt in to (or out of) the daily digest of strong matches of one's own listings."""
    preference = db.session.get(MatchPreference, by.id)
    if preference is None:
        preference = MatchPreference(user_id=by.id)
        db.session.add(preference)
    preference.digest = bool(digest)
    db.session.flush()
    record("match.digest_preference", actor=by, obj=by, digest=preference.digest)
    return preference
