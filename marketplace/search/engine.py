"""Engine-neutral search logic; backends translate the query tree of ``planner`` and supply a few primitives.

Query semantics (every engine):

* The query is plain words: no field, wildcard, regex, range, phrase or boolean syntax; every other
  character separates words, and punctuation separates phrases. Words, phrases, diacritics and scoring
  are planned in :mod:`marketplace.search.planner` (read its docstring): adjacent syllables that form a
  word must stay adjacent, every word must match, phrases of the query rank far above scattered syllables,
  exact diacritics above folded matches.
* Fallbacks, in order, only when the previous step found nothing: the query's multi-syllable words
  (except place names) as separate syllables, all still required; then *most of the words* (all but one,
  down to half of them, at most ``planner.MAX_FALLBACK_WORDS`` words), ranked, with ``relaxed=True`` so
  the page says so. A one-word query that matches nothing returns nothing.
* A query equal to a listing reference (``CB-33-2026-00012``, case-insensitive) returns that listing
  alone; if no listing has it, the text search runs.
* Empty ``q``: every document (after filters), ``relevance`` becomes ``newest``.
* ``deadline`` sorts soonest first; documents without a deadline come last. Sorted (non-relevance)
  hits carry ``score == 0.0``. Past deadlines are not filtered out here (that is the caller's filter).
* Paging: ``per_page`` 1..100 (0/None → 20), ``page`` < 1 → 1, offsets capped at 10,000.
* Highlights: ``title`` (whole, escaped), ``summary`` (about 300 characters around the first match) and,
  when only the body matched, ``body``; words whose folded form equals a folded query word are marked.
* ``total`` is exact (tantivy counts while collecting; Whoosh counts in a second, unscored pass because its
  limited search under-counts multi-word queries — see tests/search/test_totals.py).
* Facet counts are over query + filters, except that a facet's own filter is left out of its own counts
  (multi-select facets: users see the alternatives to what they picked).
* Filter and facet keys are ``base.FACET_KEYS``; unknown keys are ignored. Values match exactly
  (case-sensitive, no prefix or hierarchy matching), normalised by ``analysis.facet_value`` on both sides
  (bools are ``"true"``/``"false"``). A document without a value for a key (``None``/``[]``, e.g. an offer
  and ``legal_status``) is not counted in that facet and does not pass a filter on that key.
* ``suggestion`` (did you mean): see :mod:`marketplace.search.suggest`; offered when the query (all words
  required) matched fewer than ``SUGGEST_BELOW`` documents.
* ``similar``/``similar_to``: see :mod:`marketplace.search.similarity`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from . import analysis as an
from . import planner, similarity
from .base import (
    FACET_KEYS,
    MAX_OFFSET,
    MAX_PER_PAGE,
    SORTS,
    Hit,
    Plan,
    SearchDocument,
    SearchQuery,
    SearchResults,
)
from .suggest import suggest

SUGGEST_BELOW = 3
SNIPPET_CHARS = 300
WRITE_TIMEOUT = 30.0
PLAN_CACHE_SIZE = 20_000

_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def writer_lock(path: Path) -> threading.RLock:
    """One process-local lock per index directory (the engines' own file locks guard other processes)."""
    key = str(Path(path).resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


def retry_locked(open_writer, is_lock_error, timeout: float = WRITE_TIMEOUT):
    """Open a writer, retrying while another process holds the index lock."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            return open_writer()
        except Exception as exc:
            if not is_lock_error(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


class BaseEngine:
    name = "base"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._write_lock = writer_lock(self.path)

    # -- primitives a backend implements ------------------------------------------------------------
    def _write(self, docs: list[dict], delete_ids: list[str]) -> None:
        raise NotImplementedError

    def _search(self, tree, filters: dict[str, list[str]], exclude_ids: list[str], sort: str, offset: int,
                limit: int, count: bool = True) -> tuple[list[tuple[dict, float]], int]:
        """Stored dicts and scores of hits ``offset:offset+limit`` of ``tree`` (a ``planner`` query tree)
        within ``filters``, minus ``exclude_ids``; and the exact total when ``count``."""
        raise NotImplementedError

    def _facet_counts(self, tree, filters: dict[str, list[str]], keys: list[str]) -> dict[str, dict[str, int]]:
        raise NotImplementedError

    def _doc_freq(self, field: str, term: str) -> int:
        raise NotImplementedError

    def _terms_with_prefix(self, field: str, prefix: str) -> list[tuple[str, int]]:
        raise NotImplementedError

    def _count(self, tree) -> int:
        raise NotImplementedError

    def _fold_term(self, term: str) -> str:
        return an.fold_word(term)

    def clear(self) -> None:
        raise NotImplementedError

    def optimize(self) -> None:
        """Compact the index after a bulk load (``rebuild`` calls it); a no-op unless a backend needs it."""

    def doc_count(self) -> int:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    # -- what planner, suggest and similarity ask ----------------------------------------------------------
    def doc_freq(self, field: str, term: str) -> int:
        return self._doc_freq(field, self._fold_term(term) if field in an.FOLDED_FIELDS else term)

    def count(self, tree) -> int:
        return self._count(tree)

    def terms_with_prefix(self, field: str, prefix: str) -> list[tuple[str, int]]:
        return self._terms_with_prefix(field, prefix)

    def cached(self, key, compute):
        """``compute()`` memoised until the index changes (the backends' ``_stamp`` moves on every commit)."""
        generation = getattr(self, "_stamp", None)
        cache = self.__dict__.get("_plan_cache")
        if cache is None or cache[0] != generation or len(cache[1]) > PLAN_CACHE_SIZE:
            cache = (generation, {})
            self._plan_cache = cache
        if key not in cache[1]:
            cache[1][key] = compute()
        return cache[1][key]

    def search_tree(self, tree, filters: dict[str, list[str]], exclude_ids: list[str], limit: int):
        rows, _ = self._search(tree, filters, exclude_ids, "relevance", 0, limit, count=False)
        return rows

    # -- writing --------------------------------------------------------------------------------------
    def index(self, docs: Iterable[SearchDocument]) -> None:
        """Add or replace documents by id, in one commit."""
        by_id: dict[str, dict] = {}
        for doc in docs:
            fields = an.doc_fields(doc)
            by_id[fields["id"]] = fields
        if by_id:
            self._write(list(by_id.values()), [])

    def remove(self, ids: Iterable[str]) -> None:
        ids = [an.clean(i) for i in ids]
        if ids:
            self._write([], ids)

    # -- searching ------------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResults:
        per_page = max(1, min(int(query.per_page or 20), MAX_PER_PAGE))
        offset = min((max(1, int(query.page or 1)) - 1) * per_page, MAX_OFFSET)
        sort = query.sort if query.sort in SORTS else "relevance"
        filters = self._filters(query)
        q = an.clean(query.q)[: an.MAX_QUERY_CHARS]
        segs = an.query_segments(q)
        facet_keys = [k for k in dict.fromkeys(query.facets or ()) if k in FACET_KEYS]

        if an.is_reference(q):
            ref_plan = Plan(reference=q.strip().lower(), filters=filters)
            rows, total = self._run(ref_plan, "relevance", offset, per_page)
            if total:
                return SearchResults(hits=[self._hit(s, sc, an.Marker(set()), "relevance") for s, sc in rows],
                                     total=total, facets=self._facets(ref_plan, facet_keys))
        if not segs and sort == "relevance":
            sort = "newest"
        plan = planner.make_plan(self, segs, filters)
        rows, total = self._run(plan, sort, offset, per_page)
        strict_total, relaxed = total, False
        for fallback, says_most in planner.relaxed_plans(plan) if total == 0 and plan.words else ():
            plan = fallback
            rows, total = self._run(plan, sort, offset, per_page)
            if total:
                relaxed = says_most
                break
        suggestion = None
        if segs and strict_total < SUGGEST_BELOW:
            suggestion = suggest(self, segs, strict_total, self._strict_count)
        folded_terms = {an.fold_word(s) for seg in segs for s in seg}
        marker = an.Marker({self._fold_term(f) for f in folded_terms} | folded_terms)
        hits = [self._hit(store, score, marker, sort) for store, score in rows]
        return SearchResults(hits=hits, total=total, facets=self._facets(plan, facet_keys), suggestion=suggestion,
                             relaxed=relaxed)

    def _strict_count(self, text: str) -> int:
        plan = planner.make_plan(self, an.query_segments(text), {})
        return self._count(planner.text_tree(plan)) if plan.words else 0

    def _run(self, plan: Plan, sort: str, offset: int, limit: int) -> tuple[list[tuple[dict, float]], int]:
        return self._search(planner.text_tree(plan), plan.filters, [], sort, offset, limit)

    @staticmethod
    def _filters(query: SearchQuery) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        raw = dict(query.filters or {})
        if query.types:
            raw["type"] = list(query.types)
        for key, values in raw.items():
            if key not in FACET_KEYS:
                continue
            vals = an.facet_values(values)  # normalised exactly as the indexed values
            if vals:
                out[key] = vals
        return out

    def _facets(self, plan: Plan, keys: list[str]) -> dict[str, dict[str, int]]:
        if not keys:
            return {}
        out: dict[str, dict[str, int]] = {}
        tree = planner.text_tree(plan)
        shared = [k for k in keys if k not in plan.filters]
        if shared:
            out.update(self._facet_counts(tree, plan.filters, shared))
        for key in keys:
            if key in plan.filters:
                out.update(self._facet_counts(tree, plan.without(key).filters, [key]))
        return {k: dict(sorted(out.get(k, {}).items(), key=lambda kv: (-kv[1], kv[0]))) for k in keys}

    @staticmethod
    def _hit(store: dict, score: float, marker: an.Marker, sort: str) -> Hit:
        title, summary, body = store.get("title", ""), store.get("summary", ""), store.get("body", "")
        summary_spans = marker.spans(summary)
        highlights = {"title": an.highlight(title, marker.spans(title)),
                      "summary": an.highlight(summary, summary_spans, SNIPPET_CHARS)}
        if marker.terms and not summary_spans:
            body_spans = marker.spans(body)
            if body_spans:
                highlights["body"] = an.highlight(body, body_spans, SNIPPET_CHARS)
        return Hit(id=store["id"], type=store["type"], score=float(score or 0.0) if sort == "relevance" else 0.0,
                   highlights=highlights)

    # -- matching -------------------------------------------------------------------------------------
    def similar(self, text: str, *, types: list[str], exclude_ids: Iterable[str] = (), limit: int = 20,
                within_ids: Iterable[str] | None = None) -> list[tuple[str, float, list[str]]]:
        """Documents about the same things as ``text``: ``(id, similarity 0–1, shared phrases)``, most
        similar first (see :mod:`marketplace.search.similarity`); ``within_ids`` restricts the candidates
        (the similarity of one given pair)."""
        return similarity.similar(self, text, types=list(types or ()),
                                  exclude_ids=[an.clean(i) for i in exclude_ids], limit=limit,
                                  within_ids=None if within_ids is None else [an.clean(i) for i in within_ids])

    def similar_to(self, doc_id: str, *, types: list[str], limit: int = 6) -> list[tuple[str, float, list[str]]]:
        """``similar`` for an indexed document, from its stored text (no database): what a worker stores as
        the "similar listings" of a detail page when the listing is indexed. ``[]`` if ``doc_id`` is absent."""
        doc_id = an.clean(doc_id)
        rows, _ = self._search(planner.T("id", doc_id), {}, [], "relevance", 0, 1, count=False)
        if not rows:
            return []
        store = rows[0][0]
        text = "\n".join(store.get(k) or "" for k in ("title", "title", "summary", "body"))  # not the org name
        return self.similar(text, types=types, exclude_ids=[doc_id], limit=limit)
