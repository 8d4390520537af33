"""``/api/v1/events/<key>/registrations``: register, the waitlist, cancel, and the organisers' list."""

from __future__ import annotations

from marketplace.events.registration.models import Registration


def test_register_waitlist_cancel_and_organiser_list(client, api_token, event, make_people, organiser, db):
    event.capacities[0].capacity = 2  # visitor
    db.session.commit()
    people = make_people(3)
    tokens = [api_token(p) for p in people]
    url = f"/api/v1/events/{event.id}/registrations"
    answers = [client.post(url, json={"participant_type": "visitor"}, headers=t) for t in tokens]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert [a.json["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted"]
    assert answers[2].json["waitlist_position"] == 1 and answers[2].json["ticket_token"] is None
    assert len(answers[0].json["ticket_token"]) >= 32
    repeat = client.post(url, json={"participant_type": "visitor"}, headers=tokens[0])
    assert repeat.status_code == 200 and repeat.json["id"] == answers[0].json["id"]

    assert client.get(url, headers=tokens[0]).status_code == 403
    listing = client.get(url, headers=api_token(organiser)).json
    assert [i["status"] for i in listing["items"]] == ["confirmed", "confirmed", "waitlisted"]
    assert "ticket_token" not in listing["items"][0] or listing["items"][0]["ticket_token"] is None

    cancelled = client.delete(f"{url}/mine", headers=tokens[0])
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert client.delete(f"{url}/mine", headers=tokens[0]).status_code == 404
    assert db.session.get(Registration, answers[2].json["id"]).status == "offered"
