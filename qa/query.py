"""Turn what a citizen typed into what retrieval looks for.

Three general steps: expand everyday or English words with the report's own vocabulary
(a small thesaurus file), resolve 去年/今年 against the report's year, and split a
question that asks two things into two sub-questions.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from embeddings.profile import plan_period_names
from qa.text import GENERIC_NOUNS, STOPWORDS, is_english, normalize, straddles, tag


@dataclass
class Query:
    """A question prepared for retrieval."""

    text: str  # what the user typed
    search_text: str  # text plus expansions, for BM25 and the encoder
    english: bool = False
    years: tuple[int, ...] = ()  # years the question is about, resolved
    parts: list[str] = field(default_factory=list)  # sub-questions of a compound question
    report_year: int | None = None  # the year 今年 means
    offsets: tuple[int, ...] = ()  # 去年 = -1, 今年 = 0, 明年 = 1: relative to each report's own year
    explicit: tuple[int, ...] = ()  # years the question writes out (2024年)
    periods: tuple[int, ...] = ()  # years of a plan period the question names (“十四五” = 2021–2025)
    period_offsets: tuple[int, ...] = ()  # 过去五年, 现在: the years before each report's own, relative to it

    def year_fit(self, years: set[int] | list[int] | tuple[int, ...], report_year: int | None) -> int:
        """+1 when a passage about ``years`` (of a report planning ``report_year``) speaks about the
        years asked, -1 when only about others, 0 when either side names none or the passage sums
        up several years and the question asks about one of them (“十四五” results for 去年).
        去年/今年 are read against that passage's own report, so reports of different years in one
        index each fit."""
        years = set(years)
        if not years:
            return 0
        wanted = set(self.explicit) | set(self.periods)
        if (self.offsets or self.period_offsets) and report_year:
            wanted |= {report_year + d for d in self.offsets + self.period_offsets}
        elif not wanted:
            wanted = set(self.years)
        if not wanted:
            return 0
        if not years & wanted:
            return -1
        return 0 if len(years) > 1 and len(wanted) == 1 else 1


@lru_cache(maxsize=1)
def thesaurus() -> tuple[tuple[str, str], ...]:
    """(phrase, official terms) pairs from ``qa/data/thesaurus.tsv``, longest phrase first."""
    text = (resources.files("qa") / "data" / "thesaurus.tsv").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            phrase, terms = line.split("\t", 1)
            pairs.append((phrase.strip().lower(), terms.strip()))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def matched_phrases(text: str) -> list[tuple[str, str]]:
    """Thesaurus (phrase, terms) pairs whose phrase occurs in ``text``."""
    return list(_matched_phrases(text))


@lru_cache(maxsize=1)
def _english_patterns() -> dict[str, re.Pattern]:
    """The thesaurus's English phrases as whole-word patterns, plurals too (farmer, farmers),
    compiled once: some hundreds of them would overflow ``re``'s own cache on every question."""
    out = {}
    for phrase, _ in thesaurus():
        if phrase.isascii():
            words = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", phrase)  # high-tech as the question is spaced
            out[phrase] = re.compile(r"(?<![a-z])" + re.escape(words) + r"(?:s|es)?(?![a-z])")
    return out


@lru_cache(maxsize=4096)
def _matched_phrases(text: str) -> tuple[tuple[str, str], ...]:
    norm = normalize(text)
    spaced = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", norm)  # fixed-asset investment = fixed asset investment
    latin = re.search(r"[a-z]", spaced) is not None
    english = _english_patterns()
    found, spans = [], []
    for phrase, terms in thesaurus():  # longest first
        if phrase.isascii():
            if not latin:
                continue
            hit = english[phrase].search(spaced)
            # a word inside a longer phrase found first is that phrase's (the gdp of deficit-to-GDP
            # ratio asks 赤字率, not 国内生产总值)
            if hit and any(a <= hit.start() and hit.end() <= b for a, b in spans):
                continue
            if hit:
                spans.append(hit.span())
        else:  # not across a word's edge: 排多少 (rank) is not in 安排多少
            hit = phrase in norm and any(not straddles(norm, m.start(), m.end())
                                         for m in re.finditer(re.escape(phrase), norm))
        if hit:
            found.append((phrase, terms))
    return tuple(found)


