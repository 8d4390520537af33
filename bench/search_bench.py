"""Search benchmark: indexing time, in-process engine latency and GET /api/v1/search under gunicorn (as in
production), per engine and corpus size, next to a bare Flask hello-world served the same way in the same run.

    .venv/bin/python bench/search_bench.py [--sizes 20000,100000] [--engines whoosh,tantivy]
                                           [--skip whoosh@100000] [--queries 200] [--needs 50]

Per size: a temp DATA_DIR with a SQLite database (``flask db upgrade``, ``flask reference load``) and N published
listings (offers:needs about 2:1, one verified organisation, text from ``marketplace.search.bench``'s synthetic
Vietnamese vocabulary, real reference codes) bulk-inserted with SQLAlchemy. Per engine: ``reindex_all()`` (timed),
then the same index opened in this process for the direct figures, then gunicorn with
``MARKETPLACE_SEARCH_BACKEND`` set. All requests are sequential from one client (server latency, not contention),
on loopback only, with fixed counts; it stops by itself and removes its temp directories.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from itertools import accumulate, islice
from pathlib import Path

import httpx
from servers import free_port, start, stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REF = ROOT / "marketplace" / "reference" / "data"
ENGINES = ("whoosh", "tantivy")
TARGETS = {("tantivy", 100_000): 50.0, ("whoosh", 20_000): 150.0}  # HTTP p95 ms
OVERHEAD_MAX_X_HELLO = 2.0


# -- corpus ---------------------------------------------------------------------------------------------
def codes(file: str, level: str | None = None, scheme: str | None = None) -> list[str]:
    with open(REF / file, encoding="utf-8", newline="") as fh:
        return [r["code"] for r in csv.DictReader(fh)
                if (level is None or r["level"] == level) and (scheme is None or r["scheme"] == scheme)]


class Words:
    """The Zipf-like draw of ``marketplace.search.bench.corpus`` (same vocabulary and weights), cumulated once."""

    def __init__(self, rnd: random.Random):
        from marketplace.search.bench import vocabulary

        self.rnd = rnd
        self.vocab = vocabulary()
        self.cum = list(accumulate(1 / (rank + 10) for rank in range(len(self.vocab))))

    def __call__(self, k: int) -> str:
        return " ".join(self.rnd.choices(self.vocab, cum_weights=self.cum, k=k))


def listing_rows(n: int, org_id: int, seed: int = 7):
    """``n`` published listings as column dicts: offers and needs about 2:1, published over the last year."""
    from marketplace.timeutil import utcnow

    rnd = random.Random(seed)
    w = Words(rnd)
    st_fields, sectors = codes("st_fields.csv", level="2"), codes("vsic_sections.csv")
    provinces = codes("provinces.csv")
    tt_forms, price_types = codes("vocab.csv", scheme="tt_form"), codes("vocab.csv", scheme="price_type")
    tech_levels, maturities = codes("vocab.csv", scheme="tech_level"), codes("vocab.csv", scheme="maturity")
    coop_forms = codes("vocab.csv", scheme="cooperation_form")
    now = utcnow()
    for i in range(1, n + 1):
        side = "need" if rnd.random() < 1 / 3 else "offer"
        kind = "need" if side == "need" else rnd.choice(["technology", "technology", "equipment", "service"])
        published = now - timedelta(seconds=rnd.randint(3600, 365 * 86400))
        province = "33" if rnd.random() < 0.4 else rnd.choice(provinces)
        bullets = "\n".join(f"- {w(3).capitalize()}: {rnd.randint(2, 900)} {w(1)}" for _ in range(4))
        row = dict(
            reference=f"{'NC' if side == 'need' else 'CB'}-{province}-{published.year}-{i:05d}", side=side,
            kind=kind, status="published", organisation_id=org_id,
            title_vi=(("Cần " if side == "need" else "") + w(rnd.randint(5, 11))).capitalize()[:200],
            summary=(w(rnd.randint(25, 45)).capitalize() + ".")[:500],
            keywords=[w(2) for _ in range(rnd.randint(3, 5))],
            st_fields=rnd.sample(st_fields, rnd.randint(1, 2)), sectors=rnd.sample(sectors, rnd.randint(1, 2)),
            province_code=province, application_areas=[w(3).capitalize() for _ in range(2)],
            published_at=published, last_confirmed_at=published, submitted_at=published - timedelta(days=2),
            created_at=published - timedelta(days=3), updated_at=published, contact_visibility="members",
        )
        if side == "offer":
            row.update(
                description=f"{w(60).capitalize()}.\n\n**Thông số kỹ thuật chính**\n{bullets}\n\n"
                            f"**Điều kiện chuyển giao:** {w(40)}.",
                tech_level=rnd.choice(tech_levels), trl=rnd.randint(3, 9), maturity=rnd.choice(maturities),
                tt_forms=rnd.sample(tt_forms, rnd.randint(1, 2)), price_type=rnd.choice(price_types),
                valid_until=(published + timedelta(days=365)).date())
        else:
            row.update(
                problem=f"{w(70).capitalize()}.\n\n{w(40).capitalize()}.",
                current_solution=w(20).capitalize() + ".", min_trl=rnd.randint(4, 8),
                required_specs=[{"parameter": w(3).capitalize(), "target": f"≤ {rnd.randint(5, 500)}",
                                 "unit": rnd.choice(["%", "kg/giờ", "kW", "ngày", "đồng/kg"])}
                                for _ in range(rnd.randint(2, 4))],
                cooperation_forms=rnd.sample(coop_forms, 2),
                deadline=(now + timedelta(days=rnd.randint(10, 240))).date())
        yield row


def populate(n: int) -> float:
    """One verified organisation and ``n`` listings, bulk-inserted; returns seconds."""
    from sqlalchemy import insert

    from marketplace import create_app
    from marketplace.accounts.models import Organisation
    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.timeutil import utcnow

    t0 = time.perf_counter()
    app = create_app()
    with app.app_context():
        org = Organisation(slug="vien-ung-dung-cong-nghe-hung-yen", legal_name="Viện Ứng dụng Công nghệ Hưng Yên",
                           short_name="Viện ƯDCN Hưng Yên", org_type="research_institute", tax_code="0900123456",
                           province_code="33", status="verified", verified_at=utcnow())
        db.session.add(org)
        db.session.flush()
        rows = listing_rows(n, org.id)
        while chunk := list(islice(rows, 5000)):
            db.session.execute(insert(Listing), chunk)
        db.session.commit()
        db.engine.dispose()
    return time.perf_counter() - t0


def query_set(count: int, seed: int = 1) -> list[str]:
    """1-3 consecutive words of random titles and summaries of the corpus; every other one without diacritics."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.listings.models import Listing
    from marketplace.text import fold

    texts = [f"{t} {s}" for t, s in db.session.execute(select(Listing.title_vi, Listing.summary)
                                                       .order_by(Listing.id).limit(5000))]
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        words = [x.strip(".") for x in rnd.choice(texts).split() if x.strip(".").lower() != "cần"]
        k = rnd.randint(1, 3)
        start = rnd.randint(0, len(words) - k)
        q = " ".join(words[start:start + k]).lower()
        out.append(fold(q) if i % 2 else q)
    return out


