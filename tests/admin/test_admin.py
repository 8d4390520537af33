"""The DOST admin area: access by role, user management, organisation verification, reference data, audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Organisation, User
from marketplace.audit.models import AuditEntry
from marketplace.reference.models import ReferenceCode
from marketplace.reference.services import SCHEMES, load_reference_data
from tests.conftest import PASSWORD, login
from tests.factories.accounts import OrganisationFactory, UserFactory


def _audit(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


def _fresh(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _browser(app):
    """Another browser (the ``client`` fixture's class: each request in its own app context)."""
    return app.test_client()


def _second_client(app, email, password=PASSWORD):
    other = _browser(app)
    other.set_cookie("cnso_lang", "en")
    assert login(other, email, password).status_code == 302
    return other


def _code(db, scheme, code):
    return db.session.scalar(select(ReferenceCode).where(
        ReferenceCode.scheme == scheme, ReferenceCode.scheme_version == SCHEMES[scheme].version,
        ReferenceCode.code == code))


# --- access ---------------------------------------------------------------------------------------------

def _sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.location.startswith("/account/login")


def test_admin_area_needs_sign_in(client):
    # requires(): anonymous HTML requests are redirected to the sign-in page, with ?next= to come back
    response = client.get("/admin/")
    assert _sent_to_sign_in(response)
    assert "next=%2Fadmin%2F" in response.location
    assert _sent_to_sign_in(client.get("/admin/users"))
    assert _sent_to_sign_in(client.post("/admin/users/1/role", data={"role": "admin"}))


def test_member_is_forbidden(client, login_as):
    login_as("member")
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/audit").status_code == 403


@pytest.mark.parametrize("role", ["moderator", "organiser", "admin"])
def test_staff_see_admin_home(client, login_as, role):
    login_as(role)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"/admin/organisations" in response.data


def test_user_management_is_admin_only(app, client, login_as):
    login_as("moderator")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/1/role", data={"role": "admin"}).status_code == 403
    admin = UserFactory(email="boss@example.vn", admin=True)
    response = _second_client(app, admin.email).get("/admin/users")
    assert response.status_code == 200
    assert b"moderator@example.vn" in response.data and b"boss@example.vn" in response.data


# --- users ----------------------------------------------------------------------------------------------

def test_admin_changes_role_and_it_is_audited(client, db, login_as):
    admin = login_as("admin")
    target = UserFactory()
    response = client.post(f"/admin/users/{target.id}/role", data={"role": "moderator"})
    assert response.status_code == 302
    assert _fresh(db, User, target.id).role == "moderator"
    entries = _audit(db, "user.role_changed")
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor_id, entry.object_type, entry.object_id) == (admin.id, "user", target.id)
    assert entry.details == {"old": "member", "new": "moderator"}


def test_admin_cannot_demote_themselves(client, db, login_as):
    client.set_cookie("cnso_lang", "en")
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "member"}, follow_redirects=True)
    assert response.status_code == 200
    assert b"You cannot remove your own administrator role." in response.data
    assert _fresh(db, User, admin.id).role == "admin"
    assert _audit(db, "user.role_changed") == []


def test_disabling_signs_the_user_out_and_blocks_login(app, client, db, login_as):
    login_as("admin")
    target = UserFactory()
    browser = _second_client(app, target.email)
    assert browser.get("/account/").status_code == 200

    assert client.post(f"/admin/users/{target.id}/disable", data={"disabled": "1"}).status_code == 302
    assert _fresh(db, User, target.id).disabled_at is not None
    assert [e.object_id for e in _audit(db, "user.disabled")] == [target.id]

    assert _sent_to_sign_in(browser.get("/account/"))
    assert login(browser, target.email).status_code == 401
    assert _sent_to_sign_in(browser.get("/account/"))

    assert client.post(f"/admin/users/{target.id}/disable", data={"disabled": "0"}).status_code == 302
    assert _fresh(db, User, target.id).disabled_at is None
    assert login(browser, target.email).status_code == 302
    assert browser.get("/account/").status_code == 200


# --- organisations --------------------------------------------------------------------------------------

