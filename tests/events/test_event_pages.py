"""Event pages: list, detail, ICS, organisers' editing and agenda, floor plan."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from marketplace.events.models import Event
from marketplace.timeutil import utcnow
from tests.conftest import login
from tests.factories.events import EventFactory


def test_public_list_and_detail_hide_drafts(client, db):
    published = EventFactory()
    draft = EventFactory(draft=True, title_vi="Hội thảo nháp chưa công bố", title_en="Draft workshop")
    page = client.get("/events/").get_data(as_text=True)
    assert published.title_vi in page and draft.title_vi not in page
    assert client.get(f"/events/{published.slug}").status_code == 200
    assert client.get(f"/events/{draft.slug}").status_code == 404


def test_past_events_tab(client, db):
    past = EventFactory(past=True, title_vi="Chợ công nghệ năm ngoái")
    assert past.title_vi not in client.get("/events/").get_data(as_text=True)
    assert past.title_vi in client.get("/events/?when=past").get_data(as_text=True)


def test_search_finds_events_without_diacritics(client, event):
    page = client.get("/events/?q=cho+cong+nghe+hung+yen").get_data(as_text=True)
    assert event.title_vi in page
    assert event.title_vi not in client.get("/events/?q=blockchain").get_data(as_text=True)


def test_ics_download(client, event):
    response = client.get(f"/events/{event.slug}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    vevent = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == event.title_vi
    assert vevent.decoded("DTSTART").replace(tzinfo=None) == event.starts_at


def test_organiser_creates_edits_and_publishes(client, db, organiser):
    login(client, organiser.email)
    day = (utcnow() + timedelta(days=90)).date()
    form = {"type": "techdemo", "title_vi": "Trình diễn công nghệ sấy nông sản", "title_en": "Drying technology demo",
            "venue": "Hội trường Sở KH&CN", "starts_at": f"{day}T08:00", "ends_at": f"{day}T17:00",
            "capacity_visitor": "80", "capacity_b2b": "", "waitlist_enabled": "y", "offer_hours": "24"}
    response = client.post("/events/new", data=form)
    assert response.status_code == 302
    event = db.session.query(Event).one()
    assert event.status == "draft" and event.starts_at.hour == 1  # 08:00 in Vietnam is 01:00 UTC
    assert [(c.participant_type, c.capacity) for c in event.capacities] == [("visitor", 80)]

    bad = client.post(f"/events/{event.slug}/edit", data=form | {"ends_at": f"{day - timedelta(days=1)}T08:00"})
    assert bad.status_code == 422 and "phải kết thúc sau" in bad.get_data(as_text=True)

    agenda = {"starts_at": f"{day}T08:30", "ends_at": f"{day}T09:00", "title_vi": "Khai mạc"}
    assert client.post(f"/events/{event.slug}/agenda", data=agenda).status_code == 302
    assert client.post(f"/events/{event.slug}/status/publish").status_code == 302
    db.session.refresh(event)
    assert event.status == "published" and event.sessions[0].title_vi == "Khai mạc"
    assert "Khai mạc" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    # an illegal move is refused with a message, not a 500
    response = client.post(f"/events/{event.slug}/status/archive", follow_redirects=True)
    assert response.status_code == 200 and "không thể" in response.get_data(as_text=True).lower()


def test_members_cannot_create_events(client, login_as):
    login_as("member")
    assert client.get("/events/new").status_code == 403


def test_floor_plan_upload_images_only(client, db, event, organiser):
    import io

    from tests.listings.conftest import PDF, PNG

    login(client, organiser.email)
    form = client.get(f"/events/{event.slug}/edit")
    assert form.status_code == 200
    moved = (event.starts_at + timedelta(days=40)).date()  # a day the event is not on, whatever today is
    data = {"type": event.type, "title_vi": event.title_vi, "title_en": event.title_en, "venue": event.venue,
            "starts_at": f"{moved}T08:00", "ends_at": f"{moved}T17:00", "capacity_visitor": "50",
            "waitlist_enabled": "y", "offer_hours": "24"}
    refused = client.post(f"/events/{event.slug}/edit", content_type="multipart/form-data",
                          data=data | {"floor_plan": (io.BytesIO(PDF), "so-do.pdf")})
    assert refused.status_code == 422
    db.session.refresh(event)
    assert event.floor_plan_key is None and event.starts_at.date() != moved  # nothing saved
    saved = client.post(f"/events/{event.slug}/edit", content_type="multipart/form-data",
                        data=data | {"floor_plan": (io.BytesIO(PNG), "sơ đồ.png")})
    assert saved.status_code == 302
    image = client.get(f"/events/{event.slug}/floor-plan")
    body = image.data
    image.close()  # a file response stays open until closed
    assert image.status_code == 200 and image.mimetype == "image/png" and body == PNG
