"""Accounts: users with roles, organisations with or without DOST verification, memberships, API tokens.

    admin = UserFactory(admin=True)
    org = OrganisationFactory(verified=True, owner=UserFactory())
    token = ApiTokenFactory(user=admin)          # token.secret / bearer(token) for the API

Rows are written directly (a factory states a fact, it does not exercise the services) and committed, so
requests made by a test client see them. Every user's password is ``tests.conftest.PASSWORD``; DOST staff
(admin, moderator, organiser) have an authenticator enrolled with ``tests.conftest.TOTP_SECRET``
(``second_factor=False``: none; ``second_factor=True``: a member who turned it on).
"""

from __future__ import annotations

from datetime import timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory
from faker import Faker

from marketplace.accounts.encryption import encrypt
from marketplace.accounts.models import (
    ApiToken,
    Membership,
    MembershipRole,
    MembershipStatus,
    Organisation,
    OrgStatus,
    SecondFactor,
    User,
)
from marketplace.accounts.passwords import hash_password
from marketplace.accounts.services.tokens import digest, new_secret
from marketplace.accounts.tax_code import check_digit
from marketplace.extensions import db
from marketplace.text import slugify
from marketplace.timeutil import utcnow
from tests.conftest import PASSWORD, TOTP_SECRET

LOCALE = "vi_VN"
fake = Faker(LOCALE)

LEGAL_FORMS = {"enterprise": "Công ty TNHH", "research_institute": "Viện Nghiên cứu", "university": "Trường Đại học",
               "cooperative": "Hợp tác xã", "startup": "Công ty Cổ phần", "state_agency": "Trung tâm"}


def tax_code(n: int) -> str:
    """A valid 10-digit tax code (its check digit right), different for every ``n``."""
    for start in range(n * 7 + 100_000_000, n * 7 + 100_000_007):
        first_nine = f"{start:09d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return first_nine + str(digit)
    raise AssertionError("seven numbers in a row without a valid check digit")  # pragma: no cover


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the session of the current app context
        sqlalchemy_session_persistence = "commit"


class UserFactory(Base):
    class Meta:
        model = User

    class Params:
        password = PASSWORD
        verified = True
        admin = factory.Trait(role="admin")
        moderator = factory.Trait(role="moderator")
        organiser = factory.Trait(role="organiser")
        disabled = factory.Trait(disabled_at=factory.LazyFunction(utcnow))

    email = factory.Sequence(lambda n: f"nguoi-dung-{n}@example.vn")
    full_name = factory.Faker("name", locale=LOCALE)
    role = "member"
    locale = "vi"
    password_hash = factory.LazyAttribute(lambda o: hash_password(o.password) if o.password else None)
    email_verified_at = factory.LazyAttribute(lambda o: utcnow() if o.verified else None)

    @factory.post_generation
    def second_factor(user, create, extracted, **kwargs):
        if create and (extracted if extracted is not None else user.role != "member"):
            db.session.add(SecondFactor(user_id=user.id, secret_encrypted=encrypt(TOTP_SECRET),
                                        confirmed_at=utcnow()))
            db.session.commit()


class OrganisationFactory(Base):
    """A pending organisation; ``verified=True`` or ``suspended=True`` for DOST's decision, ``owner=user``
    and ``members=[users]`` for its people."""

    class Meta:
        model = Organisation

    class Params:
        verified = factory.Trait(status=OrgStatus.VERIFIED.value, verified_at=factory.LazyFunction(utcnow))
        suspended = factory.Trait(status=OrgStatus.SUSPENDED.value)

    org_type = "enterprise"
    legal_name = factory.LazyAttributeSequence(
        lambda o, n: f"{LEGAL_FORMS.get(o.org_type, 'Công ty TNHH')} {fake.last_name()} {fake.first_name()} {n}")
    slug = factory.LazyAttributeSequence(lambda o, n: f"{slugify(o.legal_name, max_length=70)}-{n}")
    tax_code = factory.Sequence(tax_code)
    province_code = "33"
    street_address = factory.Faker("street_address", locale=LOCALE)
    representative = factory.Faker("name", locale=LOCALE)
    status = OrgStatus.PENDING.value

    @factory.post_generation
    def owner(org, create, extracted, **kwargs):
        if extracted is not None:
            MembershipFactory(organisation=org, user=extracted, owner=True)

    @factory.post_generation
    def members(org, create, extracted, **kwargs):
        for user in extracted or ():
            MembershipFactory(organisation=org, user=user)


class MembershipFactory(Base):
    """An active member; ``owner=True`` for an owner, ``pending=True`` for a join request waiting."""

    class Meta:
        model = Membership

    class Params:
        owner = factory.Trait(role=MembershipRole.OWNER.value)
        pending = factory.Trait(status=MembershipStatus.PENDING.value, decided_at=None,
                                message=factory.Faker("sentence", locale=LOCALE))

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory, verified=True)
    role = MembershipRole.MEMBER.value
    status = MembershipStatus.ACTIVE.value
    decided_at = factory.LazyFunction(utcnow)


class ApiTokenFactory(Base):
    """A live token; ``expired=True`` or ``revoked=True`` for dead ones. ``token.secret`` is the bearer secret
    (never stored: only its digest is)."""

    class Meta:
        model = ApiToken

    class Params:
        expired = factory.Trait(expires_at=factory.LazyFunction(lambda: utcnow() - timedelta(minutes=1)))
        revoked = factory.Trait(revoked_at=factory.LazyFunction(utcnow))

    secret = factory.LazyFunction(lambda: "cnso_" + new_secret())
    user = factory.SubFactory(UserFactory)
    name = "test"
    scopes = "read write"
    token_hash = factory.LazyAttribute(lambda o: digest(o.secret))
    prefix = factory.LazyAttribute(lambda o: o.secret[:12])
    expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=30))

    @classmethod
    def _create(cls, model_class, *args, secret: str, **kwargs):
        token = super()._create(model_class, *args, **kwargs)
        token.secret = secret
        return token


def bearer(token: ApiToken) -> dict[str, str]:
    """The ``Authorization`` header of a token made by :class:`ApiTokenFactory`."""
    return {"Authorization": f"Bearer {token.secret}"}
