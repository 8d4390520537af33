"""Fixtures for the search seam: an engine of each backend in ``tmp_path`` and a document factory."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from marketplace.search import BACKENDS, SearchDocument, open_engine
from tests.listings.conftest import business, institute, moderator, publish  # noqa: F401  (shared fixtures)

_ids = itertools.count(1)


def make_doc(title: str, **kw) -> SearchDocument:
    n = kw.pop("n", None) or next(_ids)
    fields = dict(
        id=f"{kw.get('type', 'offer')}:{n}", type="offer", kind="technology",
        reference=f"CB-33-2026-{n:05d}", title=title, title_en="", summary="", body="",
        org_name="Viện Khoa học", keywords=[], st_fields=["2", "201"], sectors=["A"], province="48",
        trl=5, price_type="negotiable", tt_forms=["license"], published_at=datetime(2026, 1, 1, 8, 0),
        deadline=None,
    )
    fields.update(kw)
    return SearchDocument(**fields)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def engine(backend, tmp_path):
    return open_engine(backend, tmp_path / backend)


@pytest.fixture
def doc():
    return make_doc



@pytest.fixture(params=BACKENDS, scope="module")
def search_engine(request, tmp_path_factory):
    """A small shared index for property tests (module scope: hypothesis re-runs the test body)."""
    engine = open_engine(request.param, tmp_path_factory.mktemp(request.param))
    engine.index([make_doc("Công nghệ sấy nhãn", n=1), make_doc("Đà Nẵng AND OR *", n=2),
                  make_doc("title:x [1 TO 2]", n=3, summary="\"quoted\" (paren) ~fuzzy^2"),
                  make_doc("Sáng chế", n=4, type="ip_asset", legal_status="granted", available=True,
                           classes=["IPC:A23B", "Nice:31", "Locarno:09-03"])])
    return engine
