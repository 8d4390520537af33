"""Quality hints: what a reviewer will miss (EEN / TandemLaunch quality guidance), as codes shown to the owner.

Each side of listing has its hints function in the table of :mod:`marketplace.listings.sides`; the labels are
in ``listings.labels.HINT_LABELS``.
"""

from __future__ import annotations

import re

from .models import Listing

QUANTIFIED = re.compile(r"\d+([.,]\d+)?\s?(%|°C|kg|tấn|giờ|h|kW|kWh|m|mm|lít|ngày|tháng|năm|lần|đồng|triệu|tỷ)",
                        flags=re.IGNORECASE)


def _text(listing: Listing) -> str:
    return " ".join(filter(None, [listing.description, listing.problem, listing.summary]))


def common_hints(listing: Listing, *, long_description: bool = True) -> list[str]:
    """Hints for every side; ``long_description=False`` for sides whose description may be short."""
    hints = []
    if not listing.summary:
        hints.append("no_summary")
    if long_description and len(_text(listing)) < 300:
        hints.append("short_description")
    if not listing.st_fields:
        hints.append("no_st_field")
    return hints


def offer_hints(listing: Listing) -> list[str]:
    hints = common_hints(listing)
    if listing.trl is None:
        hints.append("no_trl")
    if not QUANTIFIED.search(_text(listing)):
        hints.append("no_quantified_benefit")
    if not listing.has_image:
        hints.append("no_image")
    return hints


def need_hints(listing: Listing) -> list[str]:
    hints = common_hints(listing)
    if not listing.required_specs:
        hints.append("no_specs")
    if listing.budget_max_vnd is None:
        hints.append("no_budget")
    return hints
