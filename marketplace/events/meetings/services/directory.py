"""The B2B participants directory: who opted in, what they bring to the fair, filters, and whom to meet.

What a participant brings: the listings chosen on their B2B profile (``Registration.listing_ids``) and, for
an exhibiting organisation, the listings on its approved stand. Only published listings are shown or matched.
Suggestions use the platform's offer↔need matching (``matching.services``) on those listings, plus shared
S&T fields and complementary kinds of organisation, each with a short reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ....accounts.models import OrgType
from ....audit.services import record
from ....errors import fail
from ....extensions import db
from ....listings.models import Listing, Side, Status
from ....matching.services import MINIMUM, SUPPLY, find_matches, score_pair
from ....reference.services import label_for
from ....text import fold, nfc
from ...exhibitors.models import Exhibitor, ExhibitorListing, ExhibitorStatus
from ...models import Event
from ...registration.models import Registration, RegStatus
from ..models import OPEN, Meeting, MeetingStatus, is_b2b

MAX_PROFILE_LISTINGS = 10
INTERESTS_LEN = 500
#: kinds of organisation that mostly bring technology, and those that mostly look for it
SUPPLIERS = {OrgType.RESEARCH_INSTITUTE.value, OrgType.UNIVERSITY.value, OrgType.ST_ENTERPRISE.value,
             OrgType.INDIVIDUAL.value}
ADOPTERS = {OrgType.ENTERPRISE.value, OrgType.COOPERATIVE.value, OrgType.STARTUP.value, OrgType.STATE_AGENCY.value}
FILTER_KEYS = ("org_type", "st_field", "sector", "side", "q")


@dataclass
class Entry:
    registration: Registration
    listings: list[Listing] = field(default_factory=list)

    @property
    def offers(self) -> list[Listing]:
        return [x for x in self.listings if x.side in SUPPLY]

    @property
    def needs(self) -> list[Listing]:
        return [x for x in self.listings if x.side == Side.NEED.value]


@dataclass
class Suggestion:
    entry: Entry
    score: int
    reason: str


def profile_listings(reg: Registration, user) -> list[Listing]:
    """Published listings ``user`` may say they bring: their registered organisation's, else all of theirs."""
    if reg.organisation_id:
        org_ids = [reg.organisation_id]
    else:
        org_ids = [org.id for org in user.active_organisations()]
    if not org_ids:
        return []
    return list(db.session.scalars(select(Listing).where(
        Listing.organisation_id.in_(org_ids), Listing.status == Status.PUBLISHED.value)
        .order_by(Listing.side, Listing.title_vi)))


def update_b2b_profile(registration: Registration, *, by, data: dict) -> Registration:
    """The participant opts in or out of the directory and says what they bring and look for."""
    if registration.user_id != getattr(by, "id", None):
        raise fail(None, _l("You can only change your own B2B profile."), code="forbidden", status=403)
    if registration.status != RegStatus.CONFIRMED.value:
        raise fail(None, _l("Only confirmed participants appear in the B2B directory."),
                   code="not_confirmed", status=409)
    interests = data.get("interests")
    interests = nfc(interests).strip() if isinstance(interests, str) else ""
    if len(interests) > INTERESTS_LEN:
        raise fail("interests", _l("At most %(n)d characters.", n=INTERESTS_LEN))
    allowed = {x.id for x in profile_listings(registration, by)}
    raw = data.get("listing_ids") or []
    ids: list[int] = []
    for item in raw if isinstance(raw, list | tuple | set) else [raw]:
        number = int(item) if str(item).strip().isdigit() else None
        if number is None or number not in allowed:
            raise fail("listing_ids", _l("Choose published listings of your organisation."))
        if number not in ids:
            ids.append(number)
    if len(ids) > MAX_PROFILE_LISTINGS:
        raise fail("listing_ids", _l("Choose at most %(n)d listings.", n=MAX_PROFILE_LISTINGS))
    registration.in_directory = bool(data.get("in_directory"))
    registration.interests = interests or None
    registration.listing_ids = ids
    db.session.flush()
    record("event.b2b_profile", actor=by, obj=registration.event, registration=registration.id,
           in_directory=registration.in_directory, listings=len(ids))
    return registration


def _brought(regs: list[Registration]) -> dict[int, list[Listing]]:
    """Published listings each registration brings (profile choices plus its organisation's stand)."""
    if not regs:
        return {}
    wanted: dict[int, list[int]] = {r.id: [int(i) for i in (r.listing_ids or []) if str(i).isdigit()] for r in regs}
    event_ids = {r.event_id for r in regs}
    org_ids = {r.organisation_id for r in regs if r.organisation_id}
    stand: dict[tuple[int, int], list[int]] = {}
    if org_ids:
        rows = db.session.execute(select(Exhibitor.event_id, Exhibitor.organisation_id, ExhibitorListing.listing_id)
                                  .join(ExhibitorListing, ExhibitorListing.exhibitor_id == Exhibitor.id)
                                  .where(Exhibitor.event_id.in_(event_ids), Exhibitor.organisation_id.in_(org_ids),
                                         Exhibitor.status == ExhibitorStatus.APPROVED.value))
        for event_id, org_id, listing_id in rows:
            stand.setdefault((event_id, org_id), []).append(listing_id)
    for reg in regs:
        for listing_id in stand.get((reg.event_id, reg.organisation_id), []):
            if listing_id not in wanted[reg.id]:
                wanted[reg.id].append(listing_id)
    all_ids = {i for ids in wanted.values() for i in ids}
    found = {x.id: x for x in db.session.scalars(select(Listing).where(
        Listing.id.in_(all_ids), Listing.status == Status.PUBLISHED.value))} if all_ids else {}
    return {reg_id: [found[i] for i in ids if i in found] for reg_id, ids in wanted.items()}


