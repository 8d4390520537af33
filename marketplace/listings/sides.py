"""The sides of a listing, in one table: technology offers, technology needs and IP assets.

The three share the ``listing`` row and so the lifecycle, moderation, search and matching. What differs is
written here, side by side, and read by the services, the views, the API and the search document:

* ``fields``: the columns of ``Listing`` the side edits; ``details_fields``: the columns of its details row
  (IP assets keep theirs on ``Listing.ip``, an ``IpAssetDetails``), made by ``details_factory`` when missing;
* ``clean(data, cleaned, today=, check_dates=)``: the side's rules across fields, returning its details
  fields cleaned (the columns are cleaned the same way for every side, in ``listings.fields``);
* ``required``: what a new listing of the side cannot be created without;
* ``form``: its HTML form and ``form_template`` the side's part of ``listings/form.html`` (macros ``title``,
  ``what``, ``text``, ``details``); ``hints(listing)``: its quality hints; ``search_fields(listing)``: extra fields of
  its search document; ``after_apply(listing)``: values derived once its fields are set (an IP term's expiry);
* ``default_kind``: the ``kind`` of a new listing when the side has no choice of kind (needs).

Nothing registers into the table at import time: adding a side means adding a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from ..errors import fail
from ..ip_assets import fields as ip
from ..ip_assets.forms import IpAssetForm
from ..ip_assets.models import IpAssetDetails
from .fields import NEED_FIELDS, OFFER_FIELDS, clean_columns, need_rules, offer_rules
from .forms import NeedForm, OfferForm
from .models import NEED_KIND, Listing, Side
from .quality import need_hints, offer_hints


@dataclass(frozen=True)
class SideSpec:
    side: str
    fields: tuple[str, ...]
    clean: Callable[..., dict]
    form: type
    form_template: str
    hints: Callable[[Listing], list[str]]
    required: dict[str, object] = field(default_factory=dict)
    default_kind: str | None = None
    details_attr: str | None = None
    details_fields: tuple[str, ...] = ()
    details_factory: Callable[[], object] | None = None
    after_apply: Callable[[Listing], None] | None = None
    search_fields: Callable[[Listing], dict] | None = None


SIDES: dict[str, SideSpec] = {
    Side.OFFER.value: SideSpec(
        side=Side.OFFER.value, fields=OFFER_FIELDS, clean=offer_rules, form=OfferForm,
        form_template="listings/_offer_fields.html", hints=offer_hints,
        required={"kind": _l("Choose technology, equipment or S&T service.")}),
    Side.NEED.value: SideSpec(
        side=Side.NEED.value, fields=NEED_FIELDS, clean=need_rules, form=NeedForm,
        form_template="listings/_need_fields.html", hints=need_hints,
        default_kind=NEED_KIND),
    Side.IP_ASSET.value: SideSpec(
        side=Side.IP_ASSET.value, fields=ip.LISTING_FIELDS, clean=ip.clean_ip_fields, form=IpAssetForm,
        form_template="ip_assets/_fields.html", hints=ip.ip_hints, required={"ip_type": _l("Choose a type of IP asset from the list.")},
        details_attr="ip", details_fields=ip.DETAILS_FIELDS, details_factory=IpAssetDetails,
        after_apply=ip.apply_derived, search_fields=ip.search_fields),
}


def fields_for(side: str) -> tuple[str, ...]:
    """Every editable field of ``side``: its listing columns, then its details fields."""
    spec = SIDES[side]
    return spec.fields + spec.details_fields


def clean_listing_data(side: str, data: dict, *, today: date | None = None, check_dates: bool = True) -> dict:
    """Validate and normalise the fields of ``side`` present in ``data``; unknown keys are ignored.

    ``check_dates=False`` when re-applying data that was checked when it was typed (an approved revision).
    """
    spec = SIDES[side]
    today = today or date.today()
    cleaned = clean_columns(spec.fields, data, today=today, check_dates=check_dates)
    cleaned.update(spec.clean(data, cleaned, today=today, check_dates=check_dates))
    return cleaned


def check_required(side: str, cleaned: dict) -> None:
    """What a new listing cannot be created without: a title, and the side's own required fields."""
    if not cleaned.get("title_vi"):
        raise fail("title_vi", _l("Enter a title in Vietnamese."))
    for name, message in SIDES[side].required.items():
        if not cleaned.get(name):
            raise fail(name, message)


def _details(listing: Listing, spec: SideSpec, *, create: bool):
    if spec.details_attr is None:
        return None
    details = getattr(listing, spec.details_attr)
    if details is None and create:
        details = spec.details_factory()
        setattr(listing, spec.details_attr, details)
    return details


def apply_fields(listing: Listing, cleaned: dict) -> None:
    """Set cleaned values on the listing, or on its details row for the side's details fields."""
    spec = SIDES[listing.side]
    details = _details(listing, spec, create=True)
    for key, value in cleaned.items():
        setattr(details if key in spec.details_fields else listing, key, value)
    if spec.after_apply is not None:
        spec.after_apply(listing)


def read_field(listing: Listing, name: str):
    spec = SIDES[listing.side]
    if name in spec.details_fields:
        details = _details(listing, spec, create=False)
        return getattr(details, name, None) if details is not None else None
    return getattr(listing, name)


def quality_hints(listing: Listing) -> list[str]:
    """What a reviewer will miss, as codes (labels in ``listings.labels.HINT_LABELS``)."""
    return SIDES[listing.side].hints(listing)


def search_fields(listing: Listing) -> dict:
    """The side's extra fields of the listing's search document (none for offers and needs)."""
    spec = SIDES[listing.side]
    return spec.search_fields(listing) if spec.search_fields is not None else {}
