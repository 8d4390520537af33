"""Listing services (offers, needs and IP assets). Each takes the acting user, flushes, audits and never commits."""

from .lifecycle import (
    DECISIONS,
    close_listing,
    confirm_listing,
    create_listing,
    decide_listing,
    expire_listing,
    snapshot,
    submit_listing,
    update_listing,
    withdraw_listing,
)
from .references import looks_like_reference, next_reference

__all__ = ["DECISIONS", "close_listing", "confirm_listing", "create_listing", "decide_listing", "expire_listing",
           "looks_like_reference", "next_reference", "snapshot", "submit_listing", "update_listing",
           "withdraw_listing"]
