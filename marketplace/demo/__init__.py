"""Demo data for ``flask seed demo`` and ``make run``: one account per role and real-looking Hưng Yên
organisations. Idempotent: running it twice adds nothing."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import Organisation, OrgStatus, User
from ..accounts.services import create_organisation, create_user
from ..accounts.services.organisations import set_organisation_status
from ..extensions import db
from ..reference.models import ReferenceCode
from ..reference.services import load_reference_data
from .events import seed_events
from .ip_assets import seed_ip_assets
from .listings import seed_listings
from .staff import enrol_demo_staff

DEMO_PASSWORD = "demo-cho-cong-nghe-2026"

# email, full name, role, organisation key
DEMO_ACCOUNTS = [
    ("admin@demo.example", "Nguyễn Thị Quản Trị", "admin", None),
    ("moderator@demo.example", "Trần Văn Kiểm Duyệt", "moderator", None),
    ("organiser@demo.example", "Lê Thu Tổ Chức", "organiser", None),
    ("institute@demo.example", "PGS.TS. Phạm Minh Nghiên", "member", "institute"),
    ("business@demo.example", "Đỗ Văn Doanh", "member", "business"),
    ("university@demo.example", "TS. Vũ Thị Hằng", "member", "university"),
    ("coop@demo.example", "Nguyễn Văn Nhãn", "member", "coop"),
]

DEMO_ORGANISATIONS = {
    "institute": dict(
        legal_name="Viện Nghiên cứu Rau quả và Công nghệ sau thu hoạch Phố Hiến", short_name="Viện RQ Phố Hiến",
        org_type="research_institute", tax_code="0100109106", province_code="33", commune_code=None,
        street_address="Số 8 Nguyễn Văn Linh", representative="PGS.TS. Phạm Minh Nghiên",
        representative_title="Viện trưởng", phone="0221 3863 123", email="lienhe@vienrqphohien.example",
        website="https://vienrqphohien.example",
        description="Nghiên cứu và chuyển giao công nghệ bảo quản, chế biến nhãn lồng, vải và rau quả đặc sản "
                    "của Hưng Yên; dịch vụ phân tích chất lượng nông sản."),
    "business": dict(
        legal_name="Công ty Cổ phần Chế biến Nông sản Khoái Châu", short_name="Nông sản Khoái Châu",
        org_type="enterprise", tax_code="0900108126", province_code="33", commune_code=None,
        street_address="Cụm công nghiệp Khoái Châu", representative="Đỗ Văn Doanh",
        representative_title="Giám đốc", phone="0221 3910 456", email="info@nskhoaichau.example",
        website="https://nskhoaichau.example",
        description="Sản xuất long nhãn sấy, nhãn đóng hộp và các sản phẩm OCOP 4 sao; đang tìm công nghệ sấy "
                    "tiết kiệm năng lượng và dây chuyền đóng gói tự động."),
    "university": dict(
        legal_name="Trường Đại học Sư phạm Kỹ thuật Hưng Yên", short_name="ĐH SPKT Hưng Yên",
        org_type="university", tax_code="0900219517", province_code="33", commune_code=None,
        street_address="Xã Khoái Châu", representative="Hiệu trưởng", representative_title="Hiệu trưởng",
        description="Đào tạo và nghiên cứu cơ khí, điện – điện tử, công nghệ thông tin; chuyển giao thiết bị "
                    "tự động hóa cho doanh nghiệp công nghiệp hỗ trợ."),
    "coop": dict(
        legal_name="Hợp tác xã Nhãn lồng Tiên Lữ", short_name="HTX Nhãn lồng Tiên Lữ", org_type="cooperative",
        tax_code=None, province_code="33", commune_code=None, street_address="Xã Tiên Lữ",
        description="Sản xuất nhãn lồng theo chỉ dẫn địa lý Hưng Yên; cần công nghệ bảo quản tươi xuất khẩu."),
    "dost": dict(
        legal_name="Sở Khoa học và Công nghệ tỉnh Hưng Yên", short_name="Sở KH&CN Hưng Yên", org_type="state_agency",
        tax_code=None, province_code="33", commune_code=None, street_address="Phường Phố Hiến",
        website="https://khcnhungyen.gov.vn",
        description="Cơ quan quản lý chỉ dẫn địa lý và các nhãn hiệu chứng nhận của tỉnh; vận hành sàn giao dịch "
                    "công nghệ."),
    "pending": dict(
        legal_name="Công ty TNHH Cơ khí Chính xác Phố Nối", short_name="Cơ khí Phố Nối", org_type="enterprise",
        tax_code="0100109106-001", province_code="33", commune_code=None, street_address="KCN Phố Nối A",
        description="Gia công cơ khí chính xác cho công nghiệp hỗ trợ; hồ sơ đang chờ Sở KH&CN xác minh."),
}


def _commune(label: str) -> str | None:
    return db.session.scalar(select(ReferenceCode.code).where(ReferenceCode.scheme == "commune",
                                                              ReferenceCode.label_vi == label))


def seed_demo(password: str = DEMO_PASSWORD, *, enrol_staff: bool = True) -> dict[str, int]:
    """Load the demo. ``enrol_staff``: staff accounts get the published demo second factor (never in
    production, where staff enrol their own authenticator app)."""
    load_reference_data()
    created = {"users": 0, "organisations": 0}
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.example"))
    orgs: dict[str, Organisation] = {}
    for key, fields in DEMO_ORGANISATIONS.items():
        org = db.session.scalar(select(Organisation).where(Organisation.legal_name == fields["legal_name"]))
        orgs[key] = org
    for email, name, role, _org_key in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(email=email, password=password, full_name=name, role=role, verified=True,
                               locale="vi")
            created["users"] += 1
        if role == "admin":
            admin = user
    for key, fields in DEMO_ORGANISATIONS.items():
        if orgs[key] is not None:
            continue
        owner_email = next((e for e, _n, _r, k in DEMO_ACCOUNTS if k == key), "admin@demo.example")
        owner = db.session.scalar(select(User).where(User.email == owner_email))
        data = dict(fields)
        data["commune_code"] = _commune({"institute": "Phường Phố Hiến", "business": "Xã Khoái Châu",
                                         "university": "Xã Khoái Châu", "coop": "Xã Tiên Lữ",
                                         "pending": "Phường Mỹ Hào", "dost": "Phường Phố Hiến"}[key])
        org = create_organisation(by=owner, **data)
        if key != "pending":
            set_organisation_status(org, OrgStatus.VERIFIED.value, by=admin)
        orgs[key] = org
        created["organisations"] += 1
    db.session.flush()
    if enrol_staff:
        staff = db.session.scalars(select(User).where(User.email.in_([e for e, *_ in DEMO_ACCOUNTS]))).all()
        enrol_demo_staff(staff)
    owners = {key: db.session.scalar(select(User).where(User.email == f"{key}@demo.example"))
              for key in ("institute", "business", "university", "coop")}
    owners["dost"] = admin
    moderator = db.session.scalar(select(User).where(User.email == "moderator@demo.example"))
    created.update(seed_listings(orgs, owners, moderator))
    created.update(seed_ip_assets(orgs, owners, moderator))
    organiser = db.session.scalar(select(User).where(User.email == "organiser@demo.example"))
    created.update(seed_events(orgs, owners, organiser))
    return created
