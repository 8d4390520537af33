"""Registration under real concurrency: gunicorn with 4 sync worker processes on the test session's database.

The server runs as in production (deploy/gunicorn.conf.py through bench/servers.py) with ``MARKETPLACE_ENV=testing``
(the queue runs jobs in the request, mail goes to files in ``DATA_DIR/mail``) on the SAME database as the ``app``
fixture: SQLite in the session's data dir, or PostgreSQL with ``MARKETPLACE_TEST_DATABASE_URL``. Users, tokens and
the event are committed here; threads released together by a barrier then call ``POST /api/v1/events/{id}/
registrations``, so the requests overlap across the worker processes (the access log shows which pid served each).

The last test is an organiser raising the capacity during a burst. It caught a deadlock on PostgreSQL (capacity row
locked before the event row in ``update_event``, the other way round in registrations); every seat change now
takes the event row lock first.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bench.servers import BIN, free_port, served_by, start, stop
from marketplace.accounts.services import create_api_token, create_user
from marketplace.events.models import Event, EventCapacity
from marketplace.events.registration.models import Registration
from marketplace.events.registration.services import waitlist_position
from marketplace.timeutil import utcnow

pytestmark = pytest.mark.slow

WORKERS = 4
SEATS = 50
ROUNDS = 4  # people in the double-submit test, one burst each


class Server:
    def __init__(self, url: str, access_log: Path):
        self.url = url
        self.access_log = access_log

    def workers_serving(self, path_prefix: str = "/") -> dict[str, int]:
        return served_by(self.access_log, path_prefix)


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    if not (BIN / "gunicorn").exists():
        pytest.skip(f"gunicorn is not installed in {BIN}: cannot start a multi-process server")
    logs = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = dict(os.environ, MARKETPLACE_ENV="testing", WEB_CONCURRENCY=str(WORKERS),
               MARKETPLACE_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               MARKETPLACE_DATA_DIR=app.config["DATA_DIR"], MARKETPLACE_SECRET_KEY="concurrency-test-not-secret",
               MARKETPLACE_SEARCH_BACKEND=app.config["SEARCH_BACKEND"], MARKETPLACE_BASE_URL=app.config["BASE_URL"])
    try:
        proc = start("marketplace:create_app()", port, env, logs / "error.log", access_log=logs / "access.log")
    except SystemExit as exc:  # bench/servers.py exits with gunicorn's log when the server does not answer
        pytest.fail(f"gunicorn did not start: {exc}")
    srv = Server(f"http://127.0.0.1:{port}", logs / "access.log")
    _wait_for_all_workers(srv)
    yield srv
    stop(proc)


def _wait_for_all_workers(srv: Server) -> None:
    """gunicorn answers as soon as ONE worker has loaded the app; send small overlapping bursts until every
    worker has served a request, so the registration burst really spreads over the processes."""
    def get() -> None:
        try:
            httpx.get(f"{srv.url}/", timeout=30)
        except httpx.HTTPError:
            pass  # only who answered matters here

    for _ in range(40):
        if len(srv.workers_serving()) >= WORKERS:
            return
        threads = [threading.Thread(target=get) for _ in range(2 * WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _people_with_tokens(db, n: int, prefix: str) -> list[tuple[int, str]]:
    """n verified members (no password: nothing to hash) with an API token each → [(user id, secret)].

    The tokens count as just used: authentication then writes nothing (it notes ``last_used_at`` at most every
    5 minutes), so that write's row lock, the first in the request, cannot serialise the burst in place of the
    registration's own locking.
    """
    out = []
    for i in range(1, n + 1):
        user = create_user(email=f"{prefix}{i}@example.vn", password=None, full_name=f"Người tham dự {i}",
                           verified=True)
        token, secret = create_api_token(user, "concurrency test", scopes=("read", "write"))
        token.last_used_at = utcnow()
        out.append((user.id, secret))
    db.session.commit()
    return out


def _burst(url: str, secrets: list[str], also=()) -> list[httpx.Response | Exception]:
    """POST the visitor registration once per secret, all threads released at the same moment (with the
    ``also`` callables, each in its own thread)."""
    barrier = threading.Barrier(len(secrets) + len(also), timeout=60)
    answers: list[httpx.Response | Exception | None] = [None] * len(secrets)
    # one client, one connection per thread (sync workers close each connection after the answer)
    limits = httpx.Limits(max_connections=len(secrets), max_keepalive_connections=0)

    def call(client: httpx.Client, i: int, secret: str) -> None:
        barrier.wait()
        try:
            answers[i] = client.post(url, json={"participant_type": "visitor"},
                                     headers={"Authorization": f"Bearer {secret}"})
        except httpx.HTTPError as exc:  # reported by the assertions, not lost in a thread
            answers[i] = exc

    def other(fn) -> None:
        barrier.wait()
        fn()

    with httpx.Client(timeout=60, limits=limits) as client:
        threads = [threading.Thread(target=call, args=(client, i, s)) for i, s in enumerate(secrets)]
        threads += [threading.Thread(target=other, args=(fn,)) for fn in also]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return answers


def _problems(answers) -> list[str]:
    return [repr(a) if isinstance(a, Exception) else f"{a.status_code} {a.text[:300]}"
            for a in answers if isinstance(a, Exception) or a.status_code not in (200, 201)]


def test_200_people_for_50_seats_get_50_seats_and_a_gapless_waitlist_in_arrival_order(db, server, make_event,
                                                                                      mailbox):
    event = make_event(capacity={"visitor": SEATS})
    people = _people_with_tokens(db, 200, "dongnguoi")
    event_id = event.id
    db.session.remove()  # the burst sees only committed rows; nothing is held open here

    answers = _burst(f"{server.url}/api/v1/events/{event_id}/registrations", [secret for _uid, secret in people])

    assert _problems(answers) == []
    assert {a.status_code for a in answers} == {201}
    # several processes really served the burst (4 workers were all serving before it)
    served = server.workers_serving(f"/api/v1/events/{event_id}/registrations")
    assert len(served) >= 2, served

    regs = db.session.scalars(select(Registration).where(Registration.event_id == event_id)
                              .order_by(Registration.arrival_no)).all()
    assert len(regs) == 200
    assert sorted(r.user_id for r in regs) == sorted(uid for uid, _secret in people)
    assert [r.arrival_no for r in regs] == list(range(1, 201))
    confirmed = [r for r in regs if r.status == "confirmed"]
    waitlisted = [r for r in regs if r.status == "waitlisted"]
    assert len(confirmed) == SEATS and len(waitlisted) == 150
    assert [r.arrival_no for r in confirmed] == list(range(1, SEATS + 1))
    assert [waitlist_position(r) for r in waitlisted] == list(range(1, 151))  # waitlisted is in arrival order
    assert len({r.ticket_token for r in confirmed}) == SEATS and all(r.ticket_token for r in confirmed)
    capacity = db.session.scalar(select(EventCapacity).where(EventCapacity.event_id == event_id,
                                                             EventCapacity.participant_type == "visitor"))
    assert (capacity.taken, capacity.capacity) == (SEATS, SEATS)
    assert db.session.get(Event, event_id).arrivals == 200

    # what each person was told matches the database, and the positions told are 1..150 in arrival order
    by_id = {r.id: r for r in regs}
    told = [a.json() for a in answers]
    assert len({t["id"] for t in told}) == 200
    for t in told:
        reg = by_id[t["id"]]
        assert t["status"] == reg.status
        if reg.status == "confirmed":
            assert t["ticket_token"] == reg.ticket_token and t["waitlist_position"] is None
        else:
            assert t["ticket_token"] is None and t["waitlist_position"] == reg.arrival_no - SEATS
    told_waiting = sorted((by_id[t["id"]].arrival_no, t["waitlist_position"]) for t in told
                          if t["status"] == "waitlisted")
    assert [position for _arrival, position in told_waiting] == list(range(1, 151))

    # one mail per person: a ticket for the first 50, a waitlist notice for the others
    mails = mailbox.messages()
    assert len(mails) == 200 and len({m["To"] for m in mails}) == 200


def test_one_person_submitting_50_times_at_once_gets_one_registration(db, server, make_event, mailbox):
    """Only the first requests, one per worker, can race (after the first commit everyone sees the
    registration), so the burst is repeated for a few people to give a missing lock several chances to show."""
    event = make_event(capacity={"visitor": SEATS})
    people = _people_with_tokens(db, ROUNDS, "nhapdup")
    event_id = event.id
    db.session.remove()

    for user_id, secret in people:
        answers = _burst(f"{server.url}/api/v1/events/{event_id}/registrations", [secret] * 50)

        assert _problems(answers) == []
        assert sorted(a.status_code for a in answers) == [200] * 49 + [201]
        regs = db.session.scalars(select(Registration).where(Registration.event_id == event_id,
                                                             Registration.user_id == user_id)).all()
        assert [r.status for r in regs] == ["confirmed"]
        assert {a.json()["id"] for a in answers} == {regs[0].id}
        assert {a.json()["ticket_token"] for a in answers} == {regs[0].ticket_token}
        db.session.remove()

    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.event_id == event_id)) == ROUNDS
    taken = db.session.scalar(select(EventCapacity.taken).where(EventCapacity.event_id == event_id,
                                                                EventCapacity.participant_type == "visitor"))
    assert taken == ROUNDS
    mails = mailbox.messages()  # one confirmation each, not one per click
    assert sorted(m["To"] for m in mails) == sorted(f"nhapdup{i}@example.vn" for i in range(1, ROUNDS + 1))


def test_organiser_raising_capacity_during_a_burst_neither_fails_nor_oversells(db, server, make_event, organiser):
    """30 capacity raises released with 150 registrations: no request fails, and the seats taken are the people
    holding one (confirmed or offered from the waitlist), never more than the capacity."""
    event = make_event(capacity={"visitor": SEATS})
    people = _people_with_tokens(db, 150, "dongnguoi")
    token, organiser_secret = create_api_token(organiser, "organiser", scopes=("read", "write"))
    token.last_used_at = utcnow()
    db.session.commit()
    event_id = event.id
    db.session.remove()
    url = f"{server.url}/api/v1/events/{event_id}"
    edits: list[httpx.Response | Exception] = []

    def raise_capacity(step: int) -> None:
        try:
            edits.append(httpx.patch(url, json={"capacity": {"visitor": SEATS + 5 * step}}, timeout=60,
                                     headers={"Authorization": f"Bearer {organiser_secret}"}))
        except httpx.HTTPError as exc:
            edits.append(exc)

    answers = _burst(f"{url}/registrations", [secret for _uid, secret in people],
                     also=[functools.partial(raise_capacity, step) for step in range(1, 31)])

    assert _problems(answers) == []
    # raising is always allowed; a raise that a later one overtook may be refused (422) if it would now be a cut
    assert [e for e in edits if isinstance(e, Exception) or e.status_code not in (200, 422)] == []
    capacity = db.session.scalar(select(EventCapacity).where(EventCapacity.event_id == event_id,
                                                             EventCapacity.participant_type == "visitor"))
    holding = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status.in_(("confirmed", "offered"))))
    assert capacity.taken == holding <= capacity.capacity
