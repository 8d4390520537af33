"""Registration rules: seats, waitlist in arrival order, offers that expire (injected clock), approval, types."""

from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.errors import ServiceError
from marketplace.events.models import EventCapacity
from marketplace.events.registration.models import Registration
from marketplace.events.registration.services import (
    cancel_registration,
    change_participant_type,
    confirm_offer,
    decide_registration,
    expire_offers,
    register,
    reissue_ticket,
    waitlist_position,
)
from marketplace.events.services import update_event
from marketplace.timeutil import utcnow


def taken(db, event, participant_type="visitor"):
    db.session.expire_all()
    return db.session.query(EventCapacity).filter_by(event_id=event.id, participant_type=participant_type).one().taken


def test_seats_then_waitlist_in_arrival_order(db, make_event, make_people, register_person):
    event = make_event(capacity={"visitor": 2})
    people = make_people(5)
    regs = [register_person(event, p) for p in people]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [waitlist_position(r) for r in regs] == [None, None, 1, 2, 3]
    assert all(len(r.ticket_token) >= 32 for r in regs[:2])  # 24 random bytes = 192 bits
    assert regs[2].ticket_token is None
    assert taken(db, event) == 2


def test_registering_twice_returns_the_same_registration(db, event, make_user):
    user = make_user()
    first, created = register(event, by=user, participant_type="visitor", data={"consent_processing": True})
    again, created_again = register(event, by=user, participant_type="b2b", data={"consent_processing": True})
    db.session.commit()
    assert created and not created_again and again.id == first.id and again.participant_type == "visitor"
    assert db.session.query(Registration).count() == 1


def test_consent_is_required_and_unknown_types_refused(db, event, make_user):
    user = make_user()
    with pytest.raises(ServiceError) as exc:
        register(event, by=user, participant_type="visitor", data={})
    assert exc.value.code == "consent_required"
    with pytest.raises(ServiceError) as exc:
        register(event, by=user, participant_type="speaker", data={"consent_processing": True})
    assert exc.value.code == "invalid_type"


def test_full_without_waitlist_is_refused(db, make_event, make_people, register_person):
    event = make_event(capacity={"visitor": 1}, waitlist_enabled=False)
    a, b = make_people(2)
    register_person(event, a)
    with pytest.raises(ServiceError) as exc:
        register_person(event, b)
    assert exc.value.code == "full" and exc.value.status == 409


def test_cancel_offers_seat_to_next_and_offer_expires_with_injected_clock(db, make_event, make_people,
                                                                           register_person, mailbox):
    event = make_event(capacity={"visitor": 1}, offer_hours=24)
    a, b, c = make_people(3)
    first = register_person(event, a)
    second = register_person(event, b)
    third = register_person(event, c)
    now = utcnow()
    cancel_registration(first, by=a, now=now)
    db.session.commit()
    db.session.refresh(second)
    assert first.status == "cancelled" and second.status == "offered"
    assert second.offer_expires_at == now + timedelta(hours=24)
    assert waitlist_position(third) == 1
    assert taken(db, event) == 1  # the offered place is held
    assert "/events/offers/" in mailbox.last_link(b.email)

    # one minute before the deadline nothing moves; at the deadline the place passes on
    assert expire_offers(now=now + timedelta(hours=23, minutes=59)) == 0
    assert expire_offers(now=now + timedelta(hours=24)) == 1
    db.session.commit()
    db.session.refresh(second)
    db.session.refresh(third)
    assert second.status == "expired" and third.status == "offered"
    with pytest.raises(ServiceError) as exc:
        confirm_offer(second.offer_token or "gone", by=b, now=now + timedelta(hours=25))
    assert exc.value.code == "unknown_offer"

    confirmed = confirm_offer(third.offer_token, by=c, now=now + timedelta(hours=25))
    db.session.commit()
    assert confirmed.status == "confirmed" and confirmed.ticket_token
    assert taken(db, event) == 1


def test_offer_cannot_be_confirmed_late_or_by_someone_else(db, make_event, make_people, register_person):
    event = make_event(capacity={"visitor": 1})
    a, b, c = make_people(3)
    first = register_person(event, a)
    second = register_person(event, b)
    now = utcnow()
    cancel_registration(first, by=a, now=now)
    db.session.commit()
    with pytest.raises(ServiceError):
        confirm_offer(second.offer_token, by=c, now=now)
    with pytest.raises(ServiceError) as exc:
        confirm_offer(second.offer_token, by=b, now=now + timedelta(hours=event.offer_hours))
    assert exc.value.code == "offer_expired"


