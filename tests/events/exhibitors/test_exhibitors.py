"""Exhibitors and booths: members apply for their organisation, organisers decide and give booths (never
twice), and the public catalogue shows approved exhibitors with their published listings only."""

from __future__ import annotations

import threading

import pytest

from marketplace.accounts.models import User
from marketplace.accounts.services import request_membership
from marketplace.errors import ServiceError
from marketplace.events.exhibitors.models import Exhibitor, ExhibitorStatus
from marketplace.events.exhibitors.services import (
    apply_as_exhibitor,
    assign_booth,
    decide_exhibitor,
    update_application,
    withdraw_application,
)
from marketplace.events.services import change_event_status
from marketplace.listings.models import Listing
from marketplace.listings.services import create_listing
from tests.conftest import login
from tests.factories.events import EventFactory

APPLICATION = {"booth_type": "standard", "needs_power": True, "staff_names": "Phạm Minh\nNguyễn Thị Hoà"}


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("cnso_lang", "en")  # the pages' English msgids (the Vietnamese catalogue comes later)


@pytest.fixture()
def apply(db):
    def do(event, owner_org, **data):
        user, org = owner_org
        exhibitor = apply_as_exhibitor(event, by=user, organisation=org, data=APPLICATION | data)
        db.session.commit()
        return exhibitor

    return do


@pytest.fixture()
def approved(db, organiser, apply):
    def do(event, owner_org, booth_no=None, **data):
        exhibitor = apply(event, owner_org, **data)
        decide_exhibitor(exhibitor, by=organiser, approve=True)
        if booth_no:
            assign_booth(exhibitor, by=organiser, booth_no=booth_no)
        db.session.commit()
        return exhibitor

    return do


def draft_offer(db, owner_org, title="Máy bóc vỏ lạc bán tự động"):
    user, org = owner_org
    listing = create_listing("offer", by=user, organisation=org, data={"kind": "equipment", "title_vi": title})
    db.session.commit()
    return listing


# --- applying -------------------------------------------------------------------------------------------------

def test_member_applies_with_listings_new_offer_drafts_and_staff(db, client, event, institute, publish):
    user, org = institute
    offer = publish("offer", institute)
    draft = draft_offer(db, institute)
    login(client, user.email)
    page = client.get(f"/events/{event.slug}/exhibit")
    assert page.status_code == 200 and offer.title_vi in page.text and draft.title_vi in page.text
    response = client.post(f"/events/{event.slug}/exhibit", data={
        "organisation_id": org.id, "booth_type": "raw_space", "needs_internet": "1",
        "listing_ids": [offer.id, draft.id], "new_offer_titles": "Chế phẩm vi sinh xử lý rơm rạ\n\n",
        "staff_names": "TS. Phạm Minh\nKS. Lê Hồng Nhung\nTS. Phạm Minh", "note": "Cần bàn trưng bày mẫu."})
    assert response.status_code == 302
    exhibitor = db.session.query(Exhibitor).one()
    assert (exhibitor.status, exhibitor.booth_type, exhibitor.needs_internet, exhibitor.needs_power) == \
        ("pending", "raw_space", True, False)
    assert exhibitor.staff_names == ["TS. Phạm Minh", "KS. Lê Hồng Nhung"]
    new = db.session.query(Listing).filter_by(title_vi="Chế phẩm vi sinh xử lý rơm rạ").one()
    assert (new.side, new.kind, new.status, new.organisation_id) == ("offer", "technology", "draft", org.id)
    assert {i.listing_id for i in exhibitor.items} == {offer.id, draft.id, new.id}
    page = client.get(response.headers["Location"])
    assert "Waiting for review" in page.text and "Withdraw the application" in page.text


def test_signed_out_people_are_sent_to_sign_in(db, client, event):
    response = client.get(f"/events/{event.slug}/exhibit")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert client.post(f"/events/{event.slug}/exhibit", data={"booth_type": "standard"}).status_code == 302
    assert db.session.query(Exhibitor).count() == 0


