"""Synthetic Vietnamese corpus and a timing run: ``python -m marketplace.search.bench --docs 5000``.

Prints, per engine, the time to index the corpus (batches of ``REBUILD_BATCH``) and p50/p95/max of
random 3-word queries (top 20 with facets, highlights and exact totals, as the listing page asks).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta

from . import SearchDocument, SearchQuery, open_engine, rebuild

SYLLABLES = (
    "công nghệ sấy nhãn lồng vải thiều máy cày tưới nhỏ giọt năng lượng mặt trời điện gió nuôi trồng thủy "
    "sản tôm cá chế biến nông sản bảo quản lạnh đông lạnh phân bón hữu cơ vi sinh chăn nuôi thức ăn gia "
    "súc xử lý nước thải môi trường cảm biến thông minh tự động hóa robot hàn cơ khí chính xác vật liệu "
    "mới gốm sứ dệt may da giày phần mềm quản lý dữ liệu trí tuệ nhân tạo y tế thiết bị chẩn đoán dược "
    "liệu sâm ngọc linh cà phê hồ tiêu điều cao su gạo lúa giống mới kháng bệnh đà nẵng hà nội huế hưng "
    "yên sơn la đồng tháp giải pháp quy trình sản xuất tiết kiệm hiệu quả chất lượng cao xuất khẩu"
).split()
ONSETS = "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split() + [""]
RHYMES = "a ai am an ang anh ao au ay e em en eng eo ê êm ên ênh êu i ia im in inh iu o oa oai oan oang " \
         "oanh oc oe oi om on ong ô ôi ôm ôn ông ơ ơi ơm ơn u ua uân uê ui um un ung uôi uôn uông ư ưa ưi " \
         "ưng ươi ươn ương ưu".split()
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
PROVINCES = ["01", "31", "46", "48", "79", "92", "14", "33"]
SECTORS = [chr(c) for c in range(ord("A"), ord("V"))]


def vocabulary(size: int = 4000, seed: int = 3) -> list[str]:
    """Real topic syllables first (most frequent), then synthetic Vietnamese syllables."""
    import unicodedata

    rnd = random.Random(seed)
    vocab = list(dict.fromkeys(SYLLABLES))
    seen = set(vocab)
    while len(vocab) < size:
        rhyme = rnd.choice(RHYMES)
        tone = rnd.choice(TONES)
        syl = unicodedata.normalize("NFC", rnd.choice(ONSETS) + rhyme[0] + tone + rhyme[1:])
        if syl not in seen:
            seen.add(syl)
            vocab.append(syl)
    return vocab


def corpus(n: int, seed: int = 7):
    """``n`` listings; words drawn from a Zipf-like distribution over ``vocabulary()``."""
    rnd = random.Random(seed)
    vocab = vocabulary()
    weights = [1 / (rank + 10) for rank in range(len(vocab))]
    start = datetime(2024, 1, 1)
    for i in range(1, n + 1):
        def words(k):
            return " ".join(rnd.choices(vocab, weights, k=k))

        kind = rnd.choice(["technology", "equipment", "service", "need"])
        yield SearchDocument(
            id=f"{'need' if kind == 'need' else 'offer'}:{i}", type="need" if kind == "need" else "offer",
            kind=kind, reference=f"{'NC' if kind == 'need' else 'CB'}-33-2026-{i:05d}",
            title=words(rnd.randint(4, 9)).capitalize(), title_en="", summary=words(40), body=words(150),
            org_name=words(3).title(), keywords=[words(2) for _ in range(3)],
            st_fields=rnd.sample(["1", "2", "201", "20101", "3", "4", "401"], 2),
            sectors=rnd.sample(SECTORS, rnd.randint(1, 3)), province=rnd.choice(PROVINCES),
            trl=rnd.randint(1, 9), price_type=rnd.choice(["fixed", "negotiable", "free"]),
            tt_forms=rnd.sample(["license", "sale", "jv", "consulting"], 2),
            published_at=start + timedelta(hours=i), deadline=date(2026, 1, 1) + timedelta(days=i % 365),
        )


def sample_queries(n_docs: int, count: int, seed: int = 1) -> list[str]:
    """3 consecutive title words of random listings; every other one typed without diacritics."""
    from ..text import fold

    titles = [d.title for d in corpus(n_docs)]
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        words = rnd.choice(titles).split()
        k = rnd.randint(0, max(0, len(words) - 3))
        q = " ".join(words[k:k + 3])
        out.append(fold(q) if i % 2 else q)
    return out


def run(backend: str, n: int, queries: int) -> dict:
    engine = open_engine(backend, tempfile.mkdtemp(prefix=f"bench-{backend}-"))
    docs = list(corpus(n))
    t0 = time.perf_counter()
    rebuild(engine, docs)
    index_s = time.perf_counter() - t0
    times, totals = [], []
    for i, q in enumerate(sample_queries(n, queries)):
        t = time.perf_counter()
        res = engine.search(SearchQuery(q=q, facets=["sectors", "province", "trl"],
                                        filters={"trl": ["5", "6"]} if i % 3 == 0 else {}))
        times.append((time.perf_counter() - t) * 1000)
        totals.append(res.total)
    times.sort()
    return {"backend": backend, "docs": n, "index_s": round(index_s, 2),
            "p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(len(times) * 0.95)], 2),
            "max_ms": round(times[-1], 2), "median_total": statistics.median(totals)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--backend", action="append")
    args = parser.parse_args()
    for backend in args.backend or ["whoosh", "tantivy"]:
        print(run(backend, args.docs, args.queries))


if __name__ == "__main__":
    main()