def test_confirmation_mail_carries_qr_png_and_ics(db, event, make_user, register_person, mailbox):
    user = make_user()
    reg = register_person(event, user)
    message = mailbox.to(user.email)[-1]
    names = {part.get_filename(): part.get_content_type() for part in message.iter_attachments()}
    assert names == {"ticket.png": "image/png", f"{event.slug}.ics": "text/calendar"}
    png = next(p for p in message.iter_attachments() if p.get_filename() == "ticket.png").get_content()
    assert png.startswith(b"\x89PNG")
    assert reg.ticket_token in message.get_body(preferencelist=("plain",)).get_content()


def test_approval_flow(db, make_event, make_people, register_person, organiser):
    event = make_event(capacity={"visitor": 1}, approval_required=True)
    a, b, c = make_people(3)
    ra, rb, rc = (register_person(event, p) for p in (a, b, c))
    assert {r.status for r in (ra, rb, rc)} == {"pending_approval"}
    assert taken(db, event) == 0
    decide_registration(ra, by=organiser, approve=True)
    decide_registration(rb, by=organiser, approve=True)
    decide_registration(rc, by=organiser, approve=False)
    db.session.commit()
    assert (ra.status, rb.status, rc.status) == ("confirmed", "waitlisted", "rejected")
    with pytest.raises(ServiceError) as exc:
        decide_registration(ra, by=a, approve=True)
    assert exc.value.status == 403


def test_raising_capacity_offers_places_to_the_waitlist(db, make_event, make_people, register_person, organiser):
    event = make_event(capacity={"visitor": 1})
    a, b = make_people(2)
    register_person(event, a)
    waiting = register_person(event, b)
    update_event(event, by=organiser, data={"capacity": {"visitor": 2}})
    db.session.commit()
    db.session.refresh(waiting)
    assert waiting.status == "offered"
    with pytest.raises(ServiceError) as exc:
        update_event(event, by=organiser, data={"capacity": {"visitor": 1}})
    assert exc.value.field == "capacity"


def test_move_between_types_keeps_counts_right(db, event, make_people, register_person, organiser):
    (a,) = make_people(1)
    reg = register_person(event, a)
    change_participant_type(reg, by=organiser, participant_type="b2b")
    db.session.commit()
    assert reg.participant_type == "b2b"
    assert taken(db, event, "visitor") == 0 and taken(db, event, "b2b") == 1


def test_reissued_ticket_revokes_the_old_token(db, event, make_user, register_person):
    user = make_user()
    reg = register_person(event, user)
    old = reg.ticket_token
    reissue_ticket(reg, by=user)
    db.session.commit()
    assert reg.ticket_token != old and len(reg.ticket_token) >= 32


def test_registration_closed_and_not_yet_open(db, make_event, make_user, organiser):
    user = make_user()
    later = make_event(registration_opens_at=(utcnow() + timedelta(days=3)).isoformat() + "+00:00")
    with pytest.raises(ServiceError) as exc:
        register(later, by=user, participant_type="visitor", data={"consent_processing": True})
    assert exc.value.code == "registration_not_yet"
    draft = make_event(published=False)
    with pytest.raises(ServiceError) as exc:
        register(draft, by=user, participant_type="visitor", data={"consent_processing": True})
    assert exc.value.code == "registration_unavailable"


def test_moving_a_waiting_person_to_a_type_with_free_seats_offers_a_place(db, make_event, make_people,
                                                                          register_person, organiser):
    event = make_event(capacity={"visitor": 1, "b2b": 5})
    a, b = make_people(2)
    register_person(event, a)
    waiting = register_person(event, b)
    change_participant_type(waiting, by=organiser, participant_type="b2b")
    db.session.commit()
    db.session.refresh(waiting)
    assert waiting.participant_type == "b2b" and waiting.status == "offered"
    assert taken(db, event, "b2b") == 1


def test_long_vietnamese_subject_keeps_its_spaces(db, event, make_user, register_person, mailbox):
    user = make_user()
    register_person(event, user)
    assert "Chợ công nghệ và thiết bị Hưng Yên" in mailbox.to(user.email)[-1]["Subject"]


def test_registrations_of_a_past_event_cannot_change(db, event, make_user, register_person):
    user = make_user()
    reg = register_person(event, user)
    after = event.ends_at + timedelta(minutes=1)
    with pytest.raises(ServiceError) as exc:
        cancel_registration(reg, by=user, now=after)
    assert exc.value.code == "event_over"
    with pytest.raises(ServiceError):
        reissue_ticket(reg, by=user, now=after)
