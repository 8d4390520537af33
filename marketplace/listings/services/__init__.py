"""Listing services (offers and needs). Each takes the acting user, flushes, audits and never commits."""

from ...errors import ServiceError
from .fields import clean_listing_data, fields_for, quality_hints
from .lifecycle import (
    DECISIONS,
    can_edit,
    close_listing,
    confirm_listing,
    create_listing,
    decide_listing,
    expire_listing,
    is_member,
    snapshot,
    submit_listing,
    update_listing,
    withdraw_listing,
)
from .references import looks_like_reference, next_reference

__all__ = ["DECISIONS", "ServiceError", "can_edit", "clean_listing_data", "close_listing", "confirm_listing",
           "create_listing", "decide_listing", "expire_listing", "fields_for", "is_member", "looks_like_reference",
           "next_reference", "quality_hints", "snapshot", "submit_listing", "update_listing", "withdraw_listing"]
