"""similar(), cross-instance refresh, get_engine/rebuild, and the never-raises property."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.search import SearchEngine, SearchQuery, get_engine, open_engine, rebuild

from .conftest import make_doc

ROOT = Path(__file__).resolve().parents[2]


def test_similar_returns_related_docs_with_shared_terms(engine, doc):
    engine.index([
        doc("Công nghệ sấy nhãn bằng năng lượng mặt trời", n=1, summary="Máy sấy nông sản tiết kiệm điện"),
        doc("Hệ thống tưới nhỏ giọt", n=2, summary="Tưới cây ăn quả tự động"),
        doc("Cần máy sấy nông sản dùng năng lượng mặt trời", n=3, type="need", kind="need"),
        doc("Lò sấy cà phê", n=4, summary="Sấy cà phê quy mô hộ gia đình"),
    ] + [doc(f"Thiết bị điện tử {i}", n=100 + i) for i in range(20)])
    text = "Chúng tôi cần máy sấy nhãn dùng năng lượng mặt trời cho hợp tác xã"
    out = engine.similar(text, types=["offer"])
    got = [i for i, _, _ in out]
    assert got[0] == "offer:1"
    assert "need:3" not in got and "offer:2" not in got
    _, score, shared = out[0]
    assert 0 < score <= 1 and "năng lượng mặt trời" in shared and any("sấy nhãn" in p for p in shared)
    assert all(out[i][1] >= out[i + 1][1] for i in range(len(out) - 1))
    assert "offer:1" not in [i for i, _, _ in engine.similar(text, types=["offer"], exclude_ids=["offer:1"])]
    assert [i for i, _, _ in engine.similar(text, types=["need"])] == ["need:3"]
    assert len(engine.similar(text, types=[], limit=2)) == 2
    assert engine.similar("", types=["offer"]) == []
    assert engine.similar("zzzz qqqq", types=["offer"]) == []


def test_reader_instance_sees_writer_commits(backend, tmp_path):
    path = tmp_path / "shared"
    writer = open_engine(backend, path)
    reader = open_engine(backend, path)
    assert reader.search(SearchQuery(q="sấy")).total == 0
    writer.index([make_doc("Máy sấy nhãn", n=1)])
    assert [h.id for h in reader.search(SearchQuery(q="say")).hits] == ["offer:1"]  # picked up by search()
    writer.index([make_doc("Máy sấy vải", n=2)])
    reader.refresh()
    assert reader.doc_count() == 2
    writer.remove(["offer:1"])
    assert [h.id for h in reader.search(SearchQuery(q="sấy")).hits] == ["offer:2"]
    writer.clear()
    assert reader.search(SearchQuery()).total == 0


def test_search_picks_up_commits_from_another_process(backend, tmp_path):
    path = tmp_path / "ix"
    reader = open_engine(backend, path)
    assert reader.search(SearchQuery(q="bơm")).total == 0
    script = (
        "import sys; from marketplace.search import open_engine; from tests.search.conftest import make_doc; "
        "open_engine(sys.argv[1], sys.argv[2]).index([make_doc('Máy bơm nước', n=7)])"
    )
    subprocess.run([sys.executable, "-c", script, backend, str(path)], check=True, cwd=ROOT)
    assert [h.id for h in reader.search(SearchQuery(q="bom nuoc")).hits] == ["offer:7"]


def test_reopening_keeps_the_index(backend, tmp_path):
    open_engine(backend, tmp_path / "ix").index([make_doc("Giữ lại", n=1)])
    assert open_engine(backend, tmp_path / "ix").doc_count() == 1


def test_get_engine_caches_per_app_and_rebuild(backend, tmp_path):
    app = Flask("search-test")
    app.config.update(DATA_DIR=str(tmp_path), SEARCH_BACKEND=backend)
    engine = get_engine(app)
    assert isinstance(engine, SearchEngine)
    assert get_engine(app) is engine and app.extensions["search"] is engine
    assert (tmp_path / "index" / backend).is_dir()
    with app.app_context():
        assert get_engine() is engine
    engine.index([make_doc("Sẽ bị xoá", n=999)])
    count = rebuild(engine, (make_doc(f"Tài liệu {i}", n=i) for i in range(1, 1203)))
    assert count == 1202 and engine.doc_count() == 1202
    assert engine.search(SearchQuery(q="xoá")).total == 0
    assert engine.search(SearchQuery(q="tai lieu 1202")).hits[0].id == "offer:1202"


def test_default_backend_is_whoosh(tmp_path):
    app = Flask("search-test")
    app.config.update(DATA_DIR=str(tmp_path))
    assert get_engine(app).name == "whoosh"


SYMBOLS = st.sampled_from(list('*?:"()[]{}^~-+!/\\&|<>\'`@#%=.,;\x00 \t\nđĐ') + ["AND", "OR", "NOT", "TO"])
QUERY_TEXT = st.one_of(st.text(max_size=60), st.lists(st.one_of(SYMBOLS, st.text(max_size=5)), max_size=12)
                       .map("".join))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUERY_TEXT, sort=st.sampled_from(["relevance", "newest", "deadline", "x"]))
def test_search_never_raises(search_engine, q, sort):
    res = search_engine.search(SearchQuery(q=q, sort=sort, facets=["sectors"], filters={"province": [q]}))
    assert res.total >= 0
    res = search_engine.search(SearchQuery(q=q, types=[q, "ip_asset"], facets=["classes", "available"],
                                           filters={"classes": [q], "legal_status": q, "available": [q]}))
    assert res.total >= 0 and set(res.facets) == {"classes", "available"}
    search_engine.search(SearchQuery(q=q))
    search_engine.similar(q, types=["offer"])
