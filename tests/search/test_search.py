"""Behaviour of ``SearchEngine.search`` on both engines (the ``engine`` fixture is parametrised)."""

from __future__ import annotations

from datetime import date, datetime

from marketplace.search import SearchQuery
from marketplace.text import nfc


def ids(results):
    return [h.id for h in results.hits]


def test_unaccented_query_finds_accented_title(engine, doc):
    engine.index([doc("Công nghệ sấy nhãn long", n=1), doc("Máy cày đa năng", n=2)])
    res = engine.search(SearchQuery(q="cong nghe say nhan"))
    assert ids(res) == ["offer:1"]
    assert res.total == 1


def test_accented_query_ranks_exact_accents_first(engine, doc):
    engine.index([doc("Máy say nhan mini", n=1), doc("Công nghệ sấy nhãn", n=2), doc("Máy sáy nhàn", n=3)])
    res = engine.search(SearchQuery(q="sấy nhãn"))
    # exact diacritics first, then the same letters typed without diacritics; other diacritics are another
    # word ("sáy nhàn"), found by an unaccented query and proposed as a correction when nothing else matches
    assert ids(res) == ["offer:2", "offer:1"]
    assert res.hits[0].score > res.hits[1].score
    assert set(ids(engine.search(SearchQuery(q="say nhan")))) == {"offer:1", "offer:2", "offer:3"}
    assert engine.search(SearchQuery(q="sáy nhãn")).suggestion == "sấy nhãn"


def test_da_nang_finds_dd_with_diacritics(engine, doc):
    engine.index([doc("Du lịch thông minh Đà Nẵng", n=1), doc("Nông nghiệp Hà Nội", n=2)])
    assert ids(engine.search(SearchQuery(q="da nang"))) == ["offer:1"]
    assert ids(engine.search(SearchQuery(q="ĐÀ NẴNG"))) == ["offer:1"]


def test_nfd_input_is_normalised(engine, doc):
    import unicodedata

    engine.index([doc(unicodedata.normalize("NFD", "Công nghệ sấy nhãn"), n=1)])
    res = engine.search(SearchQuery(q=unicodedata.normalize("NFD", "sấy nhãn")))
    assert ids(res) == ["offer:1"]
    assert "<mark>" + nfc("sấy") + "</mark>" in res.hits[0].highlights["title"]


def test_reference_query_returns_that_document_first(engine, doc):
    engine.index([doc("Công nghệ A", n=12), doc("Công nghệ B CB-33-2026-00012", n=13)])
    for q in ("CB-33-2026-00012", "cb-33-2026-00012", "  CB-33-2026-00012 "):
        res = engine.search(SearchQuery(q=q))
        assert ids(res)[0] == "offer:12", q


def test_unknown_reference_falls_back_to_text(engine, doc):
    engine.index([doc("Mã CB 33 2026 99999 cũ", n=1)])
    assert ids(engine.search(SearchQuery(q="CB-33-2026-99999"))) == ["offer:1"]


def test_all_words_must_match_then_any_word_fallback(engine, doc):
    engine.index([doc("Sấy nhãn", n=1), doc("Sấy cà phê", n=2)])
    assert ids(engine.search(SearchQuery(q="sấy nhãn"))) == ["offer:1"]
    res = engine.search(SearchQuery(q="nhãn xoài"))  # no document has both: any word, ranked
    assert ids(res) == ["offer:1"]


def test_filters_or_within_and_across_keys(engine, doc):
    engine.index([
        doc("Máy sấy một", n=1, sectors=["A"], province="48", trl=3),
        doc("Máy sấy hai", n=2, sectors=["C"], province="48", trl=7),
        doc("Máy sấy ba", n=3, sectors=["A", "C"], province="01", trl=7),
        doc("Nhu cầu máy sấy", n=4, type="need", kind="need", sectors=["A"], province="48", trl=None),
    ])
    res = engine.search(SearchQuery(q="máy sấy", filters={"sectors": ["A", "C"], "province": ["48"]}))
    assert set(ids(res)) == {"offer:1", "offer:2", "need:4"}
    res = engine.search(SearchQuery(q="may say", types=["offer"], filters={"trl": ["7"]}))
    assert set(ids(res)) == {"offer:2", "offer:3"}
    res = engine.search(SearchQuery(filters={"kind": ["need"]}))
    assert ids(res) == ["need:4"]
    assert engine.search(SearchQuery(q="máy", filters={"bogus": ["x"]})).total == 4


def test_facet_counts_exclude_their_own_filter(engine, doc):
    engine.index([
        doc("Máy sấy một", n=1, sectors=["A"], province="48"),
        doc("Máy sấy hai", n=2, sectors=["C"], province="48"),
        doc("Máy sấy ba", n=3, sectors=["A", "C"], province="01"),
        doc("Máy cày", n=4, sectors=["A"], province="01"),
    ])
    res = engine.search(SearchQuery(q="máy sấy", filters={"sectors": ["A"]},
                                    facets=["sectors", "province", "trl"]))
    assert set(ids(res)) == {"offer:1", "offer:3"}
    assert res.facets["sectors"] == {"A": 2, "C": 2}  # alternatives over q only
    assert res.facets["province"] == {"48": 1, "01": 1}  # over q + sectors filter
    assert res.facets["trl"] == {"5": 2}
    assert list(res.facets) == ["sectors", "province", "trl"]
    assert engine.search(SearchQuery(q="máy")).facets == {}


