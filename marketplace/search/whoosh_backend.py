"""Whoosh (whoosh-reloaded) backend. Every Whoosh import of the project lives in this module.

Whoosh searchers are not safe to share between threads, so reads go through a lock; ``search()`` stats
the index directory (a commit adds a TOC file) and refreshes the searcher only when it changed.
Facet counts use a per-segment cache of each document's facet values (segments are immutable).
"""

from __future__ import annotations

import bisect
import os
import shutil
import threading
from collections import Counter
from contextlib import contextmanager

from whoosh import index as windex
from whoosh import query as wq
from whoosh import sorting, writing
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, SpaceSeparatedTokenizer, StopFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError

from . import analysis as an
from .base import FACET_KEYS, FACETS_SIGNATURE
from .engine import BaseEngine, retry_locked
from .planner import AllOf, AnyOf, AtLeast, Ranked, T

# Bump the number when the schema changes, or when ``FoldFilter`` moves: Whoosh pickles analyzers into the
# index, and a mismatched version makes the index be recreated (then ``rebuild`` refills it). Facet keys
# are part of the version (``FACETS_SIGNATURE``), so adding one needs no bump.
SCHEMA_VERSION = f"whoosh-3;facets={FACETS_SIGNATURE}"
VERSION_FILE = "schema-version"


