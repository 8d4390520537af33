"""HTTP baseline: the home page and GET /api/v1/organisations under gunicorn (as in production), next to a
bare Flask hello-world served the same way in the same run; prints requests/s, p50/p99 and the ratios.

    .venv/bin/python bench/http_baseline.py [--requests 2000] [--concurrency 4]

Runs against loopback only, with a fixed number of requests; it stops by itself.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from servers import free_port, start, stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def measure(url: str, requests: int, concurrency: int) -> dict:
    with httpx.Client(timeout=10) as warm:
        for _ in range(50):
            warm.get(url).raise_for_status()
    latencies: list[float] = []

    def worker(n: int) -> None:
        with httpx.Client(timeout=10) as client:
            for _ in range(n):
                t0 = time.perf_counter()
                client.get(url).raise_for_status()
                latencies.append((time.perf_counter() - t0) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in pool.map(worker, [requests // concurrency] * concurrency):
            pass
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="bench-")
    env = dict(os.environ, MARKETPLACE_ENV="development", MARKETPLACE_DATA_DIR=data_dir, WEB_CONCURRENCY="2")
    flask = [str(BIN / "flask"), "--app", "marketplace"]
    for cmd in (["db", "upgrade"], ["seed", "demo"]):
        subprocess.run(flask + cmd, cwd=ROOT, env=env, check=True, capture_output=True)
    app_port, hello_port = free_port(), free_port()
    app = start("marketplace:create_app()", app_port, env)
    hello = start("bench.hello_app:app", hello_port, env)
    try:
        results = {
            "hello (bare Flask JSON)": measure(f"http://127.0.0.1:{hello_port}/", args.requests, args.concurrency),
            "home page /": measure(f"http://127.0.0.1:{app_port}/", args.requests, args.concurrency),
            "GET /api/v1/organisations/": measure(f"http://127.0.0.1:{app_port}/api/v1/organisations/",
                                                  args.requests, args.concurrency),
        }
    finally:
        stop(app, hello)
        shutil.rmtree(data_dir, ignore_errors=True)
    base = results["hello (bare Flask JSON)"]
    print(f"gunicorn 2 sync workers, {args.requests} requests, concurrency {args.concurrency}")
    print(f"{'endpoint':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p50 vs hello':>13}")
    for name, r in results.items():
        print(f"{name:32} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['p50'] / base['p50']:12.1f}x")


if __name__ == "__main__":
    main()
