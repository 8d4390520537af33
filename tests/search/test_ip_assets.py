"""IP-asset documents and their facets (``legal_status``, ``classes``, ``available``) on both engines."""

from __future__ import annotations

import pytest

from marketplace.search import SearchQuery, open_engine, rebuild
from marketplace.search.base import FACET_KEYS, FILTER_KEYS
from marketplace.search.tantivy_backend import SCHEMA_VERSION as TANTIVY_VERSION
from marketplace.search.whoosh_backend import SCHEMA_VERSION as WHOOSH_VERSION

from .conftest import make_doc

NEW_KEYS = ["legal_status", "classes", "available"]


def ids(results):
    return sorted(h.id for h in results.hits)


def ip(title: str, n: int, **kw):
    kw.setdefault("kind", "patent")
    return make_doc(title, n=n, type="ip_asset", reference=f"IP-{n}", st_fields=[], sectors=[], province=None,
                    trl=None, price_type=None, tt_forms=[], **kw)


@pytest.fixture
def corpus(engine):
    engine.index([
        ip("Sáng chế bảo quản nhãn", 1, legal_status="granted", classes=["IPC:A23B", "IPC:A23B 7/154"],
           available=True),
        ip("Quy trình sấy vải thiều", 2, legal_status="filed", classes=["IPC:A23B", "IPC:F26B"], available=False),
        ip("Nhãn hiệu cà phê", 3, kind="trademark", legal_status="granted", classes=["Nice:30", "Nice:31"],
           available=True),
        ip("Kiểu dáng chai nước mắm", 4, kind="design", legal_status="lapsed", classes=["Locarno:09-01"]),
        make_doc("Công nghệ bảo quản nhãn", n=5),  # offer without the new fields
        make_doc("Cần máy sấy vải", n=6, type="need", kind="need"),  # need without them
    ])
    return engine


def test_keys_and_document_defaults():
    assert set(NEW_KEYS) <= set(FILTER_KEYS) and set(FILTER_KEYS) < set(FACET_KEYS)
    d = make_doc("Cũ", n=1)
    assert (d.legal_status, d.classes, d.available) == (None, [], None)
    assert make_doc("Khác", n=2).classes is not d.classes
    signature = ",".join(FACET_KEYS)  # a facet key added later changes both versions: no manual bump needed
    assert WHOOSH_VERSION == f"whoosh-3;facets={signature}" and TANTIVY_VERSION == f"tantivy-3;facets={signature}"


def test_type_ip_asset_filters_and_counts(corpus):
    assert ids(corpus.search(SearchQuery(types=["ip_asset"]))) == [f"ip_asset:{i}" for i in range(1, 5)]
    assert ids(corpus.search(SearchQuery(q="bảo quản", types=["ip_asset", "offer"]))) == ["ip_asset:1", "offer:5"]
    res = corpus.search(SearchQuery(facets=["type"]))
    assert res.facets["type"] == {"ip_asset": 4, "need": 1, "offer": 1}


def test_filter_by_legal_status(corpus):
    res = corpus.search(SearchQuery(filters={"legal_status": ["granted"]}))
    assert ids(res) == ["ip_asset:1", "ip_asset:3"]
    res = corpus.search(SearchQuery(filters={"legal_status": ["filed", "lapsed"]}))  # OR within the key
    assert ids(res) == ["ip_asset:2", "ip_asset:4"]
    assert corpus.search(SearchQuery(filters={"legal_status": ["Granted"]})).total == 0  # exact, as other keys
    assert ids(corpus.search(SearchQuery(q="bảo quản", filters={"legal_status": "granted"}))) == ["ip_asset:1"]


def test_filter_by_prefixed_classes(corpus):
    assert ids(corpus.search(SearchQuery(filters={"classes": ["IPC:A23B"]}))) == ["ip_asset:1", "ip_asset:2"]
    assert ids(corpus.search(SearchQuery(filters={"classes": ["IPC:A23B 7/154"]}))) == ["ip_asset:1"]
    assert ids(corpus.search(SearchQuery(filters={"classes": ["Nice:31", "Locarno:09-01"]}))) == [
        "ip_asset:3", "ip_asset:4"]
    assert corpus.search(SearchQuery(filters={"classes": ["A23B"]})).total == 0  # the scheme prefix is part of it
    assert corpus.search(SearchQuery(filters={"classes": ["IPC:A23"]})).total == 0  # no prefix matching


def test_filter_by_available(corpus):
    assert ids(corpus.search(SearchQuery(filters={"available": ["true"]}))) == ["ip_asset:1", "ip_asset:3"]
    assert ids(corpus.search(SearchQuery(filters={"available": ["false"]}))) == ["ip_asset:2"]
    assert ids(corpus.search(SearchQuery(filters={"available": [True]}))) == ["ip_asset:1", "ip_asset:3"]
    assert ids(corpus.search(SearchQuery(filters={"available": False}))) == ["ip_asset:2"]
    assert corpus.search(SearchQuery(filters={"available": ["true", "false"]})).total == 3  # not ip_asset:4


