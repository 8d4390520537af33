"""The ranking rules of the issue "words, not syllables", on every engine (the ``engine`` fixture is
parametrised over ``BACKENDS``; a new engine behind the seam runs these as they are)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from marketplace.search import SearchQuery, planner
from marketplace.search import analysis as an
from marketplace.text import fold, nfc


def ids(results):
    return [h.id for h in results.hits]


def test_a_phrase_ranks_far_above_scattered_syllables(engine, doc):
    engine.index([
        doc("Rau mầm sạch", n=1, summary="Tưới bằng nước giếng đã lọc, ủ mầm 3 ngày"),
        doc("Quy trình chượp nước mắm cá cơm", n=2, summary="Nước mắm truyền thống 30 độ đạm"),
        doc("Máy sấy nông sản đa năng", n=3, summary="Sấy nhãn, vải, nghệ"),
        doc("Dây chuyền nông nghiệp", n=4, summary="Máy cày; sấy lúa; sản phẩm đa dạng"),
    ])
    assert ids(engine.search(SearchQuery(q="nước mắm"))) == ["offer:2"]  # "mầm" is another word
    assert ids(engine.search(SearchQuery(q="nuoc mam"))) == ["offer:2"]  # a phrase in the index is one word
    res = engine.search(SearchQuery(q="may say nong san"))
    assert ids(res)[0] == "offer:3" and set(ids(res)) <= {"offer:3", "offer:4"}
    if len(res.hits) > 1:
        assert res.hits[0].score > 2 * res.hits[1].score  # far above, not just above


def test_a_place_name_is_one_word_and_unaccented_it_means_the_place(engine, doc):
    engine.index([doc("Đá ốp lát nhân tạo", n=1, summary="Tiết kiệm năng lượng, da đá bóng"),
                  doc("Máy cày đa năng mini", n=2)])
    for q in ("Đà Nẵng", "da nang", "ĐÀ NẴNG"):
        res = engine.search(SearchQuery(q=q))
        assert (ids(res), res.relaxed, res.suggestion) == ([], False, None), q
    engine.index([doc("Du lịch thông minh Đà Nẵng", n=3)])
    assert ids(engine.search(SearchQuery(q="da nang"))) == ["offer:3"]
    assert ids(engine.search(SearchQuery(q="may cay da nang"))) == ["offer:2"]  # most of the words
    assert engine.search(SearchQuery(q="may cay da nang")).relaxed


def test_all_words_by_default_then_most_of_them_said_so(engine, doc):
    engine.index([doc("Sấy nhãn", n=1), doc("Sấy cà phê", n=2), doc("Kho lạnh bảo quản nhãn tươi", n=3)])
    res = engine.search(SearchQuery(q="sấy nhãn"))
    assert (ids(res), res.relaxed) == (["offer:1"], False)
    res = engine.search(SearchQuery(q="sấy cà phê tươi"))  # no listing has every word
    assert res.relaxed and ids(res)[0] == "offer:2" and res.total >= 1
    res = engine.search(SearchQuery(q="xoài"))  # a single word that matches nothing: nothing
    assert (res.total, res.relaxed) == (0, False)


def test_did_you_mean_only_for_a_phrase_with_more_hits(engine, doc):
    engine.index([doc("Công nghệ sấy nhãn lồng", n=1), doc("Thiết bị làm mềm nước giếng", n=2)])
    assert engine.search(SearchQuery(q="cong nghe say nhann")).suggestion == "cong nghe say nhan"
    assert engine.search(SearchQuery(q="nhãn lòng")).suggestion == "nhãn lồng"  # a wrong tone mark
    assert engine.search(SearchQuery(q="nước mắm")).suggestion is None  # no listing says "nước mềm"
    engine.index([doc("Máy lọc nước mềm", n=3)])
    assert engine.search(SearchQuery(q="nước mắm")).suggestion == "nước mềm"  # now a phrase with more hits
    assert engine.search(SearchQuery(q="sấy nhãn")).suggestion is None


def test_both_tone_mark_placements_are_one_spelling(engine, doc):
    engine.index([doc("Nuôi trồng thủy sản Thanh Hóa", n=1), doc("Chuyển đổi số hoá doanh nghiệp", n=2)])
    assert ids(engine.search(SearchQuery(q="thuỷ sản Thanh Hoá"))) == ["offer:1"]
    assert ids(engine.search(SearchQuery(q="số hóa"))) == ["offer:2"]


def test_very_common_words_only_score(engine, doc, monkeypatch):
    monkeypatch.setattr(planner, "COMMON_MIN_DOCS", 4)
    engine.index([doc(f"Công nghệ chế biến {x}", n=i) for i, x in enumerate(["gạo", "chè", "cà phê"], 1)]
                 + [doc("Máy sấy nhãn", n=4, summary="Sấy long nhãn bằng bơm nhiệt")])
    res = engine.search(SearchQuery(q="công nghệ sấy nhãn"))  # "công nghệ" is in 3 of 4 listings
    assert ids(res) == ["offer:4"] and not res.relaxed


def test_similar_to_an_indexed_document_names_shared_phrases(engine, doc):
    engine.index([
        doc("Máy sấy bơm nhiệt cho long nhãn", n=1, summary="Sấy long nhãn không dùng than, tiết kiệm điện năng"),
        doc("Cần máy sấy long nhãn", n=2, type="need", kind="need", summary="Thay lò than bằng bơm nhiệt"),
        doc("Robot gắp cho máy ép nhựa", n=3, summary="Tiết kiệm nhân công"),
        doc("Phần mềm kế toán", n=4, type="need", kind="need"),
    ])
    out = engine.similar_to("offer:1", types=["need"])
    assert [i for i, _, _ in out] == ["need:2"]
    _, share, phrases = out[0]
    assert 0 < share <= 1 and "long nhãn" in " ".join(phrases) and "bơm nhiệt" in phrases
    assert engine.similar_to("offer:404", types=["need"]) == []
    assert engine.similar("máy sấy long nhãn bơm nhiệt", types=["need", "offer"], within_ids=["offer:3"]) == []
    assert [i for i, _, _ in engine.similar("máy sấy long nhãn bơm nhiệt", types=[], within_ids=["need:2"])] \
        == ["need:2"]


SYLLABLE = st.sampled_from(["hoá", "hóa", "thuỷ", "thủy", "khoẻ", "khỏe", "quý", "hoà", "hòa", "nhãn", "Đà", "uỷ",
                            "ủy", "toả", "tỏa", "xoè", "xòe", "nước", "QUÝ", "Thuỷ"])


@given(st.lists(SYLLABLE, min_size=1, max_size=4))
def test_canonical_tone_is_idempotent_and_keeps_letters(syllables):
    text = " ".join(syllables)
    once = an.words(text)
    assert an.words(" ".join(once)) == once
    assert [fold(w) for w in once] == [fold(w) for w in an.words(nfc(text))]
    assert len(once) == len(syllables)
    assert len({an.canonical_tone(x) for x in ("hoá", "hóa")}) == 1
    assert an.canonical_tone("quý") == "quý" and an.canonical_tone("của") == "của"
