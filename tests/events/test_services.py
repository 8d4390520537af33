"""The event core's rules: one visibility rule for pages and API, and a search document that follows the event."""

from __future__ import annotations

from marketplace.events.services import add_agenda_item, remove_agenda_item
from tests.conftest import login
from tests.factories.events import EventFactory


def test_pages_and_api_share_one_visibility_rule(client, db, api_token, organiser):
    shown = EventFactory(title_vi="Chợ công nghệ đang mở")
    draft = EventFactory(draft=True, title_vi="Hội thảo còn nháp")
    archived = EventFactory(status="archived", title_vi="Hội chợ đã lưu trữ")

    page = client.get("/events/").get_data(as_text=True)
    listed = [e["id"] for e in client.get("/api/v1/events").json["items"]]
    assert shown.title_vi in page and listed == [shown.id]
    assert draft.title_vi not in page and archived.title_vi not in page
    assert client.get(f"/events/{draft.slug}").status_code == 404
    assert client.get(f"/api/v1/events/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/events/{draft.slug}").status_code == 404

    headers = api_token(organiser)  # organisers see drafts, through the same loader
    assert client.get(f"/api/v1/events/{draft.id}", headers=headers).json["slug"] == draft.slug
    login(client, organiser.email)
    assert client.get(f"/events/{draft.slug}").status_code == 200
    assert draft.title_vi in client.get("/events/?drafts=1").get_data(as_text=True)


def test_agenda_titles_are_found_by_search_once_added(client, db, event, organiser):
    def found(q):
        return event.title_vi in client.get(f"/events/?q={q}").get_data(as_text=True)

    assert not found("may gat dap lien hop")
    item = add_agenda_item(event, by=organiser, data={
        "starts_at": event.starts_at.isoformat() + "+00:00", "ends_at": event.ends_at.isoformat() + "+00:00",
        "title_vi": "Trình diễn máy gặt đập liên hợp"})
    db.session.commit()
    assert found("may gat dap lien hop")  # the index followed after commit, without diacritics too

    remove_agenda_item(item, by=organiser)
    db.session.commit()
    assert not found("may gat dap lien hop")
