"""Check-in at the gates: each answer as staff see it, who may use the page, live counts, and one ticket
scanned 20 times at once by two gates checking in exactly once (through a real threaded HTTP server)."""

from __future__ import annotations

import re
import threading
from datetime import datetime, time, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from marketplace.audit.models import AuditEntry
from marketplace.events.checkin.services import check_in
from marketplace.events.registration.models import Registration
from marketplace.events.registration.services import cancel_registration
from marketplace.timeutil import utcnow
from tests.conftest import PASSWORD, login, pass_second_factor
from tests.factories.events import EventFactory, RegistrationFactory

HX = {"HX-Request": "true"}
VN = timedelta(hours=7)


def url(event, suffix=""):
    return f"/events/{event.slug}/checkin{suffix}"


def english(client):
    client.set_cookie("cnso_lang", "en")  # the organiser has no saved language: the cookie decides


def answer_of(html: str) -> dict:
    """The result panel's machine-readable attributes (``data-outcome``, ``data-at``, ``data-gate``)."""
    tag = re.search(r'<div[^>]*class="[^"]*checkin-answer[^"]*"[^>]*>', html, re.S).group(0)
    return dict(re.findall(r'data-(outcome|at|gate)="([^"]*)"', tag))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture()
def staff(client, organiser):
    assert login(client, organiser.email).status_code == 302
    english(client)
    return organiser


@pytest.fixture()
def attendee(db, make_user, make_org):
    user = make_user(email="khach@example.vn", name="Trần Thị Bích")
    org = make_org(user, legal_name="Hợp tác xã Nhãn lồng Phố Hiến", short_name="HTX Nhãn Phố Hiến",
                   org_type="cooperative")
    return user, org


def test_page_is_phone_ready_and_counts_people(client, staff, event, attendee):
    RegistrationFactory(event=event, user=attendee[0], organisation=attendee[1])
    response = client.get(url(event))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="code"' in html and 'name="gate"' in html and 'id="camera-start"' in html
    assert "vendor/jsqr/jsQR.js" in html and "js/checkin.js" in html
    assert "<script>" not in html and " onclick=" not in html  # CSP: no inline script
    assert 'data-outcome="ready"' in html
    assert f'hx-get="{url(event, "/counts")}"' in html and "every 5s" in html
    counts = client.get(url(event, "/counts")).get_data(as_text=True)
    assert re.search(r'data-type="visitor".*?data-count="checked_in">0<', counts, re.S)


def test_checked_in_shows_name_type_and_organisation_and_counts_move(client, staff, db, event, attendee):
    reg = RegistrationFactory(event=event, user=attendee[0], organisation=attendee[1])
    response = client.post(url(event), data={"code": f"  {reg.ticket_token} ", "gate": "Cổng 1"}, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "checkin-done"
    html = response.get_data(as_text=True)
    assert "<html" not in html  # only the panel
    assert answer_of(html)["outcome"] == "checked_in" and answer_of(html)["gate"] == "Cổng 1"
    assert "text-bg-success" in html
    shown = text_of(html)
    assert "Checked in" in shown and "Trần Thị Bích" in shown and "Visitor" in shown and "HTX Nhãn Phố Hiến" in shown

    db.session.expire_all()
    saved = db.session.get(Registration, reg.id)
    assert saved.checked_in_at is not None and saved.checked_in_gate == "Cổng 1"
    assert saved.checked_in_by_id == staff.id
    counts = client.get(url(event, "/counts")).get_data(as_text=True)
    assert re.search(r'data-type="visitor".*?data-count="checked_in">1<', counts, re.S)
    assert re.search(r'data-type="total".*?data-count="checked_in">1<', counts, re.S)


def test_already_checked_in_says_when_in_vietnam_time_and_which_gate(client, staff, db, event, attendee):
    reg = RegistrationFactory(event=event, user=attendee[0])
    vn_today = (utcnow() + VN).date()
    first = datetime.combine(vn_today, time(9, 14)) - VN  # 09:14 in Hà Nội, stored as naive UTC
    check_in(event, token=reg.ticket_token, gate="2", by=staff, now=first)
    db.session.commit()

    response = client.post(url(event), data={"code": reg.ticket_token, "gate": "Cổng 1"}, headers=HX)
    html = response.get_data(as_text=True)
    assert answer_of(html) == {"outcome": "already", "at": first.isoformat() + "Z", "gate": "2"}
    assert "text-bg-warning" in html
    assert "Already checked in at 09:14 by gate 2" in text_of(html)
    assert "Trần Thị Bích" in text_of(html)  # staff can see whose ticket it is
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).checked_in_gate == "2"  # the first scan stays


def test_already_on_an_earlier_day_names_the_day(client, staff, db, event, attendee):
    reg = RegistrationFactory(event=event, user=attendee[0])
    yesterday = datetime.combine((utcnow() + VN).date() - timedelta(days=1), time(16, 5)) - VN
    check_in(event, token=reg.ticket_token, gate="Sảnh A", by=staff, now=yesterday)
    db.session.commit()
    html = client.post(url(event), data={"code": reg.ticket_token}, headers=HX).get_data(as_text=True)
    local = yesterday + VN
    assert f"Already checked in at 16:05 {local.day} {local:%b} by Sảnh A" in text_of(html)


def test_unknown_codes_and_other_events_tickets(client, staff, db, event, attendee):
    reg = RegistrationFactory(event=EventFactory(type="techfest", title_vi="Techfest Hưng Yên"), user=attendee[0])
    for code in ("khong-co-ve-nay", reg.ticket_token):
        html = client.post(url(event), data={"code": code}, headers=HX).get_data(as_text=True)
        assert answer_of(html)["outcome"] == "unknown"
        assert "text-bg-danger" in html and "Not registered for this event" in text_of(html)
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).checked_in_at is None


