"""A participant's pages: register, the ticket on "my registrations", cancel, confirm a place offered."""

from __future__ import annotations

from urllib.parse import urlsplit

from marketplace.events.registration.models import Registration
from tests.conftest import login


def test_register_page_then_ticket_on_my_registrations(client, db, event, make_user):
    user = make_user()
    login(client, user.email)
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Luật Bảo vệ dữ liệu cá nhân" in page or "dữ liệu cá nhân" in page
    refused = client.post(f"/events/{event.slug}/register", data={"participant_type": "visitor", "organisation_id": 0})
    assert refused.status_code == 422  # the processing consent is required
    response = client.post(f"/events/{event.slug}/register",
                           data={"participant_type": "visitor", "organisation_id": 0, "consent_processing": "y",
                                 "phone": "0912 345 678"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/events/mine")
    reg = db.session.query(Registration).one()
    mine = client.get("/events/mine").get_data(as_text=True)
    assert reg.ticket_token in mine and f"/events/registrations/{reg.id}/ticket.png" in mine
    png = client.get(f"/events/registrations/{reg.id}/ticket.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")

    other = make_user(email="khac@example.vn")
    stranger = client.application.test_client()
    login(stranger, other.email)
    assert stranger.get(f"/events/registrations/{reg.id}/ticket.png").status_code == 404
    assert stranger.post(f"/events/registrations/{reg.id}/cancel").status_code == 404


def test_cancel_from_my_registrations(client, db, event, make_user, register_person):
    user = make_user()
    reg = register_person(event, user)
    login(client, user.email)
    assert client.post(f"/events/registrations/{reg.id}/cancel").status_code == 302
    db.session.refresh(reg)
    assert reg.status == "cancelled"


def test_offer_confirmation_link(client, db, make_event, make_people, register_person, mailbox):
    event = make_event(capacity={"visitor": 1})
    a, b = make_people(2)
    first = register_person(event, a)
    second = register_person(event, b)
    login(client, a.email)
    client.post(f"/events/registrations/{first.id}/cancel")
    link = urlsplit(mailbox.last_link(b.email)).path
    promoted = client.application.test_client()
    login(promoted, b.email)
    assert promoted.get(link).status_code == 200
    assert promoted.post(link).status_code == 302
    db.session.refresh(second)
    assert second.status == "confirmed" and second.ticket_token
