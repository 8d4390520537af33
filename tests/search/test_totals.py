"""Totals are exact for multi-word queries on both engines (Whoosh under-counted with optimize=False).

The two words are separated by a comma, so they are two words for the planner (never joined into a phrase)
and the expected count is "documents holding both"."""

from datetime import datetime, timedelta

from marketplace.search import SearchDocument, SearchQuery, planner

WORDS = ["nghệ", "vải", "nhãn", "sấy", "lạnh", "mật", "ong", "gạo", "cá", "tôm", "nấm", "bơm", "nhiệt", "màng"]


def _docs(n=600):
    start = datetime(2026, 1, 1)
    docs = []
    for i in range(n):
        words = [WORDS[(i * k + 3) % len(WORDS)] for k in range(1, 6)]
        docs.append(SearchDocument(id=f"offer:{i + 1}", type="offer", kind="technology", reference=f"CB-33-2026-{i + 1:05d}",
                                   title=" ".join(words[:3]), title_en="", summary=" ".join(words[2:]), body=" ".join(words),
                                   org_name="", keywords=[], st_fields=[], sectors=[], province="33", trl=None,
                                   price_type=None, tt_forms=[], published_at=start + timedelta(hours=i), deadline=None))
    return docs


def test_multi_word_totals_are_exact(engine, monkeypatch):
    monkeypatch.setattr(planner, "COMMON_SHARE", 1.0)  # every word of this tiny vocabulary is common
    docs = _docs()
    engine.index(docs)
    checked = 0
    for a in WORDS:
        for b in WORDS:
            if a >= b:
                continue
            expected = sum(1 for d in docs if {a, b} <= set(f"{d.title} {d.summary} {d.body}".split()))
            if expected <= 20:  # only queries with more matches than one page
                continue
            results = engine.search(SearchQuery(q=f"{a}, {b}", per_page=20))
            assert results.total == expected, (a, b, results.total, expected)
            checked += 1
    assert checked >= 5