@lru_cache(maxsize=4096)
def _expansions(text: str) -> tuple[str, ...]:
    norm = normalize(text)
    out: list[str] = []
    for _, terms in matched_phrases(text):
        out.extend(t for t in terms.split() if t not in out and t not in norm)
    return tuple(out)


def clear_caches() -> None:
    """Forget remembered thesaurus matches (benchmarks time new questions)."""
    _matched_phrases.cache_clear()
    _expansions.cache_clear()


def expansions(text: str) -> list[str]:
    """Official terms for the everyday/English phrases in ``text``."""
    return list(_expansions(text))


def place_spellings(words: Iterable[str]) -> dict[str, str]:
    """Latin spelling → place name for the place names among ``words`` (an index's vocabulary):
    北京 → beijing, so an English question about Beijing searches 北京. Only words jieba's
    dictionary tags as places (ns) count, so 背景 (also beijing) never does."""
    import jieba.posseg
    from pypinyin import lazy_pinyin
    tags = jieba.posseg.dt.word_tag_tab
    return {"".join(lazy_pinyin(w)): w for w in words
            if 2 <= len(w) <= 4 and tags.get(w) == "ns" and re.fullmatch(r"[\u4e00-\u9fff]+", w)}


def romanized_places(text: str, spellings: dict[str, str]) -> list[str]:
    """The place names an English question spells in Latin letters (Beijing's → 北京); not those
    joined by hyphens, which name a region together (Beijing-Tianjin-Hebei: 京津冀)."""
    words = re.findall(r"[a-z]{4,}", re.sub(r"[a-z]*(?:\s*-\s*[a-z]*)+-?|'s\b", " ", text.lower()))
    return list(dict.fromkeys(spellings[w] for w in words if w in spellings))


RELATIVE_YEARS = {"前年": -2, "去年": -1, "上一年": -1, "过去一年": -1, "今年": 0, "本年": 0, "明年": 1,
                  "last year": -1, "this year": 0, "next year": 1}


# the year a change is measured from (比1995年底增加了多少 asks about the years since, not 1995)
BASE_YEAR_RE = re.compile(r"[比较]\s*(?:19|20)\d\d")


def explicit_years(text: str) -> tuple[int, ...]:
    """Years written out in a question (2024年, 2023, 1996年 or in 1996: an older report reviews the
    1990s); not the year a change is measured from (:data:`BASE_YEAR_RE`)."""
    text = BASE_YEAR_RE.sub(" ", text)
    return tuple(sorted({int(a or b or c) for a, b, c in re.findall(
        r"(?<!\d)(20\d\d)(?!\d)|(?<!\d)(19\d\d)(?=\s*年)|\b(?:in|by|for|of|since|during|until|to)\s+(19\d\d)\b", text, re.I)}))


def relative_offsets(text: str) -> tuple[int, ...]:
    """去年 → -1, 今年 → 0, 明年 → 1, 前年 → -2 (relative to whichever report answers)."""
    norm = normalize(text)
    both = {0, 1} if "今明" in norm else set()  # 今明两年: this year and the next
    return tuple(sorted({d for word, d in RELATIVE_YEARS.items() if word in norm} | both))


# five-year plans run from a fixed year (the 14th, “十四五”, is 2021–2025) whatever report names them;
# the 9th and 10th (“九五”, “十五”) only where the words name a period, not 十五个/第十五届/十五五
PLAN_PERIODS = {name: start for name, start in plan_period_names().items() if len(name) == 3}
OLD_PLAN_PERIODS = {re.compile(rf"(?<![第十]){name}(?=[”\"]|计划|时期|期间)"): start
                    for name, start in plan_period_names().items() if len(name) == 2}
# the years before the report's own (过去五年, 现在有多少: what has been done, not what is planned)
# and the years from it on (今后五年)
PAST_RE = re.compile(r"过去五年|过去的五年|五年来|这五年|近五年|这几年|这些年|近几年|近年来|现在|目前|如今|截至目前|至今|现有|已经"
                     r"|(?<![今后来第])五年(?![规计内后])"
                     r"|over the past|past five years|so far|currently|\bnow\b", re.I)
AHEAD_RE = re.compile(r"(?:今后|未来|往后|以后|接下来的?)(?:五|几|这几)年|(?:next|coming) (?:five|few) years", re.I)


# the 6th plan (1981–1985) on, in English: the 15th Five-Year Plan is 2026–2030
ENGLISH_PLAN_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\s+five[- ]year\s+plan", re.I)


