"""Factories for listings: offers, needs and IP assets, their revisions, and saved searches.

Everything is made through the services (``create_listing``, ``submit_listing``, ``decide_listing``...), so
every rule, reference number and derived value (an IP asset's term, its kind) applies as in production, and
the search index and outbox effects follow. The owner is an ``(user, organisation)`` pair, as the
``institute`` and ``business`` fixtures give it::

    offer = OfferFactory(owner=institute)                                    # a draft
    need = NeedFactory(owner=business, status="published", moderator=moderator, min_trl=7)
    revision = RevisionFactory(listing=offer_published, title_vi="Bản cập nhật")  # an edit waiting for review

Searchable text is deterministic (a sequence, not random words), so a search test never matches by chance;
names that no search reads come from the vi_VN Faker.
"""

from __future__ import annotations

import factory

from marketplace.extensions import db
from marketplace.listings.models import Listing, ListingRevision
from marketplace.listings.services import create_listing, decide_listing, submit_listing, update_listing
from marketplace.matching.models import SavedSearch
from marketplace.matching.saved_searches import create_saved_search

STATUSES = ("draft", "pending_review", "published")


def make_listing(side: str, *, owner, data: dict, status: str = "draft", moderator=None) -> Listing:
    """Create a listing of ``side`` with ``data`` and take it to ``status``; commits."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}; take other steps with the services")
    if status == "published" and moderator is None:
        raise ValueError("a published listing needs the moderator who approves it")
    user, organisation = owner
    listing = create_listing(side, by=user, organisation=organisation, data=data)
    if status != "draft":
        submit_listing(listing, by=user)
    if status == "published":
        decide_listing(listing, by=moderator, decision="approve")
    db.session.commit()
    return listing


class _ListingFactory(factory.Factory):
    """Declarations are the listing's data; ``owner``, ``status`` and ``moderator`` say who and how far."""

    class Meta:
        model = Listing
        strategy = factory.CREATE_STRATEGY
        exclude = ("n",)

    _side = ""
    owner = None
    status = "draft"
    moderator = None
    n = factory.Sequence(lambda n: n + 1)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("listings are made through the services: use create(), not build()")

    @classmethod
    def _create(cls, model_class, *, owner=None, status="draft", moderator=None, **data):
        if owner is None:
            raise ValueError("give the owner: an (user, organisation) pair, e.g. the institute fixture")
        return make_listing(cls._side, owner=owner, data=data, status=status, moderator=moderator)


class OfferFactory(_ListingFactory):
    _side = "offer"

    kind = "technology"
    title_vi = factory.LazyAttribute(lambda o: f"Công nghệ chế biến nông sản số {o.n}")
    summary = factory.LazyAttribute(lambda o: f"Dây chuyền số {o.n} cho hợp tác xã, tiết kiệm 30 % điện năng")
    description = "Thiết bị vận hành ở 50–55 °C, công suất 500 kg/mẻ, đã chạy thử 12 tháng tại Hưng Yên."
    st_fields = factory.List(["401"])
    sectors = factory.List(["C"])
    province_code = "33"
    trl = 7
    price_type = "negotiable"
    tt_forms = factory.List(["independent"])
    keywords = factory.List(["chế biến nông sản"])


class NeedFactory(_ListingFactory):
    _side = "need"

    title_vi = factory.LazyAttribute(lambda o: f"Cần công nghệ bảo quản nông sản số {o.n}")
    summary = factory.LazyAttribute(lambda o: f"Hợp tác xã số {o.n} cần giảm hao hụt sau thu hoạch")
    problem = "Hao hụt sau thu hoạch khoảng 20 %, sản phẩm mất màu sau 5 ngày."
    st_fields = factory.List(["401"])
    sectors = factory.List(["A"])
    province_code = "33"
    min_trl = 6
    budget_min_vnd = 200_000_000
    budget_max_vnd = 800_000_000
    required_specs = factory.List([factory.Dict({"parameter": "Thời gian bảo quản", "target": "≥ 20",
                                                 "unit": "ngày"})])


class IpAssetFactory(_ListingFactory):
    """A granted Vietnamese invention patent by default (number and term consistent with each other)."""

    _side = "ip_asset"

    ip_type = "invention"
    title_vi = factory.LazyAttribute(lambda o: f"Quy trình bảo quản nông sản số {o.n}")
    summary = factory.LazyAttribute(lambda o: f"Sáng chế số {o.n} về bảo quản sau thu hoạch")
    st_fields = factory.List(["401"])
    sectors = factory.List(["C"])
    province_code = "33"
    application_number_raw = factory.LazyAttribute(lambda o: f"1-2021-{o.n:05d}")
    filing_date = "2021-07-12"
    grant_date = "2024-03-05"
    legal_status = "granted"
    inventors = factory.List([factory.Faker("name", locale="vi_VN")])
    rights_offered = factory.List(["non_exclusive_licence"])


class RevisionFactory(factory.Factory):
    """An owner's edit of a published (or expired) listing, waiting for review; the declarations are the
    changed fields, ``by`` the member who edits (the listing's author by default)."""

    class Meta:
        model = ListingRevision
        strategy = factory.CREATE_STRATEGY

    listing = None
    by = None
    summary = factory.Sequence(lambda n: f"Bản cập nhật số {n + 1}: thêm số liệu chạy thử")

    @classmethod
    def _create(cls, model_class, *, listing=None, by=None, **changes):
        if listing is None or not listing.is_public:
            raise ValueError("a revision is an edit of a published listing: give listing=")
        if update_listing(listing, by=by or listing.created_by, data=changes) != "revision":
            raise ValueError(f"{listing.reference} is {listing.status}: its edits apply at once")
        db.session.commit()
        return listing.pending_revision


class SavedSearchFactory(factory.Factory):
    """A saved search of ``user`` (words ``q``, optional ``types`` and ``filters``), mailed ``frequency``."""

    class Meta:
        model = SavedSearch
        strategy = factory.CREATE_STRATEGY

    user = None
    q = "bảo quản nông sản"
    types = factory.List([])
    filters = factory.Dict({})
    frequency = "daily"
    name = factory.LazyAttribute(lambda o: o.q)

    @classmethod
    def _create(cls, model_class, *, user=None, q="", types=(), filters=None, frequency="daily", name=""):
        if user is None:
            raise ValueError("give the user who saves the search")
        saved = create_saved_search(by=user, name=name, query={"q": q, "types": list(types),
                                                               "filters": dict(filters or {})},
                                    frequency=frequency)
        db.session.commit()
        return saved
