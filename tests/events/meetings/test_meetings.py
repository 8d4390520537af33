"""B2B meetings: sessions, requests and answers, availability, manual and automatic scheduling, agendas,
outcomes and suggestions — as services and as pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.errors import ServiceError
from marketplace.events.meetings.models import Meeting, MeetingSeat
from marketplace.events.meetings.services.directory import suggestions, update_b2b_profile
from marketplace.events.meetings.services.meetings import (
    agenda_for,
    answer_meeting,
    cancel_meeting,
    record_outcome,
    request_meeting,
)
from marketplace.events.meetings.services.scheduling import (
    assign_meeting,
    define_session,
    remove_session,
    run_scheduler,
    session_slots,
    set_availability,
)
from marketplace.events.registration.services import cancel_registration
from marketplace.signals import meeting_outcome_recorded
from marketplace.timeutil import utcnow
from tests.conftest import login
from tests.factories.events import RegistrationFactory

REASON = "Chúng tôi muốn tìm hiểu công nghệ sấy nhãn bằng bơm nhiệt cho hợp tác xã."


def iso(moment) -> str:
    return moment.isoformat() + "+00:00"


@pytest.fixture()
def make_session(db, organiser):
    def make(event, *, start_hours=1, hours=2, slot=20, tables=2, title="Phiên kết nối cung cầu buổi sáng"):
        session = define_session(event, by=organiser, data={
            "title": title, "starts_at": iso(event.starts_at + timedelta(hours=start_hours)),
            "ends_at": iso(event.starts_at + timedelta(hours=start_hours + hours)), "slot_minutes": slot,
            "tables": tables})
        db.session.commit()
        return session

    return make


@pytest.fixture()
def b2b(db, event, make_people):
    """Four confirmed B2B participants listed in the directory."""
    return [RegistrationFactory(event=event, user=person, participant_type="b2b", in_directory=True)
            for person in make_people(4, prefix="b2b")]


def ask(db, event, requester, invitee, reason=REASON, **kwargs):
    meeting = request_meeting(event, by=requester.user, invitee_registration=invitee, reason=reason, **kwargs)
    db.session.commit()
    return meeting


def accepted(db, event, requester, invitee):
    meeting = ask(db, event, requester, invitee)
    answer_meeting(meeting, by=invitee.user, accept=True)
    db.session.commit()
    return meeting


def seats(db, meeting):
    return sorted((s.registration_id, s.slot_start) for s in
                  db.session.scalars(select(MeetingSeat).where(MeetingSeat.meeting_id == meeting.id)))


# --- sessions -----------------------------------------------------------------------------------------------

def test_session_rules(db, event, organiser, make_user, make_session):
    session = make_session(event, hours=2, slot=20, tables=3)
    assert len(session_slots(session)) == 6 and session.tables == 3
    base = {"title": "Phiên chiều", "starts_at": iso(event.starts_at), "ends_at": iso(event.starts_at + timedelta(hours=1)),
            "slot_minutes": 20, "tables": 5}
    for change, field in (({"slot_minutes": 4}, "slot_minutes"), ({"slot_minutes": 121}, "slot_minutes"),
                          ({"tables": 0}, "tables"), ({"tables": 501}, "tables"), ({"title": " "}, "title"),
                          ({"starts_at": iso(event.starts_at - timedelta(hours=1))}, "starts_at"),
                          ({"ends_at": iso(event.ends_at + timedelta(minutes=1))}, "starts_at"),
                          ({"ends_at": iso(event.starts_at)}, "ends_at"),
                          ({"ends_at": iso(event.starts_at + timedelta(minutes=10))}, "slot_minutes")):
        with pytest.raises(ServiceError) as exc:
            define_session(event, by=organiser, data=base | change)
        assert exc.value.field == field, change
    with pytest.raises(ServiceError) as exc:
        define_session(event, by=make_user(), data=base)
    assert exc.value.status == 403


def test_a_session_with_meetings_cannot_be_removed(db, event, organiser, b2b, make_session):
    session = make_session(event)
    meeting = accepted(db, event, b2b[0], b2b[1])
    assign_meeting(meeting, by=organiser, session=session, slot_start=session_slots(session)[0], table_no=1)
    db.session.commit()
    with pytest.raises(ServiceError) as exc:
        remove_session(session, by=organiser)
    assert exc.value.code == "in_use"


# --- requests and answers -----------------------------------------------------------------------------------

def test_request_accept_and_mail_both_ways(db, event, b2b, mailbox):
    an, binh = b2b[0], b2b[1]
    meeting = ask(db, event, an, binh)
    assert meeting.status == "pending" and meeting.reason == REASON
    invite = mailbox.to(binh.email)[-1]
    assert an.full_name in invite["Subject"]
    body = invite.get_body(preferencelist=("plain",)).get_content()
    assert REASON in body and f"/events/{event.slug}/b2b/requests" in body
    with pytest.raises(ServiceError) as exc:
        answer_meeting(meeting, by=an.user, accept=True)  # only the invitee answers
    assert exc.value.status == 403
    answer_meeting(meeting, by=binh.user, accept=True)
    db.session.commit()
    assert meeting.status == "accepted" and meeting.answered_at is not None
    assert f"/events/{event.slug}/b2b/agenda" in mailbox.to(an.email)[-1].get_body(
        preferencelist=("plain",)).get_content()
    with pytest.raises(ServiceError) as exc:
        answer_meeting(meeting, by=binh.user, accept=False)
    assert exc.value.code == "not_pending"


def test_who_may_request_whom(db, event, b2b, make_people, register_person):
    an, binh, chi, dung = b2b
    visitor = register_person(event, make_people(1, prefix="khach")[0], "visitor", in_directory=True)
    hidden = register_person(event, make_people(1, prefix="an")[0], "b2b", in_directory=False)
    cases = [(visitor, binh, "not_b2b"), (an, visitor, "not_found"), (an, hidden, "not_found"), (an, an, "self")]
    for requester, invitee, code in cases:
        with pytest.raises(ServiceError) as exc:
            request_meeting(event, by=requester.user, invitee_registration=invitee, reason=REASON)
        assert exc.value.code == code
    for reason, field in (("   ", "reason"), ("x" * 1001, "reason")):
        with pytest.raises(ServiceError) as exc:
            request_meeting(event, by=an.user, invitee_registration=binh, reason=reason)
        assert exc.value.field == field
    with pytest.raises(ServiceError) as exc:
        request_meeting(event, by=an.user, invitee_registration=binh, reason=REASON, listing_ids=[999])
    assert exc.value.field == "listing_ids"
    ask(db, event, an, binh)
    for requester, invitee in ((an, binh), (binh, an)):  # one request per pair, in either direction
        with pytest.raises(ServiceError) as exc:
            request_meeting(event, by=requester.user, invitee_registration=invitee, reason=REASON)
        assert exc.value.code == "duplicate"


def test_a_cancelled_request_may_be_made_again_by_either_side(db, event, b2b):
    an, binh = b2b[0], b2b[1]
    meeting = ask(db, event, an, binh)
    cancel_meeting(meeting, by=an.user)
    db.session.commit()
    again = ask(db, event, binh, an, reason="Gặp lại để bàn chuyển giao.")
    assert again.id == meeting.id and again.status == "pending" and again.requester_id == binh.id
    assert db.session.query(Meeting).count() == 1


def test_a_participant_who_cancels_their_registration_loses_their_meetings(db, event, organiser, b2b,
                                                                          make_session):
    session = make_session(event)
    meeting = accepted(db, event, b2b[0], b2b[1])
    assign_meeting(meeting, by=organiser, session=session, slot_start=session_slots(session)[0], table_no=1)
    db.session.commit()
    cancel_registration(b2b[1], by=b2b[1].user)
    db.session.commit()
    db.session.refresh(meeting)
    assert meeting.status == "cancelled" and meeting.slot_start is None and seats(db, meeting) == []


# --- availability and scheduling ----------------------------------------------------------------------------

def test_availability_only_takes_slots_of_the_sessions(db, event, b2b, make_session):
    session = make_session(event)
    slots = session_slots(session)
    with pytest.raises(ServiceError):
        set_availability(b2b[0], by=b2b[0].user, slot_starts=[slots[0] + timedelta(minutes=5)])
    with pytest.raises(ServiceError) as exc:
        set_availability(b2b[0], by=b2b[1].user, slot_starts=[slots[0]])
    assert exc.value.status == 403
    set_availability(b2b[0], by=b2b[0].user, slot_starts=[slots[2].isoformat(), slots[0]])
    db.session.commit()
    assert b2b[0].availability == [slots[0].isoformat(), slots[2].isoformat()]


def test_manual_assignment_refuses_conflicts_clearly(db, event, organiser, b2b, make_session):
    an, binh, chi, dung = b2b
    session = make_session(event, tables=2)
    first, second = session_slots(session)[:2]
    m1 = accepted(db, event, an, binh)
    m2 = accepted(db, event, an, chi)
    m3 = accepted(db, event, chi, dung)
    assign_meeting(m1, by=organiser, session=session, slot_start=first.isoformat(), table_no="1")
    db.session.commit()
    assert seats(db, m1) == sorted([(an.id, first), (binh.id, first)])
    with pytest.raises(ServiceError) as exc:  # the table is taken
        assign_meeting(m3, by=organiser, session=session, slot_start=first, table_no=1)
    assert exc.value.code == "table_taken" and an.full_name in exc.value.message
    with pytest.raises(ServiceError) as exc:  # An is already in a meeting then
        assign_meeting(m2, by=organiser, session=session, slot_start=first, table_no=2)
    assert exc.value.code == "person_busy" and an.full_name in exc.value.message
    with pytest.raises(ServiceError) as exc:
        assign_meeting(m2, by=organiser, session=session, slot_start=first, table_no=3)  # only 2 tables
    assert exc.value.field == "table_no"
    set_availability(dung, by=dung.user, slot_starts=[first])
    with pytest.raises(ServiceError) as exc:
        assign_meeting(m3, by=organiser, session=session, slot_start=second, table_no=1)
    assert exc.value.code == "unavailable" and dung.full_name in exc.value.message
    assign_meeting(m3, by=organiser, session=session, slot_start=second, table_no=1, ignore_availability=True)
    db.session.commit()
    # moving a meeting moves its seats
    assign_meeting(m1, by=organiser, session=session, slot_start=second, table_no=2)
    db.session.commit()
    assert seats(db, m1) == sorted([(an.id, second), (binh.id, second)])
    pending = ask(db, event, binh, dung)
    with pytest.raises(ServiceError) as exc:
        assign_meeting(pending, by=organiser, session=session, slot_start=first, table_no=2)
    assert exc.value.code == "not_accepted"


def test_a_booking_that_slips_past_the_checks_is_refused_by_the_database(db, event, organiser, b2b, make_session):
    """A concurrent transaction seated An at 09:00 after our checks ran: the unique seat turns it into a 409."""
    session = make_session(event)
    first = session_slots(session)[0]
    m1 = accepted(db, event, b2b[0], b2b[1])
    other = accepted(db, event, b2b[0], b2b[2])
    db.session.add(MeetingSeat(meeting_id=other.id, registration_id=b2b[0].id, slot_start=first))
    db.session.commit()
    with pytest.raises(ServiceError) as exc:
        assign_meeting(m1, by=organiser, session=session, slot_start=first, table_no=1)
    assert exc.value.code == "conflict" and exc.value.status == 409
    db.session.rollback()
    assert db.session.get(Meeting, m1.id).slot_start is None


def test_overlapping_sessions_do_not_double_book_a_person(db, event, organiser, b2b, make_session):
    hall_a = make_session(event, start_hours=1, slot=30, title="Hội trường A")
    hall_b = make_session(event, start_hours=1.25, slot=30, title="Hội trường B")  # 15 minutes later
    m1 = accepted(db, event, b2b[0], b2b[1])
    m2 = accepted(db, event, b2b[0], b2b[2])
    assign_meeting(m1, by=organiser, session=hall_a, slot_start=session_slots(hall_a)[0], table_no=1)
    with pytest.raises(ServiceError) as exc:
        assign_meeting(m2, by=organiser, session=hall_b, slot_start=session_slots(hall_b)[0], table_no=1)
    assert exc.value.code == "person_busy"


def test_scheduler_places_accepted_meetings_keeps_manual_ones_and_never_double_books(
        db, event, organiser, make_people, register_person, make_session):
    people = [register_person(event, p, "b2b", in_directory=True) for p in make_people(6, prefix="dn")]
    session = make_session(event, hours=1, slot=20, tables=2)  # 3 slots × 2 tables
    slots = session_slots(session)
    meetings = [accepted(db, event, people[a], people[b]) for a, b in
                ((0, 1), (0, 2), (0, 3), (1, 2), (3, 4), (4, 5))]
    pending = ask(db, event, people[5], people[0])
    assign_meeting(meetings[0], by=organiser, session=session, slot_start=slots[2], table_no=2)
    set_availability(people[3], by=people[3].user, slot_starts=[slots[0], slots[1]])
    db.session.commit()
    result = run_scheduler(event, by=organiser)
    db.session.commit()
    assert result["kept"] == 1 and result["placed"] + result["unplaced"] == 5 and result["placed"] >= 4
    db.session.expire_all()
    rows = db.session.scalars(select(Meeting).where(Meeting.session_id.is_not(None))).all()
    assert (meetings[0].slot_start, meetings[0].table_no) == (slots[2], 2)
    assert db.session.get(Meeting, pending.id).slot_start is None
    assert len({(m.slot_start, m.table_no) for m in rows}) == len(rows)
    seat_rows = db.session.scalars(select(MeetingSeat)).all()
    assert len(seat_rows) == 2 * len(rows) and len({(s.registration_id, s.slot_start) for s in seat_rows}) == len(
        seat_rows)
    for m in rows:
        if people[3].id in (m.requester_id, m.invitee_id):
            assert m.slot_start in (slots[0], slots[1])
    again = run_scheduler(event, by=organiser)  # nothing moves on a second run
    assert again["placed"] == 0 and again["kept"] == len(rows)


def test_scheduler_needs_a_session_and_an_organiser(db, event, organiser, b2b):
    with pytest.raises(ServiceError) as exc:
        run_scheduler(event, by=b2b[0].user)
    assert exc.value.status == 403
    with pytest.raises(ServiceError) as exc:
        run_scheduler(event, by=organiser)
    assert exc.value.code == "no_sessions"


def test_agenda_in_slot_order_with_unscheduled_last(db, event, organiser, b2b, make_session):
    session = make_session(event)
    slots = session_slots(session)
    late = accepted(db, event, b2b[0], b2b[1])
    early = accepted(db, event, b2b[2], b2b[0])
    unscheduled = accepted(db, event, b2b[0], b2b[3])
    ask(db, event, b2b[1], b2b[2])  # pending: not on anyone's agenda
    assign_meeting(late, by=organiser, session=session, slot_start=slots[3], table_no=1)
    assign_meeting(early, by=organiser, session=session, slot_start=slots[1], table_no=1)
    db.session.commit()
    assert [m.id for m in agenda_for(b2b[0])] == [early.id, late.id, unscheduled.id]
    assert [m.id for m in agenda_for(b2b[2])] == [early.id]


# --- outcomes -----------------------------------------------------------------------------------------------

def test_outcomes_after_the_meeting_with_value_for_mou_and_contract(db, event, organiser, b2b, make_user):
    meeting = accepted(db, event, b2b[0], b2b[1])
    during = event.starts_at + timedelta(hours=2)
    with pytest.raises(ServiceError) as exc:
        record_outcome(meeting, by=b2b[0].user, outcome="held", now=event.starts_at - timedelta(days=1))
    assert exc.value.code == "too_early"
    for outcome, value, field in (("mou", None, "value_vnd"), ("contract", "-5", "value_vnd"),
                                  ("contract", "nhiều", "value_vnd"), ("signed", None, "outcome")):
        with pytest.raises(ServiceError) as exc:
            record_outcome(meeting, by=b2b[0].user, outcome=outcome, value_vnd=value, now=during)
        assert exc.value.field == field
    with pytest.raises(ServiceError) as exc:
        record_outcome(meeting, by=make_user(email="la@example.vn"), outcome="held", now=during)
    assert exc.value.status == 403
    received = []

    def listener(sender, **kwargs):
        received.append((sender.id, kwargs["by"].id))

    with meeting_outcome_recorded.connected_to(listener):
        record_outcome(meeting, by=b2b[1].user, outcome="mou", value_vnd="1.500.000.000",
                       note="Ký biên bản ghi nhớ hợp tác.", now=during)
        db.session.commit()
        record_outcome(meeting, by=organiser, outcome="contract", value_vnd=2_000_000_000, now=during)
        db.session.commit()
    assert received == [(meeting.id, b2b[1].user.id), (meeting.id, organiser.id)]
    assert (meeting.outcome, meeting.value_vnd, meeting.outcome_by_id) == ("contract", 2_000_000_000, organiser.id)
    with pytest.raises(ServiceError) as exc:
        cancel_meeting(meeting, by=b2b[0].user)
    assert exc.value.code == "has_outcome"
    pending = ask(db, event, b2b[2], b2b[3])
    with pytest.raises(ServiceError) as exc:
        record_outcome(pending, by=b2b[2].user, outcome="held", now=during)
    assert exc.value.code == "not_accepted"


# --- directory and suggestions ------------------------------------------------------------------------------

@pytest.fixture()
def fair_pair(db, event, institute, business, publish, register_person):
    """A research institute offering a dryer and a company needing one, both in the directory."""
    offer, need = publish("offer", institute), publish("need", business)
    seller = register_person(event, institute[0], "exhibitor", organisation=institute[1], in_directory=True)
    buyer = register_person(event, business[0], "b2b", organisation=business[1], in_directory=True)
    update_b2b_profile(seller, by=institute[0], data={"in_directory": True, "listing_ids": [offer.id]})
    update_b2b_profile(buyer, by=business[0], data={"in_directory": True, "listing_ids": [str(need.id)],
                                                    "interests": "Máy sấy nông sản"})
    db.session.commit()
    return seller, buyer, offer, need


def test_suggestions_use_the_matching_of_what_people_bring(db, event, fair_pair, make_people, register_person):
    seller, buyer, offer, need = fair_pair
    register_person(event, make_people(1, prefix="le")[0], "b2b", in_directory=True)  # brings nothing
    found = suggestions(buyer)
    assert found and found[0].entry.registration.id == seller.id
    assert offer.title_vi in found[0].reason and need.title_vi in found[0].reason
    assert found[0].score >= 25
    ask(db, event, buyer, seller, listing_ids=[offer.id, need.id])
    assert all(s.entry.registration.id != seller.id for s in suggestions(buyer))


def test_profile_takes_only_own_published_listings(db, event, fair_pair):
    seller, buyer, offer, need = fair_pair
    with pytest.raises(ServiceError) as exc:
        update_b2b_profile(buyer, by=buyer.user, data={"listing_ids": [offer.id]})
    assert exc.value.field == "listing_ids"
    with pytest.raises(ServiceError) as exc:
        update_b2b_profile(buyer, by=seller.user, data={})
    assert exc.value.status == 403


# --- pages --------------------------------------------------------------------------------------------------

def test_directory_is_for_confirmed_participants(client, db, event, b2b, make_user):
    url = f"/events/{event.slug}/b2b"
    assert client.get(url).status_code == 302  # to sign in
    make_user(email="ngoai@example.vn")
    login(client, "ngoai@example.vn")
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.slug}")


def test_directory_lists_filters_and_sends_a_request(client, db, event, fair_pair, mailbox):
    seller, buyer, offer, need = fair_pair
    login(client, buyer.email)
    page = client.get(f"/events/{event.slug}/b2b").get_data(as_text=True)
    assert 'id="suggested"' in page
    card = f'id="p{seller.id}"'  # the seller's card in the list (the suggestions block is always on top)
    assert card in page and offer.title_vi in page
    assert card not in client.get(f"/events/{event.slug}/b2b?side=need").get_data(as_text=True)
    assert card in client.get(
        f"/events/{event.slug}/b2b?side=offer&org_type=research_institute&st_field=4&sector=C").get_data(as_text=True)
    assert card not in client.get(f"/events/{event.slug}/b2b?org_type=enterprise").get_data(as_text=True)
    assert card in client.get(f"/events/{event.slug}/b2b?q=vien+nghien+cuu").get_data(as_text=True)
    response = client.post(f"/events/{event.slug}/b2b/request/{seller.id}", data={"reason": ""})
    assert response.status_code == 302 and db.session.query(Meeting).count() == 0
    response = client.post(f"/events/{event.slug}/b2b/request/{seller.id}",
                           data={"reason": REASON, "listing_ids": [str(offer.id)]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/b2b/requests")
    meeting = db.session.scalars(select(Meeting)).one()
    assert meeting.listing_ids == [offer.id] and mailbox.to(seller.email)


def test_request_answer_availability_agenda_ics_and_print(client, db, event, organiser, b2b, make_session):
    an, binh = b2b[0], b2b[1]
    session = make_session(event)
    meeting = ask(db, event, an, binh)
    login(client, binh.email)
    page = client.get(f"/events/{event.slug}/b2b/requests").get_data(as_text=True)
    assert REASON in page and an.full_name in page
    assert client.post(f"/events/{event.slug}/b2b/meetings/{meeting.id}/answer",
                       data={"decision": "accept"}).status_code == 302
    db.session.refresh(meeting)
    assert meeting.status == "accepted"
    slots = session_slots(session)
    assert f'value="{slots[1].isoformat()}"' in client.get(f"/events/{event.slug}/b2b/availability").get_data(
        as_text=True)
    response = client.post(f"/events/{event.slug}/b2b/availability", data={"slot": [slots[1].isoformat()]})
    assert response.status_code == 302
    db.session.refresh(binh)
    assert binh.availability == [slots[1].isoformat()]
    run_scheduler(event, by=organiser)
    db.session.commit()
    db.session.refresh(meeting)
    assert meeting.slot_start == slots[1]
    agenda = client.get(f"/events/{event.slug}/b2b/agenda").get_data(as_text=True)
    assert an.full_name in agenda and "agenda.ics" in agenda
    ics = client.get(f"/events/{event.slug}/b2b/agenda.ics")
    assert ics.mimetype == "text/calendar"
    body = ics.get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 1 and slots[1].strftime("%Y%m%dT%H%M%SZ") in body
    printed = client.get(f"/events/{event.slug}/b2b/agenda?print=1").get_data(as_text=True)
    assert an.full_name in printed and "navbar" not in printed


def test_outsiders_get_404_for_other_peoples_meetings(client, db, event, b2b):
    meeting = ask(db, event, b2b[0], b2b[1])
    login(client, b2b[2].email)
    assert client.post(f"/events/{event.slug}/b2b/meetings/{meeting.id}/answer",
                       data={"decision": "accept"}).status_code == 404
    assert client.post(f"/events/{event.slug}/b2b/meetings/{meeting.id}/cancel").status_code == 404


def test_visitors_cannot_use_meeting_pages(client, db, event, make_user, register_person):
    visitor = register_person(event, make_user(email="khach@example.vn"), "visitor")
    login(client, visitor.email)
    assert client.get(f"/events/{event.slug}/b2b").status_code == 200  # may browse
    assert client.get(f"/events/{event.slug}/b2b/agenda").status_code == 302


def test_organiser_page_sessions_scheduler_and_conflict_message(app, client, db, event, organiser, b2b):
    member_client = app.test_client()
    login(member_client, b2b[0].email)
    assert member_client.get(f"/events/{event.slug}/manage/b2b").status_code == 403
    login(client, organiser.email)
    url = f"/events/{event.slug}/manage/b2b"
    assert client.get(url).status_code == 200
    start = event.starts_at + timedelta(hours=8)  # 01:00 UTC + 8h = 16:00 in Vietnam
    bad = client.post(f"{url}/sessions", data={"title": "Phiên chiều", "starts_at": "2000-01-01T08:00",
                                               "ends_at": "2000-01-01T09:00", "slot_minutes": "20", "tables": "4"})
    assert bad.status_code == 422 and db.session.query(Meeting).count() == 0
    local = start + timedelta(hours=7)
    response = client.post(f"{url}/sessions", data={
        "title": "Phiên chiều", "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + timedelta(minutes=40)).strftime("%Y-%m-%dT%H:%M"), "slot_minutes": "20", "tables": "1"})
    assert response.status_code == 302
    db.session.refresh(event)
    session = event.matchmaking[0]
    assert session.starts_at == start and len(session_slots(session)) == 2
    m1 = accepted(db, event, b2b[0], b2b[1])
    m2 = accepted(db, event, b2b[2], b2b[3])
    first = f"{session.id}|{start.isoformat()}"
    assert client.post(f"{url}/meetings/{m1.id}/assign", data={"slot": first, "table_no": "1"}).status_code == 302
    client.post(f"{url}/meetings/{m2.id}/assign", data={"slot": first, "table_no": "1"})
    page = client.get(url).get_data(as_text=True)
    assert b2b[0].full_name in page  # the refusal names who holds the table
    db.session.refresh(m2)
    assert m2.slot_start is None
    client.post(f"{url}/schedule")
    db.session.refresh(m2)
    assert m2.slot_start == start + timedelta(minutes=20) and m2.table_no == 1


def test_outcome_recorded_from_the_agenda_during_the_fair(client, db, make_event, make_people, register_person):
    now = utcnow()
    event = make_event(starts_at=iso(now - timedelta(hours=1)), ends_at=iso(now + timedelta(hours=8)))
    an, binh = (register_person(event, p, "b2b", in_directory=True) for p in make_people(2, prefix="hoi"))
    meeting = accepted(db, event, an, binh)
    login(client, an.email)
    action = f"/events/{event.slug}/b2b/meetings/{meeting.id}/outcome"
    assert f'action="{action}"' in client.get(f"/events/{event.slug}/b2b/agenda").get_data(as_text=True)
    response = client.post(f"/events/{event.slug}/b2b/meetings/{meeting.id}/outcome",
                           data={"outcome": "mou", "value_vnd": "", "back": "agenda"})
    assert response.status_code == 302
    db.session.refresh(meeting)
    assert meeting.outcome is None
    client.post(f"/events/{event.slug}/b2b/meetings/{meeting.id}/outcome",
                data={"outcome": "mou", "value_vnd": "500.000.000", "note": "Hai bên ký MoU.", "back": "agenda"})
    db.session.refresh(meeting)
    assert (meeting.outcome, meeting.value_vnd, meeting.outcome_note) == ("mou", 500_000_000, "Hai bên ký MoU.")
