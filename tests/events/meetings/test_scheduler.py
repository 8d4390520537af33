"""The B2B scheduler (a pure function): property tests over random sessions, requests and availability."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.events.meetings.scheduler import (
    MeetingRequest,
    Placement,
    SessionSpec,
    check_schedule,
    schedule,
)

BASE = datetime(2026, 12, 5, 1, 0)  # 08:00 in Hà Nội, naive UTC as in the database


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def assert_sound(sessions, requests, availability, fixed, result):
    """The guarantees, checked independently of the scheduler's own code."""
    by_id = {s.id: s for s in sessions}
    reqs = {r.id: r for r in requests}
    # every request is either placed or reported, never both
    assert set(result.assignments) | set(result.unplaced) == set(reqs)
    assert not set(result.assignments) & set(result.unplaced)
    # fixed (manual) assignments are kept exactly
    for rid, placement in fixed.items():
        assert result.assignments[rid] == Placement(*placement)
    tables_used = set()
    busy: dict = {}
    for rid, (session_id, start, table) in result.assignments.items():
        session, req = by_id[session_id], reqs[rid]
        end = start + timedelta(minutes=session.slot_minutes)
        if rid not in fixed:
            # a real slot of the session, ending within it
            assert session.starts_at <= start and end <= session.ends_at
            assert (start - session.starts_at) % timedelta(minutes=session.slot_minutes) == timedelta(0)
            # never more tables than the session has
            assert 1 <= table <= session.tables
            # both participants available (no availability = any time)
            for person in (req.a, req.b):
                assert not availability.get(person) or start in availability[person]
        # a table is never used twice in the same slot
        assert (session_id, start, table) not in tables_used
        tables_used.add((session_id, start, table))
        # a person is never in two meetings at once (overlapping sessions included)
        for person in (req.a, req.b):
            for other_start, other_end in busy.get(person, []):
                assert not (other_start < end and start < other_end), (person, rid)
            busy.setdefault(person, []).append((start, end))
    assert check_schedule(sessions, requests, availability, result.assignments, fixed=fixed) == []


@st.composite
def instances(draw, *, with_fixed: bool = True):
    sessions = []
    for sid in range(1, draw(st.integers(1, 3)) + 1):
        slot = draw(st.sampled_from([10, 15, 20, 30]))
        start = at(5 * draw(st.integers(0, 24)))  # sessions may overlap and cut different slots
        length = slot * draw(st.integers(0, 6)) + draw(st.integers(0, slot - 1))
        sessions.append(SessionSpec(sid, start, start + timedelta(minutes=length), slot, draw(st.integers(1, 3))))
    people = list(range(draw(st.integers(2, 9))))
    pairs = draw(st.lists(st.sampled_from(list(combinations(people, 2))), unique=True, max_size=24))
    requests = [MeetingRequest(100 + i, a, b) for i, (a, b) in enumerate(pairs)]
    all_slots = sorted({s for session in sessions for s in session.slots()})
    availability = {}
    for person in people:
        choice = draw(st.integers(0, 2))
        if choice == 1:
            availability[person] = set()
        elif choice == 2 and all_slots:
            availability[person] = set(draw(st.lists(st.sampled_from(all_slots), max_size=len(all_slots))))
    fixed: dict[int, Placement] = {}
    if with_fixed and requests:
        for req in draw(st.lists(st.sampled_from(requests), unique=True, max_size=4)):
            session = draw(st.sampled_from(sessions))
            if not session.slots():
                continue
            placement = Placement(session.id, draw(st.sampled_from(session.slots())),
                                  draw(st.integers(1, session.tables)))
            # a manual assignment the app would have accepted: no clash with the other fixed ones
            if not check_schedule(sessions, requests, {}, {**fixed, req.id: placement}):
                fixed[req.id] = placement
    return sessions, requests, availability, fixed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_never_double_books_and_honours_availability_and_manual_assignments(instance):
    sessions, requests, availability, fixed = instance
    result = schedule(sessions, requests, availability, fixed)
    assert_sound(sessions, requests, availability, fixed, result)


