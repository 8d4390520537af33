"""The job queue: one huey instance, app-context aware tasks, and effects deferred until commit.

SqliteHuey in ``MARKETPLACE_DATA_DIR`` by default, RedisHuey when ``MARKETPLACE_REDIS_URL`` is set, and
immediate (synchronous, in-memory) in tests. Domains keep their tasks in ``<domain>/tasks.py`` and
decorate them with :func:`task`.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session

from .config import ROOT, env

_bound_app: Flask | None = None


def _make_huey():
    redis_url = env("REDIS_URL")
    if redis_url:
        return RedisHuey("marketplace", url=redis_url)
    data_dir = Path(env("DATA_DIR") or ROOT / "instance")
    data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("marketplace", filename=str(data_dir / "queue.db"))


huey = _make_huey()


def init_app(app: Flask) -> None:
    """Bind the app whose context tasks run in; in tests, run tasks immediately."""
    global _bound_app
    _bound_app = app
    if app.config.get("HUEY_IMMEDIATE"):
        huey.immediate = True


def task(**options):
    """A huey task that runs inside a fresh application context (its own database session)."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            app = current_app._get_current_object() if has_app_context() else _bound_app
            if app is None:
                raise RuntimeError("no Flask app bound to the task queue; call tasks.init_app(app)")
            with app.app_context():
                return fn(*args, **kwargs)

        return huey.task(**options)(run)

    return decorate


def periodic_task(validate_datetime, **options):
    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with _bound_app.app_context():
                return fn(*args, **kwargs)

        return huey.periodic_task(validate_datetime, **options)(run)

    return decorate


_PENDING = "marketplace_after_commit"
_PENDING_KEYS = "marketplace_after_commit_keys"


def after_commit(session: Session, fn, *args, dedupe_key=None, **kwargs) -> None:
    """Run ``fn(*args, **kwargs)`` (usually ``some_task``) once ``session`` commits; drop it on rollback.

    With ``dedupe_key``, an effect already queued in this transaction under the same key is not queued again
    (e.g. re-indexing a listing changed three times before the commit).
    """
    # Begin the transaction now: a rollback of a session that never began one fires no event, and the
    # effect would then run on the next, unrelated commit.
    session.connection()
    if dedupe_key is not None:
        keys = session.info.setdefault(_PENDING_KEYS, set())
        if dedupe_key in keys:
            return
        keys.add(dedupe_key)
    session.info.setdefault(_PENDING, []).append((fn, args, kwargs))


@event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    # Releasing a SAVEPOINT (begin_nested) fires after_commit too, while the real transaction is still open:
    # effects must wait for the outermost commit, or jobs would read rows that are not committed yet.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, [])
    session.info.pop(_PENDING_KEYS, None)
    for fn, args, kwargs in pending:
        fn(*args, **kwargs)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_PENDING_KEYS, None)


def worker_pid_file() -> str:
    return os.path.join(env("DATA_DIR") or str(ROOT / "instance"), "worker.pid")
