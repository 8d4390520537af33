"""Exhibitors and booths: organisations apply, organisers decide and assign booth numbers.

One application per organisation and event (``uq_event_exhibitor_org``); a withdrawn application can be sent
again, which reopens the same row. A booth number is never given twice (``uq_event_exhibitor_booth``): the
services check first for a clear message, and the unique constraint, hit inside a SAVEPOINT, turns a
concurrent double assignment into a clean 409. Services flush, audit and queue mail; they never commit.
"""

from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...accounts.models import Organisation, User
from ...audit.services import record
from ...errors import ServiceError, fail
from ...extensions import db
from ...listings.models import Listing, Status
from ...listings.services import create_listing
from ...mail.services import queue_mail
from ...text import nfc
from ...timeutil import utcnow
from ...urls import external_url
from ..models import Event, EventStatus
from ..seats import lock_event
from ..services import can_manage
from .labels import BOOTH_TYPE_LABELS, EXHIBITOR_STATUS_LABELS
from .models import Exhibitor, ExhibitorListing, ExhibitorStatus

X = ExhibitorStatus
MAX_STAFF, STAFF_NAME_LEN = 20, 120
MAX_LISTINGS, MAX_NEW_OFFERS, TITLE_LEN = 50, 10, 200
NOTE_LEN, DECISION_NOTE_LEN, BOOTH_LEN = 1000, 500, 20
#: listings an organisation may show at a fair (its drafts too: they are never shown publicly)
SHOWABLE = (Status.DRAFT.value, Status.PENDING_REVIEW.value, Status.CHANGES_REQUESTED.value, Status.PUBLISHED.value)
LIVE = (X.PENDING.value, X.APPROVED.value)
BOOTH_RE = re.compile(r"^[\w][\w .\-/]*$")


def _require_member(user, organisation: Organisation) -> None:
    if not organisation.has_active_member(user):
        raise fail("organisation_id", _l("You can only apply on behalf of an organisation you belong to."),
                   code="not_member", status=403)


def _require_manager(user) -> None:
    if not can_manage(user):
        raise fail(None, _l("Only DOST event organisers can do this."), code="forbidden", status=403)


def accepts_applications(event: Event) -> bool:
    """Exhibitors apply and edit their applications while the event is open and has not started."""
    return event.status == EventStatus.PUBLISHED.value and utcnow() < event.starts_at


def _require_open(event: Event) -> None:
    if not accepts_applications(event):
        raise fail(None, _l("This event does not take exhibitor applications now."),
                   code="applications_closed", status=409)


def _text(data: dict, field: str, max_len: int) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(field, _l("Enter text."))
    value = nfc(value).strip()
    if len(value) > max_len:
        raise fail(field, _l("At most %(n)d characters.", n=max_len))
    return value or None


def _lines(data: dict, field: str, *, max_items: int, max_len: int) -> list[str]:
    """A list of short texts, given as a list or as text with one item per line; blanks and repeats dropped."""
    value = data.get(field)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(field, _l("Enter one item per line."))
    out: list[str] = []
    for item in value:
        item = " ".join(nfc(item).split())
        if not item or item in out:
            continue
        if len(item) > max_len:
            raise fail(field, _l("Each line may have at most %(n)d characters.", n=max_len))
        out.append(item)
    if len(out) > max_items:
        raise fail(field, _l("Enter at most %(n)d lines.", n=max_items))
    return out


def _listing_ids(data: dict) -> list[int]:
    value = data.get("listing_ids") or []
    if not isinstance(value, list | tuple):
        value = [value]
    ids: list[int] = []
    for item in value:
        try:
            number = int(str(item).strip())
        except ValueError:
            raise fail("listing_ids", _l("Choose listings from the list.")) from None
        if number not in ids:
            ids.append(number)
    if len(ids) > MAX_LISTINGS:
        raise fail("listing_ids", _l("Choose at most %(n)d listings.", n=MAX_LISTINGS))
    return ids


