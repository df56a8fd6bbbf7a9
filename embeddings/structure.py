"""Recognise the outline of a Chinese government report in cleaned text.

Reports share one shape: parts numbered ``一、`` (whose sub-items restart at ``一、``), topic
paragraphs (``一年来，我们…``), paragraphs opening with a short lead sentence
(``经济运行整体向好。``) and a 名词解释 glossary whose numbers match the ``^[n]`` footnote
markers. Each block gets the section path a citation shows and retrieval can use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from embeddings.cleaning import CleanText

CN_NUMERALS = "一二三四五六七八九十"
NUMBERED_RE = re.compile(r"^([一二三四五六七八九十]{1,3})、")
GLOSSARY_TITLES = ("名词解释", "名词注释", "注释", "附注", "名词解读")
GLOSSARY_ENTRY_RE = re.compile(r"^(\d{1,3})[.．、]\s*(.{1,40}?)[：:]\s*(.+)$", re.S)
SENTENCE_END = "。！？!?"
MAX_TOPIC_CHARS = 40
MAX_LEAD_CHARS = 16


@dataclass
class Block:
    """A paragraph-sized piece of the report with its place in the outline."""

    kind: str  # "front" | "heading" | "topic" | "paragraph" | "glossary"
    text: str
    start: int  # offsets into the clean text
    end: int
    path: tuple[str, ...]
    term: str = ""
    number: int = 0


def cn_number(s: str) -> int:
    """Value of a small Chinese numeral (一 … 九十九)."""
    if s == "十":
        return 10
    if "十" in s:
        tens, _, units = s.partition("十")
        return (CN_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (CN_NUMERALS.index(units) + 1 if units else 0)
    return CN_NUMERALS.index(s) + 1


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each blank-line separated paragraph of clean text."""
    spans, pos = [], 0
    for para in text.split("\n\n"):
        if para.strip():
            spans.append((pos, pos + len(para)))
        pos += len(para) + 2
    return spans


def lead_sentence(para: str) -> str:
    """The short lead sentence a paragraph opens with (``经济运行整体向好``), or ''."""
    m = re.match(r"^([^。！？；，]{2,%d}|[^。！？；]{2,%d})。" % (MAX_LEAD_CHARS, MAX_LEAD_CHARS), para)
    return m.group(1) if m and len(para) > len(m.group(0)) else ""


def parse(clean: CleanText) -> list[Block]:
    """Split clean text into blocks and give each its section path."""
    blocks: list[Block] = []
    levels: list[tuple[int, str]] = []  # numbered headings: (number, title)
    topic = lead = ""
    in_glossary = False
    seen_heading = False
    for start, end in paragraph_spans(clean.text):
        para = clean.text[start:end].strip()
        m = NUMBERED_RE.match(para)
        if m and "。" not in para and len(para) <= 60:
            levels = _place_heading(levels, cn_number(m.group(1)), para)
            topic = lead = ""
            in_glossary, seen_heading = False, True
            blocks.append(Block("heading", para, start, end, tuple(t for _, t in levels)))
            continue
        if para in GLOSSARY_TITLES:
            levels, topic, lead, in_glossary, seen_heading = [(0, para)], "", "", True, True
            blocks.append(Block("heading", para, start, end, (para,)))
            continue
        path = tuple(t for _, t in levels)
        g = GLOSSARY_ENTRY_RE.match(para) if in_glossary else None
        if g:
            term = g.group(2).strip()
            blocks.append(Block("glossary", para, start, end, path + (term,), term=term, number=int(g.group(1))))
            continue
        if not seen_heading:
            blocks.append(Block("front", para, start, end, ()))
            continue
        if len(para) <= MAX_TOPIC_CHARS and para[-1] in SENTENCE_END and para.count("。") == 1:
            topic, lead = para.rstrip("。"), ""
            blocks.append(Block("topic", para, start, end, path + (topic,)))
            continue
        new_lead = lead_sentence(para)
        if new_lead:
            lead = new_lead
        blocks.append(Block("paragraph", para, start, end, path + tuple(x for x in (topic, lead) if x)))
    return blocks


MAX_HEADING_DEPTH = 3


def _place_heading(levels: list[tuple[int, str]], number: int, title: str) -> list[tuple[int, str]]:
    """Put a numbered heading at the deepest level it continues, or start a new sub-level
    (at most :data:`MAX_HEADING_DEPTH` deep; a repeated 一、 restarts its own level)."""
    for depth in range(len(levels) - 1, -1, -1):
        if levels[depth][0] + 1 == number:
            return levels[:depth] + [(number, title)]
    if number == 1 and levels and levels[-1][0] != 1 and len(levels) < MAX_HEADING_DEPTH:
        return levels + [(number, title)]
    if number == 1 and levels:
        return levels[:-1] + [(number, title)]
    return [(number, title)]