def need_texts(count: int, seed: int = 2) -> list[str]:
    """As the detail page builds it: title, summary, description and problem of ``count`` needs."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.listings.models import Listing

    ids = db.session.scalars(select(Listing.id).where(Listing.side == "need").order_by(Listing.id)).all()
    out = []
    for listing_id in random.Random(seed).sample(ids, min(count, len(ids))):
        x = db.session.get(Listing, listing_id)
        out.append(" ".join(filter(None, [x.title_vi, x.summary, x.description, x.problem])))
    return out


# -- measuring ------------------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * p) - 1)]


def timed(fn, items) -> tuple[list[float], list]:
    times, out = [], []
    for item in items:
        t0 = time.perf_counter()
        out.append(fn(item))
        times.append((time.perf_counter() - t0) * 1000)
    return times, out


def worker_rss_mb(master: int) -> list[float]:
    """VmRSS of each child (worker) of a gunicorn master."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != master:
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        except (OSError, ValueError, IndexError):
            continue
    return sorted(out)


def http_latencies(client: httpx.Client, url: str, params: list[dict | None]) -> tuple[list[float], list]:
    """Latency to the full response body; the JSON is parsed after the clock stops."""
    times, bodies = timed(lambda p: client.get(url, params=p).raise_for_status(), params)
    return times, [r.json() for r in bodies]


