"""Recognise the outline of a Chinese government report in cleaned text.

Reports share one shape: parts numbered ``一、`` (whose sub-items restart at ``一、``), topic
paragraphs (``一年来，我们…``), paragraphs opening with a short lead sentence
(``经济运行整体向好。``) and a 名词解释 glossary whose numbers match the ``^[n]`` footnote
markers. Each block gets the section path a citation shows and retrieval can use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from embeddings.cleaning import CleanText
from embeddings.layout import PART_WORDS, opens_body

CN_NUMERALS = "一二三四五六七八九十"
NUMBERED_RE = re.compile(r"^([一二三四五六七八九十]{1,3})、")
# Heading numbering styles, outermost first as reports use them: 一、 （一） 1. （1）
HEADING_STYLES = (
    ("cn", re.compile(r"^([一二三四五六七八九十]{1,3})、")),
    ("paren_cn", re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[）)]")),
    ("num", re.compile(r"^(\d{1,2})[.、．](?!\d)")),
    ("paren_num", re.compile(r"^[（(](\d{1,2})[）)]")),
)
GLOSSARY_TITLES = ("名词解释", "名词注释", "注释", "附注", "名词解读", "名词解释说明", "注解", "名词说明")
# (附 alone only with its colon: 附：名词解释, but 附注 is the title itself)
_TITLE_DECOR_RE = re.compile(r"^[※*#【\[（(\s]*(?:附件\s*\d*\s*[:：]?\s*|附\s*[:：]\s*)?|[※*#】\]）)\s:：]*$")
GLOSSARY_ENTRY_RE = re.compile(r"^[\[［【]?(\d{1,3})[\]］】.．、]?\s*(.{1,40}?)[：:]\s*(.*)$", re.S)
MAX_GLOSSARY_CHARS = 600  # an entry's definition may run over a few paragraphs, not a page
SENTENCE_END = "。！？!?"
TERMINAL = "。！？!?；;：:…"
MAX_TOPIC_CHARS = 40
MAX_HEADING_CHARS = 60
MAX_LEAD_CHARS = 16
# an ASCII ? ending a Chinese line is a character an encoding lost (Chinese asks with ？):
# （四）促进农业现代化和农村改革发展。? is a heading
_LOST_END_RE = re.compile(r"(?<=[\u4e00-\u9fff。”）)])\?+$")


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
    part: str = ""  # the top-level heading it stands under (its temporal role comes from it)
    role: str = ""  # temporal role, set by :func:`embeddings.profile.assign_roles`
    years: tuple[int, ...] = ()
    # a paragraph of a part that plans opening on the year under review (过去的一年，…。新的一年，…):
    # its first ``head_end`` characters speak of ``head_role`` / ``head_years``, the rest plans
    head_end: int = 0
    head_role: str = ""
    head_years: tuple[int, ...] = ()


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


def heading_style(para: str) -> tuple[str, int] | None:
    """(numbering style, number) when ``para`` is a numbered heading: short and not a sentence."""
    para = _LOST_END_RE.sub("", para)
    if len(para) > MAX_HEADING_CHARS or "。" in para.rstrip("。") or para.count("。") > 1:
        return None
    for style, pattern in HEADING_STYLES:
        m = pattern.match(para)
        if m:
            if style.endswith("num") and (para[-1] in SENTENCE_END or len(para) > MAX_TOPIC_CHARS):
                return None  # 1.城乡宜居方面。…: a list item, not a heading
            value = m.group(1)
            return style, int(value) if value.isdigit() else cn_number(value)
    return None


def is_part_title(para: str) -> bool:
    """A short unnumbered line naming a part of the report (``2024年工作回顾``, ``加强政府自身建设``)."""
    para = _LOST_END_RE.sub("", para)
    return (0 < len(para) <= MAX_TOPIC_CHARS and para[-1] not in TERMINAL and "，" not in para
            and any(w in para for w in PART_WORDS))


# what may name the glossary's document before its title: 《政府工作报告》有关内容名词注释, 报告中的名词解释
_GLOSSARY_OF_RE = re.compile(r"^(?:《[^》]{2,12}》|[^，。；：:\s]{0,8}报告)?(?:中|里)?(?:的)?(?:有关|相关|部分|涉及的?)?(?:内容|词语|用语)?的?")


def glossary_title(para: str) -> bool:
    """``名词解释``, ``※注释※``, ``附：名词解释``, ``附件2 名词解释``, ``《政府工作报告》有关内容名词注释``."""
    if len(para) > 24:
        return False
    title = _TITLE_DECOR_RE.sub("", para)
    return title in GLOSSARY_TITLES or _GLOSSARY_OF_RE.sub("", title, count=1) in GLOSSARY_TITLES


# The speech's address to the congress (现在，我代表国务院向大会作政府工作报告，请予审议): the front matter ends
# with it. What follows before the first heading (首先报告2001年的工作。…) is the report, not its front.
ADDRESS_RE = re.compile(r"向大会(?:作|报告)|请予审议")


def parse(clean: CleanText) -> list[Block]:
    """Split clean text into blocks and give each its section path."""
    blocks: list[Block] = []
    levels: list[tuple[str, int, str]] = []  # open headings: (style, number, title)
    topic = lead = ""
    in_glossary = False
    seen_heading = addressed = greeted = opened = False
    for start, end in paragraph_spans(clean.text):
        para = clean.text[start:end].strip()
        style = heading_style(para)
        if style and style[0] == "num" and in_glossary:
            style = None  # 1.两新：… inside a glossary is an entry
        part = not style and is_part_title(para) and not in_glossary
        if style or part:
            levels = _place_heading(levels, style or ("part", 0), para)
            topic = lead = ""
            in_glossary, seen_heading = False, True
            blocks.append(Block("heading", para, start, end, _path(levels), part=levels[0][2]))
            continue
        if glossary_title(para):
            levels, topic, lead, in_glossary, seen_heading = [("part", 0, para)], "", "", True, True
            blocks.append(Block("heading", para, start, end, (para,), part=para))
            continue
        if para in ("各位代表：", "各位代表:") and not in_glossary:
            if seen_heading and greeted:
                levels, topic, lead = [], "", ""  # a web page printing the report again: its speech starts over
            greeted = True
        path = _path(levels)
        top = levels[0][2] if levels else ""
        g = GLOSSARY_ENTRY_RE.match(para) if in_glossary else None
        if g and (g.group(3).strip() or len(para) <= MAX_TOPIC_CHARS):
            term = g.group(2).strip()
            blocks.append(Block("glossary", para, start, end, path + (term,), term=term, number=int(g.group(1)),
                                part=top))
            continue
        entry = blocks[-1] if in_glossary and blocks and blocks[-1].kind == "glossary" else None
        if entry and end - entry.start <= MAX_GLOSSARY_CHARS:
            # 3.“四好农村路”： / 指建好、管好…: the definition on the lines after its term
            blocks[-1] = replace(entry, text=clean.text[entry.start:end], end=end)
            continue
        if not seen_heading and not addressed:
            blocks.append(Block("front", para, start, end, ()))
            opened = opened or opens_body(para)
            addressed = opened and bool(ADDRESS_RE.search(para))  # not a photo caption's 向大会作政府工作报告
            continue
        if len(para) <= MAX_TOPIC_CHARS and (para[-1] in SENTENCE_END and para.count("。") == 1
                                             or para[-1] not in TERMINAL):
            topic, lead = para.rstrip("。"), ""
            blocks.append(Block("topic", para, start, end, path + (topic,), part=top))
            continue
        new_lead = lead_sentence(para)
        if new_lead:
            lead = new_lead
        blocks.append(Block("paragraph", para, start, end, path + tuple(x for x in (topic, lead) if x), part=top))
    return blocks


def _path(levels: list[tuple[str, int, str]]) -> tuple[str, ...]:
    return tuple(t for _, _, t in levels)


MAX_HEADING_DEPTH = 3


def _place_heading(levels: list[tuple[str, int, str]], style: tuple[str, int],
                   title: str) -> list[tuple[str, int, str]]:
    """Put a heading where its numbering continues, or open a sub-level under the current one.

    An unnumbered part title (``2025年工作目标任务``) and a numbered heading naming a part
    (``三、全面加强政府自身建设``) start again at the top; a heading continues the deepest
    open heading of its style numbered one less; a ``1`` opens a sub-level (at most
    :data:`MAX_HEADING_DEPTH` deep; a repeated 一、 restarts its own level)."""
    kind, number = style
    entry = (kind, number, title)
    if kind == "part":
        return [entry]
    if is_part_title(title.split("、", 1)[-1]) and levels and levels[0][0] == kind:
        return [entry]
    for depth in range(len(levels) - 1, -1, -1):
        if levels[depth][0] == kind and levels[depth][1] + 1 == number:
            return levels[:depth] + [entry]
    if number == 1 and levels and levels[-1][:2] != (kind, 1) and len(levels) < MAX_HEADING_DEPTH:
        return levels + [entry]
    if number == 1 and levels:
        return levels[:-1] + [entry]
    same = [d for d, (k, _, _) in enumerate(levels) if k == kind]
    if same:
        return levels[:same[-1]] + [entry]
    return (levels + [entry]) if len(levels) < MAX_HEADING_DEPTH else levels[:-1] + [entry]
