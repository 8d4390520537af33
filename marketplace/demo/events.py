"""Demo fairs: last year's Hưng Yên Techmart with its results, and the coming one open for registration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ..events.exhibitors.models import Exhibitor, ExhibitorListing
from ..events.meetings.models import MatchmakingSession, Meeting, MeetingSeat
from ..events.models import Event, EventCapacity
from ..events.registration.models import Registration
from ..events.registration.services import register
from ..events.seats import new_token
from ..events.services import add_agenda_item, change_event_status, create_event
from ..extensions import db
from ..listings.models import Listing, Side, Status
from ..timeutil import utcnow

VENUE = "Trung tâm Hội nghị tỉnh Hưng Yên"
ADDRESS = "Đường Chùa Chuông, phường Phố Hiến, tỉnh Hưng Yên"


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` Vietnam time on ``day``, as naive UTC."""
    return day.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=hour - 7, minutes=minute)


def _utc(value: datetime) -> datetime:
    """For services, which read naive input as Vietnam time."""
    return value.replace(tzinfo=UTC)


def _offers(org, limit=3) -> list[Listing]:
    return list(db.session.scalars(select(Listing).where(Listing.organisation_id == org.id,
                                                         Listing.side.in_([Side.OFFER.value, Side.IP_ASSET.value]),
                                                         Listing.status == Status.PUBLISHED.value)
                                   .order_by(Listing.id).limit(limit)))


def _past_fair(orgs: dict, owners: dict, organiser) -> None:
    day = utcnow() - timedelta(days=370)
    event = Event(slug=f"cho-cong-nghe-va-thiet-bi-hung-yen-{day:%Y}", type="techmart", status="finished",
                  title_vi=f"Chợ công nghệ và thiết bị Hưng Yên {day:%Y}", title_en=f"Hung Yen Techmart {day:%Y}",
                  description_vi="Chợ công nghệ lần thứ nhất của tỉnh: 42 gian hàng, 3 phiên kết nối cung cầu "
                                 "về chế biến nông sản, cơ khí và chuyển đổi số.",
                  description_en="The province's first technology fair: 42 booths, 3 matchmaking sessions on food "
                                 "processing, mechanics and digital transformation.",
                  venue=VENUE, address=ADDRESS, province_code="33", starts_at=_at(day, 8), ends_at=_at(day, 17),
                  organiser_id=organiser.id, published_at=day - timedelta(days=45), arrivals=0)
    db.session.add(event)
    for participant_type, capacity in (("visitor", 300), ("exhibitor", 40), ("b2b", 60)):
        event.capacities.append(EventCapacity(participant_type=participant_type, capacity=capacity, taken=0))
    session = MatchmakingSession(event=event, title="Phiên kết nối: chế biến nông sản", starts_at=_at(day, 13, 30),
                                 ends_at=_at(day, 16, 30), slot_minutes=20, tables=10)
    db.session.add(session)
    db.session.flush()
    regs = {}
    for n, (key, participant_type) in enumerate((("institute", "exhibitor"), ("university", "exhibitor"),
                                                 ("business", "b2b"), ("coop", "b2b")), start=1):
        user, org = owners[key], orgs[key]
        regs[key] = Registration(event_id=event.id, user_id=user.id, organisation_id=org.id, arrival_no=n,
                                 participant_type=participant_type, status="confirmed", full_name=user.full_name,
                                 email=user.email, consent_processing=True, in_directory=True,
                                 ticket_token=new_token(), created_at=day - timedelta(days=20),
                                 confirmed_at=day - timedelta(days=20), checked_in_at=_at(day, 7, 40 + n),
                                 checked_in_gate="Cổng 1")
        db.session.add(regs[key])
        event.capacity_for(participant_type).taken += 1
    event.arrivals = len(regs)
    for booth, key in (("A-01", "institute"), ("A-02", "university")):
        exhibitor = Exhibitor(event_id=event.id, organisation_id=orgs[key].id, applied_by_id=owners[key].id,
                              status="approved", booth_type="standard", booth_no=booth, needs_power=True,
                              staff_names=[owners[key].full_name], decided_at=day - timedelta(days=10))
        exhibitor.items = [ExhibitorListing(listing_id=x.id) for x in _offers(orgs[key])]
        db.session.add(exhibitor)
    db.session.flush()
    outcomes = [("institute", "business", "contract", 850_000_000, "Hợp đồng chuyển giao dây chuyền sấy long nhãn."),
                ("university", "business", "mou", 1_200_000_000, "Biên bản ghi nhớ hợp tác số hoá truy xuất nguồn gốc."),
                ("institute", "coop", "follow_up", None, "Hẹn khảo sát vùng trồng nhãn tại Tiên Lữ."),
                ("university", "coop", "held", None, None)]
    for slot, (a, b, outcome, value, note) in enumerate(outcomes):
        start = session.starts_at + timedelta(minutes=20 * slot)
        meeting = Meeting(event_id=event.id, requester_id=regs[b].id, invitee_id=regs[a].id, status="accepted",
                          reason="Tìm hiểu công nghệ trưng bày tại gian hàng.", session_id=session.id,
                          slot_start=start, table_no=slot + 1, outcome=outcome, value_vnd=value, outcome_note=note,
                          outcome_by_id=organiser.id, outcome_at=day, created_at=day - timedelta(days=7))
        db.session.add(meeting)
        db.session.flush()
        db.session.add_all([MeetingSeat(meeting_id=meeting.id, registration_id=regs[a].id, slot_start=start),
                            MeetingSeat(meeting_id=meeting.id, registration_id=regs[b].id, slot_start=start)])