def run_engine(backend: str, n: int, data_dir: str, env: dict, args) -> dict:
    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.listings.views import FACETS
    from marketplace.search import SearchQuery, open_engine, reindex_all

    os.environ["MARKETPLACE_SEARCH_BACKEND"] = backend
    app = create_app()
    assert app.config["SEARCH_BACKEND"] == backend and app.config["DATA_DIR"] == data_dir
    with app.app_context():
        t0 = time.perf_counter()
        count = reindex_all()
        index_s = time.perf_counter() - t0
        queries = query_set(args.queries)
        needs = need_texts(args.needs)
        built = app.extensions.pop("search")
        getattr(built, "close", lambda: None)()
        db.engine.dispose()
    index_dir = Path(data_dir) / "index" / backend
    index_mb = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) / 2**20

    # (a), (c), (d): the same index opened in this process, the query the API sends
    engine = open_engine(backend, index_dir)

    def direct(q, facets=FACETS):
        return engine.search(SearchQuery(q=q, types=["offer", "need"], facets=list(facets)))

    timed(direct, queries)  # warm-up: caches, page cache, Whoosh facet tables
    direct_ms, direct_res = timed(direct, queries)
    no_facets_ms, _ = timed(lambda q: direct(q, ()), queries)
    timed(lambda t: engine.similar(t, types=["offer"], limit=20), needs[:10])
    similar_ms, similar_res = timed(lambda t: engine.similar(t, types=["offer"], limit=20), needs)
    getattr(engine, "close", lambda: None)()

    # (b), (e): gunicorn as in production, the engine chosen by MARKETPLACE_SEARCH_BACKEND
    env = dict(env, MARKETPLACE_SEARCH_BACKEND=backend)
    app_port, hello_port = free_port(), free_port()
    server = start("marketplace:create_app()", app_port, env, Path(data_dir) / f"gunicorn-{backend}.log")
    hello = start("bench.hello_app:app", hello_port, env, Path(data_dir) / "gunicorn-hello.log")
    try:
        with httpx.Client(timeout=30) as client:
            url = f"http://127.0.0.1:{app_port}/api/v1/search"
            http_latencies(client, url, [{"q": q} for q in queries])  # warm-up: both workers open the index
            http_ms, http_res = http_latencies(client, url, [{"q": q} for q in queries])
            hello_url = f"http://127.0.0.1:{hello_port}/"
            http_latencies(client, hello_url, [None] * 50)
            hello_ms, _ = http_latencies(client, hello_url, [None] * args.queries)
        rss = worker_rss_mb(server.pid)
        hello_rss = worker_rss_mb(hello.pid)
    finally:
        stop(server, hello)

    mismatches = sum(a.total != b["total"] for a, b in zip(direct_res, http_res, strict=True))
    r = {
        "engine": backend, "docs": n, "indexed": count, "index_s": index_s, "index_mb": index_mb,
        "direct_p50": statistics.median(direct_ms), "direct_p95": pct(direct_ms, 0.95),
        "http_p50": statistics.median(http_ms), "http_p95": pct(http_ms, 0.95),
        "facets7_p50": statistics.median(direct_ms), "facets0_p50": statistics.median(no_facets_ms),
        "similar_p50": statistics.median(similar_ms), "similar_p95": pct(similar_ms, 0.95),
        "similar_hits": statistics.median(len(x) for x in similar_res),
        "hello_p50": statistics.median(hello_ms), "rss_mb": rss, "hello_rss_mb": hello_rss,
        "median_total": statistics.median(b["total"] for b in http_res), "mismatches": mismatches,
        "totals": [b["total"] for b in http_res],
    }
    r["overhead"] = r["http_p50"] - r["direct_p50"]
    r["overhead_x_hello"] = r["overhead"] / r["hello_p50"]
    return r


