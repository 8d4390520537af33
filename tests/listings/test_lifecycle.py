"""Listing rules at the service level: references, transitions, revisions, moderation, freshness."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.errors import ServiceError
from marketplace.listings.models import ModerationDecision, ReminderSent
from marketplace.listings.services import (
    create_listing,
    decide_listing,
    submit_listing,
    update_listing,
    withdraw_listing,
)
from marketplace.listings.tasks import check_freshness
from marketplace.timeutil import utcnow
from tests.factories.listings import NeedFactory, OfferFactory
from tests.listings.conftest import NEED, OFFER


def test_references_are_readable_sequential_and_per_side(db, institute, business):
    first = OfferFactory(owner=institute)
    second = OfferFactory(owner=institute)
    need = NeedFactory(owner=business)
    year = utcnow().year
    assert first.reference == f"CB-33-{year}-00001"
    assert second.reference == f"CB-33-{year}-00002"
    assert need.reference == f"NC-33-{year}-00001"
    assert re.fullmatch(r"CB-\d{2}-\d{4}-\d{5}", first.reference)


def test_only_members_create_and_only_verified_organisations_submit(db, make_user, make_org, institute):
    outsider = make_user(email="x@example.vn")
    with pytest.raises(ServiceError) as exc:
        create_listing("offer", by=outsider, organisation=institute[1], data=OFFER)
    assert exc.value.status == 403
    owner = make_user(email="new@example.vn")
    pending_org = make_org(owner, verified=False, legal_name="Công ty mới")
    listing = create_listing("offer", by=owner, organisation=pending_org, data=OFFER)
    with pytest.raises(ServiceError) as exc:
        submit_listing(listing, by=owner)
    assert exc.value.code == "organisation_not_verified"


def test_moderation_request_changes_then_approve(db, institute, moderator, mailbox):
    user, org = institute
    listing = create_listing("offer", by=user, organisation=org, data=OFFER)
    submit_listing(listing, by=user)
    with pytest.raises(ServiceError) as exc:
        decide_listing(listing, by=moderator, decision="request_changes")
    assert exc.value.code == "reason_required"
    decide_listing(listing, by=moderator, decision="request_changes", reason_code="too_vague", note="Bổ sung thông số")
    db.session.commit()
    assert listing.status == "changes_requested"
    mail = mailbox.to("vien@example.vn")[-1]
    assert listing.reference in mail["Subject"]
    assert "Bổ sung thông số" in mail.get_body().get_content()
    update_listing(listing, by=user, data={"description": OFFER["description"] + " Công suất 500 kg/mẻ."})
    submit_listing(listing, by=user)
    decide_listing(listing, by=moderator, decision="approve")
    db.session.commit()
    assert listing.status == "published" and listing.published_at is not None
    assert listing.valid_until == utcnow().date() + timedelta(days=365)
    decisions = db.session.scalars(select(ModerationDecision.decision)).all()
    assert decisions == ["request_changes", "approve"]
    assert {"listing.request_changes", "listing.approve"} <= set(db.session.scalars(select(AuditEntry.action)))


def test_illegal_transitions_are_refused_with_409(db, institute, moderator):
    user, org = institute
    listing = create_listing("offer", by=user, organisation=org, data=OFFER)
    with pytest.raises(ServiceError) as exc:
        decide_listing(listing, by=moderator, decision="approve")
    assert exc.value.status == 409
    with pytest.raises(ServiceError):
        withdraw_listing(listing, by=user)  # a draft is simply edited or left, not withdrawn


def test_editing_a_published_listing_creates_a_revision_and_keeps_the_approved_version(
        db, institute, moderator, publish):
    listing = publish("offer", institute)
    user = institute[0]
    outcome = update_listing(listing, by=user, data={"title_vi": "Công nghệ sấy nhãn thế hệ 2"})
    db.session.commit()
    assert outcome == "revision"
    assert listing.title_vi == OFFER["title_vi"]  # public version unchanged
    assert listing.pending_revision.data["title_vi"] == "Công nghệ sấy nhãn thế hệ 2"
    # a second edit merges into the same pending revision: nothing typed is lost
    update_listing(listing, by=user, data={"summary": "Tiết kiệm 45 % điện năng"})
    revision = listing.pending_revision
    assert revision.data["title_vi"] == "Công nghệ sấy nhãn thế hệ 2" and revision.data["summary"] == "Tiết kiệm 45 % điện năng"
    decide_listing(listing, by=moderator, decision="approve")
    db.session.commit()
    assert listing.title_vi == "Công nghệ sấy nhãn thế hệ 2" and listing.status == "published"
    assert listing.pending_revision is None


def test_invalid_data_is_refused_with_the_field(db, institute):
    user, org = institute
    cases = [({"st_fields": ["999"]}, "st_fields"), ({"province_code": "99"}, "province_code"),
             ({"trl": 12}, "trl"), ({"price_type": "fixed", "price_vnd": None}, "price_vnd"),
             ({"title_vi": "  "}, "title_vi")]
    for patch, field in cases:
        with pytest.raises(ServiceError) as exc:
            create_listing("offer", by=user, organisation=org, data=OFFER | patch)
        assert exc.value.field == field and exc.value.status == 422
    with pytest.raises(ServiceError) as exc:
        create_listing("need", by=user, organisation=org, data=NEED | {"budget_min_vnd": 5, "budget_max_vnd": 1})
    assert exc.value.field == "budget_max_vnd"
    with pytest.raises(ServiceError) as exc:
        create_listing("need", by=user, organisation=org, data=NEED | {"deadline": date(2020, 1, 1)})
    assert exc.value.field == "deadline"


def test_html_is_stripped_from_markdown(db, institute):
    user, org = institute
    listing = create_listing("offer", by=user, organisation=org,
                             data=OFFER | {"description": "Hiệu suất > 90 % & <script>alert(1)</script>**bền**"})
    assert "<script>" not in listing.description
    assert "Hiệu suất > 90 % &" in listing.description and "**bền**" in listing.description


def test_freshness_reminders_once_and_expiry(db, institute, publish, mailbox):
    listing = publish("offer", institute)
    listing.valid_until = utcnow().date() + timedelta(days=20)
    db.session.commit()
    assert check_freshness()["reminded"] == 1
    assert check_freshness()["reminded"] == 0  # once
    assert db.session.scalar(select(ReminderSent.kind)) == "expiry_30"
    assert "hết hạn" in mailbox.to("vien@example.vn")[-1].get_body().get_content() or \
        listing.reference in mailbox.to("vien@example.vn")[-1]["Subject"]
    listing.valid_until = utcnow().date() - timedelta(days=1)
    db.session.commit()
    assert check_freshness()["expired"] == 1
    assert listing.status == "expired"
