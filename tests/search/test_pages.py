"""The search page: facet labels instead of codes, and the "most of the words" notice (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from tests.listings.conftest import OFFER


def test_facets_show_labels_never_codes(client, db, institute, business, publish):
    publish("offer", institute)
    publish("need", business)
    page = client.get("/search").get_data(as_text=True)
    facet_texts = [re.sub(r"\s+", " ", t).strip() for t in
                   re.findall(r'<i class="bi bi-(?:check-)?square" aria-hidden="true"></i>(.*?)</a>', page, re.S)]
    assert "Nhu cầu" in facet_texts and "Công nghệ" in facet_texts
    assert not {"need", "technology", "offer", "negotiable", "independent"} & set(facet_texts)


def test_search_page_says_when_it_shows_most_of_the_words(client, db, institute, publish):
    dryer = publish("offer", institute)
    store = publish("offer", institute, OFFER | {"title_vi": "Kho lạnh bảo quản vải thiều", "keywords": [],
                                                 "summary": "Bảo quản vải 30 ngày",
                                                 "description": "Kho lạnh khí quyển điều chỉnh."})
    notice = "Không tin đăng nào có đủ mọi từ bạn tìm"
    page = client.get("/search", query_string={"q": "sấy nhãn"}).get_data(as_text=True)
    assert dryer.reference in page and store.reference not in page and notice not in page
    page = client.get("/search", query_string={"q": "kho lạnh vải thiều nhãn"}).get_data(as_text=True)
    assert notice in page and store.reference in page
    page = client.get("/search", query_string={"q": "cong nghe say nhann"}).get_data(as_text=True)
    assert "cong nghe say nhan</em>" in page
