"""The outbox: an effect exists exactly when its change commits, runs after it, is retried, and is never
run by two workers at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.outbox import tasks as outbox
from marketplace.outbox.models import EffectStatus, OutboxItem
from marketplace.outbox.services import add_effect
from marketplace.timeutil import utcnow


class Flaky(Exception):
    pass


class Gone(Exception):
    pass


@pytest.fixture()
def calls(app):
    seen: list[dict] = []
    state = {"failures": 0}

    def record(payload, item):
        if state["failures"]:
            state["failures"] -= 1
            raise Flaky("partner down")
        if payload.get("gone"):
            raise Gone("410")
        seen.append(payload)

    outbox.register("test.record", record, retry_delays=lambda: (5, 30), permanent=(Gone,))
    yield seen, state
    outbox.HANDLERS.pop("test.record", None)


@pytest.fixture()
def deferred(app, monkeypatch):
    """Effects wait for a worker (as in production) instead of running at the commit."""
    monkeypatch.setitem(app.config, "OUTBOX_IMMEDIATE", False)


def test_an_effect_runs_after_the_commit_and_never_after_a_rollback(db, calls):
    seen, _state = calls
    add_effect("test.record", {"n": 1})
    db.session.rollback()
    assert db.session.query(OutboxItem).count() == 0
    add_effect("test.record", {"n": 2})
    assert seen == []  # not before the commit
    db.session.commit()
    assert seen == [{"n": 2}]
    assert db.session.query(OutboxItem).one().status == EffectStatus.DONE


def test_a_savepoint_rollback_keeps_the_effects_of_the_transaction(db, calls):
    seen, _state = calls
    add_effect("test.record", {"n": 1})
    savepoint = db.session.begin_nested()
    add_effect("test.record", {"n": 2})
    savepoint.rollback()
    db.session.commit()
    assert seen == [{"n": 1}]


def test_the_same_key_in_one_transaction_makes_one_effect(db, calls):
    seen, _state = calls
    assert add_effect("test.record", {"n": 1}, key=7) is not None
    assert add_effect("test.record", {"n": 1}, key=7) is None
    add_effect("test.record", {"n": 2}, key=8)
    db.session.commit()
    add_effect("test.record", {"n": 1}, key=7)  # a new transaction: a new effect
    db.session.commit()
    assert seen == [{"n": 1}, {"n": 2}, {"n": 1}]


def test_a_failure_is_retried_on_the_handlers_schedule_then_succeeds(db, calls, deferred):
    seen, state = calls
    state["failures"] = 2
    item = add_effect("test.record", {"n": 1})
    db.session.commit()
    now = utcnow()
    assert outbox.run_item(item.id, now) == "retry"
    db.session.refresh(item)
    assert item.status == EffectStatus.PENDING and item.attempts == 1 and "partner down" in item.last_error
    assert item.available_at >= now + timedelta(seconds=4)
    assert outbox.run_due(now=now) == 0  # not due before its delay
    assert outbox.run_item(item.id, item.available_at) == "retry"
    db.session.refresh(item)
    assert item.available_at >= utcnow() + timedelta(seconds=25)  # second delay of the schedule
    assert outbox.run_due(now=item.available_at) == 1
    db.session.refresh(item)
    assert item.status == EffectStatus.DONE and item.attempts == 3 and seen == [{"n": 1}]


def test_after_max_attempts_or_a_permanent_error_the_effect_is_dead_until_retried(db, calls, deferred):
    seen, state = calls
    state["failures"] = 2
    tired = add_effect("test.record", {"n": 1}, max_attempts=2)
    gone = add_effect("test.record", {"gone": True})
    db.session.commit()
    later = utcnow() + timedelta(days=1)
    assert outbox.run_item(tired.id) == "retry"
    assert outbox.run_item(tired.id, later) == "dead"
    assert outbox.run_item(gone.id) == "dead"
    assert outbox.run_due(now=later + timedelta(days=1)) == 0  # the dead stay dead
    assert outbox.retry_item(tired.id)
    db.session.commit()
    assert outbox.run_due() == 1 and seen == [{"n": 1}]


def test_two_workers_never_claim_the_same_effect_and_a_dead_workers_lease_expires(app, db, calls, deferred):
    item = add_effect("test.record", {"n": 1})
    db.session.commit()
    now = utcnow()
    assert outbox.claim(item.id, now)
    assert not outbox.claim(item.id, now)  # another worker, during the lease
    lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"])
    assert not outbox.claim(item.id, now + lease - timedelta(seconds=1))
    assert outbox.claim(item.id, now + lease + timedelta(seconds=1))  # the first worker died: taken again
    db.session.refresh(item)
    assert item.attempts == 2 and item.status == EffectStatus.RUNNING


def test_a_lane_runs_in_order_and_waits_for_its_failing_head(db, calls, deferred):
    seen, state = calls
    state["failures"] = 1
    first = add_effect("test.record", {"n": 1}, lane="partner:a")
    second = add_effect("test.record", {"n": 2}, lane="partner:a")
    other = add_effect("test.record", {"n": 3}, lane="partner:b")
    db.session.commit()
    now = utcnow()
    assert outbox.due_ids(now=now) == [first.id, other.id]
    assert outbox.run_due(now=now) == 1  # the head failed; partner b went on
    assert seen == [{"n": 3}]
    assert outbox.run_item(second.id, now) == "skipped"  # not before the head
    assert outbox.run_due(now=now + timedelta(minutes=1)) == 2
    assert seen == [{"n": 3}, {"n": 1}, {"n": 2}]


def test_an_unknown_kind_fails_visibly(db, deferred):
    item = add_effect("test.nobody", {})
    db.session.commit()
    assert outbox.run_item(item.id) == "retry"
    db.session.refresh(item)
    assert "no handler" in item.last_error
