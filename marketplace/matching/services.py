"""Offer↔need matching. The score (0–100) adds up parts a person can check, and each part is a reason:

- text similarity from the search engine (up to 40), with the shared significant words;
- shared S&T fields (20 at level 2, 10 at level 1 only) and shared VSIC sectors (10);
- TRL against the need's minimum (+10 when it meets it, −10 when below);
- compatible cooperation and transfer forms (10);
- fixed price within the need's budget (+5, −5 above it);
- same province (5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..errors import fail
from ..extensions import db
from ..listings.loaders import can_edit
from ..listings.markdown import plain_text
from ..listings.models import Listing, Side, Status
from ..permissions import Permission, user_can
from ..search import SearchQuery, document_id, get_engine, object_id_of
from .models import Introduction

STRONG = 60
MINIMUM = 25
CANDIDATES = 50

# need.cooperation_forms → offer transfer forms or kinds that can satisfy it
COMPATIBLE = {
    "buy_equipment": {"equipment_purchase", "kind:equipment"},
    "licence": {"ip_transfer", "independent"},
    "assignment": {"ip_transfer", "independent"},
    "co_development": {"independent", "investment_project", "kind:service"},
    "consulting": {"kind:service"},
    "joint_venture": {"capital_contribution", "investment_project"},
}


@dataclass
class Match:
    listing: Listing
    score: int
    reasons: list[dict] = field(default_factory=list)


def listing_text(listing: Listing) -> str:
    return " ".join(filter(None, [listing.title_vi, listing.summary, plain_text(listing.description),
                                  plain_text(listing.problem), " ".join(listing.keywords or []),
                                  " ".join(listing.application_areas or [])]))


SUPPLY = (Side.OFFER.value, Side.IP_ASSET.value)  # offers and IP assets both answer needs


def _pair(a: Listing, b: Listing) -> tuple[Listing, Listing]:
    """(supply, need)."""
    return (a, b) if a.side != Side.NEED.value else (b, a)


def other_sides(listing: Listing) -> list[str]:
    return list(SUPPLY) if listing.side == Side.NEED.value else [Side.NEED.value]


def score_pair(offer: Listing, need: Listing, *, text_score: float = 0.0, shared_terms=()) -> Match | None:
    reasons: list[dict] = []
    score = 0.0
    if text_score > 0:
        score += 40 * min(text_score, 1.0)
        if shared_terms:
            reasons.append({"code": "terms", "terms": list(shared_terms)[:6]})
    offer_fields, need_fields = set(offer.st_fields or []), set(need.st_fields or [])
    shared_fields = sorted(offer_fields & need_fields)
    if shared_fields:
        score += 20
        reasons.append({"code": "st_fields", "codes": shared_fields})
    else:
        shared_l1 = sorted({c[0] for c in offer_fields} & {c[0] for c in need_fields})
        if shared_l1:
            score += 10
            reasons.append({"code": "st_fields", "codes": shared_l1})
    shared_sectors = sorted(set(offer.sectors or []) & set(need.sectors or []))
    if shared_sectors:
        score += 10
        reasons.append({"code": "sectors", "codes": shared_sectors})
    if need.min_trl and offer.trl:
        if offer.trl >= need.min_trl:
            score += 10
            reasons.append({"code": "trl_ok", "trl": offer.trl, "min": need.min_trl})
        else:
            score -= 10
            reasons.append({"code": "trl_low", "trl": offer.trl, "min": need.min_trl})
    supplies = set(offer.tt_forms or []) | {f"kind:{offer.kind}"}
    forms = [f for f in need.cooperation_forms or [] if COMPATIBLE.get(f, set()) & supplies]
    if forms:
        score += 10
        reasons.append({"code": "forms", "codes": forms})
    if offer.price_type == "fixed" and offer.price_vnd and need.budget_max_vnd:
        if offer.price_vnd <= need.budget_max_vnd:
            score += 5
            reasons.append({"code": "budget_ok", "price": offer.price_vnd, "budget": need.budget_max_vnd})
        else:
            score -= 5
            reasons.append({"code": "budget_high", "price": offer.price_vnd, "budget": need.budget_max_vnd})
    if offer.province_code and offer.province_code == need.province_code:
        score += 5
        reasons.append({"code": "province", "code_value": offer.province_code})
    final = max(0, min(100, round(score)))
    return Match(listing=None, score=final, reasons=reasons)  # type: ignore[arg-type]


def find_matches(listing: Listing, *, limit: int = 10, minimum: int = MINIMUM) -> list[Match]:
    """Ranked listings of the other side, each with its score and reasons."""
    others = other_sides(listing)
    engine = get_engine()
    text_hits = engine.similar(listing_text(listing), types=others,
                               exclude_ids=[document_id(listing.side, listing.id)], limit=CANDIDATES)
    top = max((score for _id, score, _terms in text_hits), default=0) or 1
    candidates: dict[int, tuple[float, list[str]]] = {
        object_id_of(doc_id): (score / top, terms) for doc_id, score, terms in text_hits}
    if listing.st_fields:  # also candidates that share a field but use other words
        by_field = engine.search(SearchQuery(types=others, filters={"st_fields": list(listing.st_fields)},
                                             sort="newest", per_page=CANDIDATES))
        for hit in by_field.hits:
            candidates.setdefault(hit.object_id, (0.0, []))
    if not candidates:
        return []
    rows = db.session.scalars(select(Listing).where(Listing.id.in_(candidates), Listing.side.in_(others),
                                                    Listing.status == Status.PUBLISHED.value)).all()
    matches = []
    for row in rows:
        text_score, terms = candidates[row.id]
        offer, need = _pair(listing, row)
        match = score_pair(offer, need, text_score=text_score, shared_terms=terms)
        if match.score >= minimum:
            match.listing = row
            matches.append(match)
    matches.sort(key=lambda m: (-m.score, -m.listing.id))
    return matches[:limit]


def can_see_matches(user, listing: Listing) -> bool:
    return can_edit(user, listing) or user_can(user, Permission.LISTING_MODERATE)


def introduce(listing: Listing, other: Listing, *, by, note: str | None = None) -> Introduction:
    """A moderator marks a match as introduced (both parties were put in touch)."""
    if not user_can(by, Permission.LISTING_MODERATE):
        raise fail(None, _l("You do not have permission to do this."), status=403, code="forbidden")
    if (listing.side == Side.NEED.value) == (other.side == Side.NEED.value) or not (listing.is_public
                                                                                     and other.is_public):
        raise fail(None, _l("Only a published offer (or IP asset) and a published need can be introduced."),
                   status=409, code="not_a_match")
    offer, need = _pair(listing, other)
    existing = db.session.scalar(select(Introduction).where(Introduction.offer_id == offer.id,
                                                            Introduction.need_id == need.id))
    if existing is not None:
        raise fail(None, _l("These two listings were already introduced."), status=409, code="already_introduced")
    match = score_pair(offer, need)
    intro = Introduction(offer_id=offer.id, need_id=need.id, score=match.score, reasons=match.reasons,
                         note=(note or "").strip()[:1000] or None, introduced_by_id=by.id)
    db.session.add(intro)
    db.session.flush()
    record("match.introduced", actor=by, obj=intro, offer=offer.reference, need=need.reference)
    return intro
