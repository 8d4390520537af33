"""A relevance harness for the search seam: judged queries over a fixed corpus, scored per engine.

Judgement files (``bench/relevance/queries.txt``) are blocks separated by blank lines::

    query: nước mắm
    tags: product, pair, accented
    2 offer:9007  Quy trình chượp nước mắm...      (grade, document id, then anything: a note for people)
    1 offer:9008
    0 offer:9005

``same: <query>`` instead of grade lines reuses another block's judgements (the unaccented twin of a query).
Grades: 2 relevant, 1 partly relevant, 0 not relevant; a document without a judgement counts as 0 and is
reported as unjudged, so the judgements can be completed when a ranking change surfaces new documents.

Metrics (per engine, averaged over queries):

* ``ndcg@10``: gains 2^grade − 1, log2 discount, ideal ordering from all the query's judgements. A query
  with no relevant document scores 1.0 when the engine returns nothing and 0.0 otherwise.
* ``p@5``: share of the first 5 results graded 1 or 2 (denominator 5).
* ``bad@3``: the query has a result graded 0 (or unjudged) among its first 3.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .base import SearchDocument, SearchEngine, SearchQuery

SEARCH_TYPES = ["offer", "need", "ip_asset"]  # what the /search page asks for


@dataclass
class Judged:
    query: str
    tags: list[str] = field(default_factory=list)
    grades: dict[str, int] = field(default_factory=dict)
    same: str | None = None


def load_corpus(path: str | Path) -> list[SearchDocument]:
    docs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        d["published_at"] = datetime.fromisoformat(d["published_at"])
        d["deadline"] = date.fromisoformat(d["deadline"]) if d.get("deadline") else None
        docs.append(SearchDocument(**d))
    return docs


def load_judgements(path: str | Path) -> list[Judged]:
    out: list[Judged] = []
    current: Judged | None = None
    for raw in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            if current is not None:
                out.append(current)
                current = None
            continue
        key, sep, value = line.partition(":")
        if sep and key in ("query", "tags", "same"):
            if key == "query":
                if current is not None:
                    out.append(current)
                current = Judged(query=value.strip())
            elif current is None:
                raise ValueError(f"{key}: before query: in {path}")
            elif key == "tags":
                current.tags = [t.strip() for t in value.split(",") if t.strip()]
            else:
                current.same = value.strip()
            continue
        m = re.match(r"^([012])\s+(\S+)", line)
        if not m or current is None:
            raise ValueError(f"cannot read judgement line {raw!r} in {path}")
        current.grades[m.group(2)] = int(m.group(1))
    by_query = {j.query: j for j in out}
    for j in out:
        if j.same:
            j.grades = {**by_query[j.same].grades, **j.grades}
    return out


def dcg(gains: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def score_ranking(ranked: list[str], grades: dict[str, int], k: int = 10) -> dict:
    got = [grades.get(doc_id, 0) for doc_id in ranked[:k]]
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    if ideal:
        ndcg = dcg(got) / dcg(ideal)
    else:
        ndcg = 1.0 if not ranked else 0.0
    top5 = [grades.get(doc_id, 0) for doc_id in ranked[:5]]
    return {"ndcg@10": ndcg, "p@5": sum(1 for g in top5 if g > 0) / 5,
            "bad@3": any(grades.get(doc_id, 0) == 0 for doc_id in ranked[:3]),
            "unjudged": [doc_id for doc_id in ranked[:k] if doc_id not in grades]}


def evaluate(engine: SearchEngine, judged: list[Judged], *, k: int = 10) -> list[dict]:
    rows = []
    for j in judged:
        started = time.perf_counter()
        res = engine.search(SearchQuery(q=j.query, types=list(SEARCH_TYPES), per_page=k))
        ms = (time.perf_counter() - started) * 1000
        ranked = [h.id for h in res.hits]
        row = score_ranking(ranked, j.grades, k)
        row.update(query=j.query, tags=j.tags, ranked=ranked, total=res.total, suggestion=res.suggestion,
                   relaxed=bool(getattr(res, "relaxed", False)), ms=ms)
        rows.append(row)
    return rows


def summary(rows: list[dict], tag: str | None = None) -> dict:
    rows = [r for r in rows if tag is None or tag in r["tags"]]
    if not rows:
        return {"queries": 0}
    n = len(rows)
    return {"queries": n, "ndcg@10": sum(r["ndcg@10"] for r in rows) / n, "p@5": sum(r["p@5"] for r in rows) / n,
            "bad@3": sum(1 for r in rows if r["bad@3"]) / n,
            "unjudged": sum(len(r["unjudged"]) for r in rows)}
