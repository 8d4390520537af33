"""Documents about the same things as a text: shared phrases weighted by rarity, not shared syllables.

Key phrases of the text are its adjacent syllable pairs (inside punctuation-free runs, folded), weighted by
tf × idf with the pair document frequencies of the rest of the index (the excluded documents, i.e. the
listing itself, do not count); pairs found in no other document, in more than half of a corpus of 20+
documents, or holding a number ("500 kg") are skipped; the
``SIMILAR_TERMS`` best are kept. Acronyms and model names written in capitals ("ERP", "OEE", "PLC") count as
key terms on their own. A document matches if it holds any key phrase; its similarity is the share of the
text's key weight it holds (0–1, comparable across texts; at most ``SINGLE_PHRASE_SHARE`` when it holds a
single key phrase), so "strong" can be an absolute threshold.
Shared phrases are returned as the text spells them, strongest first, chained into longer phrases when
they follow each other in the text ("tôm thẻ", "thẻ chân", "chân trắng" → "tôm thẻ chân trắng").
"""

from __future__ import annotations

import math
import re
from collections import Counter

from . import analysis as an
from .base import MAX_PER_PAGE
from .planner import AnyOf, T

SIMILAR_TERMS = 20
MIN_SHARED = 2
SINGLE_PHRASE_SHARE = 0.08
CANDIDATE_FACTOR = 3
ACRONYM_RE = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*\b")


def key_terms(engine, text: str, exclude_ids=()) -> tuple[list[tuple[str, str, float]], dict[str, str], list[list[str]]]:
    """``(field, term, weight)`` key terms, the display form of each term, and the text's cased runs.

    Document frequencies are those of the rest of the index: an excluded document (the listing whose text
    this is) does not count, so phrases only the text itself holds are not key terms."""
    text = an.clean(text)
    cased = _cased_segments(text)
    tf: Counter[tuple[str, str]] = Counter()
    display: dict[str, str] = {}
    for run in cased:
        low = [an.canonical_tone(w.lower()) for w in run]
        folded = [an.fold_word(w) for w in low]
        for i in range(len(run) - 1):
            a, b = folded[i], folded[i + 1]
            if a.isdigit() or b.isdigit():  # "500 kg", "4 sao": numbers are not topics
                continue
            term = an.pair(a, b)
            tf[("phrase_f", term)] += 1
            display.setdefault(term, f"{run[i]} {run[i + 1]}")
    for m in ACRONYM_RE.finditer(text):
        word = m.group()
        if 2 <= len(word) <= 12:
            term = an.fold_word(word.lower())
            tf[("text_f", term)] += 1
            display.setdefault(term, word)
    own = [document_terms(store) for store, _ in
           engine.search_tree(AnyOf(tuple(T("id", i) for i in exclude_ids)), {}, [], len(exclude_ids))] \
        if exclude_ids and tf else []
    n = engine.doc_count() - len(own)
    if not tf or n <= 0:
        return [], display, cased
    weighted = []
    for (field, term), count in tf.items():
        df = engine.doc_freq(field, term) - sum(1 for held in own if term in held)
        if df <= 0 or (n >= 20 and df > n / 2):
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        weighted.append((field, term, (1 + math.log(count)) * idf))
    weighted.sort(key=lambda t: (-t[2], t[1]))
    return weighted[:SIMILAR_TERMS], display, cased


def similar(engine, text: str, *, types, exclude_ids, limit: int,
            within_ids: list[str] | None = None) -> list[tuple[str, float, list[str]]]:
    limit = max(1, min(int(limit), MAX_PER_PAGE))
    weighted, display, _cased = key_terms(engine, text, exclude_ids)
    if not weighted or within_ids == []:
        return []
    total = sum(w for _, _, w in weighted)
    tree = AnyOf(tuple(T(field, term, w) for field, term, w in weighted))
    filters = {"type": list(types)} if types else {}
    if within_ids is not None:
        filters["id"] = within_ids
    rows = engine.search_tree(tree, filters, list(exclude_ids), limit * CANDIDATE_FACTOR)
    out = []
    for store, score in rows:
        held = document_terms(store)
        shared = [(field, term, w) for field, term, w in weighted if term in held]
        if not shared:
            continue
        share = sum(w for _, _, w in shared) / total
        if len(shared) < MIN_SHARED:  # one rare phrase in common ("chuỗi siêu thị") is not a topic in common
            share = min(share / 2, SINGLE_PHRASE_SHARE)
        out.append((store["id"], round(share, 4), float(score), phrases([t for _, t, _ in shared], display)))
    out.sort(key=lambda r: (-r[1], -r[2], r[0]))
    return [(doc_id, share, names) for doc_id, share, _score, names in out[:limit]]


def document_terms(store: dict) -> set[str]:
    segs = an.segments(an.stored_text(store))
    held = set(an.pairs(segs, folded=True))
    held.update(an.fold_word(w) for seg in segs for w in seg)
    return held


def phrases(terms: list[str], display: dict[str, str]) -> list[str]:
    """Display forms of shared key terms, strongest first; chains of pairs ("a_b", "b_c") become "a b c"."""
    out: list[str] = []
    used: set[str] = set()
    pairs = {t for t in terms if an.PAIR_JOIN in t}
    for term in terms:
        if term in used:
            continue
        used.add(term)
        if term not in pairs:
            out.append(display.get(term, term))
            continue
        words = display.get(term, term.replace(an.PAIR_JOIN, " ")).split()
        keys = term.split(an.PAIR_JOIN)
        grown = True
        while grown:
            grown = False
            for other in pairs - used:
                a, b = other.split(an.PAIR_JOIN)
                if a == keys[-1]:
                    keys.append(b)
                    words.append(display.get(other, other).split()[-1])
                elif b == keys[0]:
                    keys.insert(0, a)
                    words.insert(0, display.get(other, other).split()[0])
                else:
                    continue
                used.add(other)
                grown = True
        out.append(" ".join(words))
    return out


def _cased_segments(text: str) -> list[list[str]]:
    """Like ``analysis.segments`` but keeping the text's own spelling (for display)."""
    out: list[list[str]] = []
    current: list[str] = []
    last_end = 0
    for m in an.WORD_RE.finditer(text):
        if current and an.BREAK_RE.search(text, last_end, m.start()):
            out.append(current)
            current = []
        last_end = m.end()
        if len(m.group()) <= an.MAX_TOKEN_CHARS:
            current.append(m.group())
    if current:
        out.append(current)
    return out
