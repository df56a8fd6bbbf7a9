"""Text normalisation and word segmentation shared by retrieval, answering and scoring.

Segmentation is jieba's (search mode, so 地区生产总值 also yields 地区 / 生产 / 总值); the
tokenizer is a plain function handed to BM25, as ``rank_bm25`` expects.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

import jieba
import jieba.posseg as posseg

from embeddings.cleaning import fold_width  # noqa: F401 (the answer step reads folded figures)

_CN_DIGIT = dict(zip("〇零一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9)))
_CN_AMOUNT = r"[〇零一二两三四五六七八九十百]+(?:点[〇零一二三四五六七八九]+)?"
# 二〇三五年, 二零二五年: a year of this century in words (its 〇 or 零 is what read_figures looks for first)
_YEAR_IN_WORDS_RE = re.compile(r"二[〇零][〇零一二三四五六七八九]{2}(?=\s*年)")
# 百分之八至九, 百分之四至百分之五: a range, its second figure with or without 百分之
_SPELLED_PERCENT_RE = re.compile(rf"百分之({_CN_AMOUNT})(?:([至到])(?:百分之)?({_CN_AMOUNT}))?")


def _cn_amount(text: str) -> str | None:
    """``二十七点八`` → ``27.8``, ``一百零五`` → ``105``; None for what is no number."""
    whole, _, decimals = text.partition("点")
    value, digit = 0, None
    for ch in whole:
        if ch in "〇零" and value:
            continue  # 一百零五
        if ch in _CN_DIGIT:
            if digit is not None:
                return None  # 二三: not a number written out
            digit = _CN_DIGIT[ch]
        elif ch == "十":
            value += (digit if digit is not None else 1) * 10
            digit = None
        elif ch == "百":
            if digit is None:
                return None
            value += digit * 100
            digit = None
    value += digit or 0
    return str(value) + ("." + "".join(str(_CN_DIGIT[c]) for c in decimals) if decimals else "")


def _percent(m: re.Match) -> str:
    first, sep, second = m.group(1), m.group(2), m.group(3)
    a, b = _cn_amount(first), (_cn_amount(second) if second else None)
    if a is None or (second and b is None):
        return m.group(0)
    figure = f"{a}%" + (f"{sep}{b}%" if second else "")
    return m.group(0) if len(figure) > len(m.group(0)) else " " * (len(m.group(0)) - len(figure)) + figure


def read_figures(text: str) -> str:
    """``text`` as the answer step reads its figures: full-width ones folded (:func:`fold_width`) and
    a percentage written out in words (百分之二十七点八, 百分之八至九, as reports of the 1990s print
    them) in digits (27.8%, 8%至9%), padded with spaces before it to the same length, and a year in
    words (二〇三五年) in digits, so a window's place in the read text is its place in the report's."""
    text = fold_width(text)
    if "〇" in text or "零" in text:  # 二〇三五年: a year in words, as 2035年 (the same length)
        text = _YEAR_IN_WORDS_RE.sub(lambda m: "".join(str(_CN_DIGIT[c]) for c in m.group(0)), text)
    return _SPELLED_PERCENT_RE.sub(_percent, text) if "百分之" in text else text

jieba.setLogLevel(logging.WARNING)

FOOTNOTE_RE = re.compile(r"\^\[\d+\]")
_PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)
STOPWORDS = frozenset("""
的 了 是 在 和 与 及 等 对 把 被 让 从 为 以 于 就 都 也 又 还 要 将 会 能 可 有 个 这 那 之 其 或 而 并 但
吗 呢 吧 啊 呀 么 嘛 哪 谁 啥 什么 怎么 怎样 如何 多少 几 几个 哪些 哪个 哪家 哪两个 是不是 有没有 一共 总共
请问 请 告诉 我 我们 你 你们 他们 搞 弄 市 全市 省 全省 区 全区 县 全县 本市 本县 本区 去年 今年 明年 里 中 上 下 说 指 具体 又 呀 吗 这份 那个 这个
a an the of in on at to for is are was were be been what which who how many much does did do
report by with and or from as that this it its
""".split())


GENERIC_NOUNS = frozenset("""
东西 意思 内容 情况 方面 事情 问题 举措 措施 办法 情形 东东 地方 时候 时间 方面 数字 数据 部分 东西 哪天 人 多少钱 钱 名字 姓名 名称 称号
""".split())


@lru_cache(maxsize=65536)  # the answer step normalises the same windows and clauses many times
def normalize(text: str) -> str:
    """NFKC, lower case, footnote markers removed: the form both queries and passages are compared in."""
    return FOOTNOTE_RE.sub("", unicodedata.normalize("NFKC", text)).lower()


_last_long: tuple[str, tuple[tuple[int, int], ...]] = ("", ())  # a long question is tested for many phrases


# 新（改）建, 改（扩）建: one character read two ways (新建 and 改建)
_BOTH_RE = re.compile(r"([\u4e00-\u9fff])\(([\u4e00-\u9fff])\)([\u4e00-\u9fff])")


def both_spellings(norm: str) -> str:
    """Normalized text with 新(改)建 written out as 新建改建, so a question's 新建 or 改建 finds it."""
    return _BOTH_RE.sub(lambda m: m.group(1) + m.group(3) + m.group(2) + m.group(3), norm)


