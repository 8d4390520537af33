"""B2B meeting scheduler: a pure function, no Flask and no database.

Accepted meeting requests are placed at (session, slot start, table) so that

- a participant is never in two meetings whose times overlap (sessions may overlap and cut different slots),
- a table of a session is never used twice in the same slot, and never beyond the session's ``tables``,
- a meeting only goes to a slot in which both participants are available (no availability = any time),
- assignments fixed beforehand (an organiser's manual ones) are kept exactly as they are.

How: requests with the fewest possible slots go first, each to the free slot that other waiting requests of the
same people need least. A request left over then tries an augmenting path (as in bipartite matching): take a
slot, move the one or two meetings that stand in the way (a person's other meeting, or a table's occupant) to
other slots, recursively, never moving the same meeting twice on one path, undoing everything if that fails.
If requests are still left over, a few more attempts run in shuffled (seeded) orders and the best is kept.
The whole search is bounded by a step budget, so a run always ends quickly (about a second for 1,000
requests); what cannot be placed is reported, never forced.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

MAX_DEPTH = 60  # recursion depth of one augmenting path
MAX_EVICTIONS = 2  # meetings moved aside to free one slot


@dataclass(frozen=True)
class SessionSpec:
    id: int
    starts_at: datetime
    ends_at: datetime
    slot_minutes: int
    tables: int

    def slots(self) -> list[datetime]:
        """Slot starts: every ``slot_minutes`` from the start, each slot ending by ``ends_at``."""
        step = timedelta(minutes=self.slot_minutes)
        out, start = [], self.starts_at
        if self.slot_minutes <= 0:
            return out
        while start + step <= self.ends_at:
            out.append(start)
            start += step
        return out


@dataclass(frozen=True)
class MeetingRequest:
    id: int
    a: Hashable  # participant ids (registration ids in the app)
    b: Hashable


class Placement(NamedTuple):
    session_id: int
    slot_start: datetime
    table_no: int


@dataclass
class ScheduleResult:
    assignments: dict[int, Placement] = field(default_factory=dict)  # every placed request, fixed ones included
    unplaced: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Cell:
    """One slot of one session."""

    session_id: int
    start: datetime
    end: datetime
    tables: int


class _Board:
    """The schedule being built, with an undo journal."""

    def __init__(self, requests: dict[int, MeetingRequest]):
        self.requests = requests
        self.where: dict[int, tuple[_Cell, int]] = {}
        self.busy: dict[Hashable, dict[int, _Cell]] = defaultdict(dict)  # person → {request: cell}
        self.tables: dict[tuple[int, datetime], dict[int, int]] = defaultdict(dict)  # (session, start) → {table: req}
        self.fixed: set[int] = set()
        self.journal: list[tuple[str, int, _Cell | None, int]] = []

    # --- primitive moves (journaled) ---
    def put(self, rid: int, cell: _Cell, table: int) -> None:
        req = self.requests[rid]
        self.where[rid] = (cell, table)
        self.busy[req.a][rid] = cell
        self.busy[req.b][rid] = cell
        self.tables[(cell.session_id, cell.start)][table] = rid
        self.journal.append(("put", rid, cell, table))

    def take(self, rid: int) -> None:
        cell, table = self.where.pop(rid)
        req = self.requests[rid]
        del self.busy[req.a][rid]
        del self.busy[req.b][rid]
        del self.tables[(cell.session_id, cell.start)][table]
        self.journal.append(("take", rid, cell, table))

    def mark(self) -> int:
        return len(self.journal)

    def undo(self, mark: int) -> None:
        while len(self.journal) > mark:
            op, rid, cell, table = self.journal.pop()
            if op == "put":
                self.take(rid)
            else:
                self.put(rid, cell, table)
            self.journal.pop()  # the inverse move itself is not history

    # --- questions ---
    def clashes(self, rid: int, cell: _Cell) -> set[int]:
        """Requests already placed that share a participant with ``rid`` at an overlapping time."""
        req = self.requests[rid]
        out = set()
        for person in (req.a, req.b):
            for other, placed in self.busy[person].items():
                if other != rid and placed.start < cell.end and cell.start < placed.end:
                    out.add(other)
        return out

    def free_table(self, cell: _Cell, ignoring: Iterable[int] = ()) -> int | None:
        ignoring = set(ignoring)
        used = {t for t, r in self.tables[(cell.session_id, cell.start)].items() if r not in ignoring}
        return next((t for t in range(1, cell.tables + 1) if t not in used), None)

    def occupants(self, cell: _Cell) -> list[int]:
        return sorted(self.tables[(cell.session_id, cell.start)].values())


def _available(availability: Mapping[Hashable, Iterable[datetime]], person: Hashable, start: datetime) -> bool:
    slots = availability.get(person)
    return not slots or start in slots


class _Search:
    """One scheduling problem: the fixed board, each request's possible slots, and the shared work budget."""

    def __init__(self, sessions: dict[int, SessionSpec], reqs: dict[int, MeetingRequest],
                 availability: dict[Hashable, set[datetime]], fixed: Mapping[int, Placement | tuple], budget: int):
        self.reqs, self.fixed, self.steps = reqs, {}, budget
        for rid, placement in fixed.items():
            placement = Placement(*placement)
            if rid not in reqs or placement.session_id not in sessions:
                raise ValueError(f"fixed placement of unknown request or session: {rid}")
            s = sessions[placement.session_id]
            self.fixed[rid] = (_Cell(s.id, placement.slot_start,
                                     placement.slot_start + timedelta(minutes=s.slot_minutes), s.tables),
                               placement.table_no)
        cells = sorted((_Cell(s.id, start, start + timedelta(minutes=s.slot_minutes), s.tables)
                        for s in sessions.values() if s.tables > 0 for start in s.slots()),
                       key=lambda c: (c.start, c.session_id))
        self.options: dict[int, list[_Cell]] = {
            rid: [c for c in cells if _available(availability, r.a, c.start) and _available(availability, r.b, c.start)]
            for rid, r in reqs.items() if rid not in self.fixed and r.a != r.b}
        self.option_starts = {rid: {c.start for c in cs} for rid, cs in self.options.items()}
        self.by_person: dict[Hashable, list[int]] = defaultdict(list)
        for rid in self.options:
            self.by_person[reqs[rid].a].append(rid)
            self.by_person[reqs[rid].b].append(rid)

    def most_constrained_first(self) -> list[int]:
        def key(rid):
            req = self.reqs[rid]
            return len(self.options[rid]), -(len(self.by_person[req.a]) + len(self.by_person[req.b])), rid

        return sorted(self.options, key=key)

    def attempt(self, order: list[int]) -> _Board:
        board = _Board(self.reqs)
        for rid, (cell, table) in self.fixed.items():
            board.put(rid, cell, table)
        board.fixed = set(self.fixed)
        board.journal.clear()
        waiting = set(order)
        for rid in order:  # 1. greedy: the free slot the same people's other waiting requests need least
            waiting.discard(rid)
            best = None
            for cell in self.options[rid]:
                table = None if board.clashes(rid, cell) else board.free_table(cell)
                if table is not None:
                    req = self.reqs[rid]
                    demand = sum(1 for person in (req.a, req.b) for other in self.by_person[person]
                                 if other in waiting and cell.start in self.option_starts[other])
                    if best is None or (demand, cell.start, cell.session_id) < best[0]:
                        best = ((demand, cell.start, cell.session_id), cell, table)
            if best is not None:
                board.put(rid, best[1], best[2])
        for _round in range(3):  # 2. augmenting paths for what is left
            progress = False
            for rid in [rid for rid in order if rid not in board.where]:
                mark = board.mark()
                if self.augment(board, rid, set(), 0):
                    progress = True
                else:
                    board.undo(mark)
            if not progress or self.steps < 0:
                break
        return board

    def augment(self, board: _Board, rid: int, moved: set, depth: int) -> bool:
        """Place ``rid``, moving aside meetings not yet moved on this path (``moved``) and re-placing them."""
        moved.add(rid)
        for cell in self.options[rid]:
            self.steps -= 1
            if self.steps < 0:
                return False
            table = None if board.clashes(rid, cell) else board.free_table(cell)
            if table is not None:
                board.put(rid, cell, table)
                return True
        if depth >= MAX_DEPTH:
            return False
        for cell in self.options[rid]:
            clash = board.clashes(rid, cell)
            if clash & board.fixed or clash & moved or len(clash) > MAX_EVICTIONS:
                continue
            if board.free_table(cell, ignoring=clash) is not None:
                choices = [clash]
            elif len(clash) < MAX_EVICTIONS:  # a table must be freed too: try each movable occupant
                choices = [clash | {o} for o in board.occupants(cell)
                           if o not in board.fixed and o not in moved and o not in clash]
            else:
                choices = []
            for evict in choices:
                self.steps -= 1
                if self.steps < 0:
                    return False
                mark = board.mark()
                for other in sorted(evict):
                    board.take(other)
                board.put(rid, cell, board.free_table(cell))
                moved.update(evict)
                if all(self.augment(board, other, moved, depth + 1) for other in sorted(evict)):
                    return True
                board.undo(mark)
                moved.difference_update(evict)
        return False


