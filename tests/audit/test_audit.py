"""The audit log: who did what to which object, when and from where, and what DOST admins see of it."""

from __future__ import annotations

from flask_login import AnonymousUserMixin
from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.audit.services import record
from tests.conftest import login
from tests.factories.accounts import OrganisationFactory, UserFactory


def _entries(db, action=None):
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return db.session.scalars(stmt).all()


# --- record() ---------------------------------------------------------------------------------------------

def test_record_names_actor_object_and_address(app, db):
    admin, org = UserFactory(admin=True), OrganisationFactory()
    with app.test_request_context("/admin/", environ_base={"REMOTE_ADDR": "198.51.100.4"}):
        record("organisation.noted", actor=admin, obj=org, note="Hồ sơ đầy đủ", empty=None)
    db.session.commit()
    [entry] = _entries(db)
    assert (entry.action, entry.actor_id, entry.object_type, entry.object_id) == \
        ("organisation.noted", admin.id, "organisation", org.id)
    assert entry.ip == "198.51.100.4"
    assert entry.details == {"note": "Hồ sơ đầy đủ"}  # empty values are left out
    assert entry.created_at is not None and entry.actor.email == admin.email


def test_record_outside_a_request_and_by_nobody(db):
    org = OrganisationFactory()
    record("job.ran", obj=org, object_type="organisation_profile")
    record("auth.login_failed", actor=AnonymousUserMixin(), email="ai@example.vn")
    db.session.commit()
    job, failed = _entries(db)
    assert (job.ip, job.actor_id, job.object_type, job.object_id) == (None, None, "organisation_profile", org.id)
    assert (failed.actor_id, failed.object_type, failed.object_id) == (None, None, None)
    assert failed.details == {"email": "ai@example.vn"}


def test_record_belongs_to_the_callers_transaction(db):
    record("user.created")
    db.session.rollback()  # the operation failed: its audit entry goes with it
    assert _entries(db) == []


def test_services_audit_what_a_request_did(client, db):
    user = UserFactory()
    login(client, user.email)
    client.post("/account/", data={"full_name": "Trần Thị Bình", "phone": "", "locale": "vi"})
    client.post("/account/logout")
    actions = [(e.action, e.actor_id, e.ip) for e in _entries(db)]
    assert actions == [("auth.login", user.id, "127.0.0.1"), ("auth.logout", user.id, "127.0.0.1")]


# --- the admin page ---------------------------------------------------------------------------------------

def test_the_audit_page_shows_who_what_which_object_where_newest_first(client, db):
    admin, owner = UserFactory(admin=True), UserFactory()
    org = OrganisationFactory(owner=owner)
    record("organisation.verified", actor=admin, obj=org, old="pending")
    record("organisation.suspended", obj=org, note="Giấy phép hết hạn")
    db.session.commit()
    login(client, admin.email)
    page = client.get("/admin/audit").get_data(as_text=True)
    rows = page[page.index("<tbody>"):page.index("</tbody>")].split("<tr>")[1:]
    assert "<code>auth.login</code>" in rows[0]  # the admin's own sign-in, the newest
    suspended, verified = rows[1], rows[2]
    assert "<code>organisation.suspended</code>" in suspended and "—" in suspended  # no actor
    assert "Giấy phép hết hạn" in suspended
    assert "<code>organisation.verified</code>" in verified and admin.email in verified
    assert f"organisation {org.id}" in verified and "&#34;old&#34;: &#34;pending&#34;" in verified


def test_details_typed_by_people_are_shown_as_text(client, db):
    admin = UserFactory(admin=True)
    record("organisation.suspended", actor=admin, note="<script>alert(1)</script> Hưng Yên")
    db.session.commit()
    login(client, admin.email)
    page = client.get("/admin/audit?action=organisation.").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hưng Yên" in page and "<script>alert" not in page


def test_the_audit_page_filters_by_action_prefix_and_pages_by_fifty(client, db):
    admin = UserFactory(admin=True)
    for n in range(55):
        record("reference.updated", actor=admin, code=str(n))
    record("user.role_changed", actor=admin)
    db.session.commit()
    login(client, admin.email)
    first = client.get("/admin/audit?action=reference.").get_data(as_text=True)
    assert first.count("<code>reference.updated</code>") == 50
    assert "user.role_changed</code>" not in first and "auth.login</code>" not in first
    assert "action=reference.&amp;page=2" in first or "page=2&amp;action=reference." in first
    second = client.get("/admin/audit?action=reference.&page=2").get_data(as_text=True)
    assert second.count("<code>reference.updated</code>") == 5
    assert "&#34;code&#34;: &#34;0&#34;" in second  # the oldest entries come last