def run_size(n: int, engines: list[str], args) -> list[dict]:
    data_dir = tempfile.mkdtemp(prefix="bench-search-")
    env = dict(os.environ, MARKETPLACE_ENV="development", MARKETPLACE_DATA_DIR=data_dir, WEB_CONCURRENCY="2")
    os.environ.update(MARKETPLACE_ENV="development", MARKETPLACE_DATA_DIR=data_dir)
    flask = [str(BIN / "flask"), "--app", "marketplace"]
    try:
        for cmd in (["db", "upgrade"], ["reference", "load"]):
            subprocess.run(flask + cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        insert_s = populate(n)
        print(f"# {n} listings inserted in {insert_s:.1f} s ({data_dir})", flush=True)
        results = []
        for backend in engines:
            r = run_engine(backend, n, data_dir, env, args)
            print(f"# {backend}@{n}: indexed {r['indexed']} in {r['index_s']:.1f} s", flush=True)
            results.append(r)
        return results
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20000,100000", help="comma-separated corpus sizes")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--skip", action="append", default=[], help="ENGINE@SIZE to leave out, e.g. whoosh@100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--needs", type=int, default=50)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    engines = [e for e in args.engines.split(",") if e in ENGINES]
    results: list[dict] = []
    for n in sizes:
        todo = [e for e in engines if f"{e}@{n}" not in args.skip]
        if todo:
            results.extend(run_size(n, todo, args))

    print(f"\ngunicorn 2 sync workers, one client thread, {args.queries} queries (1-3 words, half unaccented), "
          f"{args.needs} needs for similar(); ms unless stated")
    cols = [("engine", "engine", ""), ("docs", "docs", "d"), ("index s", "index_s", ".1f"),
            ("index MB", "index_mb", ".0f"), ("direct p50", "direct_p50", ".2f"), ("direct p95", "direct_p95", ".2f"),
            ("HTTP p50", "http_p50", ".2f"), ("HTTP p95", "http_p95", ".2f"), ("7 facets p50", "facets7_p50", ".2f"),
            ("0 facets p50", "facets0_p50", ".2f"), ("similar p50", "similar_p50", ".2f"),
            ("similar p95", "similar_p95", ".2f"), ("hello p50", "hello_p50", ".2f"), ("overhead", "overhead", ".2f"),
            ("ovh/hello", "overhead_x_hello", ".1f")]
    print(" ".join(f"{h:>{max(len(h), 7)}}" for h, _, _ in cols))
    for r in results:
        print(" ".join(f"{r[k]:>{max(len(h), 7)}{f}}" for h, k, f in cols))
    by_key = {(r["engine"], r["docs"]): r for r in results}
    for r in results:
        print(f"{r['engine']}@{r['docs']}: worker RSS {'/'.join(f'{x:.0f}' for x in r['rss_mb'])} MB "
              f"(hello worker {'/'.join(f'{x:.0f}' for x in r['hello_rss_mb'])} MB); median total "
              f"{r['median_total']:.0f}; median similar hits {r['similar_hits']:.0f}; "
              f"HTTP/direct total mismatches {r['mismatches']}")
        if r["mismatches"]:
            print(f"  INVALID {r['engine']}@{r['docs']}: gunicorn and the in-process engine disagree (index wiped "
                  f"or code changed during the run?); do not use its HTTP figures")

    for n in sorted({r["docs"] for r in results}):
        pair = [by_key[(e, n)] for e in ENGINES if (e, n) in by_key]
        if len(pair) == 2:
            differ = sum(a != b for a, b in zip(pair[0]["totals"], pair[1]["totals"], strict=True))
            print(f"@{n}: whoosh and tantivy report different totals for {differ} of {args.queries} queries")

    print("\ntargets")
    for (engine, n), limit in TARGETS.items():
        r = by_key.get((engine, n))
        verdict = ("not run" if r is None else "INVALID" if r["mismatches"]
                   else f"{r['http_p95']:.1f} ms {'PASS' if r['http_p95'] < limit else 'FAIL'}")
        print(f"  {engine} HTTP p95 < {limit:.0f} ms at {n}: {verdict}")
    for r in results:
        ok = r["overhead"] <= OVERHEAD_MAX_X_HELLO * r["hello_p50"]
        print(f"  {r['engine']}@{r['docs']} overhead {r['overhead']:.2f} ms <= {OVERHEAD_MAX_X_HELLO:.0f}x hello "
              f"p50 ({OVERHEAD_MAX_X_HELLO * r['hello_p50']:.2f} ms): {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