def schedule(sessions: Iterable[SessionSpec], requests: Iterable[MeetingRequest],
             availability: Mapping[Hashable, Iterable[datetime]] | None = None,
             fixed: Mapping[int, Placement | tuple] | None = None, *, budget: int = 150_000,
             restarts: int = 8) -> ScheduleResult:
    """Place ``requests`` in the slots of ``sessions``.

    ``availability`` maps a participant to the slot starts they can attend (missing or empty: any time).
    ``fixed`` maps request ids (which must be among ``requests``) to placements that stay as they are; their
    session must be among ``sessions``. ``budget`` bounds the work of the search; while requests are left over
    and budget remains, up to ``restarts`` more attempts run in shuffled orders (seeded: results are repeatable).
    Returns every placed request (fixed ones included) and the ids of those that could not be placed.
    """
    search = _Search({s.id: s for s in sessions}, {r.id: r for r in requests},
                     {p: set(v) for p, v in (availability or {}).items()}, fixed or {}, budget)
    order = search.most_constrained_first()
    best = search.attempt(order)
    rng = random.Random(len(order))
    for _restart in range(restarts):
        if len(best.where) == len(search.reqs) or search.steps <= 0:
            break
        shuffled = sorted(order, key=lambda rid: (len(search.options[rid]) + rng.random() * 3, rng.random()))
        board = search.attempt(shuffled)
        if len(board.where) > len(best.where):
            best = board
    result = ScheduleResult()
    for rid, (cell, table) in sorted(best.where.items()):
        result.assignments[rid] = Placement(cell.session_id, cell.start, table)
    result.unplaced = sorted(rid for rid in search.reqs if rid not in best.where)
    return result


