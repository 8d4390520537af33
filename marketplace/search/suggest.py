"""Did you mean: a correction is proposed only when it is a phrase the index holds and finds more than the query.

For each syllable the index does not know (or, in a query of several syllables, a known syllable that forms a
phrase with neither neighbour), candidates are the index's syllables within edit distance 1 (words up to four
letters) or 2, sharing the first letter. With a neighbour, a candidate must form a pair the index holds
with it ("cong nghe say nhann" → "nhan", because "say nhan" is a phrase; "mat ong hao nhan" → "hoa").
Alone, the most frequent closest candidate wins. The corrected query must then match more documents than the
query itself (all words required), so "nước mắm" gets no "nước mềm" when no listing says "nước mềm".
Accented queries are corrected in the exact fields (a wrong tone mark is a typo: "sáy nhãn" → "sấy nhãn"),
unaccented ones in the folded fields. Place names are never corrected.
"""

from __future__ import annotations

from . import analysis as an
from . import lexicon
from .planner import AllOf, T, is_trusted

MAX_FIXES = 2


def suggest(engine, segs: list[list[str]], strict_total: int, count_query) -> str | None:
    """``count_query(text)`` counts the documents a query text matches with all its words."""
    flat = [s for seg in segs for s in seg]
    if not flat:
        return None
    trusted = is_trusted(flat)
    form = (lambda s: s) if trusted else an.fold_word
    syl_field = "text" if trusted else "text_f"
    fixed = [list(map(form, seg)) for seg in segs]
    changed = 0
    for seg in fixed:
        places = _place_positions(seg)
        for i, word in enumerate(seg):
            if changed >= MAX_FIXES or len(word) < 2 or word.isdigit() or i in places:
                continue
            left = seg[i - 1] if i > 0 else None
            right = seg[i + 1] if i + 1 < len(seg) else None
            known = engine.doc_freq(syl_field, word) > 0
            if known and not _lonely(engine, left, word, right, trusted):
                continue
            fix = _best(engine, syl_field, word, left, right, trusted)
            if fix is not None:
                seg[i] = fix
                changed += 1
    if not changed:
        return None
    text = " ".join(" ".join(seg) for seg in fixed)
    if text == " ".join(" ".join(map(form, seg)) for seg in segs):
        return None
    return text if count_query(text) > strict_total else None


def _place_positions(seg: list[str]) -> set[int]:
    """Positions inside a place name: "Đà Nẵng" is never corrected to "đa năng"."""
    folded = [an.fold_word(w) for w in seg]
    out: set[int] = set()
    for n in (4, 3, 2):
        for i in range(len(seg) - n + 1):
            if tuple(folded[i:i + n]) in lexicon.places():
                out.update(range(i, i + n))
    return out


def _pair_df(engine, a: str, b: str, trusted: bool) -> int:
    """Documents holding ``a b`` as a phrase (as spelt, when trusted: the folded pair and both syllables)."""
    folded = an.pair(an.fold_word(a), an.fold_word(b))
    if not trusted:
        return engine.doc_freq("phrase_f", folded)
    if not engine.doc_freq("phrase_f", folded):
        return 0
    return engine.count(AllOf((T("phrase_f", folded), T("text", a), T("text", b))))


def _lonely(engine, left, word, right, trusted) -> bool:
    """A known syllable with neighbours, forming a phrase with none of them (a likely typo of another word)."""
    if left is None and right is None:
        return False
    return not any(_pair_df(engine, a, b, trusted) for a, b in ((left, word), (word, right))
                   if a is not None and b is not None)


def _best(engine, syl_field, word, left, right, trusted) -> str | None:
    limit = 1 if len(an.fold_word(word)) <= 4 else 2
    best: tuple[int, int, int, str] | None = None
    for term, freq in engine.terms_with_prefix(syl_field, word[:1]):
        if term == word or freq <= 0:
            continue
        d = an.edit_distance(word, term, limit)
        if d > limit:
            continue
        attested = 0
        if left is not None:
            attested += _pair_df(engine, left, term, trusted)
        if right is not None:
            attested += _pair_df(engine, term, right, trusted)
        if (left is not None or right is not None) and not attested:
            continue
        key = (d, -attested, -freq, term)
        if best is None or key < best:
            best = key
    return best[3] if best else None