def _word_spans(text: str) -> tuple[tuple[int, int], ...]:
    global _last_long
    if len(text) <= CACHED_CHARS:
        return _word_spans_cached(text)
    last = _last_long  # one read, one write: threads see a whole pair
    if last[0] != text:
        last = _last_long = (text, _spans(text))
    return last[1]


@lru_cache(maxsize=4096)
def _word_spans_cached(text: str) -> tuple[tuple[int, int], ...]:
    return _spans(text)


def _spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple((start, end) for _, start, end in jieba.tokenize(text, HMM=False))


def straddles(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` begins inside a dictionary word and runs on past its end: 排多少 in
    安排多少 (安排 / 多少), 全国 in 安全国家标准 (安全 / 国家标准). Then it is not that phrase or name, as a
    reader cuts the text; the tail of one word (就业 of 再就业) or a name jieba does not know (米易, cut
    one character at a time without the HMM) is."""
    return any(a < start < b < end for a, b in _word_spans(text))


CACHED_CHARS = 600
"""Cuts and tags of texts up to this length are remembered (questions, windows, passages); longer
ones (an earlier message of 4,000 characters) are not: their word tuples would hold megabytes."""


def _cut(text: str) -> tuple[str, ...]:
    return _cut_cached(text) if len(text) <= CACHED_CHARS else tuple(jieba.cut_for_search(text))


@lru_cache(maxsize=4096)
def _cut_cached(text: str) -> tuple[str, ...]:
    return tuple(jieba.cut_for_search(text))


MAX_GUESSED_RUN = 8
"""Longest run of characters the dictionary cuts one by one that the tagger's HMM may guess words
in. jieba's part-of-speech HMM costs about 3 ms per such character (499 random CJK characters:
1.5 s under the GIL); a real question's unknown runs are a name or a place, 2–4 characters."""


def _is_han(word: str) -> bool:
    return len(word) == 1 and "\u3400" <= word <= "\u9fff"


def _tag_spans(text: str) -> list[tuple[str, bool]]:
    """``text`` as (span, guess) pieces: runs of more than :data:`MAX_GUESSED_RUN` characters that the
    dictionary cuts one by one are ``guess=False``; everything else is one piece as it was."""
    words = jieba.lcut(text, HMM=False)
    spans: list[tuple[str, bool]] = []
    plain, run = "", []
    for word in [*words, ""]:
        if word and _is_han(word):
            run.append(word)
            continue
        if len(run) > MAX_GUESSED_RUN:
            if plain:
                spans.append((plain, True))
            spans.append(("".join(run), False))
            plain = ""
        else:
            plain += "".join(run)
        run = []
        plain += word
    if plain:
        spans.append((plain, True))
    return spans


def tag(text: str) -> tuple[tuple[str, str], ...]:
    """(word, part of speech) pairs of ``text`` by jieba, blanks dropped; remembered (up to
    :data:`CACHED_CHARS` characters), since the answer step asks about the same question and
    windows several times.

    Long runs of characters that no dictionary word covers (random text) are tagged from the
    dictionary alone, without the HMM, so no text costs more than a few times a normal question;
    a text without such runs is tagged exactly as jieba tags it."""
    return _tag_cached(text) if len(text) <= CACHED_CHARS else _tag(text)


@lru_cache(maxsize=4096)
def _tag_cached(text: str) -> tuple[tuple[str, str], ...]:
    return _tag(text)


def _tag(text: str) -> tuple[tuple[str, str], ...]:
    spans = _tag_spans(text)
    if len(spans) == 1 and spans[0][1]:
        pairs = posseg.lcut(text)
    else:
        pairs = [w for span, guess in spans for w in posseg.lcut(span, HMM=guess)]
    return tuple((w.word, w.flag) for w in pairs if w.word.strip())


def clear_caches() -> None:
    """Forget remembered word cuts and tags (benchmarks time new questions)."""
    global _last_long
    _cut_cached.cache_clear()
    _tag_cached.cache_clear()
    _word_spans_cached.cache_clear()
    _last_long = ("", ())


def tokenize(text: str) -> list[str]:
    """Content words of ``text`` for BM25 and overlap scoring (stop words and punctuation dropped)."""
    out = []
    for tok in _cut(normalize(text)):
        tok = tok.strip()
        if tok and tok not in STOPWORDS and not _PUNCT_RE.match(tok):
            out.append(tok)
    return out


def add_words(words) -> None:
    """Teach jieba the report's own terms (托班, 固投, glossary terms), so a question cuts them as
    the passages do: without it 多少个托班 became 个托班 and missed every passage.

    jieba adds each word's count to its dictionary's total, and every cut is weighed against that
    total: a word taught for one report could change how a sentence of another one, without the
    word, is cut. The total is kept as it was, so a taught word changes the cut only where it
    occurs (what :mod:`qa.token_cache` assumes): the same text is cut the same way whichever
    reports were indexed before it."""
    jieba.dt.check_initialized()
    total = jieba.dt.total
    for word in words:
        word = normalize(word).strip("“”\"")
        if len(word) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", word):
            jieba.add_word(word, tag="n")
    jieba.dt.total = total
    clear_caches()


def is_english(text: str) -> bool:
    """True when a question is written mostly in Latin letters."""
    letters = sum(ch.isascii() and ch.isalpha() for ch in text)
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    return letters > 0 and letters >= 2 * cjk


def warm_up() -> None:
    """Load jieba's dictionary now rather than on the first question."""
    jieba.initialize()
