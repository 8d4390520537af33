"""Text handling shared by both engines: syllables, phrases, folding, stored fields, highlighting, edit distance.

Syllables are runs of Unicode letters and digits (``[^\\W_]+``, the same split as tantivy's ``simple``
tokenizer), lower-cased, never stemmed, no stop words; the tone mark of ``oa``/``oe``/``uy`` rhymes is put in
one place (``hóa`` and ``hoá`` are the same syllable, see :func:`canonical_tone`). Every text is indexed as
syllables as typed (``title``, ``text``) and folded with :func:`marketplace.text.fold` (``title_f``,
``text_f``), and as **adjacent syllable pairs**, folded (``phrase_f``: ``"nuoc_mam"``; ``title_phrase``: those
of the title). Pairs are indexed folded only: a Whoosh index pays about 180 bytes per distinct term, and exact
pairs doubled the distinct terms; exact diacritics of a phrase are checked on its syllables instead.
Vietnamese words are mostly two syllables or more, so a pair is how the index knows a word; pairs never
cross punctuation or a line break (see :func:`segments`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache

from ..text import fold, nfc
from .base import FACET_KEYS, SearchDocument

WORD_RE = re.compile(r"[^\W_]+")
#: A break between two syllables: anything but spaces (punctuation, a line break...) ends a phrase.
BREAK_RE = re.compile(r"[^ \t\u00a0]")
PAIR_JOIN = "_"
REFERENCE_RE = re.compile(r"^(CB|NC|TS|SK)-\d{2}-\d{4}-\d{5}$", re.IGNORECASE)
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
MAX_TOKEN_CHARS = 40
NO_DEADLINE = 99991231
#: Field boosts of the public query: the as-typed fields outrank the folded ones, so an accented query
#: ranks exact-accent matches first while the folded fields still find unaccented spellings.
BOOSTS: dict[str, float] = {"title": 3.0, "text": 1.5, "title_f": 1.5, "text_f": 1.0}
EXACT_FIELDS = ("title", "text")
FOLDED_FIELDS = ("title_f", "text_f")


def clean(value: object) -> str:
    """NFC text with NUL and lone surrogates removed (anything a person could type is accepted)."""
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    value = value.replace("\x00", " ")
    value = value.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(value) else value
    return nfc(value)


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_TONES = "\u0300\u0301\u0303\u0309\u0323"
_TONE_RE = re.compile(rf"^(.*?)(o|u)([{_TONES}])(a|e|y)$")


@lru_cache(maxsize=200_000)
def canonical_tone(word: str) -> str:
    """One spelling for the two tone-mark placements of ``oa``, ``oe``, ``uy`` at the end of a syllable:
    ``hóa``/``hoá``, ``thủy``/``thuỷ``, ``khỏe``/``khoẻ`` all become the new-style ``hoá``, ``thuỷ``, ``khoẻ``
    (Quyết định 1989/QĐ-BGDĐT). Other syllables are returned unchanged."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    m = _TONE_RE.match(decomposed)
    if not m or (m.group(2) == "u" and m.group(4) != "y") or (m.group(2) == "o" and m.group(4) == "y"):
        return word
    if m.group(2) == "u" and m.group(1).endswith("q"):
        return word  # "qu" + "ý": the u belongs to the onset
    return unicodedata.normalize("NFC", m.group(1) + m.group(2) + m.group(4) + m.group(3))


def words(text: str) -> list[str]:
    """As-typed syllables: lower-cased runs of letters/digits in canonical tone spelling, over-long ones
    dropped."""
    return [canonical_tone(w) for w in WORD_RE.findall(text.lower()) if len(w) <= MAX_TOKEN_CHARS]


def segments(text: str) -> list[list[str]]:
    """The syllables of ``text`` (as :func:`words`) in runs that punctuation and line breaks separate:
    ``"Máy sấy, nông sản"`` → ``[["máy", "sấy"], ["nông", "sản"]]``. Phrases are pairs inside one run."""
    out: list[list[str]] = []
    current: list[str] = []
    last_end = 0
    for m in WORD_RE.finditer(text.lower()):
        if current and BREAK_RE.search(text, last_end, m.start()):
            out.append(current)
            current = []
        last_end = m.end()
        w = m.group()
        if len(w) > MAX_TOKEN_CHARS:
            if current:
                out.append(current)
            current = []
            continue
        current.append(canonical_tone(w))
    if current:
        out.append(current)
    return out


def pair(a: str, b: str) -> str:
    return f"{a}{PAIR_JOIN}{b}"


def pairs(segs: list[list[str]], folded: bool = False) -> list[str]:
    """Adjacent syllable pairs of :func:`segments` output (folded with :func:`fold_word` when asked)."""
    out = []
    for seg in segs:
        seq = [fold_word(w) for w in seg] if folded else seg
        out.extend(pair(a, b) for a, b in zip(seq, seq[1:], strict=False))
    return out


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """:func:`marketplace.text.fold` of one token, cached (the vocabulary of syllables is small)."""
    return fold(word)


def folded_words(text: str) -> str:
    """The folded tokens of ``text`` joined by spaces: what the folded fields index."""
    return " ".join(fold_word(w) for w in words(text))


