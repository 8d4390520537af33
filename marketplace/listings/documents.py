"""A listing as the search engine sees it. Only published listings are indexed."""

from __future__ import annotations

from ..search import SearchDocument, document_id
from .markdown import plain_text
from .models import Listing, Status
from .sides import search_fields


def is_searchable(listing: Listing | None) -> bool:
    return listing is not None and listing.status == Status.PUBLISHED.value


def to_document(listing: Listing) -> SearchDocument:
    body = " ".join(filter(None, [
        plain_text(listing.description), plain_text(listing.problem), plain_text(listing.current_solution),
        " ".join(listing.application_areas or []),
        " ".join(f"{s.get('parameter', '')} {s.get('target', '')} {s.get('unit', '')}"
                 for s in listing.required_specs or []),
    ]))
    st_fields = set(listing.st_fields or [])
    st_fields |= {code[0] for code in listing.st_fields or [] if code}
    return SearchDocument(
        id=document_id(listing.side, listing.id), type=listing.side, kind=listing.kind, reference=listing.reference,
        title=listing.title_vi, title_en=listing.title_en or "", summary=listing.summary or "", body=body,
        org_name="" if listing.anonymous else listing.organisation.legal_name,
        keywords=list(listing.keywords or []), st_fields=sorted(st_fields), sectors=list(listing.sectors or []),
        province=listing.province_code, trl=listing.trl if listing.side == "offer" else listing.min_trl,
        price_type=listing.price_type, tt_forms=list(listing.tt_forms or []),
        published_at=listing.published_at or listing.created_at, deadline=listing.deadline, **search_fields(listing),
    )
