"""Registration burst: ``POST /api/v1/events/{id}/registrations`` from many different people at once, next to the
home page ``GET /`` under the same load, against gunicorn as in production (deploy/gunicorn.conf.py).

    .venv/bin/python bench/events_bench.py [--users 500] [--concurrency 50] [--seats 100] [--workers 2]
    .venv/bin/python bench/events_bench.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

A temp ``DATA_DIR`` with SQLite (``flask db upgrade``, ``flask seed demo``), or with ``--postgres`` a fresh database
``events_bench_<pid>`` created on that server and dropped at the end. The app runs with ``MARKETPLACE_ENV=development``:
jobs (the registration mail) are queued in SqliteHuey and no worker drains them, so the figures are the web side
only. ``--users`` people with an API token each (marked just used, so authentication writes nothing) and one
published event with ``--seats`` visitor seats are created in this process. Phases, each ``--users`` requests
from ``--concurrency`` client threads: the registrations (201, confirmed then waitlisted), the same people again
(200, the "already registered" path, which still takes the event's lock), and ``GET /`` anonymously. Per phase:
requests/s, p50/p95/max latency as the client sees it (queueing included) and server CPU ms per request (utime +
stime of the gunicorn workers from /proc). The database is checked afterwards (exactly ``--seats`` confirmed,
no 5xx). Prints a table and writes JSON into bench/results/. Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from servers import free_port, start, stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def worker_cpu_ms(master_pid: int) -> dict[int, float]:
    """utime + stime (ms) of each gunicorn worker, i.e. each child of the master."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    out = {}
    for pid in map(int, children):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) * TICK_MS  # fields 14 and 15 of stat(5)
    return out