def showable_listings(organisation: Organisation) -> list[Listing]:
    """The organisation's offers, IP assets and needs it may show at a fair (published or in preparation)."""
    return list(db.session.scalars(
        select(Listing).where(Listing.organisation_id == organisation.id, Listing.status.in_(SHOWABLE))
        .order_by(Listing.side, Listing.title_vi)))


def _clean(data: dict, organisation: Organisation, *, partial: bool = False) -> dict:
    """Validate an application (form or API). With ``partial``, absent keys keep the current values."""
    out: dict = {}

    def has(key):
        return not partial or key in data

    if has("booth_type"):
        if data.get("booth_type") not in BOOTH_TYPE_LABELS:
            raise fail("booth_type", _l("Choose a booth type."))
        out["booth_type"] = data["booth_type"]
    for field in ("needs_power", "needs_internet"):
        if has(field):
            out[field] = bool(data.get(field))
    if has("staff_names"):
        out["staff_names"] = _lines(data, "staff_names", max_items=MAX_STAFF, max_len=STAFF_NAME_LEN)
    if has("note"):
        out["note"] = _text(data, "note", NOTE_LEN)
    if has("listing_ids"):
        ids = _listing_ids(data)
        found = {x.id: x for x in db.session.scalars(select(Listing).where(Listing.id.in_(ids)))} if ids else {}
        if any(i not in found or found[i].organisation_id != organisation.id or found[i].status not in SHOWABLE
               for i in ids):
            raise fail("listing_ids", _l("Choose only your organisation's own offers, IP assets and needs."))
        out["listings"] = [found[i] for i in ids]
    out["new_offer_titles"] = _lines(data, "new_offer_titles", max_items=MAX_NEW_OFFERS, max_len=TITLE_LEN)
    return out


def _set_items(exhibitor: Exhibitor, listings: list[Listing]) -> None:
    wanted = {x.id for x in listings}
    for item in list(exhibitor.items):
        if item.listing_id not in wanted:
            exhibitor.items.remove(item)
    have = {item.listing_id for item in exhibitor.items}
    for listing in listings:
        if listing.id not in have:
            exhibitor.items.append(ExhibitorListing(listing_id=listing.id))


def _add_new_offers(exhibitor: Exhibitor, *, by, organisation: Organisation, titles: list[str]) -> list[Listing]:
    created = []
    for title in titles:
        try:
            offer = create_listing("offer", by=by, organisation=organisation,
                                   data={"kind": "technology", "title_vi": title})
        except ServiceError as exc:  # the title is checked again by the listings' own rules
            raise fail("new_offer_titles", exc.message, code=exc.code, status=exc.status) from None
        exhibitor.items.append(ExhibitorListing(listing_id=offer.id))
        created.append(offer)
    return created


def _apply_fields(exhibitor: Exhibitor, cleaned: dict, *, by, organisation: Organisation) -> list[Listing]:
    for key in ("booth_type", "needs_power", "needs_internet", "staff_names", "note"):
        if key in cleaned:
            setattr(exhibitor, key, cleaned[key])
    if "listings" in cleaned:
        _set_items(exhibitor, cleaned["listings"])
    return _add_new_offers(exhibitor, by=by, organisation=organisation, titles=cleaned["new_offer_titles"])


def application_of(event: Event, organisation: Organisation) -> Exhibitor | None:
    return db.session.scalar(select(Exhibitor).where(Exhibitor.event_id == event.id,
                                                     Exhibitor.organisation_id == organisation.id))