def test_sort_newest_and_deadline_and_empty_query(engine, doc):
    engine.index([
        doc("Cũ", n=1, published_at=datetime(2025, 1, 1), deadline=date(2026, 9, 1)),
        doc("Mới", n=2, published_at=datetime(2026, 3, 1), deadline=None),
        doc("Giữa", n=3, published_at=datetime(2025, 6, 1), deadline=date(2026, 5, 1)),
    ])
    assert ids(engine.search(SearchQuery())) == ["offer:2", "offer:3", "offer:1"]
    assert ids(engine.search(SearchQuery(sort="newest"))) == ["offer:2", "offer:3", "offer:1"]
    assert ids(engine.search(SearchQuery(sort="deadline"))) == ["offer:3", "offer:1", "offer:2"]
    assert engine.search(SearchQuery(sort="nonsense")).total == 3


def test_pagination(engine, doc):
    engine.index([doc(f"Thiết bị số {i}", n=i, published_at=datetime(2026, 1, i)) for i in range(1, 26)])
    pages = [engine.search(SearchQuery(q="thiết bị", sort="newest", page=p, per_page=10)) for p in (1, 2, 3, 4)]
    assert [len(p.hits) for p in pages] == [10, 10, 5, 0]
    assert all(p.total == 25 for p in pages)
    seen = [i for p in pages for i in ids(p)]
    assert seen == [f"offer:{i}" for i in range(25, 0, -1)]
    assert len(engine.search(SearchQuery(per_page=10_000)).hits) == 25
    assert len(engine.search(SearchQuery(page=0, per_page=0)).hits) == 20  # defaults


def test_highlights_mark_original_words_and_escape_html(engine, doc):
    engine.index([doc("Công nghệ <script>alert(1)</script> sấy nhãn", n=1,
                      summary="Sấy nhãn bằng năng lượng mặt trời & <b>gió</b>",
                      body="Mô tả dài " * 100 + "quy trình sấy nhãn tại Hưng Yên " + "kết thúc " * 100)])
    res = engine.search(SearchQuery(q="say nhan"))
    hl = res.hits[0].highlights
    assert hl["title"] == ("Công nghệ &lt;script&gt;alert(1)&lt;/script&gt; "
                           "<mark>sấy</mark> <mark>nhãn</mark>")
    assert hl["summary"].startswith("<mark>Sấy</mark> <mark>nhãn</mark> bằng")
    assert "&amp; &lt;b&gt;gió&lt;/b&gt;" in hl["summary"]
    assert "<script>" not in "".join(hl.values())


def test_body_snippet_when_only_body_matches(engine, doc):
    engine.index([doc("Thiết bị", n=1, summary="Ngắn gọn",
                      body="Mô tả dài " * 100 + "quy trình sấy nhãn tại Hưng Yên " + "kết thúc " * 100)])
    hl = engine.search(SearchQuery(q="hung yen")).hits[0].highlights
    assert "<mark>Hưng</mark> <mark>Yên</mark>" in hl["body"]
    assert hl["body"].startswith("…") and hl["body"].endswith("…")
    assert len(hl["body"]) < 500
    assert hl["summary"] == "Ngắn gọn"


def test_did_you_mean_for_misspelt_word(engine, doc):
    engine.index([doc("Công nghệ sấy nhãn lồng", n=1), doc("Sấy cà phê", n=2)])
    res = engine.search(SearchQuery(q="say nhann"))
    assert res.suggestion == "say nhan"
    res = engine.search(SearchQuery(q="sấy nhãnn"))
    assert res.suggestion == "sấy nhãn"
    assert engine.search(SearchQuery(q="nhan long")).suggestion is None  # unaccented, not misspelt
    assert engine.search(SearchQuery(q="sấy")).suggestion is None
    assert engine.search(SearchQuery(q="qwxzv")).suggestion is None


def test_remove_and_reindex_replaces(engine, doc):
    engine.index([doc("Máy sấy cũ", n=1), doc("Máy cày", n=2)])
    assert engine.doc_count() == 2
    engine.index([doc("Robot hàn mới", n=1)])
    assert engine.doc_count() == 2
    assert ids(engine.search(SearchQuery(q="sấy"))) == []
    assert ids(engine.search(SearchQuery(q="robot"))) == ["offer:1"]
    engine.index([doc("Trùng một", n=3), doc("Trùng hai", n=3)])  # last one wins inside a batch
    assert ids(engine.search(SearchQuery(q="trùng"))) == ["offer:3"]
    assert ids(engine.search(SearchQuery(q="hai"))) == ["offer:3"]
    engine.remove(["offer:1", "offer:404"])
    assert engine.doc_count() == 2
    assert ids(engine.search(SearchQuery(q="robot"))) == []
    engine.clear()
    assert engine.doc_count() == 0
    assert engine.search(SearchQuery()).total == 0
    engine.index([doc("Sau khi xoá", n=9)])
    assert engine.doc_count() == 1


def test_hostile_input_is_accepted(engine, doc):
    engine.index([doc("Tiêu đề\x00có NUL \ud800 và " + "x" * 5000, n=1, body="từ " * 20000,
                      keywords=["a,b", "ý"], province="Đà, Nẵng")])
    for q in ("\ud800 tiêu", "\x00", "có " * 2000, "x" * 5000, "ý", "CB-33-2026-0000١"):
        engine.search(SearchQuery(q=q, filters={"province": ["\ud800"], "trl": ["x"]}, facets=["province"]))
    assert [h.id for h in engine.search(SearchQuery(q="y")).hits] == ["offer:1"]
    assert engine.search(SearchQuery(q="tieu de")).hits[0].highlights["title"].startswith(
        "<mark>Tiêu</mark> <mark>đề</mark> có NUL")