def plan_periods(text: str) -> tuple[int, ...]:
    """Years of the five-year plan periods a question names (“十四五”时期 → 2021…2025, the 15th
    Five-Year Plan → 2026…2030)."""
    norm = normalize(text)
    starts = [start for name, start in PLAN_PERIODS.items() if name in norm]
    starts += [1981 + 5 * (int(n) - 6) for n in ENGLISH_PLAN_RE.findall(text) if 6 <= int(n) <= 20]
    starts += [start for pattern, start in OLD_PLAN_PERIODS.items() if pattern.search(norm)]
    return tuple(sorted(y for start in starts for y in range(start, start + 5)))


def period_offsets(text: str) -> tuple[int, ...]:
    """过去五年/现在 → the five years before the report's own (-5…-1); 今后五年 → 0…4."""
    out: set[int] = set()
    if PAST_RE.search(text):
        out |= set(range(-5, 0))
    if AHEAD_RE.search(text):
        out |= set(range(0, 5))
    return tuple(sorted(out))


def resolved_years(absolute: tuple[int, ...], relative: tuple[int, ...], report_year: int | None) -> tuple[int, ...]:
    """Absolute years plus offsets read against the report's year (none without it)."""
    years = set(absolute)
    if report_year:
        years |= {report_year + d for d in relative}
    return tuple(sorted(years))


def question_years(text: str, report_year: int | None) -> tuple[int, ...]:
    """Years a question is about: explicit ones and plan periods, plus 去年/今年/明年 and
    过去五年 relative to the report's year."""
    return resolved_years(explicit_years(text) + plan_periods(text), relative_offsets(text) + period_offsets(text),
                          report_year)


ASKING_RE = re.compile(r"多少|几|哪|什么|啥|咋|吗|呢|怎么|如何|是否|有没有|是不是|多[大高长远久快]|how|what|which|when|who", re.I)


# two years asked side by side (去年和今年, 2023年与2024年): the question is asked of each
_YEAR_WORD = r"(?:去年|今年|明年|前年|(?:19|20)\d\d年?)"
YEAR_PAIR_RE = re.compile(rf"({_YEAR_WORD})(?:和|与|跟|及|以及|、)({_YEAR_WORD})")


def split_question(text: str) -> list[str]:
    """Sub-questions of a compound question; one part for a simple one.

    ``去年…？今年…？`` splits at the question marks; ``去年增长多少、今年预期增长多少`` at the comma
    (，、；) between pieces that each ask something; a piece that asks nothing (托育这块，…) is
    context for the piece after it.
    """
    pair = YEAR_PAIR_RE.search(text)
    if pair and ASKING_RE.search(text) and not text[:pair.start()].endswith(("比", "较")):
        # 去年和今年社零增速分别是多少: one question per year (not 比去年和前年: a comparison)
        # (去年和今年各拿出多少钱: 各 right after the pair goes too)
        rest = re.sub(r"分别|各自|各(?=[是为有多])", "", text[:pair.start()] + "{}"
                      + re.sub(r"^\s*(?:分别|各自|各)", "", text[pair.end():]))
        return [rest.format(pair.group(1)), rest.format(pair.group(2))]
    pair = _subject_pair(text)
    if pair:
        return pair
    parts = [p.strip() for p in re.split(r"(?<=[？?])\s*", text) if len(p.strip()) >= 4]
    if len(parts) > 1:  # 找工作怎么样？去年新增就业多少，今年目标多少？ has three
        return [clause for part in parts for clause in _asking_clauses(part)]
    return _asking_clauses(text.strip())


