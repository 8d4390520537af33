"""tantivy backend. Every tantivy import of the project lives in this module.

Queries are built from ``Query`` objects, never parsed, so no user string reaches tantivy's query
language. The reader reloads manually: ``search()`` stats ``meta.json`` (replaced on every commit, also
by another process) and calls ``index.reload()`` only when it changed. Writers are opened per batch and
released after the commit, so a CLI rebuild and the queue worker can take turns.
"""

from __future__ import annotations

import json
import os
import shutil
import threading

import tantivy

from . import analysis as an
from .base import FACET_KEYS, FACETS_SIGNATURE
from .engine import BaseEngine, retry_locked
from .planner import AllOf, AnyOf, AtLeast, Ranked, T

# Bump the number when the schema or the analyzers change; facet keys are included (``FACETS_SIGNATURE``).
# A mismatched version makes ``_open`` wipe the index (then ``rebuild`` refills it).
SCHEMA_VERSION = f"tantivy-3;facets={FACETS_SIGNATURE}"
VERSION_FILE = "schema-version"
WRITER_HEAP = 64_000_000
MAX_TOKEN_BYTES = 4 * an.MAX_TOKEN_CHARS


def _schema():
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("reference", tokenizer_name="raw", index_option="basic")
    for key in FACET_KEYS:
        sb.add_text_field(key, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_text_field("title", tokenizer_name="vi_exact", index_option="freq")
    sb.add_text_field("text", tokenizer_name="vi_exact", index_option="freq")
    sb.add_text_field("title_f", tokenizer_name="vi_fold", index_option="freq")
    sb.add_text_field("text_f", tokenizer_name="vi_fold", index_option="freq")
    sb.add_text_field("phrase_f", tokenizer_name="vi_pair", index_option="freq")
    sb.add_text_field("title_phrase", tokenizer_name="vi_pair", index_option="freq")
    sb.add_integer_field("published", indexed=True, fast=True)
    sb.add_integer_field("deadline", indexed=True, fast=True)
    sb.add_bytes_field("store", stored=True)
    return sb.build()


def _analyzers():
    def base():
        return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES)))

    pairs = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).filter(tantivy.Filter.lowercase())
             .filter(tantivy.Filter.remove_long(2 * MAX_TOKEN_BYTES + 1)).build())
    return base().build(), base().filter(tantivy.Filter.ascii_fold()).build(), pairs


def _is_lock_error(exc: Exception) -> bool:
    return isinstance(exc, ValueError) and "LockBusy" in str(exc)


