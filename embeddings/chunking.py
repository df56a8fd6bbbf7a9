"""Cut report blocks into passages small enough for a specific citation.

Passages follow Chinese sentence ends (。！？, and ；inside over-long sentences) and never
cross a paragraph. Each passage keeps its section path, its span in the original file and the
glossary notes it refers to; ``index_text`` adds the section path (and, for glossary entries, the
sentence that uses the term) so retrieval sees the context a reader would.

A passage is *shown* between the end of the one before and the start of the one after in its
paragraph (a sentence, or a clause when the sentence is long): ``before`` and ``after``. A fact told
across a cut (完成营造林987万亩。河湖生态补水13.9亿立方米) is then whole in whichever of the two
passages is cited, while retrieval and the answer step read only the passage's own ``text``
(sentence-window retrieval: indexed by its own sentences, shown with its neighbours').
"""
from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass, field

from embeddings.cleaning import CleanText
from embeddings.structure import Block

CHUNKER_VERSION = "25"
DEFAULT_MAX_CHARS = 120
LEAD_CHARS = 20  # a lead sentence (以旧换新激发消费活力。) is at most this long
CONTEXT_CHARS = 60  # a passage shows at most this much of each neighbour (evidence is a clause or two)
SECTION_SEP = " > "
_SENT_RE = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」）)]*|$)")


