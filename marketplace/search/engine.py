"""Engine-neutral search logic; backends supply a handful of primitives (see ``BaseEngine``).

Query semantics (both engines):

* The query is plain words: no field, wildcard, regex, range, phrase or boolean syntax; every other
  character separates words. Each word matches if it occurs in the as-typed fields (``title`` x3,
  ``text`` x1.5) or the folded ones (``title_f`` x1.5, ``text_f`` x1), scores summed (BM25).
* All words must match (AND). When that finds nothing and there are several words, the search falls
  back to ANY word, ranked, so a stray word does not empty the page.
* A query equal to a listing reference (``CB-33-2026-00012``, case-insensitive) returns that listing
  alone; if no listing has it, the text search runs.
* Empty ``q``: every document (after filters), ``relevance`` becomes ``newest``.
* ``deadline`` sorts soonest first; documents without a deadline come last. Sorted (non-relevance)
  hits carry ``score == 0.0``. Past deadlines are not filtered out here (that is the caller's filter).
* Paging: ``per_page`` 1..100 (0/None → 20), ``page`` < 1 → 1, offsets capped at 10,000.
* Highlights: ``title`` (whole, escaped), ``summary`` (about 300 characters around the first match) and,
  when only the body matched, ``body``; words whose folded form equals a folded query word are marked.
* ``total`` is exact (tantivy counts while collecting; Whoosh counts in a second, unscored pass because its limited search under-counts multi-word queries — see tests/search/test_totals.py).
* Facet counts are over query + filters, except that a facet's own filter is left out of its own counts
  (multi-select facets: users see the alternatives to what they picked).
* Filter and facet keys are ``base.FACET_KEYS``; unknown keys are ignored. Values match exactly
  (case-sensitive, no prefix or hierarchy matching), normalised by ``analysis.facet_value`` on both sides
  (bools are ``"true"``/``"false"``). A document without a value for a key (``None``/``[]``, e.g. an offer
  and ``legal_status``) is not counted in that facet and does not pass a filter on that key.
* ``suggestion`` is offered when the strict (AND) query matched fewer than ``SUGGEST_BELOW`` documents and
  some word is absent from the index while a close term (edit distance 1-2) exists.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from . import analysis as an
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

SUGGEST_BELOW = 3
SNIPPET_CHARS = 300
SIMILAR_TERMS = 20
WRITE_TIMEOUT = 30.0

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

    def _run(self, plan: Plan, sort: str, offset: int, limit: int) -> tuple[list[tuple[dict, float]], int]:
        """Stored dicts and scores of hits ``offset:offset+limit``, and the exact total."""
        raise NotImplementedError

    def _facet_counts(self, plan: Plan, keys: list[str]) -> dict[str, dict[str, int]]:
        raise NotImplementedError

    def _doc_freq(self, field: str, term: str) -> int:
        raise NotImplementedError

    def _terms_with_prefix(self, field: str, prefix: str) -> list[tuple[str, int]]:
        raise NotImplementedError

    def _match_any(self, weighted: list[tuple[str, str, float]], types: list[str], exclude_ids: list[str],
                   limit: int) -> list[tuple[dict, float]]:
        """Documents matching any ``(exact, folded, weight)`` term: ``text`` boosted by the weight,
        ``text_f`` by half of it."""
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
        terms = [(e, self._fold_term(f)) for e, f in an.query_terms(q)]
        terms = [(e, f) for e, f in terms if f]
        facet_keys = [k for k in dict.fromkeys(query.facets or ()) if k in FACET_KEYS]

        plan: Plan | None = None
        if an.is_reference(q):
            ref_plan = Plan([], "all", q.strip().lower(), filters)
            rows, total = self._run(ref_plan, "relevance", offset, per_page)
            if total:
                plan = ref_plan
        if plan is None:
            if not terms and sort == "relevance":
                sort = "newest"
            plan = Plan(terms, "all", None, filters)
            rows, total = self._run(plan, sort, offset, per_page)
            strict_total = total
            if total == 0 and len(terms) > 1:
                plan = Plan(terms, "any", None, filters)
                rows, total = self._run(plan, sort, offset, per_page)
            suggestion = self._suggest(terms) if terms and strict_total < SUGGEST_BELOW else None
        else:
            suggestion = None

        marker = an.Marker({f for _, f in terms} | {an.fold_word(e) for e, _ in terms})
        hits = [self._hit(store, score, marker, sort) for store, score in rows]
        return SearchResults(hits=hits, total=total, facets=self._facets(plan, facet_keys),
                             suggestion=suggestion)

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
        shared = [k for k in keys if k not in plan.filters]
        if shared:
            out.update(self._facet_counts(plan, shared))
        for key in keys:
            if key in plan.filters:
                out.update(self._facet_counts(plan.without(key), [key]))
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

    def _suggest(self, terms: list[tuple[str, str]]) -> str | None:
        out, changed = [], False
        for exact, folded in terms:
            accented = exact != folded
            field, word = ("text", exact) if accented else ("text_f", folded)
            if self._doc_freq(field, word) > 0 or len(word) < 2:
                out.append(exact)
                continue
            fix = an.best_correction(word, self._terms_with_prefix(field, word[:1]))
            if fix is None and accented:
                fix = an.best_correction(folded, self._terms_with_prefix("text_f", folded[:1]))
            out.append(fix or exact)
            changed = changed or bool(fix)
        return " ".join(out) if changed else None

    # -- matching -------------------------------------------------------------------------------------
    def similar(self, text: str, *, types: list[str], exclude_ids: Iterable[str] = (),
                limit: int = 20) -> list[tuple[str, float, list[str]]]:
        """Documents sharing significant words with ``text``: ``(id, score, shared words)``.

        Key terms: the ``SIMILAR_TERMS`` words of ``text`` with the best tf x idf (document frequency of
        the folded word in ``text_f``; words in more than half of a corpus of 20+ documents, one-letter
        words and bare numbers are skipped). Each key term matches as typed (weight w) or folded (w/2),
        so accents decide between "năng" and "Nẵng" while unaccented listings are still found. Shared
        words are shown as spelt in ``text`` (accents kept), strongest first.
        """
        text = an.clean(text)
        limit = max(1, min(int(limit), MAX_PER_PAGE))
        exact_of: dict[str, str] = {}
        tf: Counter[str] = Counter()
        for w in an.words(text):
            f = self._fold_term(w)
            if len(f) < 2 or f.isdigit():
                continue
            tf[w] += 1
            exact_of.setdefault(w, f)
        n = self.doc_count()
        if not tf or not n:
            return []
        weighted = []
        for word, count in tf.items():
            folded = exact_of[word]
            df = self._doc_freq("text_f", folded)
            if df == 0 or (n >= 20 and df > n / 2):
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            weighted.append((word, folded, (1 + math.log(count)) * idf))
        weighted.sort(key=lambda t: (-t[2], t[0]))
        weighted = weighted[:SIMILAR_TERMS]
        if not weighted:
            return []
        rows = self._match_any(weighted, list(types or ()), [an.clean(i) for i in exclude_ids], limit)
        out = []
        for store, score in rows:
            exact_words = set(an.words(an.stored_text(store)))
            folded_words = {self._fold_term(w) for w in exact_words}
            shared = [w for w, f, _ in weighted if w in exact_words or f in folded_words]
            if shared:
                out.append((store["id"], float(score), shared))
        return out