def test_moderator_verifies_organisation(client, db, login_as):
    org = OrganisationFactory(owner=UserFactory())
    assert org.status == "pending"
    moderator = login_as("moderator")
    response = client.post(f"/admin/organisations/{org.id}/status", data={"status": "verified"})
    assert response.status_code == 302
    org = _fresh(db, Organisation, org.id)
    assert org.status == "verified"
    assert org.verified_at is not None and org.verified_by_id == moderator.id
    [entry] = _audit(db, "organisation.verified")
    assert (entry.actor_id, entry.object_id, entry.details["old"]) == (moderator.id, org.id, "pending")


def test_only_admin_suspends(app, client, db, login_as):
    org = OrganisationFactory(verified=True, owner=UserFactory())
    login_as("moderator")
    response = client.post(f"/admin/organisations/{org.id}/status", data={"status": "suspended", "note": "x"})
    assert response.status_code == 403
    assert _fresh(db, Organisation, org.id).status == "verified"

    admin = UserFactory(admin=True)
    browser = _second_client(app, admin.email)
    note = "Giấy phép kinh doanh hết hạn"
    response = browser.post(f"/admin/organisations/{org.id}/status", data={"status": "suspended", "note": note})
    assert response.status_code == 302
    org = _fresh(db, Organisation, org.id)
    assert (org.status, org.status_note) == ("suspended", note)
    [entry] = _audit(db, "organisation.suspended")
    assert entry.actor_id == admin.id and entry.details == {"old": "verified", "note": note}


# --- reference data -------------------------------------------------------------------------------------

def test_admin_edits_reference_codes(client, db, login_as):
    login_as("admin")
    province = _code(db, "province", "33")
    commune = db.session.scalars(select(ReferenceCode).where(
        ReferenceCode.scheme == "commune", ReferenceCode.parent_code == "33",
        ReferenceCode.active.is_(True)).order_by(ReferenceCode.sort_order)).first()
    assert province is not None and commune is not None
    province_id, commune_id, commune_code = province.id, commune.id, commune.code
    assert client.get(f"/admin/reference/{province_id}").status_code == 200

    response = client.post(f"/admin/reference/{province_id}",
                           data={"label_vi": "Tỉnh Hưng Yên (mới)", "label_en": "Hung Yen Province", "active": "y"})
    assert response.status_code == 302
    response = client.post(f"/admin/reference/{commune_id}",
                           data={"label_vi": commune.label_vi, "label_en": commune.label_en or ""})
    assert response.status_code == 302

    load_reference_data()
    db.session.commit()
    province = _fresh(db, ReferenceCode, province_id)
    assert (province.label_vi, province.label_en) == ("Tỉnh Hưng Yên (mới)", "Hung Yen Province")
    assert province.edited_at is not None and province.active
    assert _fresh(db, ReferenceCode, commune_id).active is False
    assert [e.details["code"] for e in _audit(db, "reference.updated")] == ["33", commune_code]

    api = client.get("/api/v1/reference/commune?parent=33").get_json()
    codes = [c["code"] for c in api["codes"]]
    assert codes and commune_code not in codes
    options = client.get("/organisations/communes?province_code=33").get_data(as_text=True)
    assert f'value="{codes[0]}"' in options
    assert f'value="{commune_code}"' not in options
    provinces = client.get("/api/v1/reference/province").get_json()["codes"]
    assert {"code": "33", "label_vi": "Tỉnh Hưng Yên (mới)"}.items() <= next(
        p for p in provinces if p["code"] == "33").items()


def test_reference_label_is_required(client, db, login_as):
    login_as("admin")
    province = _code(db, "province", "33")
    label = province.label_vi
    response = client.post(f"/admin/reference/{province.id}", data={"label_vi": "  ", "active": "y"})
    assert response.status_code == 422
    assert _fresh(db, ReferenceCode, province.id).label_vi == label


# --- audit log ------------------------------------------------------------------------------------------

def test_audit_log_lists_and_filters_logins(app, client, db, login_as):
    stranger = _browser(app)
    assert login(stranger, "admin@example.vn", "wrong password, surely").status_code == 401
    login_as("admin")

    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<code>auth.login_failed</code>" in page
    assert "<code>auth.login</code>" in page

    page = client.get("/admin/audit?action=auth.login_failed").get_data(as_text=True)
    assert page.count("<code>auth.login_failed</code>") == 1
    assert "<code>auth.login</code>" not in page
    assert "<code>user.created</code>" not in page


def test_moderator_has_no_audit_or_reference_pages(client, login_as):
    login_as("moderator")
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/reference").status_code == 403
    assert client.get("/admin/organisations").status_code == 200