class TantivyEngine(BaseEngine):
    name = "tantivy"

    def __init__(self, path):
        super().__init__(path)
        self._reload_lock = threading.Lock()
        self._schema = _schema()
        self._exact_an, self._fold_an, self._pair_an = _analyzers()
        self._ix = self._open()
        self._stamp = self._meta_stamp()

    def _open(self):
        version = self.path / VERSION_FILE
        current = version.exists() and version.read_text().strip() == SCHEMA_VERSION
        if tantivy.Index.exists(str(self.path)) and not current:
            for child in self.path.iterdir():  # derived data from an older schema: rebuild it
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        ix = tantivy.Index(self._schema, path=str(self.path), reuse=True)
        ix.register_tokenizer("vi_exact", self._exact_an)
        ix.register_tokenizer("vi_fold", self._fold_an)
        ix.register_tokenizer("vi_pair", self._pair_an)
        ix.config_reader(reload_policy="Manual")
        if not current:
            version.write_text(SCHEMA_VERSION)
        return ix

    def _meta_stamp(self):
        try:
            st = os.stat(self.path / "meta.json")
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ino, st.st_size)

    def _searcher(self):
        stamp = self._meta_stamp()
        if stamp != self._stamp:
            with self._reload_lock:
                self._ix.reload()
                self._stamp = stamp
        return self._ix.searcher()

    def refresh(self) -> None:
        with self._reload_lock:
            self._stamp = self._meta_stamp()
            self._ix.reload()

    def _fold_term(self, term: str) -> str:
        folded = an.fold_word(term)
        if folded.isascii():
            return folded
        return "".join(self._fold_an.analyze(folded))

    # -- writing --------------------------------------------------------------------------------------
    def _commit(self, fill) -> None:
        with self._write_lock:
            writer = retry_locked(lambda: self._ix.writer(heap_size=WRITER_HEAP, num_threads=1),
                                  _is_lock_error)
            try:
                fill(writer)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
        self.refresh()

    def _write(self, docs: list[dict], delete_ids: list[str]) -> None:
        def fill(writer):
            for doc_id in delete_ids:
                writer.delete_documents_by_term("id", doc_id)
            for d in docs:
                writer.delete_documents_by_term("id", d["id"])
                writer.add_document(self._document(d))

        self._commit(fill)

    @staticmethod
    def _document(d: dict):
        doc = tantivy.Document()
        doc.add_text("id", d["id"])
        doc.add_text("reference", d["reference"])
        for key, values in d["facets"].items():
            for v in values:
                doc.add_text(key, v)
        for name in ("title", "text", "title_f", "text_f", "phrase_f", "title_phrase"):
            doc.add_text(name, d[name])
        doc.add_integer("published", d["published"])
        doc.add_integer("deadline", d["deadline"])
        doc.add_bytes("store", json.dumps(d["store"], ensure_ascii=False).encode("utf-8"))
        return doc

    def clear(self) -> None:
        self._commit(lambda writer: writer.delete_all_documents())

    def doc_count(self) -> int:
        return self._searcher().num_docs

    # -- reading --------------------------------------------------------------------------------------
    def _term(self, field: str, value: str):
        return tantivy.Query.term_query(self._schema, field, value)

    def _any_of(self, field: str, values: list[str]):
        if len(values) == 1:
            return self._term(field, values[0])
        return tantivy.Query.term_set_query(self._schema, field, values)

    def _compile(self, node):
        Q, Occur = tantivy.Query, tantivy.Occur
        if isinstance(node, T):
            value = self._fold_term(node.value) if node.field in an.FOLDED_FIELDS else node.value
            q = self._term(node.field, value)
            return Q.boost_query(q, node.boost) if node.boost != 1.0 else q
        if isinstance(node, AllOf):
            if not node.children:
                return Q.all_query()
            parts = [self._compile(c) for c in node.children]
            return parts[0] if len(parts) == 1 else Q.boolean_query([(Occur.Must, p) for p in parts])
        if isinstance(node, AnyOf):
            parts = [self._compile(c) for c in node.children]
            return parts[0] if len(parts) == 1 else Q.boolean_query([(Occur.Should, p) for p in parts])
        if isinstance(node, AtLeast):
            return self._compile(node.expanded())
        if isinstance(node, Ranked):
            return Q.boolean_query([(Occur.Must, self._compile(node.required))]
                                   + [(Occur.Should, self._compile(c)) for c in node.optional])
        raise TypeError(node)

    def _query(self, tree, filters, exclude_ids=()):
        Q, Occur = tantivy.Query, tantivy.Occur
        text_q = self._compile(tree)
        if not filters and not exclude_ids:
            return text_q
        clauses = [(Occur.Must, text_q)]
        for key, values in filters.items():
            clauses.append((Occur.Must, Q.const_score_query(self._any_of(key, values), 0.0)))
        if exclude_ids:
            clauses.append((Occur.MustNot, self._any_of("id", list(exclude_ids))))
        return Q.boolean_query(clauses)

    def _store(self, searcher, address) -> dict:
        return json.loads(searcher.doc(address).get_first("store"))

    def _search(self, tree, filters, exclude_ids, sort, offset, limit, count=True):
        searcher = self._searcher()
        q = self._query(tree, filters, exclude_ids)
        if sort == "newest":
            res = searcher.search(q, limit=limit, offset=offset, count=count, order_by_field="published",
                                  order=tantivy.Order.Desc)
        elif sort == "deadline":
            res = searcher.search(q, limit=limit, offset=offset, count=count, order_by_field="deadline",
                                  order=tantivy.Order.Asc)
        else:
            res = searcher.search(q, limit=limit, offset=offset, count=count)
        rows = [(self._store(searcher, addr), float(key) if sort == "relevance" else 0.0)
                for key, addr in res.hits]
        return rows, (res.count or 0) if count else 0

    def _count(self, tree):
        return self._searcher().search(self._compile(tree), limit=1, count=True).count or 0

    def _facet_counts(self, tree, filters, keys):
        searcher = self._searcher()
        aggs = {key: {"terms": {"field": key, "size": 10_000}} for key in keys}
        result = searcher.aggregate(self._query(tree, filters), aggs)
        return {key: {b["key"]: int(b["doc_count"]) for b in result.get(key, {}).get("buckets", [])}
                for key in keys}

    def _doc_freq(self, field, term):
        return self._searcher().doc_freq(field, term)

    def _terms_with_prefix(self, field, prefix):
        return self._searcher().terms_with_prefix(field, prefix, limit=5000)
