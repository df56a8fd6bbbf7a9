"""Numbered shorthand terms (“六保”, 三大攻坚战, “五个中心”) and the lists that spell them out.

Reports coin a term from a count and a shared word, then spell it out elsewhere as that many
items each carrying the word, often without naming the term again (坚决打好三大攻坚战 … 加大“六稳”
工作力度，保居民就业、保基本民生、保市场主体、保粮食能源安全、保产业链供应链稳定、保基层运转). Word
search cannot find such a list (the term is not in it); its shape can: exactly N consecutive items
holding the word.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

COUNTS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# 六保, 五个中心, 三大攻坚战, “四个一批”: a count, an optional measure word, then the shared word,
# ending where the question goes on (是/指/包括/有哪/都/具体/分别, a closing quote or the end)
TERM_RE = re.compile(r"(?<![一二三四五六七八九十两\d第哪])(十[一二三四五六七八九]|[一二三四五六七八九十两])(个|大|项|类|种|件|条|张)?"
                     r"([\u4e00-\u9fff]{1,4}?)(?=[”\"」]|是|指|包括|包含|有哪|都是|都有|具体|分别|主要|$|[？?])")
ITEM_END_RE = re.compile(r"[、，,；;：:。！？!?\n]")  # a colon ends a run: 四库：指水库、粮库…


class Term(NamedTuple):
    """A numbered shorthand: how many items, the word each holds, the term as written (六保)."""

    count: int
    word: str
    text: str


@lru_cache(maxsize=1024)
def numbered_term(question: str) -> Term | None:
    """The numbered shorthand a question asks about, e.g. ``Term(6, "保", "六保")`` for
    "“六保”是指哪六保？"; ``None`` when it names none."""
    for m in TERM_RE.finditer(question.strip()):
        n, word = sum(COUNTS[c] for c in m.group(1)), m.group(3)  # 十二个奋力推进: twelve
        # not a plan period (“十五五”, 九五: a count of numerals) nor a time or a multiple
        if n >= 2 and word not in ("年", "月", "日", "岁", "次", "倍") and not all(c in COUNTS for c in word):
            return Term(n, word, m.group(0))
    return None


def spelled_out(text: str, n: int, word: str, name: str = "") -> tuple[int, int] | None:
    """The span of ``text`` listing exactly ``n`` consecutive items (split at 、，；, the last one
    may end its sentence) that each hold ``word`` (a one-character word such as 保 or 化: as the
    item's head or its ending, :func:`_holds_one`) and not the term's ``name`` itself, or ``None``."""
    run: list[tuple[int, int]] = []
    start = 0
    for m in list(ITEM_END_RE.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        quote = max(text.rfind("“", start, end), text.rfind("「", start, end))
        if quote >= 0:  # 开展“讲学习、讲政治、讲正气”的教育: a list opens inside its quotes
            start = quote + 1
        item = text[start:end].strip()
        held = bool(item) and (_holds_one(item, word) if len(word) == 1 else word in item) and not (
            name and name in item)  # …提出的“九个坚持”重大原则，即坚持…: the term's own clause is no item
        if held:
            run.append((start, end))
        if not held or m is None or m.group() not in "、，,；;":  # the list ends here
            if len(run) == n:
                last = text.find("”", run[-1][0], run[-1][1])  # …讲正气”的教育: the list ends at its quote
                return run[0][0], last if last > run[-1][0] else run[-1][1]
            run = []
        start = m.end() if m else len(text)
    return None


def _holds_one(item: str, word: str) -> bool:
    """A list item carries a one-character shared word as its head (保就业, after at most a
    two-character lead: 着力稳就业) or as its ending (市场化, 水库, after at most a two-character
    trail: 数字化进程): 加力提速市场化、产业化、法治化、生态化、数字化进程 spells out “五化”."""
    last = item.rfind(word)
    return 0 <= item.find(word) <= 2 or (last >= 0 and len(item) - 1 - last <= 2)


def listed_before(text: str, term: Term) -> tuple[int, int] | None:
    """The span of ``text`` where exactly ``term.count`` items (split at 、) come right before the
    term itself, from the start of their clause to the term's closing quote (贯彻按保护价敞开收购农民余粮、
    粮食收储企业实行顺价销售、粮食收购资金实行封闭运行“三项政策”), or ``None``."""
    for m in re.finditer(re.escape(term.text), text):
        at = m.start() - 1 if m.start() and text[m.start() - 1] in "“\"「" else m.start()
        start = max(text.rfind(mark, 0, at) for mark in "，,。；;：:！？!?\n") + 1
        items = text[start:at].split("、")
        if len(items) == term.count and all(item.strip() for item in items):
            end = m.end() + (1 if m.end() < len(text) and text[m.end()] in "”\"」" else 0)
            return start, end
    return None


def term_list(text: str, term: Term) -> tuple[int, int] | None:
    """The span of ``text`` that spells ``term`` out: the items written right before the term
    itself (the passage says what it names) first, else a run of items holding its word."""
    return listed_before(text, term) or spelled_out(text, term.count, term.word, term.text)


# what opens an item of a list written over several sentences: its number (一是, （二）, 3．, 第四，,
# 五、) or a dash (——更加注重…)
ITEM_MARK_RE = re.compile(r"\s*(?:——|[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、](?!\d)"
                          r"|第[一二三四五六七八九十]+[，,、]|[一二三四五六七八九十]+、)\s*")  # (not 2.1万亿元, 第一批)
SENTENCE_RE = re.compile(r"[^。！？!?；;：:\n]+[。！？!?；;：:]?")
LEAD_END_RE = re.compile(r"[，,：:。！？!?；;]")
CLAUSE_ITEM_RE = re.compile(r"[^，,；;。！？!?：:\n]+")
MAX_LEAD = 40  # an item's lead clause is short: 坚定实施扩大内需战略, 在建一批
MAX_GAP = 2500  # characters from one item to the next: each item goes on for a paragraph or so


def _leads(text: str) -> list[tuple[int, int]]:
    """The span of each sentence's (or colon-opened clause's) first clause, after its number."""
    out = []
    for m in SENTENCE_RE.finditer(text):
        mark = ITEM_MARK_RE.match(text, m.start(), m.end())
        start = mark.end() if mark else m.start()
        cut = LEAD_END_RE.search(text, start, m.end())
        out.append((start, cut.start() if cut else m.end()))
    return out


def spread_over(text: str, term: Term) -> list[tuple[int, int]] | None:
    """The spans of ``text`` where ``term``'s items open ``term.count`` sentences (a list written
    over several sentences or paragraphs, each item going on about itself: 在建一批，确保…。开工一批，
    力争…; 一是坚定实施扩大内需战略，…二是坚定实施产业兴区战略，…), or ``None``.

    An item is a sentence's lead clause holding the term's word; the items of one list share a
    form, all short (在建一批) or opening alike (坚定实施…, 深化国际…中心建设), each within
    :data:`MAX_GAP` of the one before, and there are exactly ``term.count`` of them (the first
    such run). A term of two items, or of a one-character word, is left alone: sentences opening
    alike are too common to tell its list by."""
    if term.count < 3 or len(term.word) < 2 or term.text not in text:
        return None  # one character (保 of “六保”) opens too many sentences (保障…) to tell a list by
    short = len(term.word) + 4
    chains: dict[str, list[list[tuple[int, int]]]] = {}
    # a sentence's lead (在建一批, 坚定实施…战略), or any clause opening as the others do for four
    # characters (…，持续用力打造国家重要先进制造业高地，… in one part, …高地 in the next two)
    found_in = [(s, e, "lead") for s, e in _leads(text)] + [
        (m.start(), m.end(), "clause") for m in CLAUSE_ITEM_RE.finditer(text)]
    for s, e, kind in found_in:
        mark = ITEM_MARK_RE.match(text, s, e) if kind == "clause" else None
        s = mark.end() if mark else s + len(text[s:e]) - len(text[s:e].lstrip())  # ——更加注重…: from 更
        lead = text[s:e].strip()
        if not lead or len(lead) > MAX_LEAD or term.text in lead or not (
                _holds_one(lead, term.word) if len(term.word) == 1 else term.word in lead):
            continue
        if kind == "clause" and (len(lead) <= short or lead.startswith(term.word)):
            continue  # a short clause or one opening with the word is only told by its sentence's lead
        # (items opening with the word itself, 奋力推进产业振兴 … 奋力推进经济循环高效畅通, are one form)
        form = (f"clause {lead[:4]}" if kind == "clause" else term.word if lead.startswith(term.word)
                else "" if len(lead) <= short else lead[:2])
        runs = chains.setdefault(form, [])
        if runs and s - runs[-1][-1][1] <= MAX_GAP:
            runs[-1].append((s, e))
        else:
            runs.append([(s, e)])
    found = [run for runs in chains.values() for run in runs if len(run) == term.count]
    return min(found) if found else None


# a term made of counted parts (“两新一重”, “一圈一带两区”, “三去一降一补”): its items number their sum
MEASURES = "个大项类种件条张批位"
COMPOSITE_RE = re.compile(r"[“\"「]((?:[一二两三四五六七八九十][\u4e00-\u9fff]){2,5})[”\"」]")
INTRODUCED_RE = re.compile(r"[^。！？!?\n]{0,12}?[：:]")  # 建设，主要是： after the term


def composite_term(question: str) -> Term | None:
    """The quoted term of counted parts a question asks about, e.g. ``Term(3, "", "两新一重")`` for
    "“两新一重”具体指什么？" (两 + 一), or ``None``."""
    m = COMPOSITE_RE.search(question)
    # not a count and a measure word (“四个一批”, “三位一体”: numbered_term's) nor …一体 (“四算一体”: four)
    if not m or any(c in MEASURES for c in m.group(1)[1::2]) or m.group(1).endswith("一体"):
        return None
    count = sum(COUNTS[c] for c in m.group(1)[0::2])
    return Term(count, "", m.group(1)) if count >= 3 else None


def introduced_items(text: str, term: Term) -> list[tuple[int, int]] | None:
    """The spans of the items a colon right after ``term`` introduces, one sentence each, opening
    alike (“两新一重”建设，主要是：加强新型基础设施建设，…。加强新型城镇化建设，…。…加强交通、水利等重大
    工程建设。): exactly ``term.count`` leads of its paragraph sharing their first two characters."""
    for m in re.finditer(re.escape(term.text), text):
        colon = INTRODUCED_RE.match(text, m.end() + 1 if text[m.end():m.end() + 1] in "”\"」" else m.end())
        if not colon:
            continue
        end = text.find("\n", colon.end())
        end = len(text) if end < 0 else end
        leads = [(s + colon.end(), e + colon.end()) for s, e in _leads(text[colon.end():end])]
        leads = [(s, e) for s, e in leads if 0 < e - s <= MAX_LEAD]
        if not leads:
            continue
        form = text[leads[0][0]:leads[0][0] + 2]
        items = [(s, e) for s, e in leads if text[s:s + 2] == form]
        if len(items) == term.count:
            return items
    return None