@dataclass
class Passage:
    """One retrievable, citable piece of a document."""

    doc_id: str
    text: str
    section: str
    start: int  # offsets into the original document text
    end: int
    kind: str = "paragraph"
    term: str = ""
    footnotes: list[int] = field(default_factory=list)
    page: int | None = None
    index_text: str = ""
    role: str = ""  # temporal role: review, plan, review_multi, outlook, government, glossary, front
    years: list[int] = field(default_factory=list)  # the years it speaks about
    before: str = ""  # the end of the passage before in its paragraph, shown ahead of ``text``
    after: str = ""  # the start of the passage after in its paragraph, shown behind ``text``
    shown_start: int | None = None  # offsets into the original of ``before + text + after``
    shown_end: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def split_sentences(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[tuple[int, int]]:
    """[start, end) of each sentence; sentences longer than ``max_chars`` split at ；."""
    spans: list[tuple[int, int]] = []
    for m in _SENT_RE.finditer(text):
        s, e = m.span()
        if e <= s:
            continue
        if e - s > max_chars:
            spans.extend(_split_long(text, s, e, max_chars))
        else:
            spans.append((s, e))
    return spans


def _split_long(text: str, s: int, e: int, max_chars: int = DEFAULT_MAX_CHARS) -> list[tuple[int, int]]:
    parts, cur = [], s
    for m in re.finditer(r"[；;]", text[s:e]):
        cut = s + m.end()
        if cut - cur >= 20:
            parts.append((cur, cut))
            cur = cut
    if cur < e:
        if parts and e - cur < 20:
            parts[-1] = (parts[-1][0], e)
        else:
            parts.append((cur, e))
    return [piece for a, b in parts for piece in _hard_cut(a, b, 4 * max_chars)]


def _hard_cut(s: int, e: int, size: int) -> list[tuple[int, int]]:
    """Text with no sentence end or ；for ``size`` characters (a table dump, a pasted URL) in ``size`` pieces."""
    return [(a, min(a + size, e)) for a in range(s, e, size)]


def chunk_blocks(blocks: list[Block], clean: CleanText, doc_id: str,
                 max_chars: int = DEFAULT_MAX_CHARS) -> list[Passage]:
    """Turn parsed blocks into passages with original offsets and footnotes."""
    passages: list[Passage] = []
    front = [b for b in blocks if b.kind == "front"]
    if front and front[-1].end - front[0].start <= 2 * max_chars:  # title lines: one passage
        passages.append(_make(clean, doc_id, front[0].start, front[-1].end, "", "front", role="front"))
        front = []
    for b in blocks:
        if b.kind == "heading" or (b.kind == "front" and not front):
            continue
        section = SECTION_SEP.join(b.path)
        if b.kind in ("glossary", "topic") or b.end - b.start <= max_chars:
            passages.append(_make(clean, doc_id, b.start, b.end, section, b.kind, b.term, b.role, b.years))
            continue
        sentences = split_sentences(b.text, max_chars)
        pieces = _pack(sentences, max_chars, b.text)
        for (s, e), shown in zip(pieces, in_context(pieces, sentences, b.text)):
            role, years = b.role, b.years
            if b.head_end and e <= b.head_end:  # a piece of the paragraph's opening on the past year
                role, years = b.head_role, b.head_years
            passages.append(_make(clean, doc_id, b.start + s, b.start + e, section, b.kind, role=role, years=years,
                                  shown=(b.start + shown[0], b.start + shown[1])))
    _link_glossary(passages, clean)
    return passages


def _pack(sentences: list[tuple[int, int]], max_chars: int, text: str = "") -> list[tuple[int, int]]:
    """Greedily join consecutive sentences up to ``max_chars``. A short lead sentence naming the
    topic of what follows (“新三样”助力出口提质升级。电动汽车、锂电池…) starts a new passage rather
    than ending one when what follows would not fit: the lead stays with its content."""
    out: list[tuple[int, int]] = []
    for k, (s, e) in enumerate(sentences):
        nxt = sentences[k + 1] if k + 1 < len(sentences) else None
        lead = bool(text) and nxt is not None and _is_lead(text[s:e])
        if out and e - out[-1][0] <= max_chars and not (lead and nxt[1] - out[-1][0] > max_chars):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


CLAUSE_END_RE = re.compile(r"[，,；;：:]")


def in_context(pieces: list[tuple[int, int]], sentences: list[tuple[int, int]], text: str,
               limit: int = CONTEXT_CHARS) -> list[tuple[int, int]]:
    """The pieces as shown: each from the last sentence of the piece before (its last clause when the
    sentence is longer than ``limit``; nothing when that is too) to the first sentence (or clause) of
    the piece after. Evidence a reader quotes (two short facts either side of a cut) is then whole
    in either passage."""
    out = []
    for k, (s, e) in enumerate(pieces):
        start, end = s, e
        if k:
            ps, pe = pieces[k - 1]
            last = max((a for a, _ in sentences if ps <= a < pe), default=ps)
            if pe - last > limit:  # a long last sentence: its last clause
                last = max((m.end() for m in CLAUSE_END_RE.finditer(text, ps, pe - 1)), default=ps)
            start = last if pe - last <= limit else s
        if k + 1 < len(pieces):
            ns, ne = pieces[k + 1]
            first = min((b for a, b in sentences if ns < b <= ne), default=ne)
            if first - ns > limit:  # a long first sentence: its first clause
                clause = CLAUSE_END_RE.search(text, ns, ne)
                first = clause.end() if clause else ne
            end = first if first - ns <= limit else e
        out.append((start, end))
    return out


def _is_lead(sentence: str) -> bool:
    """A short sentence with no figure ending in 。: how reports open a topic (以旧换新激发消费活力。)."""
    body = sentence.strip()
    return body.endswith("。") and len(body) <= LEAD_CHARS and not re.search(r"\d", body)


def _make(clean: CleanText, doc_id: str, s: int, e: int, section: str, kind: str, term: str = "",
          role: str = "", years: tuple[int, ...] = (), shown: tuple[int, int] | None = None) -> Passage:
    """A passage of ``clean.text[s:e]`` (spaces trimmed), shown as ``clean.text[shown[0]:shown[1]]``
    (with the end of the passage before and the start of the one after)."""
    while s < e and clean.text[s].isspace():
        s += 1
    while e > s and clean.text[e - 1].isspace():
        e -= 1
    left, right = shown or (s, e)
    while left < s and clean.text[left].isspace():
        left += 1
    while right > e and clean.text[right - 1].isspace():
        right -= 1
    start, end = clean.original_span(s, e)
    lo = bisect.bisect_left(clean.footnotes, s, key=lambda f: f.position)  # footnotes are in text order
    hi = bisect.bisect_right(clean.footnotes, e, key=lambda f: f.position)
    notes = sorted({f.number for f in clean.footnotes[lo:hi]})
    return Passage(doc_id=doc_id, text=clean.text[s:e], section=section, start=start, end=end,
                   kind=kind, term=term, footnotes=notes, index_text=_index_text(section, clean.text[s:e]),
                   role=role, years=list(years), before=clean.text[left:s], after=clean.text[e:right],
                   **_shown_span(clean, left, right, (left, right) != (s, e)))


def _shown_span(clean: CleanText, left: int, right: int, wider: bool) -> dict:
    """The original offsets of what a passage shows, when its neighbours' sentences widen it."""
    if not wider:
        return {}
    start, end = clean.original_span(left, right)
    return {"shown_start": start, "shown_end": end}


def _index_text(section: str, text: str) -> str:
    tail = section.split(SECTION_SEP)[-1] if section else ""
    return f"{tail}：{text}" if tail and not text.startswith(tail) else text


def _link_glossary(passages: list[Passage], clean: CleanText) -> None:
    """Give each glossary entry the sentence that uses its term, so the term finds it."""
    users: dict[int, list[Passage]] = {}
    for p in passages:
        for n in p.footnotes if p.kind != "glossary" else ():
            users.setdefault(n, []).append(p)
    first_at: dict[int, int] = {}
    for f in clean.footnotes:
        first_at.setdefault(f.number, f.position)
    for g in (p for p in passages if p.kind == "glossary"):
        number = int(re.match(r"\d+", g.text).group(0)) if re.match(r"\d+", g.text) else 0
        uses = users.get(number, [])
        context = ""
        if uses:
            pos = first_at[number]
            left = max(clean.text.rfind(ch, 0, pos) for ch in "。；！？\n") + 1
            right = min((i for i in (clean.text.find(ch, pos) for ch in "。；！？\n") if i >= 0), default=len(clean.text))
            context = clean.text[left:right + 1]
        g.index_text = f"名词解释：{g.text}" + (f"（原文：{context}）" if context else "")
