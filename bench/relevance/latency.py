"""In-process search latency on the synthetic corpus: build time, index size, listing-page queries, similar().

    .venv/bin/python bench/relevance/latency.py --docs 20000 [--engines whoosh,tantivy] [--queries 300]

Uses only the public seam (``open_engine``, ``rebuild``, ``SearchQuery``, ``similar``), so the same script
measures an older checkout: ``PYTHONPATH=/path/to/old/checkout python bench/relevance/latency.py``. The corpus
and the query set are those of ``marketplace.search.bench`` (Zipf-drawn Vietnamese syllables; 3 consecutive
title words per query, every other one without diacritics); ``search`` asks what the listing pages ask (the 7
facets, types offer+need, a TRL filter on every third query); ``similar`` is ``engine.similar(summary + body of
a need, types=["offer"], limit=20)`` as matching calls it. Prints one JSON line per engine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from marketplace.search import SearchQuery, open_engine, rebuild
from marketplace.search.bench import corpus, sample_queries

FACETS = ["kind", "st_fields", "sectors", "province", "trl", "price_type", "tt_forms"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def run(backend: str, n: int, queries: int, needs: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"latency-{backend}-"))
    try:
        engine = open_engine(backend, tmp / "ix")
        docs = list(corpus(n))
        t0 = time.perf_counter()
        rebuild(engine, docs)
        build_s = time.perf_counter() - t0
        qs = sample_queries(n, queries)
        need_texts = [f"{d.title} {d.summary} {d.body}" for d in docs if d.type == "need"][:needs]

        def search(i_q):
            i, q = i_q
            return engine.search(SearchQuery(q=q, types=["offer", "need"], facets=FACETS,
                                             filters={"trl": ["5", "6"]} if i % 3 == 0 else {}))

        for x in list(enumerate(qs))[:30]:
            search(x)  # warm-up (facet tables, page cache)
        search_ms, totals = [], []
        for x in enumerate(qs):
            t = time.perf_counter()
            res = search(x)
            search_ms.append((time.perf_counter() - t) * 1000)
            totals.append(res.total)
        for text in need_texts[:5]:
            engine.similar(text, types=["offer"], limit=20)
        similar_ms = []
        for text in need_texts:
            t = time.perf_counter()
            engine.similar(text, types=["offer"], limit=20)
            similar_ms.append((time.perf_counter() - t) * 1000)
        return {"backend": backend, "docs": n, "build_s": round(build_s, 1), "index_mb": round(dir_mb(tmp / "ix"), 1),
                "search_p50": round(statistics.median(search_ms), 2), "search_p95": round(pct(search_ms, 0.95), 2),
                "search_max": round(max(search_ms), 2), "median_total": statistics.median(totals),
                "similar_p50": round(statistics.median(similar_ms), 2),
                "similar_p95": round(pct(similar_ms, 0.95), 2)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--needs", type=int, default=50)
    parser.add_argument("--engines", default="whoosh,tantivy")
    args = parser.parse_args()
    for backend in args.engines.split(","):
        print(json.dumps(run(backend, args.docs, args.queries, args.needs)), flush=True)


if __name__ == "__main__":
    main()
