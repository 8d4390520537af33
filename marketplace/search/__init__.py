"""Search engine seam: the only module the rest of the app imports for search.

``get_engine()`` returns the process's engine (Whoosh or tantivy, by ``SEARCH_BACKEND``); both implement
:class:`SearchEngine`. Query, ranking, facet and count semantics are documented in
:mod:`marketplace.search.engine`. Only the queue worker writes in production (one writer per index).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path

from .base import Hit, SearchDocument, SearchEngine, SearchQuery, SearchResults, document_id, object_id_of

__all__ = ["BACKENDS", "Hit", "SearchDocument", "SearchEngine", "SearchQuery", "SearchResults",
           "all_documents", "document_id", "get_engine", "object_id_of", "open_engine", "rebuild", "register_source",
           "reindex_all"]

BACKENDS = ("whoosh", "tantivy")
REBUILD_BATCH = 500
_GUARD = threading.Lock()
_SOURCES: dict[str, Callable[[], Iterable[SearchDocument]]] = {}


def register_source(name: str, documents: Callable[[], Iterable[SearchDocument]]) -> None:
    """A domain declares what it puts in the index (listings, events...); a rebuild reads every source."""
    _SOURCES[name] = documents


def all_documents() -> Iterable[SearchDocument]:
    for name in sorted(_SOURCES):
        yield from _SOURCES[name]()


def open_engine(backend: str, path: str | Path) -> SearchEngine:
    """A new engine on ``path`` (created if missing), without Flask. Prefer ``get_engine`` in the app."""
    if backend == "whoosh":
        from .whoosh_backend import WhooshEngine

        return WhooshEngine(path)
    if backend == "tantivy":
        from .tantivy_backend import TantivyEngine

        return TantivyEngine(path)
    raise ValueError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


def get_engine(app=None) -> SearchEngine:
    """The app's engine: opened once per process and cached in ``app.extensions["search"]``."""
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()
    engine = app.extensions.get("search")
    if engine is None:
        with _GUARD:
            engine = app.extensions.get("search")
            if engine is None:
                backend = app.config.get("SEARCH_BACKEND", "whoosh")
                path = Path(app.config["DATA_DIR"]) / "index" / backend
                engine = open_engine(backend, path)
                app.extensions["search"] = engine
    return engine


def rebuild(engine: SearchEngine, docs: Iterable[SearchDocument]) -> int:
    """Clear the index and index ``docs`` in batches of ``REBUILD_BATCH`` (one commit each)."""
    engine.clear()
    count = 0
    it = iter(docs)
    while batch := list(islice(it, REBUILD_BATCH)):
        engine.index(batch)
        count += len(batch)
    optimize = getattr(engine, "optimize", None)
    if optimize is not None:  # Whoosh: merge to one segment (2.5x faster queries after a rebuild)
        optimize()
    engine.refresh()
    return count


def reindex_all() -> int:
    """Rebuild the app's index from every registered source (``flask search reindex``, the nightly job)."""
    return rebuild(get_engine(), all_documents())