def burst(master_pid: int, requests: list[tuple[str, str, dict]], concurrency: int) -> dict:
    """Send ``(method, url, headers)`` requests from ``concurrency`` threads; latency, codes, server CPU."""
    latencies: list[float] = []
    codes: Counter = Counter()
    errors: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)

    def one(client: httpx.Client, method: str, url: str, headers: dict) -> None:
        t0 = time.perf_counter()
        try:
            response = client.request(method, url, headers=headers,
                                      json={"participant_type": "visitor"} if method == "POST" else None)
            codes[response.status_code] += 1
        except httpx.HTTPError as exc:
            errors.append(repr(exc))
            return
        latencies.append((time.perf_counter() - t0) * 1000)

    cpu_before = worker_cpu_ms(master_pid)
    with httpx.Client(timeout=120, limits=limits) as client, ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        for future in [pool.submit(one, client, *r) for r in requests]:
            future.result()
        elapsed = time.perf_counter() - started
    cpu_after = worker_cpu_ms(master_pid)
    latencies.sort()
    recycled = set(cpu_before) != set(cpu_after)  # a worker restarted: its CPU time is lost
    cpu_ms = sum(cpu_after.values()) - sum(cpu_before.values())
    return {"requests": len(requests), "seconds": round(elapsed, 3), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(latencies[len(latencies) // 2], 1),
            "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)], 1),
            "max_ms": round(latencies[-1], 1), "codes": dict(sorted(codes.items())), "errors": errors[:5],
            "server_cpu_ms_per_request": None if recycled else round(cpu_ms / len(requests), 2)}


def create_people_and_event(users: int, seats: int) -> tuple[int, list[str]]:
    """In this process, on the bench database (``MARKETPLACE_*`` already in the environment)."""
    from marketplace import create_app
    from marketplace.accounts.services import create_api_token, create_user
    from marketplace.events.services import change_event_status, create_event
    from marketplace.extensions import db
    from marketplace.timeutil import utcnow

    app = create_app()
    with app.app_context():
        organiser = create_user(email="tochuc.bench@example.vn", password=None, full_name="Ban tổ chức Techmart",
                                role="organiser", verified=True)
        starts = (utcnow() + timedelta(days=30)).replace(hour=1, minute=0, second=0, microsecond=0)
        event = create_event(by=organiser, data={
            "type": "techmart", "title_vi": "Chợ công nghệ và thiết bị (đo tải)", "title_en": "Techmart (benchmark)",
            "venue": "Trung tâm Hội nghị tỉnh Hưng Yên", "starts_at": starts.isoformat() + "+00:00",
            "ends_at": (starts + timedelta(hours=9)).isoformat() + "+00:00", "capacity": {"visitor": seats},
            "waitlist_enabled": True, "approval_required": False})
        change_event_status(event, by=organiser, action="publish")
        secrets = []
        for i in range(1, users + 1):
            user = create_user(email=f"khach{i}@example.vn", password=None, full_name=f"Khách tham quan {i}",
                               verified=True)
            token, secret = create_api_token(user, "bench")
            token.last_used_at = utcnow()
            secrets.append(secret)
        db.session.commit()
        return event.id, secrets


def check_database(event_id: int, seats: int, users: int) -> dict:
    from sqlalchemy import func, select

    from marketplace import create_app
    from marketplace.events.models import EventCapacity
    from marketplace.events.registration.models import Registration
    from marketplace.extensions import db

    with create_app().app_context():
        by_status = dict(db.session.execute(select(Registration.status, func.count()).where(
            Registration.event_id == event_id).group_by(Registration.status)).all())
        taken = db.session.scalar(select(EventCapacity.taken).where(EventCapacity.event_id == event_id,
                                                                    EventCapacity.participant_type == "visitor"))
    ok = by_status == {"confirmed": seats, "waitlisted": users - seats} and taken == seats
    return {"registrations": by_status, "taken": taken, "ok": ok}


def postgres_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """Create ``events_bench_<pid>`` on the server of ``server_url``; return its URL and a function dropping it."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"events_bench_{os.getpid()}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (production default: 2)")
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("MARKETPLACE_BENCH_POSTGRES"),
                        help="a PostgreSQL server (any database on it) to run on instead of SQLite")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="events-bench-")
    env = dict(os.environ, MARKETPLACE_ENV="development", MARKETPLACE_DATA_DIR=data_dir,
               WEB_CONCURRENCY=str(args.workers))
    drop = None
    if args.postgres:
        env["MARKETPLACE_DATABASE_URL"], drop = postgres_database(args.postgres)
    database = "postgresql" if args.postgres else "sqlite"
    proc = None
    try:
        flask = [str(BIN / "flask"), "--app", "marketplace"]
        for cmd in (["db", "upgrade"], ["seed", "demo"]):
            subprocess.run(flask + cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        os.environ.update(env)  # the in-process app (and its queue) use the bench data dir and database
        event_id, secrets = create_people_and_event(args.users, args.seats)

        port = free_port()
        proc = start("marketplace:create_app()", port, env, Path(data_dir) / "gunicorn.log")
        base = f"http://127.0.0.1:{port}"
        warm = [("GET", f"{base}/", {})] * 100 + [("GET", f"{base}/api/v1/events/{event_id}", {})] * 100
        burst(proc.pid, warm, args.concurrency)

        register = [("POST", f"{base}/api/v1/events/{event_id}/registrations", {"Authorization": f"Bearer {s}"})
                    for s in secrets]
        results = {
            "POST registrations (new)": burst(proc.pid, register, args.concurrency),
            "POST registrations (again, 200)": burst(proc.pid, register, args.concurrency),
            "GET / (home page)": burst(proc.pid, [("GET", f"{base}/", {})] * args.users, args.concurrency),
        }
        check = check_database(event_id, args.seats, args.users)
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(data_dir, ignore_errors=True)
        if drop is not None:
            drop()

    print(f"gunicorn {args.workers} sync workers, {database}, {args.users} people for {args.seats} seats, "
          f"concurrency {args.concurrency}, {os.cpu_count()} cores")
    print(f"{'phase':34} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU ms/req':>10}  codes")
    for name, r in results.items():
        cpu = r["server_cpu_ms_per_request"]
        print(f"{name:34} {r['rps']:7.1f} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f} "
              f"{cpu if cpu is not None else '—':>10}  {r['codes']}{' errors: ' + str(r['errors']) if r['errors'] else ''}")
    print(f"database after the burst: {check['registrations']}, visitor seats taken {check['taken']}: "
          f"{'OK' if check['ok'] else 'WRONG'}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"events_bench-{database}-{stamp}.json"
    out.write_text(json.dumps({
        "when": stamp, "database": database, "workers": args.workers, "users": args.users, "seats": args.seats,
        "concurrency": args.concurrency, "cores": os.cpu_count(), "python": platform.python_version(),
        "results": results, "check": check}, indent=2, ensure_ascii=False))
    print(f"written {out.relative_to(ROOT)}")
    if not check["ok"] or any(code >= 500 for r in results.values() for code in r["codes"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