@st.composite
def roomy_instances(draw):
    """Enough slots and tables for anyone: slots ≥ 2·(most meetings of one person) − 1, a table per pair."""
    people = list(range(draw(st.integers(2, 10))))
    pairs = draw(st.lists(st.sampled_from(list(combinations(people, 2))), unique=True, min_size=1, max_size=30))
    degree = max(sum(1 for p in pairs if person in p) for person in people)
    slots = 2 * degree - 1 + draw(st.integers(0, 2))
    slot = draw(st.sampled_from([15, 20, 30]))
    session = SessionSpec(1, BASE, at(slot * slots), slot, len(people) // 2)
    return [session], [MeetingRequest(i, a, b) for i, (a, b) in enumerate(pairs)]


@settings(max_examples=200, deadline=None)
@given(roomy_instances())
def test_places_everything_when_there_is_room(instance):
    sessions, requests = instance
    result = schedule(sessions, requests)
    assert result.unplaced == []
    assert_sound(sessions, requests, {}, {}, result)


@st.composite
def hidden_schedule_instances(draw):
    """A schedule exists by construction (one table: every request has its own slot); availability is that
    slot plus random others, so the scheduler must find a perfect matching of requests to slots."""
    people = list(range(draw(st.integers(2, 8))))
    pairs = draw(st.lists(st.sampled_from(list(combinations(people, 2))), unique=True, min_size=1, max_size=10))
    n_slots = len(pairs) + draw(st.integers(0, 2))
    session = SessionSpec(1, BASE, at(20 * n_slots), 20, 1)
    slots = session.slots()
    hidden = draw(st.permutations(slots))[:len(pairs)]
    availability: dict[int, set] = {}
    for (a, b), slot in zip(pairs, hidden, strict=True):
        availability.setdefault(a, set()).add(slot)
        availability.setdefault(b, set()).add(slot)
    for person in list(availability):
        availability[person] |= set(draw(st.lists(st.sampled_from(slots), max_size=3)))
    return [session], [MeetingRequest(i, a, b) for i, (a, b) in enumerate(pairs)], availability


@settings(max_examples=200, deadline=None)
@given(hidden_schedule_instances())
def test_finds_a_schedule_that_exists(instance):
    sessions, requests, availability = instance
    result = schedule(sessions, requests, availability)
    assert result.unplaced == []
    assert_sound(sessions, requests, availability, {}, result)


def test_round_robin_fills_every_table_of_every_slot():
    """Six companies meet each other once: 15 meetings in 5 slots at 3 tables leaves no room for a mistake."""
    session = SessionSpec(1, BASE, at(5 * 20), 20, 3)
    requests = [MeetingRequest(i, a, b) for i, (a, b) in enumerate(combinations("ABCDEF", 2))]
    result = schedule([session], requests)
    assert result.unplaced == []
    assert len(set(result.assignments.values())) == 15
    assert_sound([session], requests, {}, {}, result)


def test_slots_end_within_the_session():
    session = SessionSpec(1, BASE, at(50), 20, 2)  # 08:00–08:50: the 08:40 slot would run over
    assert session.slots() == [at(0), at(20)]
    assert SessionSpec(2, BASE, at(10), 20, 2).slots() == []


def test_meets_when_both_are_free():
    session = SessionSpec(1, BASE, at(60), 20, 5)
    result = schedule([session], [MeetingRequest(1, "an", "binh")], {"an": {at(20), at(40)}, "binh": {at(40)}})
    assert result.assignments == {1: Placement(1, at(40), 1)}


def test_no_common_time_is_reported_not_forced():
    session = SessionSpec(1, BASE, at(60), 20, 5)
    result = schedule([session], [MeetingRequest(1, "an", "binh")], {"an": {at(0)}, "binh": {at(40)}})
    assert result.assignments == {}
    assert result.unplaced == [1]


def test_manual_assignment_is_kept_and_others_work_around_it():
    session = SessionSpec(1, BASE, at(40), 20, 1)
    requests = [MeetingRequest(1, "an", "binh"), MeetingRequest(2, "an", "chi"), MeetingRequest(3, "dung", "em")]
    fixed = {1: Placement(1, at(0), 1)}
    result = schedule([session], requests, {}, fixed)
    assert result.assignments[1] == fixed[1]
    # an is busy at 08:00 and the only table is taken: request 2 goes to 08:20, request 3 has no room left
    assert result.assignments[2] == Placement(1, at(20), 1)
    assert result.unplaced == [3]


def test_a_manual_assignment_is_never_moved_to_make_room():
    session = SessionSpec(1, BASE, at(40), 20, 1)
    requests = [MeetingRequest(1, "an", "binh"), MeetingRequest(2, "an", "chi")]
    result = schedule([session], requests, {"chi": {at(0)}}, {1: (1, at(0), 1)})
    assert result.assignments == {1: Placement(1, at(0), 1)}
    assert result.unplaced == [2]


def test_an_earlier_meeting_is_moved_to_make_room():
    session = SessionSpec(1, BASE, at(40), 20, 1)
    # request 1 could go at 08:00 or 08:20; request 2 only at 08:00: both fit only if 1 takes 08:20
    requests = [MeetingRequest(1, "an", "binh"), MeetingRequest(2, "chi", "dung")]
    result = schedule([session], requests, {"chi": {at(0)}})
    assert result.assignments == {1: Placement(1, at(20), 1), 2: Placement(1, at(0), 1)}


def test_overlapping_sessions_never_put_a_person_in_two_places():
    morning = SessionSpec(1, BASE, at(60), 30, 5)          # 08:00, 08:30
    hall_b = SessionSpec(2, at(15), at(75), 30, 5)         # 08:15, 08:45
    requests = [MeetingRequest(1, "an", "binh"), MeetingRequest(2, "an", "chi")]
    availability = {"binh": {at(0)}, "chi": {at(15)}}     # 08:00–08:30 and 08:15–08:45 overlap
    result = schedule([morning, hall_b], requests, availability)
    assert len(result.assignments) == 1 and len(result.unplaced) == 1
    assert_sound([morning, hall_b], requests, availability, {}, result)


def test_same_input_same_schedule():
    sessions = [SessionSpec(1, BASE, at(120), 20, 2), SessionSpec(2, at(60), at(180), 30, 1)]
    requests = [MeetingRequest(i, a, b) for i, (a, b) in enumerate(combinations(range(7), 2))]
    assert schedule(sessions, requests, budget=20_000) == schedule(sessions, requests, budget=20_000)


def test_unknown_fixed_request_is_an_error():
    with pytest.raises(ValueError):
        schedule([SessionSpec(1, BASE, at(60), 20, 1)], [], {}, {7: (1, BASE, 1)})


def test_a_fair_sized_run_stays_sound():
    sessions = [SessionSpec(i, at(180 * i), at(180 * i + 180), 20, 15) for i in range(3)]
    requests = [MeetingRequest(i, a, b) for i, (a, b) in enumerate(
        (a, b) for a, b in combinations(range(120), 2) if (a * 7 + b * 13) % 23 == 0)]
    slots = [s for session in sessions for s in session.slots()]
    availability = {p: set(slots[p % 5::2]) for p in range(0, 120, 3)}
    result = schedule(sessions, requests, availability)
    assert len(result.assignments) > 0.9 * len(requests)
    assert_sound(sessions, requests, availability, {}, result)
