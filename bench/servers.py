"""Start and stop gunicorn servers for the benchmarks: as in production (deploy/gunicorn.conf.py), on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(target: str, port: int, env: dict, log: Path | None = None) -> subprocess.Popen:
    """Start gunicorn on ``target`` and wait until it answers; stderr goes to ``log``."""
    log = log or Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
    with open(log, "wb") as err:
        proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "--bind",
                                 f"127.0.0.1:{port}", "--access-logfile", "/dev/null", target],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{target} did not start:\n{log.read_text(errors='replace')[-2000:]}")


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
