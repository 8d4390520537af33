"""``/api/v1/events/<key>/checkins``: 200 once, 409 with the first time and gate, 404 for a stranger's code."""

from __future__ import annotations


def test_checkin_200_then_409_with_time_and_gate(client, api_token, event, make_user, organiser, register_person):
    reg = register_person(event, make_user())
    headers = api_token(organiser)
    url = f"/api/v1/events/{event.id}/checkins"
    first = client.post(url, json={"token": reg.ticket_token, "gate": "Cổng 2"}, headers=headers)
    assert first.status_code == 200 and first.json["outcome"] == "checked_in" and first.json["gate"] == "Cổng 2"
    second = client.post(url, json={"token": reg.ticket_token, "gate": "Cổng 1"}, headers=headers)
    assert second.status_code == 409
    assert second.json["checked_in_at"] == first.json["checked_in_at"] and second.json["gate"] == "Cổng 2"
    assert client.post(url, json={"token": "không-phải-vé", "gate": "1"}, headers=headers).status_code == 404
    assert client.post(url, json={"token": reg.ticket_token}, headers=api_token(make_user(email="x@example.vn"))) \
        .status_code == 403


def test_checkin_of_cancelled_registration(client, api_token, event, make_user, organiser, register_person, db):
    user = make_user()
    reg = register_person(event, user)
    token = reg.ticket_token
    client.delete(f"/api/v1/events/{event.id}/registrations/mine", headers=api_token(user))
    answer = client.post(f"/api/v1/events/{event.id}/checkins", json={"token": token}, headers=api_token(organiser))
    assert answer.status_code == 409 and answer.json["error"]["code"] == "cancelled"
