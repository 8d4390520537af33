"""``/api/v1/events``: the contract written in the issue."""

from __future__ import annotations

from datetime import timedelta

from marketplace.events.models import Registration
from marketplace.timeutil import utcnow

DAY = (utcnow() + timedelta(days=200)).date()  # always ahead, whatever today is
EVENT = {"type": "techmart", "title_vi": "Chợ công nghệ và thiết bị Hưng Yên", "title_en": "Hung Yen Techmart",
         "starts_at": f"{DAY}T08:00:00+07:00", "ends_at": f"{DAY + timedelta(days=1)}T17:00:00+07:00",
         "venue": "Nhà thi đấu tỉnh", "capacity": {"visitor": 2, "b2b": 10}, "waitlist_enabled": True,
         "approval_required": False}


def test_organiser_creates_patches_and_publishes(client, api_token, organiser, db):
    headers = api_token(organiser)
    created = client.post("/api/v1/events", json=EVENT, headers=headers)
    assert created.status_code == 201, created.json
    body = created.json
    assert body["status"] == "draft" and body["starts_at"] == f"{DAY}T01:00:00Z"
    assert body["capacity"]["visitor"] == {"capacity": 2, "taken": 0, "free": 2}
    assert client.get(f"/api/v1/events/{body['id']}").status_code == 404  # drafts are not public

    patched = client.patch(f"/api/v1/events/{body['id']}", json={"venue": "Trung tâm Hội nghị"}, headers=headers)
    assert patched.status_code == 200 and patched.json["venue"] == "Trung tâm Hội nghị"
    published = client.post(f"/api/v1/events/{body['id']}/publish", headers=headers)
    assert published.status_code == 200 and published.json["status"] == "published"
    again = client.post(f"/api/v1/events/{body['id']}/publish", headers=headers)
    assert again.status_code == 409
    listed = client.get("/api/v1/events").json
    assert [e["id"] for e in listed["items"]] == [body["id"]]
    assert client.get(f"/api/v1/events/{body['slug']}").json["id"] == body["id"]


def test_create_validation_and_permissions(client, api_token, organiser, make_user):
    member = api_token(make_user(email="tv@example.vn"))
    assert client.post("/api/v1/events", json=EVENT, headers=member).status_code == 403
    assert client.post("/api/v1/events", json=EVENT).status_code == 401
    headers = api_token(organiser)
    bad = client.post("/api/v1/events", json=EVENT | {"ends_at": f"{DAY - timedelta(days=1)}T08:00:00+07:00"}, headers=headers)
    assert bad.status_code == 422 and "ends_at" in bad.json["error"]["fields"]
    bad = client.post("/api/v1/events", json=EVENT | {"capacity": {"vip": 5}}, headers=headers)
    assert bad.status_code == 422
    bad = client.post("/api/v1/events", json=EVENT | {"starts_at": "ngày mai"}, headers=headers)
    assert bad.status_code == 422


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
