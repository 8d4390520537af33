"""A queue worker killed with SIGKILL in the middle of its effects loses none and repeats none.

Real processes: a writer commits N mail effects; ``flask worker`` starts sending them; it is killed with
``kill -9`` right after one message was written but before that effect was marked done; a second worker
finishes. Every effect must end ``done`` and every message must exist exactly once (the mail handler is
idempotent by its Message-ID). Runs on SQLite, and on a throwaway PostgreSQL database in the PostgreSQL pass.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from marketplace.config import normalise_database_url

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("MARKETPLACE_TEST_DATABASE_URL") or ""
IS_PG = PG_URL.startswith(("postgres://", "postgresql://", "postgresql+"))
N = 12
pytestmark = pytest.mark.slow  # real worker processes (keep the real clock)

# The worker's app: the real mail handler, followed by a pause during which the test kills the process.
CRASH_APP = textwrap.dedent('''
    import time
    from pathlib import Path

    from marketplace import create_app
    from marketplace.outbox import tasks as outbox

    app = create_app()
    _send = outbox.HANDLERS["mail.send"].run
    MARKS = Path(app.config["DATA_DIR"]) / "marks"
    MARKS.mkdir(exist_ok=True)

    def slow_send(payload, item):
        _send(payload, item)  # the message file exists from here on
        (MARKS / str(item.id)).write_text("sent")
        time.sleep(0.4)  # killed here: the effect happened, its "done" is not committed

    outbox.register("mail.send", slow_send)
''')

SEED = textwrap.dedent('''
    from marketplace import create_app
    from marketplace.extensions import db
    from marketplace.mail.services import queue_mail

    N = NUMBER
    app = create_app()
    with app.app_context():
        db.create_all()
        for i in range(N):
            queue_mail(f"nguoi{i}@example.vn", "reset_password", locale="vi", name=f"Người {i}",
                       url=f"http://x/reset/{i}")
        db.session.commit()
''').replace("NUMBER", str(N))


@pytest.fixture()
def database(tmp_path):
    if not IS_PG:
        yield f"sqlite:///{tmp_path}/crash.db"
        return
    import psycopg
    from psycopg import sql

    server = make_url(normalise_database_url(PG_URL))
    maintenance = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"marketplace_crash_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _statuses(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT status, count(*) FROM outbox_item GROUP BY status")).all()
    finally:
        engine.dispose()
    return {status: count for status, count in rows}


def test_a_killed_worker_loses_no_effect_and_repeats_none(tmp_path, database):
    data = tmp_path / "data"
    (tmp_path / "crashapp.py").write_text(CRASH_APP, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKETPLACE_")}
    env.update(MARKETPLACE_ENV="development", MARKETPLACE_DATA_DIR=str(data), MARKETPLACE_DATABASE_URL=database,
               MARKETPLACE_OUTBOX_LEASE_SECONDS="2", MARKETPLACE_OUTBOX_POLL_SECONDS="0.2",
               PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    subprocess.run([sys.executable, "-c", SEED], cwd=tmp_path, env=env, check=True, timeout=120)
    mail = data / "mail"
    marks = data / "marks"
    worker = [sys.executable, "-m", "flask", "--app", "crashapp", "worker", "--workers", "1"]

    first = subprocess.Popen(worker, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: marks.exists() and len(list(marks.iterdir())) >= 3, 120, "the first worker to send 3 mails")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    killed_at = len(list(mail.glob("*.eml")))
    statuses = _statuses(database)
    assert statuses.get("done", 0) < N, "the worker finished before it was killed: nothing was tested"
    assert statuses.get("running", 0) == 1, f"one effect was in flight when the worker died: {statuses}"

    second = subprocess.Popen(worker, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: _statuses(database).get("done", 0) == N, 180, "the second worker to finish every effect")
    finally:
        second.terminate()
        second.wait(timeout=30)

    files = sorted(mail.glob("*.eml"))
    parser = BytesParser(policy=policy.default)
    messages = [parser.parsebytes(path.read_bytes()) for path in files]
    recipients = sorted(m["To"] for m in messages)
    assert recipients == sorted(f"nguoi{i}@example.vn" for i in range(N)), "each message exactly once"
    assert len({m["Message-ID"] for m in messages}) == N
    assert killed_at >= 3 and not list(mail.glob("*.part"))
    assert _statuses(database) == {"done": N}
