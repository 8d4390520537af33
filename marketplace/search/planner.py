"""Query planning, engine-neutral: which words a query has, what each must match, how it is scored.

A backend only translates the small query tree built here (``T``, ``AllOf``, ``AnyOf``, ``AtLeast``,
``Ranked``) into its own query objects, so every engine behind the seam applies the same relevance rules.

Words. The query is cut into syllable runs at punctuation; inside a run, adjacent syllables are joined into
one word (a phrase that must stay adjacent in a document) when

* they are a place name (provinces and communes, ``lexicon``), or
* the index says they form a word: among the documents holding both syllables, at least ``JOIN_SHARE`` of
  them hold them side by side (``JOIN_SHARE_TWO`` when the whole query is those two syllables: a
  two-syllable query is most often one word). The strongest pairs are joined first, never overlapping.

So "nước mắm" is one word when the index has it, "sấy nhãn" stays two words (longan dryers say "sấy long
nhãn"), and "Đà Nẵng" is one word that no listing has.

Diacritics. A query typed with diacritics (at least half of its syllables carry one) is *trusted*: each
syllable matches its exact spelling, or the same letters typed without any diacritics; "Đà Nẵng" does not
match "đa năng". A query typed without diacritics matches every spelling (folded fields), and ranks the
literal spelling a little higher. A place name typed without diacritics is read as the place.

Scoring (BM25 per field, boosts below): syllables in the title ×3, in the text ×1.5, folded ×1.5/×1; every
adjacent pair of the query found as a phrase adds ``PHRASE_BOOST``, and ``TITLE_PHRASE_BOOST`` more in the
title; so documents holding the query's phrases rank far above those holding its syllables scattered, and
exact diacritics above folded matches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

from . import analysis as an
from . import lexicon
from .base import Plan, Word

PHRASE_BOOST = 6.0
TITLE_PHRASE_BOOST = 6.0
TITLE_BOOST, TEXT_BOOST, TITLE_F_BOOST, TEXT_F_BOOST = 3.0, 1.5, 1.5, 1.0
JOIN_SHARE = 0.5
JOIN_SHARE_FOLDED = 0.4
JOIN_SHARE_TWO = 0.2
PLACE_SCORE = 0.6
MAX_FALLBACK_WORDS = 6
COMMON_SHARE = 0.3
COMMON_MIN_DOCS = 100
PHRASE_CUT_MIN_SYLLABLES = 3


# -- the query tree -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class T:
    field: str
    value: str
    boost: float = 1.0


@dataclass(frozen=True)
class AllOf:
    children: tuple


@dataclass(frozen=True)
class AnyOf:
    children: tuple


@dataclass(frozen=True)
class AtLeast:
    k: int
    children: tuple

    def expanded(self) -> AnyOf:
        """For engines without a minimum-should-match: any ``k`` of the children, all together."""
        return AnyOf(tuple(AllOf(c) for c in combinations(self.children, self.k)))


@dataclass(frozen=True)
class Ranked:
    """``required`` must match; each of ``optional`` adds to the score when it matches."""

    required: object
    optional: tuple = field(default=())


EVERY = AllOf(())  # matches every document


# -- words -------------------------------------------------------------------------------------------------
def is_trusted(syllables: list[str]) -> bool:
    lettered = [s for s in syllables if not s.isdigit()]
    accented = sum(1 for s in lettered if an.is_accented(s))
    return bool(accented) and accented * 2 >= len(lettered)


def plan_words(engine, segs: list[list[str]]) -> tuple[list[Word], list[tuple[str, str, bool]]]:
    """Words and ranking pairs of a query (``segs``: syllable runs from ``analysis.query_segments``)."""
    flat = [s for seg in segs for s in seg]
    trusted = is_trusted(flat)
    two = len(flat) == 2
    words: list[Word] = []
    ranking: list[tuple[str, str, bool]] = []
    seen: set[tuple[str, ...]] = set()
    for seg in segs:
        folded = [an.fold_word(s) for s in seg]
        for i in range(len(seg) - 1):
            ranking.append((an.pair(seg[i], seg[i + 1]), an.pair(folded[i], folded[i + 1]), trusted))
        for start, end, place in _spans(engine, seg, folded, trusted, two):
            exact = tuple(seg[start:end])
            word_trusted = trusted
            if place is not None and not trusted:
                exact, word_trusted = place, True  # "da nang" typed for the place: read as "Đà Nẵng"
            if exact in seen:
                continue
            seen.add(exact)
            words.append(Word(exact, tuple(folded[start:end]), word_trusted))
    return words, ranking


def _spans(engine, seg, folded, trusted, two):
    """``(start, end, place spelling or None)`` of each word of one run, in order."""
    candidates: list[tuple[float, int, int, tuple[str, ...] | None]] = []
    places = lexicon.places()
    for n in (4, 3, 2):
        for i in range(len(seg) - n + 1):
            spelt = places.get(tuple(folded[i:i + n]))
            if spelt is not None:
                candidates.append((PLACE_SCORE + n / 100, i, i + n, spelt))
    threshold = JOIN_SHARE_TWO if two else (JOIN_SHARE if trusted else JOIN_SHARE_FOLDED)
    place_spans = {(start, end) for _, start, end, _ in candidates}
    pairs = [i for i in range(len(seg) - 1) if (i, i + 2) not in place_spans]  # a place reads as the place
    lower = {i: cohesion(engine, seg[i], seg[i + 1], trusted, exact=False) for i in pairs}
    for i in pairs:
        # the exact share decides a join below the threshold, and the order between overlapping joins
        overlap = lower.get(i - 1, 0) >= threshold or lower.get(i + 1, 0) >= threshold
        share = lower[i] if lower[i] >= threshold and not overlap else \
            (cohesion(engine, seg[i], seg[i + 1], trusted) if lower[i] else 0.0)
        if share >= threshold:
            candidates.append((share, i, i + 2, None))
    taken = [False] * len(seg)
    chosen = []
    for _score, start, end, place in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if any(taken[start:end]):
            continue
        for j in range(start, end):
            taken[j] = True
        chosen.append((start, end, place))
    chosen += [(i, i + 1, None) for i in range(len(seg)) if not taken[i]]
    return sorted(chosen)


def cohesion(engine, a: str, b: str, trusted: bool, exact: bool = True) -> float:
    """Among documents holding both syllables, the share holding them side by side (0 when never).

    Documents holding both are at most the smaller document frequency, so ``adjacent / min(df)`` is a lower
    bound, returned when ``exact`` is false (no count: the count is the costly part on Whoosh). Cached per
    index generation (``engine.cached``)."""
    syl_field = "text" if trusted else "text_f"
    if not trusted:
        a, b = an.fold_word(a), an.fold_word(b)

    def compute() -> float:
        adjacent = engine.doc_freq("phrase_f", an.pair(an.fold_word(a), an.fold_word(b)))
        if not adjacent:
            return 0.0
        if not exact:
            return adjacent / max(adjacent, min(engine.doc_freq(syl_field, a), engine.doc_freq(syl_field, b)))
        both = engine.count(AllOf((T(syl_field, a), T(syl_field, b))))
        return adjacent / max(both, adjacent)

    return engine.cached(("cohesion", trusted, exact, a, b), compute)


def make_plan(engine, segs: list[list[str]], filters: dict[str, list[str]]) -> Plan:
    """The strict plan of a query: its words, all required except very common ones, phrases ranked."""
    words, ranking = plan_words(engine, segs)
    plan = Plan(words, ranking, filters=filters)
    if not words:
        return plan
    n = engine.doc_count()
    if n >= COMMON_MIN_DOCS and len(words) > 1:
        common = [w for w in words if _doc_freq(engine, w) > COMMON_SHARE * n]
        if common and len(common) < len(words):
            plan = plan.but(words=[w for w in words if w not in common], optional_words=common)
    flat = [s for seg in segs for s in seg]
    if len(flat) >= PHRASE_CUT_MIN_SYLLABLES and ranking:
        whole = AllOf(tuple(pair_clause(pe, pf, t) for pe, pf, t in ranking))
        if engine.count(whole):
            plan = plan.but(need_phrase=True)
    return plan


def _doc_freq(engine, w: Word) -> int:
    if len(w.exact) == 1:
        return engine.doc_freq("text" if w.trusted else "text_f", w.exact[0] if w.trusted else w.folded[0])
    return min(engine.doc_freq("phrase_f", pf) for _pe, pf in w.pairs())


def relaxed_plans(plan: Plan) -> list[tuple[Plan, bool]]:
    """The fallbacks of a strict plan that found nothing, in order: ``(plan, says "most of the words")``."""
    words = plan.words + plan.optional_words
    base = plan.but(words=words, optional_words=[], need_phrase=False)
    out: list[tuple[Plan, bool]] = []
    split_words = split(words)
    if split_words != words or plan.optional_words:
        out.append((base.but(words=split_words), False))
    fallback_words = split_words[:MAX_FALLBACK_WORDS]
    out += [(base.but(words=fallback_words, min_words=k), True) for k in fallback_sizes(len(fallback_words))]
    return out


def split(words: list[Word]) -> list[Word]:
    """Every non-place multi-syllable word as single syllables (the first fallback)."""
    out: list[Word] = []
    for w in words:
        if len(w.exact) == 1 or w.folded in lexicon.places():
            out.append(w)
        else:
            out.extend(Word((e,), (f,), w.trusted) for e, f in zip(w.exact, w.folded, strict=False))
    return list(dict.fromkeys(out))


def fallback_sizes(n: int) -> list[int]:
    """How many of ``n`` words the "most of the words" fallback asks for, most first."""
    if n < 2:
        return []
    return list(range(n - 1, max(1, math.ceil(n / 2)) - 1, -1))


# -- the tree of a plan --------------------------------------------------------------------------------------
def word_clause(w: Word):
    if len(w.exact) == 1:
        e, f = w.exact[0], w.folded[0]
        if w.trusted:
            parts = [T("title", e, TITLE_BOOST), T("text", e, TEXT_BOOST)]
            if f != e:  # the same letters typed without diacritics
                parts += [T("title", f, TITLE_F_BOOST), T("text", f, TEXT_F_BOOST)]
            return AnyOf(tuple(parts))
        return AnyOf((T("title", e, TITLE_BOOST), T("text", e, TEXT_BOOST), T("title_f", f, TITLE_F_BOOST),
                      T("text_f", f, TEXT_F_BOOST)))
    return AllOf(tuple(pair_clause(pe, pf, w.trusted) for pe, pf in w.pairs()))


def pair_clause(pe: str, pf: str, trusted: bool, boost: float = PHRASE_BOOST):
    """The pair as a phrase (folded pairs are indexed); a trusted pair also needs each syllable as spelt, or
    typed without diacritics, somewhere in the document."""
    phrase = T("phrase_f", pf, boost)
    if not trusted:
        return phrase
    checks = [word_clause(Word((e,), (f,), True))  # scored as syllables: exact diacritics above none
              for e, f in zip(pe.split(an.PAIR_JOIN), pf.split(an.PAIR_JOIN), strict=False)]
    return AllOf((phrase, *checks))


def text_tree(plan: Plan):
    if plan.reference:
        return T("reference", plan.reference)
    if not plan.words:
        return EVERY
    required = tuple(word_clause(w) for w in plan.words)
    if plan.min_words is not None and plan.min_words < len(required):
        core = AtLeast(max(1, plan.min_words), required)
    else:
        core = required[0] if len(required) == 1 else AllOf(required)
    if plan.need_phrase:
        core = AllOf((core, AnyOf(tuple(pair_clause(pe, pf, t) for pe, pf, t in plan.ranking_pairs))))
    optional = [word_clause(w) for w in plan.optional_words]
    for pe, pf, trusted in plan.ranking_pairs:  # phrases of the query; in the title they count twice
        optional += [pair_clause(pe, pf, trusted), T("title_phrase", pf, TITLE_PHRASE_BOOST)]
    return Ranked(core, tuple(optional)) if optional else core