# 去年中央财政给就业再就业和城市低保各拿了多少钱: two subjects, one amount each
_SUBJECT_PAIR_RE = re.compile(r"^(?P<before>[^，,；;？?]*?)(?:和|与|以及)(?P<b>[^，,；;？?和与]{2,12}?)(?:分别|各自|各)(?P<after>[^，,；;？?]*(?:多少|几)[^，,；;]*)$")
# figures reports give side by side (a budget's 收入 and 支出, 城镇 and 农村 incomes): a window with
# one where the question asks the other gives the wrong figure; the third group names both at once
SIBLINGS = ((("收入",), ("支出",), ()),
            (("城镇", "城市", "城里"), ("农村", "乡村", "乡镇", "农民", "农牧民", "乡下"), ("城乡",)),  # 城里人, 乡下人: everyday words
            (("进口",), ("出口",), ("进出口",)),
            (("存款",), ("贷款",), ("存贷款",)),
            (("登记失业",), ("调查失业",), ()),  # the two unemployment rates, one never the other
            (("增加值",), ("总产值", "产值"), ()),  # value added is not gross output
            (("养老保险",), ("医疗保险", "医保"), ()),  # pension insurance is not medical insurance
            (("入境",), ("出境",), ("出入境",)),  # inbound travellers are not outbound ones
            (("个人缴费",), ("财政补助",), ()),  # what the insured pay is not the government's subsidy
            # the primary industry's value added is not industry's (规模以上工业增加值) or services'
            (("第一产业", "一产"), ("第二产业", "二产", "第三产业", "三产", "规模以上工业", "规上工业"), ()))
# a side of such a pair (农村 and 城镇 incomes) asked as the first subject: a report gives both in one
# sentence (城乡居民收入分别增长…), so the question is not split
_SIDE_WORDS_RE = re.compile("(?:%s)+" % "|".join(sorted({w for first, second, _ in SIBLINGS for w in first + second},
                                                       key=len, reverse=True)))


def _subject_pair(text: str) -> list[str]:
    """``X和Y各/分别…多少`` as two questions, one per subject (X: the words before 和 back to a time,
    a preposition or 的);
    none when the pair is one of sides a report gives in one sentence (农村和城镇居民收入分别…)."""
    m = _SUBJECT_PAIR_RE.match(text.strip())
    if not m:
        return []
    start = len(m.group("before"))
    for word, flag in reversed(tag(m.group("before"))):  # back to a time, preposition, pronoun or 的
        if flag[:1] in ("t", "p", "r", "u") or word in ("给", "对", "向", "在") or start - len(word) < len(m.group("before")) - 12:
            break
        start -= len(word)
    a = m.group("before")[start:]
    if len(a) < 2 or _SIDE_WORDS_RE.fullmatch(a):
        return []
    lead = m.group("before")[:start]
    return [lead + a + m.group("after"), lead + m.group("b") + m.group("after")]


def _asking_clauses(text: str) -> list[str]:
    """The pieces between commas of one question that each ask something; the whole when they do not."""
    asking, context = [], ""
    for piece in (p.strip() for p in re.split(r"([，、；,;])", text)):
        if piece in ("，", "、", "；", ",", ";", ""):
            context += piece if context else ""
            continue
        if ASKING_RE.search(piece) and len(piece) >= 4:
            asking.append(context + piece)
            context = ""
        elif asking and not context:
            return [text.strip()]  # something follows the questions: not a list of questions
        else:
            context += piece
    if len(asking) > 1 and not context:
        return asking
    return [text.strip()]


# words that frame a figure question rather than name its subject
# (安排: 今年安排多少 asks the plan's figure of the subject named before, like 计划)
FRAME_WORDS = frozenset("目标 增长 新增 今年 去年 总共 一共 累计 计划 安排 预期 达到 完成 提升 实现 突破 全年 年度 力争 多少 几 左右 以上"
                         " 预计 打算 控制目标 预期目标 总量".split())  # 总量: GDP总量 asks the amount, like 多少


def _rates_joined(words) -> list[tuple[str, str]]:
    """jieba's words with a rate's 率 kept on the noun before it (财政赤字/率 → 财政赤字率): the rate, not
    the amount, is what the question is about."""
    out: list[tuple[str, str]] = []
    for word, flag in words:
        if word == "率" and out and out[-1][1][:1] == "n":
            out[-1] = (out[-1][0] + word, "n")
        else:
            out.append((word, flag))
    return out


def subject_words(text: str, verbs: bool = False, rates: bool = False) -> list[str]:
    """Words that could name what a question is about: not its years, frame (目标, 多少), adverbs,
    pronouns, measure words or one-character verbs; with ``rates``, a rate's 率 stays on its noun."""
    tagged = tag(normalize(re.sub(r"20\d\d年?|前年|去年|今年|明年", " ", text)))
    words = [w for w, flag in (_rates_joined(tagged) if rates else tagged)
             if (flag == "eng" or flag[:1] not in ("d", "r", "p", "c", "u", "m", "q", "t", "y", "e", "x", "f"))
             and not (flag[:1] == "v" and flag != "vn" and (len(w) == 1 or not verbs))]  # 改, 建: how, not what
    return [t for t in words if t not in FRAME_WORDS and t not in GENERIC_NOUNS and t not in STOPWORDS
            and not t.isdigit()]


