"""``/api/v1/events``: the contract written in the issue (create, patch, publish, visibility of drafts)."""

from __future__ import annotations

from datetime import timedelta

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