def apply_as_exhibitor(event: Event, *, by, organisation: Organisation, data: dict) -> Exhibitor:
    """``organisation`` applies to exhibit at ``event``; new offer titles become offer drafts of it."""
    _require_member(by, organisation)
    _require_open(event)
    cleaned = _clean(data, organisation)
    lock_event(event)  # also opens the transaction: the SAVEPOINT below is nested (on SQLite an outermost
    # SAVEPOINT would commit when released)
    exhibitor = application_of(event, organisation)
    if exhibitor is not None and exhibitor.status != X.WITHDRAWN.value:
        raise fail("organisation_id", _l("%(org)s has already applied to exhibit at this event (%(status)s).",
                                          org=organisation.display_name,
                                          status=EXHIBITOR_STATUS_LABELS.get(exhibitor.status, exhibitor.status)),
                   code="already_applied", status=409)
    if exhibitor is None:
        exhibitor = Exhibitor(event=event, organisation=organisation, applied_by_id=by.id, status=X.PENDING.value,
                              booth_type=cleaned["booth_type"], staff_names=[])
        try:
            with db.session.begin_nested():  # a concurrent application of the same organisation
                db.session.add(exhibitor)
                db.session.flush()
        except IntegrityError:
            raise fail("organisation_id", _l("%(org)s has already applied to exhibit at this event.",
                                              org=organisation.display_name),
                       code="already_applied", status=409) from None
    else:  # a withdrawn application is sent again (its listings are replaced below)
        exhibitor.booth_no = exhibitor.decision_note = exhibitor.decided_at = None
    exhibitor.applied_by_id, exhibitor.status, exhibitor.created_at = by.id, X.PENDING.value, utcnow()
    created = _apply_fields(exhibitor, cleaned, by=by, organisation=organisation)
    db.session.flush()
    record("event.exhibitor_apply", actor=by, obj=exhibitor, event=event.id, organisation=organisation.id,
           new_offers=[x.reference for x in created] or None)
    return exhibitor


def update_application(exhibitor: Exhibitor, *, by, data: dict) -> Exhibitor:
    """The applicant's organisation edits its application while it is pending or approved."""
    organisation = exhibitor.organisation
    _require_member(by, organisation)
    _require_open(exhibitor.event)
    if exhibitor.status not in LIVE:
        raise fail(None, _l("This application can no longer be changed."), code="not_live", status=409)
    cleaned = _clean(data, organisation, partial=True)
    if (exhibitor.status == X.APPROVED.value and "booth_type" in cleaned
            and cleaned["booth_type"] != exhibitor.booth_type):
        raise fail("booth_type", _l("Your application is approved: ask the organisers to change the booth type."),
                   code="approved", status=409)
    created = _apply_fields(exhibitor, cleaned, by=by, organisation=organisation)
    db.session.flush()
    record("event.exhibitor_update", actor=by, obj=exhibitor, fields=sorted(set(cleaned) - {"new_offer_titles"}),
           new_offers=[x.reference for x in created] or None)
    return exhibitor


def withdraw_application(exhibitor: Exhibitor, *, by) -> Exhibitor:
    """The organisation withdraws; its booth number becomes free for another exhibitor."""
    _require_member(by, exhibitor.organisation)
    if exhibitor.status not in LIVE:
        raise fail(None, _l("This application can no longer be changed."), code="not_live", status=409)
    freed = exhibitor.booth_no
    exhibitor.status, exhibitor.booth_no = X.WITHDRAWN.value, None
    db.session.flush()
    record("event.exhibitor_withdraw", actor=by, obj=exhibitor, booth=freed)
    return exhibitor


def _mail_applicant(exhibitor: Exhibitor, template: str, **context) -> None:
    user = db.session.get(User, exhibitor.applied_by_id) if exhibitor.applied_by_id else None
    if user is None or not user.is_active:
        return
    event = exhibitor.event
    locale = user.locale or "vi"
    with force_locale(locale):
        booth_type = str(BOOTH_TYPE_LABELS.get(exhibitor.booth_type, exhibitor.booth_type))
    queue_mail(user.email, template, locale=locale, name=user.full_name, title=event.title(locale),
               organisation=exhibitor.organisation.display_name, booth_type=booth_type,
               url=external_url("event_exhibitors.apply", slug=event.slug, org=exhibitor.organisation_id),
               catalogue_url=external_url("event_exhibitors.catalogue", slug=event.slug), **context)


