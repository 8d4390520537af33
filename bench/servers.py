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


#: how long a server may take to answer its first health probe, and each probe
READY_SECONDS = 180
PROBE_SECONDS = 10

#: access log lines written with ``access_log=``: worker pid, status, method, path
ACCESS_FORMAT = "%(p)s %(s)s %(m)s %(U)s"


def start(target: str, port: int, env: dict, log: Path | None = None, *,
          access_log: Path | None = None) -> subprocess.Popen:
    """Start gunicorn on ``target`` and wait until its cheap ``/healthz`` answers; stderr goes to ``log``.

    The wait is generous (``READY_SECONDS``, each probe may take ``PROBE_SECONDS``) so that a start on a slow,
    busy machine is not taken for a failure; a server that never answers is killed and waited for.

    Workers: ``WEB_CONCURRENCY`` in ``env`` (deploy/gunicorn.conf.py). With ``access_log``, every request is logged
    there as ``ACCESS_FORMAT`` (see :func:`served_by`), e.g. to check that several workers really served a burst.
    """
    log = log or Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
    access = ["--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT] if access_log \
        else ["--access-logfile", "/dev/null"]
    with open(log, "wb") as err:
        proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "--bind",
                                 f"127.0.0.1:{port}", *access, target],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=PROBE_SECONDS).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"{target} did not start:\n{log.read_text(errors='replace')[-2000:]}")


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def served_by(access_log: Path, path_prefix: str = "/") -> dict[str, int]:
    """Requests per worker pid in an ``access_log`` written by :func:`start`, for paths under ``path_prefix``."""
    counts: dict[str, int] = {}
    if access_log.exists():
        for line in access_log.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[3].startswith(path_prefix):
                counts[parts[0]] = counts.get(parts[0], 0) + 1
    return counts
