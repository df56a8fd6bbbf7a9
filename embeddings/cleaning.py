"""Repair text broken by PDF extraction while keeping every character's original offset.

Reports converted from PDF have sentences cut by page breaks (a blank line mid-sentence),
spaces inside numbers and between numbers and units (``6.31 万亩``), stray line breaks and
footnote markers (``^[3]``). Cleaning removes characters only, never invents them, so each
character of the clean text maps to exactly one character of the original file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from embeddings.layout import PART_WORDS, line_spans, one_paragraph_per_line, opens_body, report_spans, stripped_spans

TERMINAL = "。！？!?；;：:…）)」』】"
FOOTNOTE_RE = re.compile(r"\^\[(\d+)\]")
HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．](?!\d)\s*|第[一二三四五六七八九十\d]+[章节部分])")
_ITEM_START_RE = re.compile(r"^\s*(?:——|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．](?!\d)|[#*\-•])")


# Figures as older web copies write them: full-width digits, letters and per cent (１８９１４亿元,
# ７．７％, ＧＤＰ), the full stop between two digits a decimal point. Folded one character for one, so
# a window's offsets stay those of the report's text and its quote can be taken from there.
_WIDE = str.maketrans({**{chr(c): chr(c - 0xFEE0) for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                                                          *range(0xFF41, 0xFF5B))}, "％": "%"})
_WIDE_POINT_RE = re.compile(r"(?<=[0-9０-９])[．·・](?=[0-9０-９])")  # 19·5％: an older typesetting's point
_WIDE_RE = re.compile(r"[０-９Ａ-Ｚａ-ｚ％]|[0-9][·・][0-9]")


def fold_width(text: str) -> str:
    """``text`` with full-width digits, Latin letters and per cent as ASCII (and ． or · between digits
    as a point), the same length: what the profile's and the answer step's
    patterns read. Chinese punctuation stays."""
    if not _WIDE_RE.search(text):
        return text
    return _WIDE_POINT_RE.sub(".", text).translate(_WIDE)


@dataclass(frozen=True)
class Footnote:
    """A footnote marker found in the text: which note, and where it was (clean offset)."""

    number: int
    position: int


@dataclass
class CleanText:
    """Clean text plus, for each of its characters, the offset in the original text."""

    text: str
    offsets: list[int]
    footnotes: list[Footnote]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) that covers clean characters [start, end)."""
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else (self.offsets[-1] + 1 if self.offsets else 0)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or ch in "“”‘’—…·")


def _paragraphs(raw: str) -> list[tuple[int, int]]:
    """Spans of blank-line separated paragraphs (stripped of surrounding whitespace)."""
    return stripped_spans(raw, r"(?:[^\n]|\n(?![ \t\u3000]*\n))+")


# A line ending in a structural particle stops mid-phrase (…经济社会发展的 / 主要目标 / 是：…: a web
# page set a bold phrase on a line of its own); no title or heading ends so.
DANGLING = "的"


_BARE_NUMBER_RE = re.compile(r"[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*、")


def _subscript(prev: str, nxt: str) -> bool:
    """PM / 2.5 / 年平均浓度…: a web page's subscript or superscript on a line of its own."""
    return prev[-1].isascii() and prev[-1].isalpha() and nxt[0].isascii() and nxt[0].isalnum()


def _lone_bracket(prev: str, nxt: str) -> bool:
    """（ / 三）改革开放…: a heading's opening bracket alone on a line goes with the heading."""
    return prev.strip() in ("（", "(") and bool(nxt.strip())


def _continues(prev: str, nxt: str, joined: bool = False, body: bool = False) -> bool:
    """True when a blank line between two paragraphs is a page break inside one sentence, or (in
    the ``body``) one of the blank lines a web copy put around a link cut out of a sentence
    (五、民主 / 法制 / 建设和精神文明建设…: the word, and what follows it when it was ``joined``)."""
    prev, nxt = prev.rstrip(), nxt.lstrip()
    if _lone_bracket(prev, nxt):
        return True
    if not prev or prev[-1] in TERMINAL or _ITEM_START_RE.match(nxt) or _SALUTATION_RE.match(nxt):
        return False  # 各位代表：always opens the speech (…会议上 国务院总理朱镕基 / 各位代表：)
    if nxt[:1] in "，、；：,;:" or _MID_SENTENCE_RE.match(nxt):
        return True  # no paragraph starts mid-sentence (…全面建设小康社会 / 、加快推进…, …实行“以县为主” / 的基础…)
    if body and not HEADING_RE.match(nxt) and (joined and len(prev) <= 2 * FRAGMENT_CHARS or _fragment(nxt)):
        return True
    if HEADING_RE.match(prev):
        return False
    # short unpunctuated lines are titles and headings; long ones were cut by a page break
    return len(prev) >= 40 or prev[-1] in DANGLING


