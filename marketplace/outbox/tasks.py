"""The outbox worker: claim due effects, run their handler, mark them done only after success.

* A claim is a conditional ``UPDATE`` (pending and due, or running past its lease) committed before the
  handler runs, so two workers never run the same item at once, and an item whose worker died (``kill -9``)
  is taken again once its lease ends.
* The handler and the ``done`` mark share one transaction: database writes of the handler count only if
  the item is marked done. Effects outside the database (a mail, an HTTP call) may therefore run again
  after a crash: handlers make them idempotent (a stored Message-ID, an upsert, an idempotency id).
* A failure schedules a retry with back-off (``retry_delays`` or the handler's own schedule); after
  ``max_attempts`` the item is ``dead`` and waits for an administrator.

Handlers are registered explicitly by each domain's ``connect()`` (called from ``create_app``).
The ``flask worker`` command polls for due items every ``OUTBOX_POLL_SECONDS``; in tests
(``OUTBOX_IMMEDIATE``) due items run as soon as the transaction that wrote them commits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, has_app_context
from sqlalchemy import and_, event, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from ..extensions import db
from ..timeutil import utcnow
from .models import EffectStatus, OutboxItem
from .services import NEW_ITEMS

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS = (10, 60, 300, 1800, 7200, 21600, 43200)


@dataclass(frozen=True)
class Handler:
    run: Callable[[dict, OutboxItem], None]
    #: seconds to wait before attempt 2, 3, …; the last value repeats
    retry_delays: Callable[[], tuple[int, ...]] | None = None
    #: exceptions that end the effect at once (``dead``), e.g. a partner answering 410 Gone
    permanent: tuple[type[BaseException], ...] = ()


HANDLERS: dict[str, Handler] = {}


def register(kind: str, run: Callable[[dict, OutboxItem], None], *, retry_delays=None, permanent=()) -> None:
    """Declare the handler of ``kind`` (idempotent: it may run again for the same item)."""
    HANDLERS[kind] = Handler(run, retry_delays, tuple(permanent))


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("OUTBOX_LEASE_SECONDS", 300))


def _earlier_in_lane():
    earlier = aliased(OutboxItem)
    return exists().where(earlier.lane == OutboxItem.lane, earlier.id < OutboxItem.id,
                          earlier.status.in_((EffectStatus.PENDING, EffectStatus.RUNNING)))


def _due(now):
    ready = or_(and_(OutboxItem.status == EffectStatus.PENDING, OutboxItem.available_at <= now),
                and_(OutboxItem.status == EffectStatus.RUNNING, OutboxItem.leased_until < now))
    return and_(ready, or_(OutboxItem.lane.is_(None), ~_earlier_in_lane()))


def due_ids(limit: int = 100, now=None) -> list[int]:
    now = now or utcnow()
    return list(db.session.scalars(select(OutboxItem.id).where(_due(now)).order_by(OutboxItem.id).limit(limit)))


def claim(item_id: int, now=None) -> bool:
    """Take the item for this worker until its lease ends; False when someone else has it or it is not due."""
    now = now or utcnow()
    result = db.session.execute(
        update(OutboxItem).where(OutboxItem.id == item_id, _due(now))
        .values(status=EffectStatus.RUNNING, leased_until=now + _lease(), attempts=OutboxItem.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _retry_delay(handler: Handler | None, attempts: int) -> int:
    delays = (handler.retry_delays() if handler and handler.retry_delays else None) or DEFAULT_RETRY_DELAYS
    return delays[min(attempts, len(delays)) - 1]


def run_item(item_id: int, now=None) -> str:
    """Run one item if it is due: ``"done"``, ``"retry"``, ``"dead"`` or ``"skipped"``."""
    if not claim(item_id, now):
        return "skipped"
    item = db.session.get(OutboxItem, item_id)
    handler = HANDLERS.get(item.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler registered for outbox kind {item.kind!r}")
        handler.run(dict(item.payload or {}), item)
        db.session.flush()
    except Exception as exc:  # noqa: BLE001 - any failure of an effect is recorded and retried
        db.session.rollback()
        item = db.session.get(OutboxItem, item_id)
        final = item.attempts >= item.max_attempts or (handler is not None and isinstance(exc, handler.permanent))
        item.status = EffectStatus.DEAD if final else EffectStatus.PENDING
        item.available_at = utcnow() + timedelta(seconds=_retry_delay(handler, item.attempts))
        item.leased_until = None
        item.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        log.warning("outbox item %s (%s) failed, attempt %s: %s", item_id, item.kind, item.attempts, exc)
        return "dead" if final else "retry"
    item.status = EffectStatus.DONE
    item.done_at = utcnow()
    item.leased_until = None
    item.last_error = None
    db.session.commit()
    return "done"


def run_due(limit: int = 100, now=None) -> int:
    """Run what is due now, oldest first, each item at most once per call (the next item of a lane becomes
    due when its head is done); the number of items that ran to completion."""
    done = 0
    tried: set[int] = set()
    while len(tried) < limit:
        batch = [i for i in due_ids(limit, now) if i not in tried][: limit - len(tried)]
        if not batch:
            break
        for item_id in batch:
            tried.add(item_id)
            done += run_item(item_id, now) == "done"
    return done


def retry_item(item_id: int) -> bool:
    """An administrator's "try again" on a dead or waiting item (flushes; the caller commits)."""
    item = db.session.get(OutboxItem, item_id)
    if item is None or item.status not in (EffectStatus.DEAD, EffectStatus.PENDING):
        return False
    item.status = EffectStatus.PENDING
    item.available_at = utcnow()
    item.max_attempts = max(item.max_attempts, item.attempts + 1)
    db.session.flush()
    return True


def poll_forever(app: Flask, stop: threading.Event) -> None:
    """The worker's outbox loop: run due items, then sleep ``OUTBOX_POLL_SECONDS`` (sooner when busy)."""
    interval = float(app.config.get("OUTBOX_POLL_SECONDS", 1.0))
    while not stop.is_set():
        ran = 0
        try:
            with app.app_context():
                ran = run_due()
        except Exception:  # noqa: BLE001 - the database may be restarting: keep polling
            log.exception("outbox poll failed")
        if not ran:
            stop.wait(interval)


def start_poller(app: Flask) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=poll_forever, args=(app, stop), name="outbox", daemon=True)
    thread.start()
    return thread, stop


_immediate = threading.local()


def _run_now(session: Session) -> None:
    """With ``OUTBOX_IMMEDIATE`` (tests), effects run right after the commit that wrote them, in a fresh
    application context (as the worker would), so a test sees mail and index updates at once."""
    if session.in_nested_transaction() or not session.info.pop(NEW_ITEMS, False):
        return
    if not has_app_context() or not current_app.config.get("OUTBOX_IMMEDIATE"):
        return
    if getattr(_immediate, "running", False):
        return  # an effect that adds effects: the loop below picks them up
    _immediate.running = True
    try:
        with current_app.app_context():
            while run_due():
                pass
    finally:
        _immediate.running = False


def connect() -> None:
    """Called by ``create_app``: with ``OUTBOX_IMMEDIATE`` (tests), run effects right after their commit."""
    if not event.contains(Session, "after_commit", _run_now):
        event.listen(Session, "after_commit", _run_now)


__all__ = ["HANDLERS", "Handler", "claim", "connect", "due_ids", "poll_forever", "register", "retry_item",
           "run_due", "run_item", "start_poller"]