# a name the question quotes (“四上”, “一圈一带两区”)
QUOTED_RE = re.compile(r"[“\"「『]([^”\"」』]{1,16})[”\"」』]")


# who spends or acts, not what is asked about (今年中央安排多少 asks the amount of the subject named before)
ACTOR_WORDS = frozenset("中央 中央财政 全国 国家 政府 各级 地方 全省 全市 全区 全县 省里 市里 县里 区里".split())
# nor how much of it (整个十一五累计投了多少) or how it is counted (九五期间平均每年涨多少)
WHOLE_WORDS = frozenset("整个 全部 所有 总共 一共 平均 每年 平均每年".split())
# an English part's words that ask how much or when, not of what (and how much more this year?)
ENGLISH_FRAME = frozenset("and or how much many more less what which when this that last next year years month "
                          "the a an is are was were will be been did does do it its there then so also into to of in for on"
                          # like 目标/计划 of FRAME_WORDS: what is the 2010 target asks the figure of the part before
                          " target targets goal goals aim planned plan expected".split())


def has_subject(part: str) -> bool:
    """Whether a sub-question names what it asks about (今年又要建多少 and 今年中央安排多少 do not)."""
    return any(len(t) >= 2 and t not in ACTOR_WORDS and t not in WHOLE_WORDS and t.lower() not in ENGLISH_FRAME
               for t in subject_words(part))


def carry_subject(first: str, part: str) -> str:
    """A later sub-question with no subject of its own (今年又要建多少) borrows the first one's."""
    if has_subject(part):
        return part
    quoted = [n for n in QUOTED_RE.findall(first) if len(n) <= 12]  # “四上”: a name, whatever jieba makes of it
    # an everyday phrase keeps its report terms (经济增长 → 国内生产总值 for 今年的增长目标呢)
    phrases = [p for p, _ in matched_phrases(first)]
    subjects = subject_words(first, verbs=True, rates=True)
    borrowed = [t for t in dict.fromkeys(quoted + phrases + subjects)
                if t not in part and t.lower() not in ENGLISH_FRAME
                and not any(t in p for p in phrases + subjects if p != t)]  # 财政 of 财政赤字率
    return f"{part} {' '.join(borrowed)}" if borrowed else part


SEVERAL_YEARS_RE = re.compile(r"十[一二三四五六七八九]五|五年|几年来|这些年|累计|以来|期间|over the past|five years", re.I)


def sub_queries(query: Query) -> list[Query]:
    """One query per part of a compound question, each with its own time.

    A later part with no subject borrows that of the nearest part before it that has one
    (:func:`carry_subject`); a part that names no time of its own (增长了多少？) keeps the time of
    the part before it, and a part that names one (十四五期间…？今年的目标呢？) keeps its own, so the
    two halves are not both read as 今年."""
    if len(query.parts) <= 1:
        return [query]
    out: list[Query] = []
    source = query.parts[0]  # the nearest part so far with a subject of its own
    for n, part in enumerate(query.parts):
        text = part if n == 0 else carry_subject(source, part)
        if n and has_subject(part):
            source = part
        time = (relative_offsets(part), explicit_years(part), plan_periods(part), period_offsets(part))
        if out and not (any(time) or SEVERAL_YEARS_RE.search(part)):
            time = (out[-1].offsets, out[-1].explicit, out[-1].periods, out[-1].period_offsets)
        offsets, explicit, periods, around = time
        years = resolved_years(explicit + periods, offsets + around, query.report_year)
        out.append(Query(text, text + query.search_text[len(query.text):], query.english, years,
                         [text], query.report_year, offsets, explicit, periods, around))
    return out


def prepare(text: str, report_year: int | None = None) -> Query:
    """Everything retrieval needs to know about a question."""
    extra = expansions(text)
    search = text if not extra else f"{text} {' '.join(extra)}"
    return Query(text=text, search_text=search, english=is_english(text),
                 years=question_years(text, report_year), parts=split_question(text), report_year=report_year,
                 offsets=relative_offsets(text), explicit=explicit_years(text), periods=plan_periods(text),
                 period_offsets=period_offsets(text))
