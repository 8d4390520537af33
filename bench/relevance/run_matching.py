"""Score offer↔need matching on the judged needs of ``matching.txt`` (demo data, seeded in a temp database).

    .venv/bin/python bench/relevance/run_matching.py [--engines whoosh,tantivy] [--show]

For each judged need: ``find_matches(need, limit=10, minimum=0)``; the matches page shows those scoring at
least ``MINIMUM``, and calls "strong" those at ``STRONG`` or more. Reported per engine:

* ``P@5``: share of the first 5 shown matches graded 1 or 2 (denominator 5), over needs with a relevant
  supply;
* ``strong precision``: share of all strong matches graded 1 or 2 (and graded 2 only);
* ``recall``: share of the grade-2 supplies that are shown.

Works on an older checkout (``PYTHONPATH=<checkout>``) as long as ``find_matches``, ``STRONG`` and
``MINIMUM`` exist there.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(path: Path) -> list[tuple[str, dict[str, int]]]:
    out: list[tuple[str, dict[str, int]]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("need:"):
            out.append((line[5:].strip(), {}))
        else:
            grade, _, title = line.partition(" ")
            out[-1][1][title.strip()] = int(grade)
    return out


def grade_of(title: str, grades: dict[str, int]) -> int:
    best = 0
    for prefix, g in grades.items():
        if title.startswith(prefix):
            best = max(best, g)
    return best


def run(backend: str, judged, show: bool) -> dict:
    from sqlalchemy import select

    from marketplace import create_app
    from marketplace.demo import seed_demo
    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.listings.tasks import reindex_all
    from marketplace.matching import services
    from marketplace.reference.services import load_reference_data

    tmp = Path(tempfile.mkdtemp(prefix=f"matching-{backend}-"))
    try:
        app = create_app({"ENV_NAME": "testing", "DATA_DIR": str(tmp), "SEARCH_BACKEND": backend,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'demo.db'}", "BASE_URL": "http://localhost"})
        with app.app_context():
            db.create_all()
            load_reference_data()
            seed_demo("matching-bench-password")
            db.session.commit()
            reindex_all()
            needs = db.session.scalars(select(Listing).where(Listing.side == "need")).all()
            p5, strong, strong_rel, strong_rel2, found, wanted = [], 0, 0, 0, 0, 0
            scored: list[tuple[int, int]] = []  # (score, grade) of every shown match, for calibration
            for prefix, grades in judged:
                need = next((n for n in needs if n.title_vi.startswith(prefix)), None)
                if need is None:
                    raise SystemExit(f"no need titled {prefix!r}")
                matches = services.find_matches(need, limit=10, minimum=0)
                shown = [m for m in matches if m.score >= services.MINIMUM]
                got = [(m.listing.title_vi, m.score, grade_of(m.listing.title_vi, grades), m.reasons) for m in shown]
                if any(g == 2 for g in grades.values()):
                    p5.append(sum(1 for _, _, g, _ in got[:5] if g > 0) / 5)
                titles = [t for t, _, _, _ in got]
                for prefix2, g in grades.items():
                    if g == 2:
                        wanted += 1
                        found += any(t.startswith(prefix2) for t in titles)
                for title, score, g, _reasons in got:
                    scored.append((score, g))
                    if score >= services.STRONG:
                        strong += 1
                        strong_rel += g > 0
                        strong_rel2 += g == 2
                        if g == 0:
                            print(f"   [{backend}] strong but judged 0: {prefix[:45]!r} -> {title[:60]!r} {score}")
                if show:
                    print(f"-- {prefix}")
                    for title, score, g, reasons in got[:6]:
                        terms = next((r["terms"] for r in reasons if r["code"] == "terms"), [])
                        print(f"     {score:3d} g={g} {title[:60]}  | {', '.join(terms)}")
            db.session.remove()
            db.engine.dispose()
        calibration = {t: (sum(1 for sc, _ in scored if sc >= t),
                           round(sum(1 for sc, g in scored if sc >= t and g > 0)
                                 / max(1, sum(1 for sc, _ in scored if sc >= t)), 3)) for t in range(40, 95, 5)}
        print(f"   [{backend}] threshold -> (matches at or above, share judged relevant): {calibration}")
        return {"backend": backend, "needs": len(judged), "p@5": sum(p5) / len(p5), "strong": strong,
                "strong_precision": strong_rel / strong if strong else None,
                "strong_precision_grade2": strong_rel2 / strong if strong else None,
                "recall": found / wanted, "STRONG": services.STRONG, "MINIMUM": services.MINIMUM}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    judged = load(HERE / "matching.txt")
    for backend in args.engines.split(","):
        print(run(backend, judged, args.show))


if __name__ == "__main__":
    main()
