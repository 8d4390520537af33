"""The engine-neutral contract: documents, queries, results and the ``SearchEngine`` protocol.

Nothing here knows which engine runs; ``whoosh_backend`` and ``tantivy_backend`` implement the protocol
through :class:`marketplace.search.engine.BaseEngine`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol, runtime_checkable

#: Keys accepted in ``SearchQuery.filters`` and ``SearchQuery.facets`` (plus ``"type"``, which mirrors
#: ``SearchQuery.types`` and may also be asked for as a facet). Each key is also the name of the
#: ``SearchDocument`` attribute it is read from, converted by ``analysis.facet_values`` (``None`` or ``[]``:
#: no value; a list: several values; ``True``/``False``: ``"true"``/``"false"``; anything else: its text).
#: Adding a facet therefore takes a ``SearchDocument`` field and a key here, nothing in the engines: their
#: schemas are built from ``FACET_KEYS`` and their schema versions include ``FACETS_SIGNATURE``, so indexes
#: built with other keys are wiped on open (``rebuild`` then refills them).
FILTER_KEYS: tuple[str, ...] = ("kind", "st_fields", "sectors", "province", "trl", "price_type", "tt_forms",
                                "legal_status", "classes", "available")
FACET_KEYS: tuple[str, ...] = ("type", *FILTER_KEYS)
FACETS_SIGNATURE = ",".join(FACET_KEYS)
SORTS: tuple[str, ...] = ("relevance", "newest", "deadline")
MAX_PER_PAGE = 100
MAX_OFFSET = 10_000


@dataclass
class SearchDocument:
    """One searchable item. ``type`` is free text (``"offer"``, ``"need"``, ``"ip_asset"``...): the engines
    filter on it but do not restrict it. Fields after ``deadline`` have defaults, so documents built
    without them (offers, needs) index with no value for those facets."""

    id: str
    type: str
    kind: str
    reference: str
    title: str
    title_en: str
    summary: str
    body: str
    org_name: str
    keywords: list[str]
    st_fields: list[str]
    sectors: list[str]
    province: str | None
    trl: int | None
    price_type: str | None
    tt_forms: list[str]
    published_at: datetime
    deadline: date | None
    #: IP assets: ``"granted"``, ``"filed"``, ``"lapsed"``...
    legal_status: str | None = None
    #: Classification codes, prefixed with their scheme by the caller: ``"IPC:A23B"``, ``"Nice:31"``,
    #: ``"Locarno:09-03"``. Matched exactly, like every facet value (index each level for a hierarchy).
    classes: list[str] = field(default_factory=list)
    #: Available for licence or assignment; facet/filter values ``"true"``/``"false"``.
    available: bool | None = None


@dataclass
class SearchQuery:
    q: str = ""
    types: list[str] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: list[str] = field(default_factory=list)


def document_id(doc_type: str, object_id: int) -> str:
    """The index id of a database object: ``"offer:12"``, ``"event:3"``."""
    return f"{doc_type}:{object_id}"


def object_id_of(doc_id: str) -> int:
    """The database id in an index id (the inverse of :func:`document_id`): ``"offer:12"`` → 12."""
    return int(doc_id.rpartition(":")[2])


@dataclass
class Hit:
    id: str
    type: str
    score: float
    highlights: dict[str, str] = field(default_factory=dict)

    @property
    def object_id(self) -> int:
        """The database id of the object behind the hit (``"offer:12"`` → 12)."""
        return object_id_of(self.id)


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    #: No document has every word of the query: the hits have most of them (say so on the page).
    relaxed: bool = False


@runtime_checkable
class SearchEngine(Protocol):
    name: str

    def index(self, docs: Iterable[SearchDocument]) -> None: ...

    def remove(self, ids: Iterable[str]) -> None: ...

    def search(self, query: SearchQuery) -> SearchResults: ...

    def similar(self, text: str, *, types: list[str], exclude_ids: Iterable[str] = (), limit: int = 20,
                within_ids: Iterable[str] | None = None) -> list[tuple[str, float, list[str]]]: ...

    def similar_to(self, doc_id: str, *, types: list[str], limit: int = 6) -> list[tuple[str, float, list[str]]]: ...

    def clear(self) -> None: ...

    def doc_count(self) -> int: ...

    def refresh(self) -> None: ...


@dataclass(frozen=True)
class Word:
    """One word of a query: a syllable, or adjacent syllables that must stay adjacent in a document (a phrase,
    matched through its syllable pairs). ``exact`` is as typed (lower-case, canonical tone spelling),
    ``folded`` without diacritics. A *trusted* word was typed with diacritics: it matches its exact spelling,
    or the same letters typed without any diacritics, but not other diacritics ("Đà Nẵng" ≠ "đa năng")."""

    exact: tuple[str, ...]
    folded: tuple[str, ...]
    trusted: bool = False

    def pairs(self) -> list[tuple[str, str]]:
        """``(exact, folded)`` adjacent pairs, ``"nước_mắm"``/``"nuoc_mam"``."""
        return [(f"{a}_{b}", f"{c}_{d}") for a, b, c, d in
                zip(self.exact, self.exact[1:], self.folded, self.folded[1:], strict=False)]


@dataclass
class Plan:
    """What to match, in engine-neutral terms (built by ``BaseEngine``, executed by a backend).

    ``words`` must match (all of them, or at least ``min_words`` of them when that is set: the fallback);
    ``ranking_pairs`` are the adjacent syllable pairs of the query, scored (never required) so that documents
    holding the query's phrases rank far above documents holding its syllables scattered. No words and no
    reference match every document. ``filters`` maps a facet key (including ``"type"``) to accepted values:
    OR within a key, AND across keys.
    """

    words: list[Word] = field(default_factory=list)
    ranking_pairs: list[tuple[str, str, bool]] = field(default_factory=list)
    min_words: int | None = None
    reference: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    #: Words so common in the index that they only score (``planner.COMMON_SHARE``).
    optional_words: list[Word] = field(default_factory=list)
    #: Some document holds the whole query as a phrase: documents holding none of its phrases are left out.
    need_phrase: bool = False

    def without(self, key: str) -> Plan:
        return replace(self, filters={k: v for k, v in self.filters.items() if k != key})

    def but(self, **changes) -> Plan:
        return replace(self, **changes)
