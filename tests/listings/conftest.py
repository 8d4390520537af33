import os
import shutil
from pathlib import Path

import pytest

from tests.factories.listings import make_listing

OFFER = {"kind": "technology", "title_vi": "Công nghệ sấy nhãn bằng bơm nhiệt", "summary": "Sấy long nhãn tiết kiệm 40 % điện năng",
         "description": "Máy sấy bơm nhiệt cho long nhãn: nhiệt độ 50–55 °C, thời gian sấy 18 giờ, độ ẩm sản phẩm ≤ 18 %.",
         "st_fields": ["401", "206"], "sectors": ["C"], "province_code": "33", "trl": 7, "price_type": "negotiable",
         "tt_forms": ["independent"], "keywords": ["sấy nhãn", "bơm nhiệt"]}
NEED = {"title_vi": "Cần máy sấy long nhãn công suất 2 tấn/mẻ", "summary": "Doanh nghiệp cần thay lò sấy than",
        "problem": "Lò sấy than hiện tại làm long nhãn bị ám khói, độ ẩm không đều.", "st_fields": ["401"],
        "sectors": ["C"], "province_code": "33", "min_trl": 6, "budget_min_vnd": 300_000_000,
        "budget_max_vnd": 900_000_000, "required_specs": [{"parameter": "Độ ẩm sau sấy", "target": "≤ 18", "unit": "%"}]}


@pytest.fixture()
def institute(db, make_user, make_org):
    user = make_user(email="vien@example.vn", name="TS. Phạm Minh")
    org = make_org(user, legal_name="Viện Nghiên cứu Rau quả Phố Hiến")
    return user, org


@pytest.fixture()
def business(db, make_user, make_org):
    user = make_user(email="dn@example.vn", name="Đỗ Văn Doanh")
    org = make_org(user, legal_name="Công ty CP Chế biến Nông sản Khoái Châu", org_type="enterprise")
    return user, org


@pytest.fixture()
def moderator(db, make_user):
    return make_user(email="kiemduyet@example.vn", role="moderator")


@pytest.fixture()
def publish(db, moderator):
    """``publish(side, owner, data=OFFER or NEED)``: created, submitted and approved by the moderator."""
    def do(side, owner_org, data=None):
        return make_listing(side, owner=owner_org, data=data or (OFFER if side == "offer" else NEED),
                            status="published", moderator=moderator)

    return do


# --- uploads (shared by the attachment tests) ---
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
VI_NAME = "đề xuất công nghệ.pdf"


@pytest.fixture()
def uploads(app):
    root = Path(app.config["DATA_DIR"]) / "uploads"
    shutil.rmtree(root, ignore_errors=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def stored_files(root: Path) -> list[Path]:
    """Files under ``root`` outside ``tmp/``; fails if ``tmp/`` holds a fragment."""
    files = [Path(d) / f for d, _, names in os.walk(root) for f in names]
    assert [f for f in files if f.parent == root / "tmp"] == []
    return [f for f in files if f.parent != root / "tmp"]