class FoldFilter(Filter):
    """Strip Vietnamese diacritics (``marketplace.text.fold``)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = an.fold_word(t.text)
            yield t


def _exact_analyzer():
    return (RegexTokenizer(an.WORD_RE.pattern) | LowercaseFilter()
            | StopFilter(stoplist=frozenset(), minsize=1, maxsize=an.MAX_TOKEN_CHARS))


def _folded_analyzer():
    return _exact_analyzer() | FoldFilter()


def _pair_analyzer():
    return SpaceSeparatedTokenizer() | LowercaseFilter()


def _schema() -> Schema:
    exact, folded, pairs = _exact_analyzer(), _folded_analyzer(), _pair_analyzer()
    facets = {key: KEYWORD(commas=True, lowercase=False, scorable=False) for key in FACET_KEYS}
    return Schema(
        id=ID(unique=True), reference=ID(),
        title=TEXT(analyzer=exact, phrase=False), text=TEXT(analyzer=exact, phrase=False),
        title_f=TEXT(analyzer=folded, phrase=False), text_f=TEXT(analyzer=folded, phrase=False),
        phrase_f=TEXT(analyzer=pairs, phrase=False),
        title_phrase=TEXT(analyzer=pairs, phrase=False),
        published=NUMERIC(int, bits=64, signed=True, sortable=True),
        deadline=NUMERIC(int, bits=32, signed=True, sortable=True),
        store=STORED(), **facets,
    )


class WhooshEngine(BaseEngine):
    name = "whoosh"

    def __init__(self, path):
        super().__init__(path)
        self._read_lock = threading.RLock()
        self._ix = self._open()
        self._searcher = self._ix.searcher()
        self._stamp = self._dir_stamp()
        self._facet_cache: dict[tuple[str, str], list[tuple[str, ...]]] = {}

    def _open(self):
        version = self.path / VERSION_FILE
        if windex.exists_in(str(self.path)):
            if version.exists() and version.read_text().strip() == SCHEMA_VERSION:
                return windex.open_dir(str(self.path))
            for child in self.path.iterdir():  # derived data from an older schema: rebuild it
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        ix = windex.create_in(str(self.path), _schema())
        version.write_text(SCHEMA_VERSION)
        return ix

    def _dir_stamp(self):
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ino)

    @contextmanager
    def _reading(self):
        with self._read_lock:
            stamp = self._dir_stamp()
            if stamp != self._stamp:
                self._stamp = stamp
                self._renew()
            yield self._searcher

    def _renew(self) -> None:
        # Not ``searcher.refresh()``: in whoosh-reloaded 2.7.5 it re-adds segments the new generation
        # dropped (after merges or a clear) and reuses readers with stale deletions; it also fails on an
        # empty index. Open a fresh searcher instead (only when the generation changed).
        old = self._searcher
        if old.up_to_date():
            return
        self._searcher = self._ix.searcher()
        old.close()

    def refresh(self) -> None:
        with self._read_lock:
            self._stamp = self._dir_stamp()
            self._renew()

    def close(self) -> None:
        with self._read_lock:
            self._searcher.close()

    # -- writing --------------------------------------------------------------------------------------
    def _writer(self):
        return retry_locked(lambda: self._ix.writer(), lambda e: isinstance(e, LockError))

    def _write(self, docs: list[dict], delete_ids: list[str]) -> None:
        with self._write_lock:
            w = self._writer()
            try:
                for doc_id in delete_ids:
                    w.delete_by_term("id", doc_id)
                for d in docs:
                    facets = {k: ",".join(v) for k, v in d["facets"].items() if v}
                    w.update_document(id=d["id"], reference=d["reference"], title=d["title"],
                                      text=d["text"], title_f=d["title_f"], text_f=d["text_f"],
                                      phrase_f=d["phrase_f"], title_phrase=d["title_phrase"],
                                      published=d["published"], deadline=d["deadline"], store=d["store"],
                                      **facets)
            except BaseException:
                w.cancel()
                raise
            w.commit()
        self.refresh()

    def optimize(self) -> None:
        """Merge all segments into one (after a rebuild: fewer segments, faster queries)."""
        with self._write_lock:
            self._writer().commit(optimize=True)
        self.refresh()

    def clear(self) -> None:
        with self._write_lock:
            w = self._writer()
            w.commit(mergetype=writing.CLEAR)
        self.refresh()

    def doc_count(self) -> int:
        with self._reading() as s:
            return s.doc_count()

    # -- reading --------------------------------------------------------------------------------------
    def _compile(self, node):
        if isinstance(node, T):
            value = self._fold_term(node.value) if node.field in an.FOLDED_FIELDS else node.value
            return wq.Term(node.field, value, boost=node.boost)
        if isinstance(node, AllOf):
            if not node.children:
                return wq.Every()
            parts = [self._compile(c) for c in node.children]
            return parts[0] if len(parts) == 1 else wq.And(parts)
        if isinstance(node, AnyOf):
            parts = [self._compile(c) for c in node.children]
            return parts[0] if len(parts) == 1 else wq.Or(parts)
        if isinstance(node, AtLeast):
            return self._compile(node.expanded())
        if isinstance(node, Ranked):
            optional = [self._compile(c) for c in node.optional]
            return wq.AndMaybe(self._compile(node.required), wq.Or(optional)) if optional \
                else self._compile(node.required)
        raise TypeError(node)

    @staticmethod
    def _filter_query(filters: dict[str, list[str]]):
        parts = [wq.Or([wq.Term(k, v) for v in vals]) for k, vals in filters.items()]
        return wq.And(parts) if parts else None

    def _search(self, tree, filters, exclude_ids, sort, offset, limit, count=True):
        q, fq = self._compile(tree), self._filter_query(filters)
        mask = wq.Or([wq.Term("id", i) for i in exclude_ids]) if exclude_ids else None
        sortedby = None
        if sort == "newest":
            sortedby = sorting.FieldFacet("published", reverse=True)
        elif sort == "deadline":
            sortedby = sorting.MultiFacet([sorting.FieldFacet("deadline"),
                                           sorting.FieldFacet("published", reverse=True)])
        with self._reading() as s:
            res = s.search(q, filter=fq, mask=mask, limit=offset + limit, sortedby=sortedby)
            rows = [(hit["store"], hit.score or 0.0) for hit in res[offset:offset + limit]]
            total = 0
            if count:
                # whoosh-reloaded 2.7.5 under-counts multi-word queries in a limited search (with or without
                # optimize): count the matches in a separate unscored pass, which is exact.
                total = len(s.search(q, filter=fq, mask=mask, limit=None, scored=False, sortedby=None))
        return rows, total

    def _count(self, tree):
        q = self._compile(tree)
        with self._reading() as s:
            return sum(1 for _ in s.docs_for_query(q))

    def _facet_counts(self, tree, filters, keys):
        q, fq = self._compile(tree), self._filter_query(filters)
        full = wq.And([q, fq]) if fq is not None else q
        counts = {k: Counter() for k in keys}
        with self._reading() as s:
            leaves = s.leaf_searchers()
            offsets = [off for _, off in leaves]
            tables = [{k: self._segment_values(sub, k) for k in keys} for sub, _ in leaves]
            live = {_segment_id(sub.reader()) for sub, _ in leaves}
            self._facet_cache = {ck: v for ck, v in self._facet_cache.items() if ck[0] in live}
            for docnum in s.docs_for_query(full):
                i = bisect.bisect_right(offsets, docnum) - 1
                local = docnum - offsets[i]
                for k in keys:
                    for value in tables[i][k][local]:
                        counts[k][value] += 1
        return {k: dict(c) for k, c in counts.items()}

    def _segment_values(self, sub, key):
        """Facet values of each document of one segment, cached per (segment, key)."""
        reader = sub.reader()
        seg_id = _segment_id(reader)
        cached = self._facet_cache.get((seg_id, key)) if seg_id is not None else None
        if cached is not None:
            return cached
        lists: list[list[str]] = [[] for _ in range(reader.doc_count_all())]
        for btext in reader.lexicon(key):
            value = btext.decode("utf-8")
            for docid in reader.postings(key, btext).all_ids():
                lists[docid].append(value)
        table = [tuple(x) for x in lists]
        if seg_id is not None:
            self._facet_cache[(seg_id, key)] = table
        return table

    def _doc_freq(self, field, term):
        with self._reading() as s:
            return s.doc_frequency(field, term)

    def _terms_with_prefix(self, field, prefix):
        with self._reading() as s:
            reader = s.reader()
            return [(t.decode("utf-8") if isinstance(t, bytes) else t, info.doc_frequency())
                    for t, info in reader.iter_prefix(field, prefix)]


def _segment_id(reader) -> str | None:
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else None
