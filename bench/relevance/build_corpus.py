"""Freeze the judged corpus: the demo data as the search index sees it, plus hand-written distractors.

    .venv/bin/python bench/relevance/build_corpus.py      # rewrites bench/relevance/corpus.jsonl

Seeds the demo data (``flask seed demo``) into a throw-away SQLite database, takes every document the index
would hold (``marketplace.search.all_documents()``: published offers, needs, IP assets and events), appends
``distractors.jsonl`` and writes one JSON document per line. The file is committed: judgements refer to its
ids, so a later change of the demo data does not silently change what was judged. Re-run only when the
judgements are reviewed at the same time.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def demo_documents() -> list[dict]:
    from marketplace import create_app
    from marketplace.demo import seed_demo
    from marketplace.extensions import db
    from marketplace.reference.services import load_reference_data
    from marketplace.search import all_documents

    tmp = Path(tempfile.mkdtemp(prefix="relevance-corpus-"))
    try:
        app = create_app({"ENV_NAME": "testing", "DATA_DIR": str(tmp),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'demo.db'}", "BASE_URL": "http://localhost"})
        with app.app_context():
            db.create_all()
            load_reference_data()
            seed_demo("relevance-corpus-password")
            db.session.commit()
            docs = [asdict(d) for d in all_documents()]
            db.session.remove()
            db.engine.dispose()
        return docs
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    docs = demo_documents()
    # fixed dates: the seed spreads publication over "the last months" relative to today
    for d in docs:
        d["published_at"] = "2026-06-01T08:00:00"
        d["deadline"] = None
    distractors = [json.loads(line) for line in (HERE / "distractors.jsonl").read_text(encoding="utf-8").splitlines()
                   if line.strip() and not line.startswith("//")]
    seen = {d["id"] for d in docs}
    for d in distractors:
        assert d["id"] not in seen, d["id"]
        seen.add(d["id"])
    out = HERE / "corpus.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for d in sorted(docs, key=lambda x: (x["type"], int(x["id"].rpartition(":")[2]))) + distractors:
            fh.write(json.dumps(d, ensure_ascii=False, sort_keys=True, default=str) + "\n")
    print(f"{len(docs)} demo documents + {len(distractors)} distractors -> {out}")


if __name__ == "__main__":
    main()