def test_cancelled_and_not_confirmed_are_refused(client, staff, db, event, attendee, make_user, register_person):
    cancelled = register_person(event, attendee[0])
    cancel_registration(cancelled, by=attendee[0])
    db.session.commit()
    html = client.post(url(event), data={"code": cancelled.ticket_token}, headers=HX).get_data(as_text=True)
    assert answer_of(html)["outcome"] == "cancelled" and "text-bg-danger" in html
    assert "Cancelled" in text_of(html)

    # a confirmed registration sent back to waiting keeps its token: not admitted until confirmed again
    waiting = RegistrationFactory(event=event, user=make_user(email="cho@example.vn", name="Phạm Văn Chờ"),
                                  status="waitlisted", ticket_token="ve-cu-van-con-giu")
    html = client.post(url(event), data={"code": waiting.ticket_token}, headers=HX).get_data(as_text=True)
    assert answer_of(html)["outcome"] == "not_confirmed" and "text-bg-danger" in html
    assert "Not confirmed" in text_of(html) and "On the waitlist" in text_of(html)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.checked_in_at.is_not(None))) == 0


def test_without_javascript_the_whole_page_answers_and_the_gate_is_remembered(client, staff, event, attendee,
                                                                              register_person):
    reg = register_person(event, attendee[0])
    response = client.post(url(event), data={"code": reg.ticket_token, "gate": "Cổng 2"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html and answer_of(html)["outcome"] == "checked_in"
    assert 'value="Cổng 2"' in html
    assert 'value="Cổng 2"' in client.get(url(event)).get_data(as_text=True)  # next visit, same phone

    empty = client.post(url(event), data={"code": "  ", "gate": "Cổng 2"})
    assert empty.status_code == 422 and answer_of(empty.get_data(as_text=True))["outcome"] == "empty"
    long_gate = client.post(url(event), data={"code": reg.ticket_token, "gate": "x" * 41}, headers=HX)
    assert long_gate.status_code == 200 and answer_of(long_gate.get_data(as_text=True))["outcome"] == "error"


def test_members_and_anonymous_cannot_check_in(client, db, event, attendee, register_person, make_user):
    reg = register_person(event, attendee[0])
    for path in (url(event), url(event, "/counts")):
        response = client.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    response = client.post(url(event), data={"code": reg.ticket_token})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]

    member = make_user(email="thanhvien@example.vn")
    assert login(client, member.email).status_code == 302
    assert client.get(url(event)).status_code == 403
    assert client.get(url(event, "/counts")).status_code == 403
    assert client.post(url(event), data={"code": reg.ticket_token}, headers=HX).status_code == 403
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).checked_in_at is None


def test_unknown_event_is_404(client, staff):
    assert client.get("/events/khong-co/checkin").status_code == 404


# ---- concurrency: two gates, one ticket, twenty scans at once ------------------------------------------------


@pytest.fixture()
def server(app, db):
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(timeout=5)


def signed_in(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60, cookies={"cnso_lang": "en"})
    response = pass_second_factor(client, client.post("/account/login", data={"email": email, "password": PASSWORD}),
                                  email)  # staff: the authenticator code too
    assert response.status_code == 302, response.text
    return client


def test_one_ticket_scanned_20_times_at_once_by_two_gates_checks_in_once(server, db, event, attendee, make_user,
                                                                         register_person):
    reg = register_person(event, attendee[0])
    gate_staff = {"Cổng 1": make_user(email="cong1@example.vn", role="organiser", name="Nhân viên Cổng 1"),
                  "Cổng 2": make_user(email="cong2@example.vn", role="organiser", name="Nhân viên Cổng 2")}
    sessions = {gate: signed_in(server, user.email) for gate, user in gate_staff.items()}
    gates = ["Cổng 1" if i % 2 == 0 else "Cổng 2" for i in range(20)]
    path, token = url(event), reg.ticket_token  # read here: the scanning threads have no app context
    barrier = threading.Barrier(len(gates))
    answers: list = [None] * len(gates)

    def scan(i: int, gate: str) -> None:
        with httpx.Client(base_url=server, timeout=60, cookies=sessions[gate].cookies) as client:
            barrier.wait()
            try:
                response = client.post(path, data={"code": token, "gate": gate}, headers=HX)
                answers[i] = (response.status_code, response.text)
            except Exception as exc:  # noqa: BLE001  (reported below, not swallowed)
                answers[i] = (None, repr(exc))

    threads = [threading.Thread(target=scan, args=(i, g)) for i, g in enumerate(gates)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for client in sessions.values():
        client.close()

    assert all(status == 200 for status, _ in answers), [a for a in answers if a[0] != 200][:2]
    results = [answer_of(body) for _, body in answers]
    winners = [r for r in results if r["outcome"] == "checked_in"]
    already = [r for r in results if r["outcome"] == "already"]
    assert len(winners) == 1 and len(already) == 19
    assert {(r["at"], r["gate"]) for r in already} == {(winners[0]["at"], winners[0]["gate"])}

    db.session.expire_all()
    saved = db.session.get(Registration, reg.id)
    assert saved.checked_in_gate == winners[0]["gate"]
    assert saved.checked_in_at.isoformat(timespec="seconds") + "Z" == winners[0]["at"]
    assert saved.checked_in_by_id == gate_staff[winners[0]["gate"]].id
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "event.check_in")) == 1
