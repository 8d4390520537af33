"""Attachments over HTTP: upload, list on the detail page, download safely, delete, and refusals."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from marketplace.listings.models import Attachment
from marketplace.listings.sides import quality_hints
from tests.conftest import login
from tests.factories.listings import make_listing
from tests.listings.conftest import HTML, OFFER, PDF, PNG, SVG, VI_NAME, stored_files

TYPE_REFUSED = "Chỉ nhận ảnh JPEG, PNG, WebP và tệp PDF."
CSP = "default-src 'none'; sandbox"



@pytest.fixture(autouse=True)
def _clean_uploads(uploads):
    return uploads


def rows(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Attachment))


def upload(client, listing, data: bytes, name: str, **form):
    return client.post(f"/l/{listing.reference}/attachments", data={"file": (io.BytesIO(data), name)} | form,
                       content_type="multipart/form-data")


def download_links(page: str) -> list[str]:
    return re.findall(r'href="(/attachments/\d+/[^"]+)"', page)


def fetch(client, url: str):
    """GET a download, read and closed (an unread file response would stay open)."""
    return client.get(url, buffered=True)


@pytest.fixture()
def offer(db, institute, publish):
    return publish("offer", institute)


@pytest.fixture()
def draft(db, institute):
    return make_listing("offer", owner=institute, data=OFFER)


def test_member_uploads_an_image_and_a_pdf_anyone_downloads_them_safely(app, client, db, offer, uploads):
    login(client, "vien@example.vn")
    response = upload(client, offer, PNG, "máy sấy.png", caption="Máy sấy bơm nhiệt 2 tấn/mẻ")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/l/{offer.reference}")
    response = upload(client, offer, PDF, VI_NAME)
    assert response.status_code == 302
    assert rows(db) == 2 and len(stored_files(uploads)) == 2

    page = client.get(f"/l/{offer.reference}").get_data(as_text=True)
    assert VI_NAME in page and "máy sấy.png" in page and "Máy sấy bơm nhiệt 2 tấn/mẻ" in page
    assert "bi-file-earmark-pdf" in page and "bi-file-earmark-image" in page
    assert 'enctype="multipart/form-data"' in page and 'for="attachment-file"' in page
    assert "<img" not in page.split('id="attachments-heading"')[1].split("</section>")[0]  # no inline images

    anonymous = app.test_client()
    public_page = anonymous.get(f"/l/{offer.reference}").get_data(as_text=True)
    links = download_links(public_page)
    assert len(links) == 2
    assert 'type="file"' not in public_page  # no upload form for visitors
    pdf = fetch(anonymous, next(link for link in links if link.endswith(".pdf")))
    assert pdf.status_code == 200 and pdf.data == PDF
    assert pdf.headers["Content-Type"] == "application/pdf"
    disposition = pdf.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(VI_NAME)}" in disposition
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    assert pdf.headers["Content-Security-Policy"] == CSP
    assert pdf.headers["Cache-Control"] == "private, max-age=3600"

    image = fetch(anonymous, next(link for link in links if link.endswith(".png")))
    assert image.status_code == 200 and image.data == PNG and image.headers["Content-Type"] == "image/png"
    assert image.headers["Content-Disposition"].startswith("attachment;")  # never inline, even images
    assert image.headers["Content-Security-Policy"] == CSP


@pytest.mark.parametrize(("data", "name"), [(SVG, "logo.svg"), (HTML, "trang.html"), (SVG, "ảnh giả.png")])
def test_svg_and_html_are_refused_in_vietnamese_and_nothing_is_stored(client, db, offer, uploads, data, name):
    login(client, "vien@example.vn")
    response = upload(client, offer, data, name)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert TYPE_REFUSED in page
    assert rows(db) == 0
    assert stored_files(uploads) == []


def test_upload_over_the_limit_is_refused_and_nothing_is_stored(app, client, db, offer, uploads, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024)
    login(client, "vien@example.vn")
    response = upload(client, offer, PDF + b"\0" * 2048, VI_NAME)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tệp lớn hơn 1 KB." in page
    assert rows(db) == 0
    assert stored_files(uploads) == []


def test_missing_or_empty_file_is_a_message_not_an_error(client, db, offer, uploads):
    login(client, "vien@example.vn")
    for data in ({}, {"file": "not a file"}, {"caption": "chỉ có chú thích"}):
        response = client.post(f"/l/{offer.reference}/attachments", data=data, content_type="multipart/form-data")
        assert response.status_code == 302
        assert "Hãy chọn tệp để tải lên." in client.get(f"/l/{offer.reference}").get_data(as_text=True)
    response = upload(client, offer, b"", "rỗng.pdf")
    assert response.status_code == 302
    assert "Tệp trống." in client.get(f"/l/{offer.reference}").get_data(as_text=True)
    response = client.post(f"/l/{offer.reference}/attachments", data={"file": "x"})  # not even multipart
    assert response.status_code == 302
    assert rows(db) == 0 and stored_files(uploads) == []


def test_non_members_get_404_on_upload_and_delete(app, client, db, institute, business, offer, uploads):
    member = app.test_client()
    login(member, "vien@example.vn")
    upload(member, offer, PDF, VI_NAME)
    attachment = db.session.scalar(select(Attachment))

    login(client, "dn@example.vn")
    assert upload(client, offer, PNG, "x.png").status_code == 404
    assert client.post(f"/l/{offer.reference}/attachments/{attachment.id}/delete").status_code == 404
    anonymous = app.test_client()
    assert upload(anonymous, offer, PNG, "x.png").status_code == 302  # to sign in
    assert anonymous.post(f"/l/{offer.reference}/attachments/{attachment.id}/delete").status_code == 302
    assert rows(db) == 1 and len(stored_files(uploads)) == 1


def test_attachment_of_another_listing_cannot_be_deleted_through_mine(app, client, db, institute, business,
                                                                      offer, publish, uploads):
    theirs = publish("need", business)
    other = app.test_client()
    login(other, "dn@example.vn")
    upload(other, theirs, PDF, VI_NAME)
    attachment = db.session.scalar(select(Attachment))
    login(client, "vien@example.vn")
    assert client.post(f"/l/{offer.reference}/attachments/{attachment.id}/delete").status_code == 404
    assert rows(db) == 1


def test_draft_attachment_is_404_for_anonymous_and_200_for_the_member(app, client, db, draft, business, moderator,
                                                                      uploads):
    login(client, "vien@example.vn")
    upload(client, draft, PDF, VI_NAME)
    links = download_links(client.get(f"/l/{draft.reference}").get_data(as_text=True))
    assert len(links) == 1
    assert fetch(client, links[0]).status_code == 200
    assert fetch(app.test_client(), links[0]).status_code == 404
    outsider = app.test_client()
    login(outsider, "dn@example.vn")
    assert fetch(outsider, links[0]).status_code == 404
    staff = app.test_client()
    login(staff, "kiemduyet@example.vn")
    assert fetch(staff, links[0]).status_code == 200
    assert fetch(app.test_client(), "/attachments/999999/x.pdf").status_code == 404


def test_delete_removes_the_row_and_after_commit_the_file(client, db, offer, uploads):
    login(client, "vien@example.vn")
    upload(client, offer, PDF, VI_NAME)
    upload(client, offer, PNG, "ảnh.png")
    pdf = db.session.scalar(select(Attachment).where(Attachment.content_type == "application/pdf"))
    pdf_id, pdf_path = pdf.id, uploads / pdf.key
    link = next(link for link in download_links(client.get(f"/l/{offer.reference}").get_data(as_text=True))
                if link.endswith(".pdf"))
    assert pdf_path.exists()

    response = client.post(f"/l/{offer.reference}/attachments/{pdf_id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/l/{offer.reference}")
    db.session.expire_all()
    assert db.session.get(Attachment, pdf_id) is None
    assert not pdf_path.exists()
    assert len(stored_files(uploads)) == 1
    page = client.get(f"/l/{offer.reference}").get_data(as_text=True)
    assert VI_NAME not in page.split('id="attachments-heading"')[1]
    assert fetch(client, link).status_code == 404
    assert client.post(f"/l/{offer.reference}/attachments/{pdf_id}/delete").status_code == 404


def test_the_eleventh_upload_is_refused(client, db, offer, uploads):
    login(client, "vien@example.vn")
    for i in range(10):
        assert upload(client, offer, PDF, f"tài liệu {i}.pdf").status_code == 302
    assert rows(db) == 10
    page = client.get(f"/l/{offer.reference}").get_data(as_text=True)
    assert 'type="file"' not in page  # the form is gone at the limit
    response = upload(client, offer, PDF, "thứ mười một.pdf")
    assert response.status_code == 302
    assert "tối đa 10 tệp" in client.get(f"/l/{offer.reference}").get_data(as_text=True)
    assert rows(db) == 10 and len(stored_files(uploads)) == 10


def test_no_image_hint_disappears_after_an_image_is_uploaded(client, db, offer, uploads):
    assert "no_image" in quality_hints(offer)
    login(client, "vien@example.vn")
    upload(client, offer, PDF, VI_NAME)
    db.session.expire_all()
    assert "no_image" in quality_hints(offer)  # a PDF is not an image
    upload(client, offer, PNG, "ảnh.png")
    db.session.expire_all()
    assert "no_image" not in quality_hints(offer)


def test_upload_needs_the_csrf_token_from_the_page(app, client, db, offer, uploads, monkeypatch):
    login(client, "vien@example.vn")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert upload(client, offer, PDF, VI_NAME).status_code == 400
    assert rows(db) == 0 and stored_files(uploads) == []
    page = client.get(f"/l/{offer.reference}").get_data(as_text=True)
    form = page.split('enctype="multipart/form-data"')[1]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert upload(client, offer, PDF, VI_NAME, csrf_token=token).status_code == 302
    assert rows(db) == 1