def test_filters_and_across_new_and_old_keys(corpus):
    res = corpus.search(SearchQuery(filters={"legal_status": ["granted"], "classes": ["IPC:A23B", "Nice:30"],
                                             "available": ["true"], "kind": ["trademark"]}))
    assert ids(res) == ["ip_asset:3"]
    assert corpus.search(SearchQuery(filters={"legal_status": ["filed"], "available": ["true"]})).total == 0
    assert corpus.search(SearchQuery(types=["offer"], filters={"legal_status": ["granted"]})).total == 0


def test_facet_counts_of_new_keys(corpus):
    res = corpus.search(SearchQuery(facets=NEW_KEYS))
    assert res.total == 6
    assert res.facets["legal_status"] == {"granted": 2, "filed": 1, "lapsed": 1}
    assert res.facets["classes"] == {"IPC:A23B": 2, "IPC:A23B 7/154": 1, "IPC:F26B": 1, "Locarno:09-01": 1,
                                     "Nice:30": 1, "Nice:31": 1}
    assert res.facets["available"] == {"true": 2, "false": 1}
    assert list(res.facets) == NEW_KEYS


def test_facet_counts_exclude_their_own_filter(corpus):
    res = corpus.search(SearchQuery(filters={"legal_status": ["granted"], "available": ["true"]},
                                    facets=[*NEW_KEYS, "kind"]))
    assert ids(res) == ["ip_asset:1", "ip_asset:3"]
    assert res.facets["legal_status"] == {"granted": 2}  # over available=true only
    assert res.facets["available"] == {"true": 2}  # over legal_status=granted only
    assert res.facets["classes"] == {"IPC:A23B": 1, "IPC:A23B 7/154": 1, "Nice:30": 1, "Nice:31": 1}
    assert res.facets["kind"] == {"patent": 1, "trademark": 1}
    res = corpus.search(SearchQuery(q="sấy", filters={"classes": ["IPC:F26B"]}, facets=["classes", "type"]))
    assert ids(res) == ["ip_asset:2"]
    assert res.facets["classes"] == {"IPC:A23B": 1, "IPC:F26B": 1}  # alternatives over q only
    assert res.facets["type"] == {"ip_asset": 1}


def test_offers_and_needs_do_not_break_new_facets(engine):
    engine.index([make_doc("Máy sấy", n=1), make_doc("Cần máy sấy", n=2, type="need", kind="need")])
    res = engine.search(SearchQuery(q="máy sấy", facets=[*NEW_KEYS, "sectors"]))
    assert res.total == 2
    assert res.facets == {"legal_status": {}, "classes": {}, "available": {}, "sectors": {"A": 2}}
    assert engine.search(SearchQuery(filters={"available": ["false"]})).total == 0
    engine.index([ip("Sáng chế máy sấy", 3, legal_status="granted", available=True)])
    res = engine.search(SearchQuery(q="máy sấy", facets=[*NEW_KEYS, "sectors"]))
    assert res.total == 3
    assert res.facets == {"legal_status": {"granted": 1}, "classes": {}, "available": {"true": 1},
                          "sectors": {"A": 2}}


def test_rebuild_accepts_old_and_new_documents(engine):
    docs = [make_doc(f"Tài liệu {i}", n=i) for i in range(1, 4)]
    docs.append(ip("Sáng chế", 4, legal_status="granted", classes=("IPC:A01", "IPC:A01", " "), available=False))
    assert rebuild(engine, iter(docs)) == 4
    res = engine.search(SearchQuery(facets=["type", *NEW_KEYS]))
    assert res.facets == {"type": {"offer": 3, "ip_asset": 1}, "legal_status": {"granted": 1},
                          "classes": {"IPC:A01": 1}, "available": {"false": 1}}


def test_index_with_an_older_schema_version_is_wiped(backend, tmp_path):
    path = tmp_path / "ix"
    open_engine(backend, path).index([make_doc("Cũ", n=1)])
    (path / "schema-version").write_text(f"{backend}-1")  # as written before the IP-asset facets
    engine = open_engine(backend, path)
    assert engine.doc_count() == 0
    assert (path / "schema-version").read_text() == (WHOOSH_VERSION if backend == "whoosh" else TANTIVY_VERSION)
    engine.index([ip("Mới", 2, legal_status="filed")])
    assert open_engine(backend, path).search(SearchQuery(facets=["legal_status"])).facets == {
        "legal_status": {"filed": 1}}
