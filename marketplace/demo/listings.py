"""Demo offers and needs from ``demo/data/listings.json`` (real Vietnamese listings relevant to Hưng Yên),
created through the same services as users: create → submit → moderator decision."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from ..extensions import db
from ..listings.models import Listing
from ..listings.services import create_listing, decide_listing, submit_listing
from ..timeutil import utcnow

DATA = Path(__file__).resolve().parent / "data" / "listings.json"


def seed_listings(orgs: dict, owners: dict, moderator) -> dict[str, int]:
    if db.session.scalar(select(func.count()).select_from(Listing)):
        return {"offers": 0, "needs": 0}
    data = json.loads(DATA.read_text(encoding="utf-8"))
    now = utcnow()
    counts = {"offers": 0, "needs": 0}
    for side, items in (("offer", data["offers"]), ("need", data["needs"])):
        for index, item in enumerate(items):
            owner_key = item["owner"]
            fields = {k: v for k, v in item.items() if k not in ("owner", "status", "deadline_days", "province")}
            fields["province_code"] = item.get("province")
            if side == "need" and item.get("deadline_days"):
                fields["deadline"] = (now + timedelta(days=item["deadline_days"])).date()
            listing = create_listing(side, by=owners[owner_key], organisation=orgs[owner_key], data=fields)
            if item.get("status") in ("published", "pending_review"):
                submit_listing(listing, by=owners[owner_key])
            if item.get("status") == "published":
                decide_listing(listing, by=moderator, decision="approve", notify=False)
                # spread publication over the last months so "newest" and freshness have something to show
                listing.published_at = now - timedelta(days=(index * 7) % 150, hours=index)
                listing.last_confirmed_at = listing.published_at
            counts["offers" if side == "offer" else "needs"] += 1
    db.session.flush()
    return counts