def check_schedule(sessions: Iterable[SessionSpec], requests: Iterable[MeetingRequest],
                   availability: Mapping[Hashable, Iterable[datetime]] | None,
                   assignments: Mapping[int, Placement], *, fixed: Iterable[int] = ()) -> list[str]:
    """The guarantees, checked on a result: a list of violations (empty when the schedule is sound).

    Fixed assignments are trusted for slot, table range and availability but still count for clashes.
    """
    sessions = {s.id: s for s in sessions}
    reqs = {r.id: r for r in requests}
    availability = {p: set(v) for p, v in (availability or {}).items()}
    fixed = set(fixed)
    problems: list[str] = []
    tables_used: set[tuple] = set()
    intervals: dict[Hashable, list[tuple[datetime, datetime, int]]] = defaultdict(list)
    for rid, (session_id, start, table) in assignments.items():
        session, req = sessions[session_id], reqs[rid]
        end = start + timedelta(minutes=session.slot_minutes)
        if rid not in fixed:
            if start not in session.slots():
                problems.append(f"request {rid}: {start} is not a slot of session {session_id}")
            if not 1 <= table <= session.tables:
                problems.append(f"request {rid}: table {table} outside 1..{session.tables}")
            for person in (req.a, req.b):
                if not _available(availability, person, start):
                    problems.append(f"request {rid}: {person} is not available at {start}")
        if (session_id, start, table) in tables_used:
            problems.append(f"request {rid}: table {table} of session {session_id} used twice at {start}")
        tables_used.add((session_id, start, table))
        for person in (req.a, req.b):
            for other_start, other_end, other in intervals[person]:
                if other_start < end and start < other_end:
                    problems.append(f"{person} is in requests {other} and {rid} at the same time")
            intervals[person].append((start, end, rid))
    return problems