def _coming_fair(orgs: dict, owners: dict, organiser) -> Event:
    day = utcnow() + timedelta(days=24)
    event = create_event(by=organiser, data={
        "type": "techmart", "title_vi": f"Chợ công nghệ và thiết bị Hưng Yên {day:%Y}",
        "title_en": f"Hung Yen Technology and Equipment Fair {day:%Y}",
        "description_vi": "Sở Khoa học và Công nghệ tổ chức chợ công nghệ và thiết bị, trình diễn công nghệ chế biến "
                          "nhãn, cơ khí chính xác, nông nghiệp số; các phiên kết nối cung cầu (B2B) giữa viện, "
                          "trường và doanh nghiệp; ký kết biên bản ghi nhớ và hợp đồng chuyển giao công nghệ.",
        "description_en": "DOST's technology and equipment fair: demonstrations of longan processing, precision "
                          "mechanics and digital agriculture; B2B matchmaking between institutes, universities and "
                          "companies; signing of MoUs and technology-transfer contracts.",
        "venue": VENUE, "address": ADDRESS, "province_code": "33",
        "starts_at": _utc(_at(day, 8)), "ends_at": _utc(_at(day + timedelta(days=1), 17)),
        "registration_closes_at": _utc(_at(day - timedelta(days=2), 17)),
        "capacity": {"visitor": 400, "exhibitor": 40, "b2b": 80, "speaker": 12, "press": 20},
        "waitlist_enabled": True, "approval_required": False, "offer_hours": 48})
    change_event_status(event, by=organiser, action="publish")
    for start, end, title_vi, title_en, room in (
            ((8, 0), (8, 30), "Đón tiếp đại biểu, check-in", "Welcome and check-in", "Sảnh chính"),
            ((8, 30), (9, 30), "Khai mạc, giới thiệu chương trình hỗ trợ chuyển giao công nghệ của tỉnh",
             "Opening; the province's technology-transfer support programme", "Hội trường A"),
            ((9, 30), (11, 30), "Trình diễn công nghệ sấy và bảo quản nhãn lồng",
             "Demonstration: longan drying and storage", "Khu trình diễn"),
            ((13, 30), (16, 30), "Phiên kết nối cung cầu công nghệ (B2B)", "B2B technology matchmaking", "Hội trường B"),
            ((16, 30), (17, 0), "Ký kết biên bản ghi nhớ và hợp đồng", "Signing of MoUs and contracts", "Hội trường A")):
        add_agenda_item(event, by=organiser, data={"starts_at": _utc(_at(day, *start)), "ends_at": _utc(_at(day, *end)),
                                                   "title_vi": title_vi, "title_en": title_en, "room": room})
    session = MatchmakingSession(event=event, title="Kết nối cung cầu: chế biến nông sản và cơ khí",
                                 starts_at=_at(day, 13, 30), ends_at=_at(day, 16, 30), slot_minutes=20, tables=12)
    db.session.add(session)
    regs = {}
    for key, participant_type in (("institute", "exhibitor"), ("university", "exhibitor"), ("business", "b2b"),
                                  ("coop", "visitor")):
        regs[key], _created = register(event, by=owners[key], participant_type=participant_type,
                                       organisation=orgs[key],
                                       data={"consent_processing": True, "consent_share_contact": True,
                                             "in_directory": participant_type != "visitor",
                                             "interests": "Công nghệ sấy, bảo quản và chế biến nông sản."})
    for booth, key in (("B-01", "institute"), ("B-02", "university")):
        exhibitor = Exhibitor(event_id=event.id, organisation_id=orgs[key].id, applied_by_id=owners[key].id,
                              status="approved", booth_type="standard", booth_no=booth, needs_power=True,
                              needs_internet=key == "university", staff_names=[owners[key].full_name],
                              decided_at=utcnow())
        exhibitor.items = [ExhibitorListing(listing_id=x.id) for x in _offers(orgs[key])]
        db.session.add(exhibitor)
    db.session.add(Exhibitor(event_id=event.id, organisation_id=orgs["coop"].id, applied_by_id=owners["coop"].id,
                             status="pending", booth_type="shared", staff_names=[owners["coop"].full_name],
                             note="Xin trưng bày sản phẩm nhãn lồng OCOP trong gian chung của tỉnh."))
    db.session.add(Meeting(event_id=event.id, requester_id=regs["business"].id, invitee_id=regs["institute"].id,
                           status="pending", reason="Muốn tìm hiểu dây chuyền sấy long nhãn bằng bơm nhiệt "
                                                    "công suất 2 tấn/mẻ."))
    db.session.flush()
    return event


def seed_events(orgs: dict, owners: dict, organiser) -> dict[str, int]:
    if organiser is None or db.session.scalar(select(func.count()).select_from(Event)):
        return {"events": 0}
    _past_fair(orgs, owners, organiser)
    _coming_fair(orgs, owners, organiser)
    return {"events": 2}
