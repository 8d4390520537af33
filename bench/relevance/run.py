"""Score both engines on the judged query set (see marketplace/search/relevance.py and README.md here).

    .venv/bin/python bench/relevance/run.py                 # table per engine, worst queries listed
    .venv/bin/python bench/relevance/run.py --pool          # also print unjudged documents in each top 10
    .venv/bin/python bench/relevance/run.py --json out.json # every query's ranking and scores

Works on an older checkout too: copy ``marketplace/search/relevance.py`` into it and run with
``PYTHONPATH=<checkout>``; only ``open_engine``, ``rebuild`` and ``search`` are used, so before/after figures
come from the same script, corpus and judgements.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from marketplace.search import open_engine, rebuild
from marketplace.search.relevance import evaluate, load_corpus, load_judgements, summary

HERE = Path(__file__).resolve().parent

TAGS = ("pair", "place", "product", "unaccented", "accented", "english", "typo", "multi")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--pool", action="store_true")
    parser.add_argument("--json")
    parser.add_argument("--queries", default=str(HERE / "queries.txt"))
    parser.add_argument("--worst", type=int, default=12)
    args = parser.parse_args()
    docs = load_corpus(HERE / "corpus.jsonl")
    titles = {d.id: d.title for d in docs}
    judged = load_judgements(args.queries)
    report = {}
    for backend in args.engines.split(","):
        tmp = Path(tempfile.mkdtemp(prefix=f"relevance-{backend}-"))
        try:
            engine = open_engine(backend, tmp)
            rebuild(engine, docs)
            rows = evaluate(engine, judged)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        report[backend] = rows
        s = summary(rows)
        ms = sorted(r["ms"] for r in rows)
        print(f"\n== {backend}: {s['queries']} queries  nDCG@10 {s['ndcg@10']:.3f}  P@5 {s['p@5']:.3f}  "
              f"bad@3 {s['bad@3']:.3f}  unjudged in top 10: {s['unjudged']}  "
              f"(search ms p50 {ms[len(ms) // 2]:.1f}, p95 {ms[int(len(ms) * 0.95)]:.1f}; first query cold)")
        for tag in TAGS:
            t = summary(rows, tag)
            if t["queries"]:
                print(f"   {tag:11} {t['queries']:3d} q  nDCG@10 {t['ndcg@10']:.3f}  P@5 {t['p@5']:.3f}  "
                      f"bad@3 {t['bad@3']:.3f}")
        worst = sorted(rows, key=lambda r: r["ndcg@10"])[: args.worst]
        print("   worst:")
        for r in worst:
            flag = " relaxed" if r["relaxed"] else ""
            print(f"    {r['ndcg@10']:.2f} {'BAD3' if r['bad@3'] else '    '} {r['query']!r} total={r['total']}{flag}"
                  f" sugg={r['suggestion']!r} top3={r['ranked'][:3]}")
        if args.pool:
            for r in rows:
                if r["unjudged"]:
                    print(f"   unjudged for {r['query']!r}:")
                    for doc_id in r["unjudged"]:
                        print(f"      ? {doc_id}  {titles.get(doc_id, '')[:110]}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