def decide_exhibitor(exhibitor: Exhibitor, *, by, approve: bool, note: str | None = None) -> Exhibitor:
    """Organisers approve or reject an application (and may reconsider); a rejection frees the booth."""
    _require_manager(by)
    note = _text({"note": note}, "note", DECISION_NOTE_LEN)
    target = X.APPROVED.value if approve else X.REJECTED.value
    if exhibitor.status == X.WITHDRAWN.value:
        raise fail(None, _l("The organisation has withdrawn this application."), code="withdrawn", status=409)
    if exhibitor.status == target:
        raise fail(None, _l("This application is already “%(status)s”.",
                             status=EXHIBITOR_STATUS_LABELS[target]), code="unchanged", status=409)
    freed = exhibitor.booth_no
    exhibitor.status, exhibitor.decision_note, exhibitor.decided_at = target, note, utcnow()
    if not approve:
        exhibitor.booth_no = None
    db.session.flush()
    record("event.exhibitor_approve" if approve else "event.exhibitor_reject", actor=by, obj=exhibitor,
           note=note, booth=None if approve else freed)
    _mail_applicant(exhibitor, "event_exhibitor_decision", approved=approve, note=note)
    return exhibitor


def clean_booth_no(value) -> str | None:
    """``" a-12 "`` → ``"A-12"``; empty → None (no booth)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail("booth_no", _l("Enter a booth number such as A-12."))
    value = " ".join(nfc(value).split()).upper()
    if not value:
        return None
    if len(value) > BOOTH_LEN:
        raise fail("booth_no", _l("At most %(n)d characters.", n=BOOTH_LEN))
    if not BOOTH_RE.match(value):
        raise fail("booth_no", _l("Enter a booth number such as A-12."))
    return value


def booth_holder(event: Event, booth_no: str, *, exclude_id: int | None = None) -> Exhibitor | None:
    """The exhibitor that already has ``booth_no`` at ``event``, if any."""
    query = select(Exhibitor).where(Exhibitor.event_id == event.id, Exhibitor.booth_no == booth_no)
    if exclude_id is not None:
        query = query.where(Exhibitor.id != exclude_id)
    return db.session.scalar(query)


def _booth_taken(booth_no: str, holder: Exhibitor | None = None) -> ServiceError:
    if holder is not None:
        message = _l("Booth %(booth)s is already given to %(org)s.", booth=booth_no,
                     org=holder.organisation.display_name)
    else:
        message = _l("Booth %(booth)s has just been given to another exhibitor.", booth=booth_no)
    return fail("booth_no", message, code="booth_taken", status=409)


def assign_booth(exhibitor: Exhibitor, *, by, booth_no) -> Exhibitor:
    """Organisers give an approved exhibitor a booth number (or take it back with an empty one)."""
    _require_manager(by)
    if exhibitor.status != X.APPROVED.value:
        raise fail("booth_no", _l("Approve the application before assigning a booth."),
                   code="not_approved", status=409)
    booth = clean_booth_no(booth_no)
    if booth == exhibitor.booth_no:
        return exhibitor
    lock_event(exhibitor.event)  # a second organiser assigning at the same moment now waits for us
    if booth is not None:
        holder = booth_holder(exhibitor.event, booth, exclude_id=exhibitor.id)
        if holder is not None:
            raise _booth_taken(booth, holder)
    previous = exhibitor.booth_no
    try:
        with db.session.begin_nested():  # two organisers giving the same booth at the same moment
            exhibitor.booth_no = booth
            db.session.flush()
    except IntegrityError:
        raise _booth_taken(booth) from None
    record("event.exhibitor_booth", actor=by, obj=exhibitor, booth=booth, previous=previous)
    if booth is not None:
        _mail_applicant(exhibitor, "event_exhibitor_booth", booth_no=booth)
    return exhibitor