def test_only_active_members_apply_for_an_organisation(db, client, event, institute, make_user):
    _owner, org = institute
    outsider = make_user(email="ngoai@example.vn", name="Trần Văn Ngoại")
    request_membership(org, by=outsider)  # pending, not active
    db.session.commit()
    with pytest.raises(ServiceError) as exc:
        apply_as_exhibitor(event, by=outsider, organisation=org, data=APPLICATION)
    assert (exc.value.code, exc.value.status) == ("not_member", 403)
    db.session.rollback()
    login(client, outsider.email)
    page = client.get(f"/events/{event.slug}/exhibit")
    assert page.status_code == 200 and "Register an organisation" in page.text
    assert client.post(f"/events/{event.slug}/exhibit",
                       data={"organisation_id": org.id, "booth_type": "standard"}).status_code == 404
    assert db.session.query(Exhibitor).count() == 0


def test_one_application_per_organisation_and_event(db, event, institute, apply):
    apply(event, institute)
    user, org = institute
    with pytest.raises(ServiceError) as exc:
        apply_as_exhibitor(event, by=user, organisation=org, data=APPLICATION)
    assert (exc.value.code, exc.value.status) == ("already_applied", 409)
    db.session.rollback()
    assert db.session.query(Exhibitor).count() == 1