def brought_listing_ids(reg: Registration) -> list[int]:
    return [x.id for x in _brought([reg])[reg.id]]


def brought_listings(reg: Registration) -> list[Listing]:
    return _brought([reg])[reg.id]


def directory_entries(event: Event, filters: dict | None = None) -> list[Entry]:
    """Confirmed participants who opted into the directory, filtered (invalid filter values match nothing)."""
    filters = filters or {}
    regs = list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegStatus.CONFIRMED.value,
        Registration.in_directory.is_(True)).options(selectinload(Registration.organisation))
        .order_by(Registration.full_name, Registration.id)))
    brought = _brought(regs)
    entries = [Entry(reg, brought[reg.id]) for reg in regs]
    org_type, st_field, sector = filters.get("org_type"), filters.get("st_field"), filters.get("sector")
    side, q = filters.get("side"), fold(filters.get("q") or "").strip()

    def keep(entry: Entry) -> bool:
        reg = entry.registration
        if org_type and (reg.organisation is None or reg.organisation.org_type != org_type):
            return False
        if st_field and not any(c.startswith(st_field) for x in entry.listings for c in x.st_fields or []):
            return False
        if sector and not any(sector in (x.sectors or []) for x in entry.listings):
            return False
        if side == "offer" and not entry.offers or side == "need" and not entry.needs:
            return False
        if q:
            text = " ".join(filter(None, [reg.full_name, reg.position, reg.interests,
                                          reg.organisation.legal_name if reg.organisation else None,
                                          reg.organisation.short_name if reg.organisation else None,
                                          *(x.title_vi for x in entry.listings)]))
            return all(word in fold(text) for word in q.split())
        return True

    return [e for e in entries if keep(e)]


def _pair_reason(mine: Listing, theirs: Listing) -> str:
    if theirs.side == Side.NEED.value:
        return _("Their need “%(need)s” matches your “%(offer)s”.", need=theirs.title_vi, offer=mine.title_vi)
    return _("Their “%(offer)s” matches your need “%(need)s”.", offer=theirs.title_vi, need=mine.title_vi)


def suggestions(registration: Registration, *, limit: int = 5) -> list[Suggestion]:
    """Other directory participants worth meeting, best first, each with a short reason."""
    if not is_b2b(registration):
        return []
    met = {m.requester_id if m.invitee_id == registration.id else m.invitee_id
           for m in db.session.scalars(select(Meeting).where(
               (Meeting.requester_id == registration.id) | (Meeting.invitee_id == registration.id),
               Meeting.status.in_((*OPEN, MeetingStatus.DECLINED.value))))}
    entries = [e for e in directory_entries(registration.event)
               if is_b2b(e.registration) and e.registration.id != registration.id
               and e.registration.user_id != registration.user_id and e.registration.id not in met]
    mine = brought_listings(registration)
    # the platform's matching (text similarity included) for what I bring
    matched: dict[int, tuple[int, Listing]] = {}
    for listing in mine[:5]:
        for match in find_matches(listing, limit=50):
            if match.score > matched.get(match.listing.id, (-1,))[0]:
                matched[match.listing.id] = (match.score, listing)
    my_fields = {c for x in mine for c in x.st_fields or []}
    my_kind = registration.organisation.org_type if registration.organisation else None
    out: list[Suggestion] = []
    for entry in entries:
        best: tuple[int, str] = (0, "")
        for theirs in entry.listings:
            if theirs.id in matched:
                score, own = matched[theirs.id]
            else:  # a pair the search did not surface: score it without text similarity
                pairs = [(own, score_pair(*((own, theirs) if theirs.side == Side.NEED.value else (theirs, own))))
                         for own in mine if (own.side == Side.NEED.value) != (theirs.side == Side.NEED.value)]
                own, match = max(pairs, key=lambda p: p[1].score, default=(None, None))
                if match is None or match.score < MINIMUM:
                    continue
                score = match.score
            if score > best[0]:
                best = (score, _pair_reason(own, theirs))
        score, reason = best
        shared = sorted(my_fields & {c for x in entry.listings for c in x.st_fields or []})
        if shared:
            score += 10
            reason = reason or _("Same S&T field: %(fields)s",
                                 fields="; ".join(label_for("st_field", c) for c in shared[:3]))
        their_kind = entry.registration.organisation.org_type if entry.registration.organisation else None
        if {my_kind, their_kind} & SUPPLIERS and {my_kind, their_kind} & ADOPTERS:
            score += 5
            reason = reason or _("A research or technology organisation and a company that may adopt its results.")
        if score > 0:
            out.append(Suggestion(entry, min(score, 100), reason))
    out.sort(key=lambda s: (-s.score, s.entry.registration.id))
    return out[:limit]
