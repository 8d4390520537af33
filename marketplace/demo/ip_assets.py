"""Demo IP assets from ``demo/data/ip_assets.json``: Hưng Yên's GI and marks, institute patents, varieties…
created through the listing services (create → submit → moderator decision) and linked to demo offers."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from ..extensions import db
from ..listings.models import Listing, Side
from ..listings.services import create_listing, decide_listing, submit_listing

DATA = Path(__file__).resolve().parent / "data" / "ip_assets.json"
RENAMES = {"abstract": "description", "application_number": "application_number_raw",
           "certificate_number": "certificate_number_raw", "nonstandard": "nonstandard_number",
           "province": "province_code"}
SKIP = {"owner", "status", "linked_offer_titles", "valuation", "illustrative_number"}


def _data(item: dict) -> dict:
    data = {RENAMES.get(k, k): v for k, v in item.items() if k not in SKIP}
    valuation = item.get("valuation") or {}
    if valuation:
        data.update(valuation_value_vnd=valuation.get("value_vnd"), valuation_method=valuation.get("method"),
                    valuer=valuation.get("valuer"), valuation_date=valuation.get("date"))
    return data


def seed_ip_assets(orgs: dict, owners: dict, moderator) -> dict[str, int]:
    if not DATA.exists() or db.session.scalar(select(func.count()).select_from(Listing)
                                              .where(Listing.side == Side.IP_ASSET.value)):
        return {"ip_assets": 0}
    items = json.loads(DATA.read_text(encoding="utf-8"))["ip_assets"]
    offers = {x.title_vi: x for x in db.session.scalars(select(Listing).where(Listing.side == Side.OFFER.value))}
    count = 0
    for item in items:
        key = item["owner"]
        asset = create_listing(Side.IP_ASSET.value, by=owners[key], organisation=orgs[key], data=_data(item))
        if key == "dost" or item["ip_type"] in ("geographical_indication", "certification_mark"):
            asset.ip.managing_organisation_id = orgs["dost"].id
        if item.get("status") in ("published", "pending_review"):
            submit_listing(asset, by=owners[key])
        if item.get("status") == "published":
            decide_listing(asset, by=moderator, decision="approve", notify=False)
        for title in item.get("linked_offer_titles") or []:
            if title in offers:
                offers[title].ip_assets.append(asset)
        count += 1
    db.session.flush()
    return {"ip_assets": count}
