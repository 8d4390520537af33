"""Seed the full demo data and render every page a visitor, an owner and a moderator reach: no 500s."""

from sqlalchemy import select

from marketplace.demo import DEMO_PASSWORD, seed_demo
from marketplace.extensions import db as _db
from marketplace.listings.models import Listing
from tests.conftest import login


def test_demo_data_renders_everywhere(app, client, db):
    counts = seed_demo(DEMO_PASSWORD)
    _db.session.commit()
    assert counts["offers"] >= 60 and counts["needs"] >= 30
    published = _db.session.scalars(select(Listing).where(Listing.status == "published")).all()
    assert len(published) >= 110
    assert counts["ip_assets"] >= 40
    marks = client.get("/ip-assets/marks").get_data(as_text=True)
    assert "00055" in marks and "Sen Hưng Yên" in marks
    for url in ("/", "/offers", "/needs", "/search?q=say+nhan", "/offers?q=nhan+long&sort=newest",
                "/needs?sort=deadline", "/offers?st_fields=4&st_fields=401&price_type=fixed", "/organisations/",
                "/api/v1/search?q=bao+quan", "/api/v1/offers?kind=equipment", "/api/v1/needs", "/ip-assets",
                "/ip-assets?legal_status=granted&available=true", "/ip-assets/marks", "/api/v1/ip-assets?kind=invention",
                "/search?q=nhan+long"):
        assert client.get(url).status_code == 200, url
    page = client.get("/offers?q=sấy nhãn").get_data(as_text=True)
    assert "<mark>" in page and "₫" in client.get("/offers?price_type=fixed").get_data(as_text=True)
    for listing in published[::7]:
        assert client.get(f"/l/{listing.reference}").status_code == 200, listing.reference
    login(client, "moderator@demo.example", DEMO_PASSWORD)
    queue = client.get("/moderation/")
    assert queue.status_code == 200
    pending = _db.session.scalars(select(Listing).where(Listing.status == "pending_review")).all()
    assert pending and pending[0].reference in queue.get_data(as_text=True)
    assert {x.side for x in pending} == {"offer", "need", "ip_asset"}
    for listing in pending:  # every kind of listing has a review page
        assert client.get(f"/moderation/{listing.reference}").status_code == 200, listing.reference
    client.post("/account/logout")
    _demo_fairs(client)
    login(client, "institute@demo.example", DEMO_PASSWORD)
    assert client.get("/my/listings").status_code == 200
    for side in ("offer", "ip_asset"):  # the owner's view of a listing shows quality hints
        own = _db.session.scalar(select(Listing).join(Listing.organisation)
                                 .where(Listing.side == side, Listing.created_by.has(email="institute@demo.example")))
        assert client.get(f"/l/{own.reference}").status_code == 200, own.reference
        assert client.get(f"/l/{own.reference}/edit").status_code == 200, own.reference
    assert client.get("/offers/new").status_code == 200 and client.get("/needs/new").status_code == 200


def _demo_fairs(client):
    from marketplace.events.meetings.models import Meeting
    from marketplace.events.models import Event

    fairs = {e.status: e for e in _db.session.scalars(select(Event))}
    assert set(fairs) == {"published", "finished"}
    coming, past = fairs["published"], fairs["finished"]
    assert coming.title_vi.startswith("Chợ công nghệ và thiết bị Hưng Yên") and len(coming.sessions) == 5
    outcomes = {m.outcome for m in _db.session.scalars(select(Meeting).where(Meeting.event_id == past.id))}
    assert {"mou", "contract"} <= outcomes
    assert coming.title_vi in client.get("/events/").get_data(as_text=True)
    assert past.title_vi in client.get("/events/?when=past").get_data(as_text=True)
    for url in (f"/events/{coming.slug}", f"/events/{past.slug}", f"/events/{coming.slug}.ics",
                f"/events/{coming.slug}/exhibitors", f"/events/{past.slug}/exhibitors", "/api/v1/events",
                f"/api/v1/events/{coming.id}", "/api/v1/events?when=past"):
        assert client.get(url).status_code == 200, url
    login(client, "organiser@demo.example", DEMO_PASSWORD)
    for url in (f"/events/{coming.slug}/edit", f"/events/{coming.slug}/manage/registrations",
                f"/events/{coming.slug}/manage/exhibitors", f"/events/{coming.slug}/manage/b2b",
                f"/events/{coming.slug}/checkin", f"/events/{past.slug}/manage/b2b"):
        assert client.get(url).status_code == 200, url
    client.post("/account/logout")