def query_terms(q: str) -> list[tuple[str, str]]:
    """``(exact, folded)`` syllables of a user query, de-duplicated, at most ``MAX_QUERY_TERMS``."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for w in words(clean(q)[:MAX_QUERY_CHARS]):
        if w in seen:
            continue
        seen.add(w)
        out.append((w, fold_word(w)))
        if len(out) >= MAX_QUERY_TERMS:
            break
    return out


def query_segments(q: str) -> list[list[str]]:
    """The syllable runs of a user query (as :func:`segments`), at most ``MAX_QUERY_TERMS`` syllables."""
    out, count = [], 0
    for seg in segments(clean(q)[:MAX_QUERY_CHARS]):
        seg = seg[: MAX_QUERY_TERMS - count]
        if seg:
            out.append(seg)
            count += len(seg)
    return out


def is_accented(word: str) -> bool:
    return fold_word(word) != word


def is_reference(q: str) -> bool:
    return bool(REFERENCE_RE.match(clean(q).strip()))


def facet_value(value: object) -> str:
    """One facet value, as indexed and as matched by a filter: ``True``/``False`` become ``"true"``/
    ``"false"``, anything else its :func:`clean` text, commas replaced by spaces (Whoosh keyword fields
    split on commas), stripped. Case is kept."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return clean(value).replace(",", " ").strip()


def facet_values(value: object) -> list[str]:
    """The distinct non-empty facet values of a document attribute or of a filter: ``None`` gives none, a
    string/number/bool one, any other iterable (list, tuple, set) one per item."""
    if value is None:
        return []
    items = [value] if isinstance(value, str | bytes) or not isinstance(value, Iterable) else value
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        v = facet_value(item)
        if v and v not in out:
            out.append(v)
    return out


def _epoch(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def _day(value: date | None) -> int:
    if value is None:
        return NO_DEADLINE
    return value.year * 10000 + value.month * 100 + value.day


def doc_fields(doc: SearchDocument) -> dict:
    """The engine-neutral field values of ``doc`` (see ``whoosh_backend``/``tantivy_backend`` schemas)."""
    title = clean(doc.title)
    summary = clean(doc.summary)
    body = clean(doc.body)
    extra = "\n".join(clean(x) for x in (doc.title_en, doc.org_name, *(doc.keywords or ())) if x)
    alltext = "\n".join(x for x in (title, extra, summary, body) if x)
    title_segs, text_segs = segments(title), segments(alltext)
    title_words = [w for seg in title_segs for w in seg]
    text_words = [w for seg in text_segs for w in seg]
    return {
        "id": clean(doc.id),
        "type": clean(doc.type),
        "reference": clean(doc.reference).strip().lower(),
        # pre-tokenised (canonical tone spelling): the engines only split on spaces and lower-case
        "title": " ".join(title_words),
        "text": " ".join(text_words),
        "title_f": " ".join(fold_word(w) for w in title_words),
        "text_f": " ".join(fold_word(w) for w in text_words),
        "phrase_f": " ".join(pairs(text_segs, folded=True)),
        "title_phrase": " ".join(pairs(title_segs, folded=True)),
        "published": _epoch(doc.published_at),
        "deadline": _day(doc.deadline),
        # every facet key is the name of the attribute it is read from (see ``base.FILTER_KEYS``)
        "facets": {key: facet_values(getattr(doc, key, None)) for key in FACET_KEYS},
        "store": {"id": clean(doc.id), "type": clean(doc.type), "title": title, "summary": summary,
                  "body": body, "extra": extra},
    }


def stored_text(store: dict) -> str:
    return "\n".join(store.get(k) or "" for k in ("title", "extra", "summary", "body"))


# -- highlighting ------------------------------------------------------------------------------------

class _FoldTable(dict):
    """``str.translate`` table folding one character at a time (computed once per character)."""

    def __missing__(self, code: int) -> str:
        value = fold(chr(code))
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


class Marker:
    """Finds the words of a text whose folded form is one of ``terms`` (the folded query words)."""

    def __init__(self, terms: set[str]):
        self.terms = {t for t in terms if t}
        alternatives = "|".join(re.escape(t) for t in sorted(self.terms, key=len, reverse=True))
        self._re = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])") if self.terms else None

    def spans(self, text: str) -> list[tuple[int, int]]:
        if not self._re or not text:
            return []
        folded = text.translate(_FOLD_TABLE)
        if len(folded) == len(text):  # one character each (all Vietnamese text): offsets line up
            return [m.span() for m in self._re.finditer(folded)]
        return [m.span() for m in WORD_RE.finditer(text) if fold_word(m.group().lower()) in self.terms]


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, pos = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(html.escape(text[pos:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, spans: list[tuple[int, int]], max_chars: int | None = None) -> str:
    """HTML-escaped ``text`` (or a window of about ``max_chars`` around the first span) with the
    ``spans`` (from :meth:`Marker.spans`) wrapped in ``<mark>``; the original accented text is kept."""
    text = text or ""
    if max_chars is None or len(text) <= max_chars:
        return _render(text, spans, 0, len(text))
    start = 0
    if spans:
        start = max(0, spans[0][0] - max_chars // 4)
        if start:
            space = text.rfind(" ", 0, start)
            start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + max_chars // 2 else end
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    return prefix + _render(text, spans, start, end) + suffix


# -- spelling ----------------------------------------------------------------------------------------

def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, returning ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def best_correction(word: str, candidates: list[tuple[str, int]]) -> str | None:
    """The closest candidate (distance 1 for words up to 4 letters, else 2), most frequent on ties."""
    limit = 1 if len(word) <= 4 else 2
    best: tuple[int, int, str] | None = None
    for term, freq in candidates:
        if term == word or freq <= 0:
            continue
        d = edit_distance(word, term, limit)
        if d <= limit and (best is None or (d, -freq, term) < best):
            best = (d, -freq, term)
    return best[2] if best else None
