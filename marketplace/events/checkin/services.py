"""Check-in at the gates: a ticket checks in exactly once, even when two gates scan it at the same moment.

The check-in itself is one conditional ``UPDATE ... WHERE checked_in_at IS NULL``: of two concurrent scans only
one changes a row; the other reads back who was first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ...audit.services import record
from ...errors import ServiceError, fail
from ...extensions import db
from ...permissions import Permission, user_can
from ...text import nfc
from ...timeutil import utcnow
from ..models import Event
from ..registration.models import ACTIVE, Registration, RegStatus

MAX_TOKEN = 64
MAX_GATE = 40


@dataclass
class CheckinResult:
    #: ``checked_in``, ``already``, ``unknown`` (not a ticket of this event), ``cancelled``, ``not_confirmed``
    outcome: str
    registration: Registration | None = None
    at: datetime | None = None
    gate: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "checked_in"


def clean_token(raw: str | None) -> str:
    """What a scanner or a person typed: whitespace trimmed; a pasted ticket URL keeps only its last part."""
    token = nfc(raw or "").strip()
    if "/" in token:
        token = token.rstrip("/").rsplit("/", 1)[-1]
    return token[:MAX_TOKEN]


def _not_admitted(reg: Registration) -> str:
    """Still alive but without a seat yet (waiting for approval, waitlisted, offered) is "not confirmed";
    cancelled, rejected or expired is "cancelled"."""
    return "not_confirmed" if reg.status in ACTIVE else "cancelled"


def check_in(event: Event, *, token: str, gate: str | None, by, now: datetime | None = None) -> CheckinResult:
    if not user_can(by, Permission.EVENT_CHECKIN):
        raise ServiceError("forbidden", str(_l("Only event staff can check people in.")), status=403)
    now = now or utcnow()
    token = clean_token(token)
    gate = (nfc(gate or "").strip() or None)
    if gate and len(gate) > MAX_GATE:
        raise fail("gate", _l("At most %(n)d characters.", n=MAX_GATE))
    reg = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                       Registration.ticket_token == token)) if token else None
    if reg is None:
        # a reissued (revoked) ticket, another event's ticket or a typo: nothing to tell apart
        return CheckinResult("unknown")
    if reg.status != RegStatus.CONFIRMED.value:
        return CheckinResult(_not_admitted(reg), reg)
    result = db.session.execute(
        update(Registration).where(Registration.id == reg.id, Registration.checked_in_at.is_(None),
                                   Registration.status == RegStatus.CONFIRMED.value)
        .values(checked_in_at=now, checked_in_gate=gate, checked_in_by_id=by.id)
        .execution_options(synchronize_session=False))
    db.session.refresh(reg)
    if result.rowcount == 1:
        record("event.check_in", actor=by, obj=event, registration=reg.id, gate=gate)
        return CheckinResult("checked_in", reg, reg.checked_in_at, reg.checked_in_gate)
    if reg.status != RegStatus.CONFIRMED.value:  # cancelled by someone else meanwhile
        return CheckinResult(_not_admitted(reg), reg)
    return CheckinResult("already", reg, reg.checked_in_at, reg.checked_in_gate)


def checkin_counts(event: Event) -> list[dict]:
    """Per participant type: capacity, confirmed and checked-in people (the live board at the gates)."""
    rows = db.session.execute(
        select(Registration.participant_type, func.count(), func.count(Registration.checked_in_at))
        .where(Registration.event_id == event.id, Registration.status == RegStatus.CONFIRMED.value)
        .group_by(Registration.participant_type)).all()
    by_type = {t: (confirmed, checked) for t, confirmed, checked in rows}
    return [{"participant_type": c.participant_type, "capacity": c.capacity,
             "confirmed": by_type.get(c.participant_type, (0, 0))[0],
             "checked_in": by_type.get(c.participant_type, (0, 0))[1]} for c in event.capacities]