def test_a_second_post_edits_the_pending_application(db, client, event, institute, apply):
    user, org = institute
    exhibitor = apply(event, institute)
    login(client, user.email)
    response = client.post(f"/events/{event.slug}/exhibit", data={
        "organisation_id": org.id, "booth_type": "shared", "staff_names": "Vũ Thị Lan"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(Exhibitor).count() == 1
    assert (exhibitor.booth_type, exhibitor.staff_names, exhibitor.needs_power) == ("shared", ["Vũ Thị Lan"], False)


def test_listings_of_another_organisation_are_refused(db, client, event, institute, business, publish):
    theirs = publish("need", business)
    user, org = institute
    login(client, user.email)
    response = client.post(f"/events/{event.slug}/exhibit", data={
        "organisation_id": org.id, "booth_type": "standard", "listing_ids": [theirs.id]})
    assert response.status_code == 422
    assert "Choose only your organisation" in response.text
    assert db.session.query(Exhibitor).count() == 0


@pytest.mark.parametrize(("data", "field"), [
    ({"booth_type": "gian VIP"}, "booth_type"),
    ({"staff_names": [f"Người {i}" for i in range(21)]}, "staff_names"),
    ({"staff_names": ["Ạ" * 121]}, "staff_names"),
    ({"note": "ư" * 1001}, "note"),
    ({"listing_ids": ["abc"]}, "listing_ids"),
    ({"new_offer_titles": "T" * 201}, "new_offer_titles"),
])
def test_application_input_is_checked(db, event, institute, data, field):
    user, org = institute
    with pytest.raises(ServiceError) as exc:
        apply_as_exhibitor(event, by=user, organisation=org, data=APPLICATION | data)
    assert (exc.value.field, exc.value.status) == (field, 422)


def test_no_applications_once_the_event_is_closed(db, event, organiser, institute):
    change_event_status(event, by=organiser, action="close_registration")
    db.session.commit()
    user, org = institute
    with pytest.raises(ServiceError) as exc:
        apply_as_exhibitor(event, by=user, organisation=org, data=APPLICATION)
    assert exc.value.code == "applications_closed"


def test_withdrawn_application_frees_the_booth_and_can_be_sent_again(db, event, organiser, institute, business,
                                                                      approved, apply):
    exhibitor = approved(event, institute, booth_no="A-12")
    user, org = institute
    withdraw_application(exhibitor, by=user)
    db.session.commit()
    assert (exhibitor.status, exhibitor.booth_no) == ("withdrawn", None)
    other = approved(event, business, booth_no="A-12")
    assert other.booth_no == "A-12"
    again = apply(event, institute, booth_type="shared")
    assert (again.id, again.status, again.booth_type) == (exhibitor.id, "pending", "shared")
    with pytest.raises(ServiceError):
        update_application(exhibitor, by=organiser, data={"note": "x"})  # organisers are not members


# --- organisers -----------------------------------------------------------------------------------------------

def test_non_organisers_get_403_on_the_management_pages(db, client, event, institute, apply):
    exhibitor = apply(event, institute)
    user, _org = institute
    login(client, user.email)
    base = f"/events/{event.slug}/manage/exhibitors"
    assert client.get(base).status_code == 403
    assert client.post(f"{base}/{exhibitor.id}/decide", data={"decision": "approve"}).status_code == 403
    assert client.post(f"{base}/{exhibitor.id}/booth", data={"booth_no": "A-1"}).status_code == 403
    db.session.expire_all()
    assert (exhibitor.status, exhibitor.booth_no) == ("pending", None)
    with pytest.raises(ServiceError) as exc:
        decide_exhibitor(exhibitor, by=user, approve=True)
    assert exc.value.status == 403


def test_organiser_reviews_approves_and_assigns_a_booth(db, client, event, organiser, institute, apply, mailbox):
    exhibitor = apply(event, institute, note="Trưng bày máy sấy bơm nhiệt")
    login(client, organiser.email)
    page = client.get(f"/events/{event.slug}/manage/exhibitors?status=pending")
    assert page.status_code == 200
    assert "Viện Nghiên cứu Rau quả Phố Hiến" in page.text and "Nguyễn Thị Hoà" in page.text
    assert "Trưng bày máy sấy bơm nhiệt" in page.text
    response = client.post(f"/events/{event.slug}/manage/exhibitors/{exhibitor.id}/decide",
                           data={"decision": "approve", "note": "Mời mang mẫu thật", "status": "pending"})
    assert response.status_code == 302 and "status=pending" in response.headers["Location"]
    response = client.post(f"/events/{event.slug}/manage/exhibitors/{exhibitor.id}/booth",
                           data={"booth_no": "  a-12 "})
    assert response.status_code == 302
    db.session.expire_all()
    assert (exhibitor.status, exhibitor.booth_no, exhibitor.decision_note) == ("approved", "A-12", "Mời mang mẫu thật")
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in mailbox.to("vien@example.vn")]
    assert any("Mời mang mẫu thật" in b for b in bodies)
    assert any("A-12" in b and f"/events/{event.slug}/exhibitors" in b for b in bodies)


def test_booth_is_never_given_twice(db, client, event, organiser, institute, business, approved):
    first = approved(event, institute, booth_no="B-07")
    second = approved(event, business)
    login(client, organiser.email)
    response = client.post(f"/events/{event.slug}/manage/exhibitors/{second.id}/booth", data={"booth_no": "b-07"})
    assert response.status_code == 409
    assert "Booth B-07 is already given to Viện Nghiên cứu Rau quả Phố Hiến" in response.text
    db.session.expire_all()
    assert (first.booth_no, second.booth_no) == ("B-07", None)


def test_a_concurrent_double_booth_assignment_is_a_clean_409(db, client, event, organiser, institute, business,
                                                             approved, monkeypatch):
    approved(event, institute, booth_no="C-01")
    second = approved(event, business)
    # the other organiser's assignment commits between our check and our write: only the constraint sees it
    monkeypatch.setattr("marketplace.events.exhibitors.services.booth_holder", lambda *a, **k: None)
    login(client, organiser.email)
    response = client.post(f"/events/{event.slug}/manage/exhibitors/{second.id}/booth", data={"booth_no": "C-01"})
    assert response.status_code == 409 and "has just been given to another exhibitor" in response.text
    db.session.expire_all()
    assert db.session.query(Exhibitor).filter_by(booth_no="C-01").count() == 1 and second.booth_no is None


def test_booths_only_for_approved_applications_and_numbers_are_checked(db, event, organiser, institute, apply):
    exhibitor = apply(event, institute)
    with pytest.raises(ServiceError) as exc:
        assign_booth(exhibitor, by=organiser, booth_no="A-1")
    assert exc.value.code == "not_approved"
    decide_exhibitor(exhibitor, by=organiser, approve=True)
    for bad in ("A" * 21, "<b>", "-A1"):
        with pytest.raises(ServiceError) as exc:
            assign_booth(exhibitor, by=organiser, booth_no=bad)
        assert exc.value.field == "booth_no"


def test_rejection_frees_the_booth(db, event, organiser, institute, approved):
    exhibitor = approved(event, institute, booth_no="D-3")
    decide_exhibitor(exhibitor, by=organiser, approve=False, note="Không phù hợp chủ đề")
    db.session.commit()
    assert (exhibitor.status, exhibitor.booth_no) == (ExhibitorStatus.REJECTED.value, None)
    with pytest.raises(ServiceError) as exc:
        decide_exhibitor(exhibitor, by=organiser, approve=False)
    assert exc.value.code == "unchanged"


# --- public catalogue -----------------------------------------------------------------------------------------

def test_catalogue_shows_approved_exhibitors_and_only_published_listings(db, client, event, institute, business,
                                                                         publish, approved, apply):
    offer = publish("offer", institute)
    draft = draft_offer(db, institute, title="Dây chuyền sơ chế nhãn (bản nháp)")
    approved(event, institute, booth_no="A-12", listing_ids=[offer.id, draft.id])
    apply(event, business)  # pending: not in the catalogue
    page = client.get(f"/events/{event.slug}/exhibitors")
    assert page.status_code == 200
    assert "Viện Nghiên cứu Rau quả Phố Hiến" in page.text and "A-12" in page.text
    assert f'/l/{offer.reference}"' in page.text and offer.title_vi in page.text
    assert draft.title_vi not in page.text and draft.reference not in page.text
    assert "Công ty CP Chế biến Nông sản Khoái Châu" not in page.text
    assert f'/organisations/{institute[1].slug}"' in page.text
    assert "Phố Hiến" in client.get(f"/events/{event.slug}/exhibitors?q=pho hien").text
    assert "Phố Hiến" not in client.get(f"/events/{event.slug}/exhibitors?q=cà phê").text


def test_catalogue_of_a_draft_event_is_not_found(db, client):
    draft = EventFactory(draft=True)
    assert client.get(f"/events/{draft.slug}/exhibitors").status_code == 404


def test_two_organisers_giving_the_same_booth_at_once(app, db, event, organiser, institute, business, approved):
    ids = [approved(event, institute).id, approved(event, business).id]
    barrier, results = threading.Barrier(2), {}

    def give(exhibitor_id):
        with app.app_context():
            exhibitor, by = db.session.get(Exhibitor, exhibitor_id), db.session.get(User, organiser.id)
            barrier.wait()
            try:
                assign_booth(exhibitor, by=by, booth_no="E-5")
                db.session.commit()
                results[exhibitor_id] = "ok"
            except ServiceError as exc:
                db.session.rollback()
                results[exhibitor_id] = (exc.code, exc.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=give, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values(), key=str) == [("booth_taken", 409), "ok"]
    db.session.expire_all()
    assert db.session.query(Exhibitor).filter_by(booth_no="E-5").count() == 1


def test_a_refused_request_leaves_no_booth_behind(db, event, organiser, institute, approved):
    exhibitor = approved(event, institute)
    assign_booth(exhibitor, by=organiser, booth_no="F-1")
    db.session.rollback()  # what a view does when anything later fails
    db.session.expire_all()
    assert exhibitor.booth_no is None


def test_a_member_of_two_organisations_chooses_which_one_applies(db, client, event, organiser, institute, make_org,
                                                                 publish, approved):
    user, first = institute
    second = make_org(user, legal_name="Hợp tác xã Nhãn lồng Tiên Lữ", org_type="cooperative")
    ours = publish("offer", institute)
    decide_exhibitor(approved(event, institute), by=organiser, approve=False, note="Hết chỗ")
    db.session.commit()
    login(client, user.email)
    page = client.get(f"/events/{event.slug}/exhibit?org={first.id}")
    assert "Hết chỗ" in page.text and "was not accepted" in page.text and 'name="booth_type"' not in page.text
    page = client.get(f"/events/{event.slug}/exhibit?org={second.id}")
    assert 'name="booth_type"' in page.text and ours.title_vi not in page.text
    response = client.post(f"/events/{event.slug}/exhibit", data={"organisation_id": second.id,
                                                                 "booth_type": "shared"})
    assert response.status_code == 302
    assert db.session.query(Exhibitor).filter_by(organisation_id=second.id, status="pending").count() == 1
    assert client.get(f"/events/{event.slug}/exhibit?org=999999").status_code == 404