def _line_continues(prev: str, nxt: str, joined: bool = False, body: bool = False) -> bool:
    """In one-paragraph-per-line text, a line that is not a paragraph of its own: the previous
    line stopped mid-sentence and this one starts with punctuation, closes a quotation the
    previous one opened, or goes on a run of such fragments (``…“双向`` / ``揭榜`` / ``挂帅”的简称``:
    a web page's inline markup broke the line). ``joined``: the previous line was itself joined;
    ``body``: past the front matter, where a word of a few characters alone on a line after an
    unfinished one is a link cut out of it (五、民主 / 法制 / 建设和精神文明建设…), not a title."""
    prev, nxt = prev.strip(), nxt.strip()
    if _lone_bracket(prev, nxt):
        return True
    if _BARE_NUMBER_RE.fullmatch(prev) and nxt and not (HEADING_RE.match(nxt) or _ITEM_START_RE.match(nxt)):
        return True  # (五) / 改 革开放 / 不断深化。…: the heading's number alone on a line, its words on the next
    if not prev or prev[-1] in TERMINAL or HEADING_RE.match(nxt) or _ITEM_START_RE.match(nxt):
        return False
    if body and _fragment(nxt):
        return True
    return (nxt[0] in "，。；、：,.;:！？!?”’）)" or bool(_MID_SENTENCE_RE.match(nxt)) or prev.count("“") > prev.count("”") or joined
            or prev[-1] in DANGLING or _subscript(prev, nxt) or len(prev) > 2 * 60)


FRAGMENT_CHARS = 6
# a word no sentence opens with: the possessive 的 (not 的确, 的士)
_MID_SENTENCE_RE = re.compile(r"的(?![确士])")
_SALUTATION_RE = re.compile(r"各位代表[：:！!，,]|同志们[：:！!]")


def _fragment(line: str) -> bool:
    """A word of a few characters alone on a line, unfinished: a link cut out of a sentence, not a
    title (no part's words, 总体要求) or a heading."""
    line = line.strip()
    return (0 < len(line) <= FRAGMENT_CHARS and line[-1] not in TERMINAL and not HEADING_RE.match(line)
            and not any(w in line for w in PART_WORDS))


# What a scraper left in place of a character or around markup: R's escape of a non-breaking space
# (<U+00A0>) and the HTML comment marks of a saved page (<!-- -->). They stand for nothing in the
# report and are read as blanks, the same number of characters, so every offset stays the file's.
_MARKUP_RE = re.compile(r"<U\+[0-9A-Fa-f]{4,6}>|<!--|-->")


def blank_markup(raw: str) -> str:
    """``raw`` with scraper escapes and comment marks replaced by as many spaces."""
    return _MARKUP_RE.sub(lambda m: " " * len(m.group(0)), raw) if "<" in raw or ">" in raw else raw


def clean(raw: str) -> CleanText:
    """Clean ``raw`` report text; paragraphs stay separated by one blank line.

    Paragraphs are blank-line separated, or one per line when the text is laid out that way
    (a web copy); web-page clutter around the report is left out (:mod:`embeddings.layout`)."""
    chars: list[str] = []
    offsets: list[int] = []
    footnotes: list[Footnote] = []
    raw = blank_markup(raw)
    per_line = one_paragraph_per_line(raw)
    spans = report_spans(raw, line_spans(raw) if per_line else _paragraphs(raw))
    joined = body = False
    for i, (s, e) in enumerate(spans):
        prev = raw[spans[i - 1][0]:spans[i - 1][1]] if i else ""
        body = body or opens_body(raw[s:e])
        goes_on = i and (_line_continues(prev, raw[s:e], joined, body) if per_line
                         else _continues(prev, raw[s:e], joined, body))
        joined = bool(goes_on)
        if i and not goes_on:
            chars.extend("\n\n")
            offsets.extend((spans[i - 1][1], spans[i - 1][1] + 1))
        _clean_paragraph(raw, s, e, chars, offsets, footnotes)
    return CleanText("".join(chars), offsets, footnotes)


def _spaced_digit(raw: str, i: int, j: int) -> bool:
    """The one space at ``raw[i:j]`` stands between two digits that are each a token of their own
    (1 9 9 7, not 2023 2024): a copy's spacing inside one number, not a gap between two."""
    def single(k: int) -> bool:
        return 0 <= k < len(raw) and raw[k] in DIGITS and not (
            (k > 0 and raw[k - 1] in DIGITS) or (k + 1 < len(raw) and raw[k + 1] in DIGITS))
    return j - i == 1 and raw[i] == " " and single(i - 1) and single(j)


DIGITS = "0123456789"


def _clean_paragraph(raw: str, s: int, e: int, chars: list[str], offsets: list[int],
                     footnotes: list[Footnote]) -> None:
    i = s
    while i < e:
        m = FOOTNOTE_RE.match(raw, i)
        if m and m.end() <= e:
            footnotes.append(Footnote(int(m.group(1)), len(chars)))
            i = m.end()
            continue
        ch = raw[i]
        if ch in "*" and raw.startswith("**", i):  # Markdown bold markers
            i += 2
            continue
        if ch.isspace():
            j = i
            while j < e and raw[j].isspace():
                j += 1
            before = chars[-1] if chars else ""
            after = raw[j] if j < e else ""
            if "\n" in raw[i:j] and _ITEM_START_RE.match(raw, j):
                chars.append("\n")  # a line break before a list item or heading is real
                offsets.append(raw.index("\n", i))
            elif _spaced_digit(raw, i, j):
                pass  # 1 9 9 7 年…7 4 7 7 2 亿元: a copy that set a space after every digit
            elif before and after and not (_is_cjk(before) or _is_cjk(after) or after == "^"):
                chars.append(" ")  # one space between Latin words
                offsets.append(i)
            i = j
            continue
        chars.append(ch)
        offsets.append(i)
        i += 1
