"""Attachment services without HTTP: rules, audit, and files that always agree with rows."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.errors import ServiceError
from marketplace.listings.attachments import MAX_ATTACHMENTS, add_attachment, remove_attachment, upload_root
from marketplace.listings.models import Attachment
from marketplace.listings.services import withdraw_listing
from marketplace.listings.sides import quality_hints
from tests.factories.listings import make_listing
from tests.listings.conftest import OFFER, PDF, PNG, SVG, VI_NAME, stored_files


@pytest.fixture(autouse=True)
def clean_uploads(uploads):
    return uploads


@pytest.fixture()
def draft(db, institute):
    return make_listing("offer", owner=institute, data=OFFER)


def add(listing, user, data=PNG, name="ảnh máy sấy.png", **kwargs):
    return add_attachment(listing, by=user, stream=io.BytesIO(data), filename=name, **kwargs)


def test_member_adds_an_image_and_a_pdf(app, db, institute, draft, clean_uploads):
    user, _org = institute
    assert "no_image" in quality_hints(draft)
    image = add(draft, user, caption="  Máy sấy bơm nhiệt  ")
    pdf = add(draft, user, PDF, VI_NAME)
    db.session.commit()

    assert (image.content_type, image.size, image.caption) == ("image/png", len(PNG), "Máy sấy bơm nhiệt")
    assert (pdf.content_type, pdf.original_name, pdf.uploaded_by_id) == ("application/pdf", VI_NAME, user.id)
    assert (upload_root() / pdf.key).read_bytes() == PDF
    assert sorted(stored_files(clean_uploads)) == sorted([clean_uploads / image.key, clean_uploads / pdf.key])
    assert [a.id for a in draft.attachments] == [image.id, pdf.id]
    assert draft.has_image and "no_image" not in quality_hints(draft)
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "listing.attachment_added")).all()
    assert [e.details["attachment"] for e in audit] == [image.id, pdf.id]
    assert audit[1].details["name"] == VI_NAME and audit[1].object_id == draft.id


@pytest.mark.parametrize(("data", "max_bytes", "code", "status"), [
    (SVG, None, "file_type", 422),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", None, "file_type", 422),
    (b"", None, "file_empty", 422),
    (PDF, 16, "file_too_large", 413),
])
def test_refused_files_leave_nothing_behind(app, db, institute, draft, clean_uploads, monkeypatch,
                                            data, max_bytes, code, status):
    if max_bytes:
        monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", max_bytes)
    with pytest.raises(ServiceError) as refused:
        add(draft, institute[0], data, "x.svg")
    assert (refused.value.code, refused.value.status, refused.value.field) == (code, status, "file")
    assert refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(Attachment)) is None
    assert stored_files(clean_uploads) == []


def test_too_large_message_names_the_limit(app, db, institute, draft, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024 * 1024)
    with pytest.raises(ServiceError) as refused:
        add(draft, institute[0], PDF + b"\0" * 1024 * 1024)
    assert "1 MB" in refused.value.message


def test_only_members_add_and_remove(app, db, institute, business, draft, clean_uploads):
    with pytest.raises(ServiceError) as refused:
        add(draft, business[0])
    assert (refused.value.code, refused.value.status) == ("not_member", 403)
    assert stored_files(clean_uploads) == []
    attachment = add(draft, institute[0])
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        remove_attachment(attachment, by=business[0])
    assert refused.value.status == 403
    db.session.rollback()
    assert db.session.get(Attachment, attachment.id) is not None


def test_withdrawn_listing_takes_no_files(app, db, institute, draft, moderator, clean_uploads):
    from marketplace.listings.services import decide_listing, submit_listing

    user = institute[0]
    submit_listing(draft, by=user)
    decide_listing(draft, by=moderator, decision="approve")
    withdraw_listing(draft, by=user)
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        add(draft, user)
    assert (refused.value.code, refused.value.status) == ("listing_closed", 409)
    assert stored_files(clean_uploads) == []


def test_at_most_ten_files(app, db, institute, draft, clean_uploads):
    for _ in range(MAX_ATTACHMENTS):
        add(draft, institute[0])
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        add(draft, institute[0], PDF)
    assert (refused.value.code, refused.value.status) == ("too_many_attachments", 409)
    db.session.rollback()
    assert len(stored_files(clean_uploads)) == MAX_ATTACHMENTS


def test_long_caption_is_refused_before_storing(app, db, institute, draft, clean_uploads):
    with pytest.raises(ServiceError) as refused:
        add(draft, institute[0], caption="x" * 201)
    assert (refused.value.field, refused.value.status) == ("caption", 422)
    assert stored_files(clean_uploads) == []


def test_failed_flush_deletes_the_stored_file(app, db, institute, draft, clean_uploads, monkeypatch):
    session = db.session()

    def broken_flush(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(session, "flush", broken_flush)
    with pytest.raises(RuntimeError):
        add(draft, institute[0])
    monkeypatch.undo()
    db.session.rollback()
    assert stored_files(clean_uploads) == []


def test_rollback_deletes_the_stored_file_commit_keeps_it(app, db, institute, draft, clean_uploads):
    add(draft, institute[0])
    assert len(stored_files(clean_uploads)) == 1
    db.session.rollback()
    assert stored_files(clean_uploads) == []
    kept = add(draft, institute[0])
    db.session.commit()
    db.session.rollback()  # a later rollback does not touch what was committed
    assert stored_files(clean_uploads) == [clean_uploads / kept.key]


def test_session_closed_without_commit_deletes_the_stored_file(app, db, institute, draft, clean_uploads):
    add(draft, institute[0])
    db.session.remove()  # what the app context teardown does when a view returns without committing
    assert stored_files(clean_uploads) == []


def test_savepoints(app, db, institute, draft, clean_uploads):
    user = institute[0]
    outer = add(draft, user)
    savepoint = db.session.begin_nested()
    add(draft, user)
    savepoint.rollback()
    assert stored_files(clean_uploads) == [clean_uploads / outer.key]  # only the savepoint's file went
    with db.session.begin_nested():
        inner = add(draft, user)
    assert len(stored_files(clean_uploads)) == 2  # released, not yet committed: still pending
    db.session.commit()
    assert sorted(stored_files(clean_uploads)) == sorted([clean_uploads / outer.key, clean_uploads / inner.key])

    with db.session.begin_nested():
        add(draft, user)
    db.session.rollback()  # the outer transaction rolls back a released savepoint's file too
    assert len(stored_files(clean_uploads)) == 2


def test_remove_deletes_the_file_only_after_commit(app, db, institute, draft, clean_uploads):
    user = institute[0]
    first, second = add(draft, user), add(draft, user, PDF, VI_NAME)
    db.session.commit()

    remove_attachment(first, by=user)
    assert (clean_uploads / first.key).exists()
    db.session.rollback()  # changed our mind: row and file stay
    assert db.session.get(Attachment, first.id) is not None and (clean_uploads / first.key).exists()

    remove_attachment(first, by=user)
    assert (clean_uploads / first.key).exists()
    db.session.commit()
    assert not (clean_uploads / first.key).exists()
    assert stored_files(clean_uploads) == [clean_uploads / second.key]
    assert [a.id for a in draft.attachments] == [second.id]
    assert not draft.has_image and "no_image" in quality_hints(draft)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "listing.attachment_removed"))
    assert entry.details == {"attachment": first.id, "name": "ảnh máy sấy.png"}


def test_removing_a_file_already_gone_still_commits(app, db, institute, draft, clean_uploads):
    attachment = add(draft, institute[0])
    db.session.commit()
    (clean_uploads / attachment.key).unlink()
    remove_attachment(attachment, by=institute[0])
    db.session.commit()
    assert db.session.get(Attachment, attachment.id) is None
