"""Event fixtures: an organiser, a published fair, and a helper that registers people."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from marketplace.events.registration.services import register
from marketplace.events.services import change_event_status, create_event
from marketplace.timeutil import utcnow
from tests.listings.conftest import business, institute, moderator, publish  # noqa: F401  (shared fixtures)

FAIR = {"type": "techmart", "title_vi": "Chợ công nghệ và thiết bị Hưng Yên", "title_en": "Hung Yen Techmart",
        "venue": "Trung tâm Hội nghị tỉnh", "address": "Phường Phố Hiến, Hưng Yên",
        "description_vi": "Kết nối cung cầu công nghệ nông nghiệp.", "description_en": "Agri-tech matchmaking.",
        "capacity": {"visitor": 50, "exhibitor": 10, "b2b": 20}, "waitlist_enabled": True,
        "approval_required": False, "offer_hours": 24}


def future(days: int = 30, hour: int = 1) -> datetime:
    """A naive UTC moment ``days`` from now (08:00 Vietnam time is 01:00 UTC)."""
    return (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture()
def organiser(db, make_user):
    return make_user(email="tochuc@example.vn", role="organiser", name="Lê Thu Tổ Chức")


@pytest.fixture()
def make_event(db, organiser):
    def make(published: bool = True, **overrides):
        data = FAIR | {"starts_at": future(30).isoformat() + "+00:00",
                       "ends_at": (future(30) + timedelta(hours=9)).isoformat() + "+00:00"} | overrides
        event = create_event(by=organiser, data=data)
        if published:
            change_event_status(event, by=organiser, action="publish")
        db.session.commit()
        return event

    return make


@pytest.fixture()
def event(make_event):
    return make_event()


@pytest.fixture()
def make_people(db, make_user):
    """``make_people(n)`` → n verified members named Người 1..n."""

    def make(n: int, prefix: str = "nguoi"):
        return [make_user(email=f"{prefix}{i}@example.vn", name=f"Người {i}") for i in range(1, n + 1)]

    return make


@pytest.fixture()
def register_person(db):
    def do(event, user, participant_type="visitor", organisation=None, now=None, **data):
        reg, _created = register(event, by=user, participant_type=participant_type, organisation=organisation,
                                 data={"consent_processing": True} | data, now=now)
        db.session.commit()
        return reg

    return do
