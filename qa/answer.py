"""Compose a short extractive answer with citation markers, or decline.

The answer is the clause window (one to a few clauses of one sentence) from the top
passages that best covers the question's words, quoted verbatim and followed by ``[n]``,
the rank of the passage it comes from. Question forms shape the window: a definition
question takes the glossary entry of its term, a list question the whole sentence, a label
ending in ：its continuation. The system declines when the report does not support an
answer: a name, place or year of the question appears nowhere in the corpus, a question
asking for an amount finds no number (in the unit it names) beside its words, a date question
finds no date, a "who is the ..." question finds no person named beside that office, or the
best window covers too little of the question. Each part of a compound question is answered
or declined on its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable

import jieba
import jieba.posseg

from embeddings.chunking import Passage, split_sentences
from qa.answer_model import LACKS, Model, shipped
from qa.enumerations import ITEM_MARK_RE, numbered_term, term_list
from qa.query import (ACTOR_WORDS, BASE_YEAR_RE, FRAME_WORDS, QUOTED_RE, SEVERAL_YEARS_RE, SIBLINGS, WHOLE_WORDS, Query,
                      expansions, matched_phrases, sub_queries, subject_words, thesaurus)
from qa.text import GENERIC_NOUNS, STOPWORDS, both_spellings, normalize, read_figures, tag, tokenize

DECLINE_ZH = "报告中没有找到相关内容，无法回答这个问题。"
DECLINE_EN = "The report does not say; I could not find this in it."
ENGLISH_LEAD = "According to the report: "
QUANTITY_RE = re.compile(r"多少|(?<![哪这近前])几[个家所项人次条亩万亿座名位倍年户件块台辆艘枚张间起场届批处只栋趟]|多大|多高|比例|比重|百分之|占比|排第几|第几"
                         r"|how (many|much|big|large|high)|what percentage|what share|\b(gdp|rate|population|concentration|output|target|"
                         r"revenue|income|volume|price|fare|cost|fee|wage|salary|pension|amount|total|number of|deficit)s?\b", re.I)
DEFINITION_RE = re.compile(r"是什么|是指|指什么|指的是|什么意思|啥意思|是啥|啥东西|什么东西|哪几|具体指|是哪[一二三四五六七八九十两几]"
                           r"|哪(?:\d+|[一二三四五六七八九十两]+)[个项种类件条点]|stand for|what does .* mean|what is meant|definition", re.I)
LIST_RE = re.compile(r"哪些|有啥|有什么|什么举措|什么措施|包括|都有|新举措|which .* (are|were)|what .* measures", re.I)
# how something will be done (打算怎么打击炒房, 如何推进): the measures, which often follow a short
# lead sentence naming the task (三是抑制投机性购房。加大差别化信贷…)
HOW_RE = re.compile(r"怎么(?!样|回事)|如何|咋[办弄搞整]|怎样|[干做搞]什么|[干做搞]啥|什么(?:打算|安排|措施|举措)|啥(?:打算|安排)"
                    r"|\bhow (?:will|does|do|is|are)\b", re.I)
DATE_RE = re.compile(r"哪天|哪一天|什么时候|啥时候|什么时间|何时|日期|几月|几号|几日|哪个月|哪一?年[能会可才完建开通投]|"
                     r"什么年份|\bwhen\b|what date|which year|by what year|多长时间|多久", re.I)
# how long something takes (利用三年左右时间, 两年内): what 多长时间/多久 asks for
DURATION_ASKED_RE = re.compile(r"多长时间|多久")
# how often (多久报告一次): a frequency answers (每年都要报告, 每季度)
FREQUENCY_ASKED_RE = re.compile(r"(?:多久|多长时间|隔多少?[年月天])[^，。？?]{0,16}一次|how often", re.I)
FREQUENCY_RE = re.compile(r"每(?:[一两二三四五六七八九十\d]+个?)?(?:年|月|季度?|周|天|日|半年)|一年一度|定期")
# a year something is to be done by (预计在1993年完成, 力争到2027年建成): a when, though a bare year is not
YEAR_SET_RE = re.compile(r"(?:预计|力争|争取|计划|将)[在到于]?\s*(?:19|20)\d\d\s*年(?!\d)|(?:19|20)\d\d\s*年(?:以前|之前|前)?\s*(?:完成|建成|竣工|通车|投产|投用|实现)")
DURATION_RE = re.compile(r"[一二两三四五六七八九十半\d]+个?(?:年|月|周|天|小时|分钟)(?:左右时间|左右|时间|之内|以内|内)"
                         r"|[一二两三四五六七八九十半\d.]+个?(?:小时|分钟)|(?:用|需|需要|花)[一二两三四五六七八九十半\d]+个?(?:年|月|周|天)"
                         r"|[一二两三四五六七八九十半\d]+个?(?:年|月|周|天)的?(?:过渡期|期限|周期|缓冲期|建设期|有效期|保护期)"
                         r"|[一二两三四五六七八九十\d]+个多月|[一二两三四五六七八九十\d]+多(?:年|天|周)")  # 停航1个多月
TIME_RE = re.compile(r"\d+\s*月|\d+\s*日|(?:19|20)\d\d\s*年|年底|年内|年初|年末|年中|上半年|下半年|季度|月底|月初|春节|元旦|"
                     r"“?五一”?前|国庆|暑期|暑假|寒假|汛期|开学前|今明两年|[今明]年(?:秋季|春季|起|底)|明年|后年|"
                     r"入[冬春夏秋](?:前|以前|之前)|[冬春夏秋]季(?:前|以前|之前|到来前)|供暖季前|采暖季前|春耕前|秋收前|麦收前|"
                     r"(?:今后|未来)[一二两三四五六七八九十\d]+年(?:内|里|间)?"
                     # a plan period (“十五五”期间打通断头路): by its end
                     r"|[“\"]?十[一二三四五六七八九]?五[”\"]?(?:期间|时期|末|内)")
# "now" asked (现在有多少) and said (现在全国有100多个城市…, 目前已…)
NOW_ASKED_RE = re.compile(r"现在|目前|如今|眼下|当前")
NOW_SAID_RE = re.compile(r"现在|目前|如今|当前|截至目前")
# the report's own 去年/今年 written in a window (not a comparison: 比去年, 较去年同期)
RELATIVE_SAID_RE = re.compile(r"(?<![比较同于与和])(去年|今年)(?!以来|同期)")
RELATIVE_YEARS = {"去年": -1, "今年": 0}
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
                     "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
# the next hundred or so, less the characters that open many words (国, 和, 文, 安 …): names of three
# characters only (倪岳峰), since jieba guesses two-character names around them too (牛羊, 项新)
RARER_SURNAMES = frozenset("倪殷施牛洪葛聂翟庞傅齐康伍祝舒屈项纪阮蓝闵季樊霍柯管裴荣翁甄靳焦詹赖卓蔺乔童颜梅盛凌虞邢滕储岳鲁"
                     "柴温晏艾谷欧饶巩辛苗佟迟桂喻鲍牟郎兰邬穆毕丛尤涂骆冉訾栾祁鞠郜蒲阎麦")
PLACE_SUFFIXES = frozenset("省市区县镇乡")
PERSON_RE = re.compile(r"是谁|谁是|谁担任|由谁|哪位|叫什么(?:名字)?|姓名|\bwho\b", re.I)
ROLE_RE = re.compile(r"(?:[市县省区镇乡]委|党委|党组|人大|政协|常委会|政府)?(?:常务)?副?"
                     r"(?:总?书记|[市县省区镇乡]长|主任|局长|部长|主席|总理|院长|厅长|处长|委员长|负责人|行政长官)")
NAME_FLAGS = ("nr", "nrfg", "nrt")
ROLE_ENDS = ("书记", "长", "主任", "主席", "总理", "委员长", "负责人", "长官")  # a title the name follows (省委书记倪岳峰)
# a counted word (三个, 两批; not 一批, a batch of no stated size)
# (亿万家庭, 千家万户: a figure of speech, no count)
COUNTED_WORD = (r"(?<![一二两三四五六七八九十百千万亿])(?<!千家)(?!亿万|千家万户)"
                r"[一二两三四五六七八九十百千万亿]+[个家所项人次亩户件位名座台届期轮类条场天周]|[二两三四五六七八九十百千]+批")
# an amount written as a bare magnitude: 突破万亿元, 超千亿元, 百万人次; all of it (住院费用全额报销), half of
# it (人员编制减一半); a magnitude in words (五十万, 三百亿). Not a kind it names (千亿元镇, 万亿级城市:
# the town's size, not an amount of what is asked)
SIZED_KINDS = "镇县市村企园城"  # what a size may name the kind of (千亿元镇, 万亿级城市, 百亿级企业)
BARE_AMOUNT = (rf"[十百千万]+亿(?:元|美元|级)?(?![元美级{SIZED_KINDS}])"
               r"|[百千]万(?:元|人次?|吨|亩|户|千瓦|辆|标箱)|全额|一半|减半"
               r"|[一二两三四五六七八九][十百千][万亿]")  # 裁减军队员额五十万
SIZE_KIND_RE = re.compile(rf"[十百千万]+亿(?:元|美元)?级?[{SIZED_KINDS}]")  # 千亿元县, 万亿级城市
WHICH_ASKED_RE = re.compile(r"哪|\bwhich\b", re.I)
# a span of years in words (力争五到十年内取得突破性进展, 用三年时间, 一定三年不变)
YEARS_IN_WORDS = r"[一二两三四五六七八九十]+(?:[到至][一二两三四五六七八九十]+)?年(?:内|左右|时间|之内|不变)"
NUMBER_RE = re.compile(r"\d|" + COUNTED_WORD + "|" + BARE_AMOUNT + "|" + YEARS_IN_WORDS)
QUESTION_WORD_RE = re.compile(r"[哪几谁啥]|什么|多少|怎")
CLAUSE_RE = re.compile(r"(?:[^，；：,;:]|(?<=\d)[:：](?=\d))*[，；：,;:]?")
PROPER_FLAGS = ("ns", "nr", "nt", "nrt")
NOUN_FLAGS = ("n", "nz", "eng") + PROPER_FLAGS
MAX_WINDOW_CHARS = 90
LIST_WINDOW_CHARS = 120


@dataclass
class Choice:
    """The window chosen to answer (part of) a question."""

    hit_index: int  # position in the retrieved list
    text: str
    coverage: float
    score: float
    features: dict[str, float] = field(default_factory=dict)
    margin: float = 1.0  # its score less the best other window's (1.0 when it is the only one)


Similarity = Callable[[str, str], float]  # embedding cosine of a question and a window


@dataclass
class Composed:
    """What the answer step decided."""

    answer: str
    declined: bool
    cited: list[int] = field(default_factory=list)  # hit positions cited, in answer order
    reason: str = ""
    confidence: float = 0.0


def clauses(sentence: str) -> list[str]:
    """A sentence cut after ，；：(but not inside 1.72:1)."""
    return [c for c in CLAUSE_RE.findall(sentence) if c]


def _windows(passage: str, max_chars: int, whole_sentence: bool):
    """Candidate windows: runs of consecutive clauses inside one sentence (and one line)."""
    for text in passage.split("\n"):
        yield from _line_windows(text, max_chars, whole_sentence)


def _line_windows(text: str, max_chars: int, whole_sentence: bool):
    before = None  # (start, end) of the sentence before
    for s, e in split_sentences(text, max_chars=10_000):
        parts = clauses(text[s:e])
        if whole_sentence and e - s <= LIST_WINDOW_CHARS:
            yield text[s:e]
        anaphoric = bool(ANAPHORIC_RE.match(text, s))
        lead = (text[before[0]:s] if before and before[1] - before[0] <= MAX_LEAD_SENTENCE
                and (anaphoric or _subjectless(parts)) else "")
        before = (s, e)
        for i in range(len(parts)):
            window = ""
            for j in range(i, len(parts)):
                if j >= i + 4 and not _companion(window, parts[j]):
                    break  # four clauses at most, and a companion of the fourth
                window += parts[j]
                if len(window) > max_chars and j > i:
                    break
                if j + 1 < len(parts) and _companion(window, parts[j + 1]):
                    continue  # 增长7%，达到14.6亿元: a figure's level goes with its rate
                if j + 1 < len(parts) and LEVEL_END_RE.search(window) and DIFFERENCE_AFTER_LEVEL_RE.match(parts[j + 1]):
                    yield window  # 达1656亿美元 alone, then with 比1995年底增加920亿美元
                    continue
                if window.rstrip()[-1:] in "：:" and j + 1 < len(parts):
                    continue  # a label wants what follows it
                yield window
                if lead and i == 0 and (anaphoric or has_figure(window)):
                    # 全省生产总值提前实现…目标。2005年，初步核算达到10116.6亿元: a sentence with no
                    # subject of its own says more of the one before; offered with it too (and one
                    # pointing back to it: 这项工作先在东部沿海地区…试点; 以公路建设为重点，…)
                    yield lead + window


# a sentence pointing back to the one before (这项工作先在…试点) or naming only the focus of its task
# (一是加快基础设施建设。以公路建设为重点，…)
ANAPHORIC_RE = re.compile(r"\s*(?:这项|这一|这些|此项|该项|上述|以[^，。；]{1,12}为(?:重点|主|核心|突破口|抓手|主线))")
# the longest sentence before (characters) that a sentence with no subject of its own is offered with
MAX_LEAD_SENTENCE = 60


def _subjectless(parts: list[str]) -> bool:
    """Whether a sentence (its clauses) opens, after a time (2005年，), with no subject of its own:
    an adverb or a verb of amount (初步核算达到10116.6亿元, 累计完成…)."""
    for part in parts:
        if LEAD_TIME_RE.sub("", part.strip()).strip("，,、 "):
            return _continues(part)
    return False


# a clause giving the level a rate before it reaches (…增长7%，达到14.6亿元；): one figure with its companion
LEVEL_AFTER_RATE_RE = re.compile(r"\s*(?:达到?|增至|升至|提高到|增加到|突破|总量达到?)\s*\d")
RATE_END_RE = re.compile(r"\d[\d.]*\s*[%％]\s*[，,]\s*$")
# ... or the amount of change before it (…农村居民人均纯收入增加321元，达到784元)
CHANGE_END_RE = re.compile(r"(?:增加|减少|提高|降低|增长|下降)\s*\d[\d.]*\s*[十百千万亿]*[^\d\s，,；;。%％]{0,3}\s*[，,]\s*$")


# ... and the rate of the level before it (全县外贸出口总额达到2.99亿美元，同比增长12.9%)
LEVEL_END_RE = re.compile(r"\d[\d.]*\s*[十百千万亿]*[^\d\s，,；;。%％]{1,4}\s*[，,]\s*$")
RATE_AFTER_LEVEL_RE = re.compile(r"\s*(?:同比|比上年|比去年|较上年)?(?:增长|下降|增加|减少|提高|降低)\s*\d[\d.]*\s*[%％]")
# ... or by how much it differs from another year's (达1656亿美元，比1995年底增加920亿美元): offered with
# and without it, since the level alone may be what is asked
DIFFERENCE_AFTER_LEVEL_RE = re.compile(r"\s*比(?:上年|去年|(?:19|20)\d\d\s*年[底末]?)(?:增加|减少|增长|下降|提高|降低|多|少)了?\s*\d")


def _companion(window: str, next_clause: str) -> bool:
    """Whether ``next_clause`` gives the level of the rate (or amount of change) ``window`` ends with,
    or the rate of its level."""
    return bool(((RATE_END_RE.search(window) or CHANGE_END_RE.search(window)) and LEVEL_AFTER_RATE_RE.match(next_clause))
                or (LEVEL_END_RE.search(window) and RATE_AFTER_LEVEL_RE.match(next_clause)))


YEAR_TOKEN_RE = re.compile(r"(?:19|20)\d\d年?")
Weights = dict  # question word, or alternatives (a phrase and its thesaurus terms), → weight


def _weights(query: Query, idf: dict[str, float], missing: list[str], own_years: frozenset[str] = frozenset()) -> Weights:
    """Question words with IDF weights; absent nouns count more. A thesaurus phrase and its
    official terms are one group of alternatives (GDP = 地区生产总值): a window holding any of
    them covers it, so a window in the question's own words covers as much as one in the report's."""
    top = max(idf.values(), default=1.0)
    # words the report never uses count only as ``missing`` nouns: a verb or measure word of the
    # question's own phrasing (涨了几个点) is no evidence against an answer
    # a year the report reviews or plans is weighed by year agreement, not as a word to find (the
    # window of 2022's figure rarely writes 2022: its section does); another year stays a word
    weights: Weights = {t: max(idf[t], 0.1) for t in tokenize(query.text)
                        if t in idf and t not in GENERIC_NOUNS and not (YEAR_TOKEN_RE.fullmatch(t) and t[:4] in own_years)}
    norm = normalize(query.text)
    for phrase, terms in matched_phrases(query.text):
        # the question's own words are weighed as its words; a shorter form of the phrase is the
        # report's abbreviation (粮食总产 of 粮食总产量) and stands for it
        alternatives = [t for t in terms.split()
                        if t not in norm or (t in phrase and max(3, len(phrase) - 2) <= len(t) < len(phrase))]
        if not alternatives or any(phrase in m and phrase != m for m in missing):
            continue  # 工资 of 最低工资, which the report never says: the report's 收入 does not stand for it
        own = [t for t in tokenize(phrase) if t in weights and isinstance(weights[t], float)]
        said = sum(weights.pop(t) for t in own)
        official = max(0.6 * sum(max(idf.get(t, top), 0.1) for t in tokenize(a)) for a in alternatives)
        if all(a in FRAME_WORDS for a in alternatives):  # target → 目标: a frame weighs as in Chinese
            official = min(max(idf.get(a, top), 0.1) for a in alternatives)
        key = (phrase, *alternatives)  # the question's own word counts too (全年GDP增长4%)
        # the question's own words keep their weight (a frame word like 目标 stays light); a phrase
        # the report never uses weighs as its official terms would
        weights[key] = max(weights.get(key, 0.0), said or official)
    for word in missing:
        # a tuple: a window names it whole, or by its words in one clause (粮食总产量: 粮食…、总产量)
        weights[(word,)] = 2 * top
    return weights


def _coverage(window: str, weights: Weights) -> float:
    norm = both_spellings(normalize(window))
    total = sum(weights.values())
    covered = sum(w for t, w in weights.items() if (_names_phrase(t, norm) if isinstance(t, tuple) else t in norm))
    return covered / total if total else 0.0


def _names_phrase(key: tuple[str, ...], norm: str) -> bool:
    """A window names a thesaurus phrase (the question's own words first, then the report's terms)
    when it has one of them whole, or every word of the question's phrase apart in one clause:
    粮食播种面积…、总产量132.4万吨 names 粮食总产量 (…保障对象…。…基本生活问题 does not name 生活保障)."""
    if any(a in norm for a in key):
        return True
    words = _phrase_words(key[0])
    if not all(t in norm for t in words):
        return False
    clauses_ = CLAUSE_SPLIT_RE.split(norm)
    if any(all(t in c for t in words) for c in clauses_):
        return True
    # 粮食播种面积51.11万亩，总产量19.34万吨: the clause opening with the phrase's tail (总产量) goes
    # on about the head (粮食) the clause before named
    head = [t for t in words if key[0].startswith(t)]
    tail = [t for t in words if key[0].endswith(t)]
    return any(any(h in first for h in head) and any(second.lstrip().startswith(t) for t in tail)
               and all(t in first + second for t in words)
               for first, second in zip(clauses_, clauses_[1:]))


CLAUSE_SPLIT_RE = re.compile(r"[，。；！？,;!?]")


@lru_cache(maxsize=4096)
def _phrase_words(phrase: str) -> tuple[str, ...]:
    words = tuple(t for t in tokenize(phrase) if 2 <= len(t) < len(phrase))  # a word taught whole is cut too
    return words if len(words) >= 2 else ("\0",)  # one word: only the phrase itself names it


def _rarest(query: Query, idf: dict[str, float]) -> str:
    """The most specific word (two characters or more) of the question or its thesaurus terms
    that the report uses."""
    top = max(idf.values(), default=1.0)
    words = {t: max(idf[t], 0.1) for t in tokenize(query.text) if t in idf and t not in GENERIC_NOUNS}
    for word in expansions(query.text):
        for t in tokenize(word):
            words.setdefault(t, 0.6 * max(idf.get(t, top), 0.1))
    return max(((t, w) for t, w in words.items() if len(t) >= 2), key=lambda tw: tw[1], default=("", 0))[0]


def asked_roles(query: Query) -> list[str]:
    """The office a "who is ..." question asks about (市委书记, 市长; English via the thesaurus)."""
    if not PERSON_RE.search(query.text):
        return []
    text = normalize(query.text) + " " + " ".join(expansions(query.text))
    return list(dict.fromkeys(m.group(0) for m in ROLE_RE.finditer(text)))


def names_holder(window: str, roles: list[str]) -> bool:
    """Whether ``window`` names a person right beside one of ``roles`` (市长周永强, 张三市长)."""
    if not any(r in window for r in roles):
        return False  # no office named: nothing to tag
    words = tag(window)
    for i, (word, _) in enumerate(words):
        # 县长, 市委书记 (the asked 书记 with its level); not 总书记 when 书记 is asked
        if word in roles or any(word.endswith(r) and 0 < len(word) - len(r) <= 2
                                and all(ch in "省市县区镇乡委党自治" for ch in word[:-len(r)]) for r in roles):
            near = list(words[max(0, i - 1):i] + words[i + 1:i + 2])
            if i + 2 < len(words) and words[i + 1][0] in ("人选", "候选人"):  # 行政长官人选董建华
                near.append(words[i + 2])
            if any(flag in NAME_FLAGS for _, flag in near):
                return True
    return False


def _names_term(term: str, q_norm: str) -> bool:
    """Whether the (normalised) question names a (normalised) glossary term: the whole of it, or
    the name it quotes (横琴“双15%”是啥政策 names 横琴“双15%”税收优惠政策)."""
    return (term.strip("“”\"") in q_norm
            or any(len(n) >= 2 and n in q_norm for n in QUOTED_RE.findall(term)))


def _years(section: str) -> set[int]:
    return {int(y) for y in re.findall(r"((?:19|20)\d\d)\s*年", section)}


OWN_YEAR_RE = re.compile(r"(?<![比较从由于])((?:19|20)\d\d)\s*年(?!以来|来|[底末]?(?:相比|比较))")


def own_years(window: str) -> set[int]:
    """The years a window speaks about (2006年国民经济…目标, 增加到2002年的…), not those it compares
    with or counts from (比2005年, 同1987年相比, 从2001年, 2003年以来)."""
    return {int(y) for y in OWN_YEAR_RE.findall(window)}


_OPENING_YEAR_RE = re.compile(r"\s*((?:19|20)\d\d)\s*年(?:，|,|是|全年|我们)")


def _opening_year(text: str, window: str) -> set[int]:
    """The year the sentence holding ``window`` opens with (2012年，在…情况下，…国内生产总值增长7.8%):
    inside a passage summing up five years, that sentence speaks about that year."""
    i = text.find(window)
    if i < 0:
        return set()
    line = text.rfind("\n", 0, i) + 1
    start = max([text.rfind(mark, line, i) for mark in "。！？；"] + [line - 1]) + 1
    # the sentences after one opening with a year and naming none go on about that year (2005年，初步核算
    # 达到10116.6亿元…。人均生产总值达到1.48万元。全部财政收入完成1035.2亿元)
    while start >= line:
        m = _OPENING_YEAR_RE.match(text, start)
        if m:
            return {int(m.group(1))}
        if YEAR_RE.search(text, start, i + len(window)) or start == line:
            return set()
        start = max([text.rfind(mark, line, start - 1) for mark in "。！？；"] + [line - 1]) + 1
    return set()


YES_NO_RE = re.compile(r"吗[？?]?\s*$|是否|有没有|能不能|可不可以|会不会|^(?:is|are|can|does|do|will|has|have)\b", re.I)
# a window speaking of several years (近三年累计, 五年来, 2003年以来)
SPAN_RE = re.compile(r"(?:近|过去|这)[两二三四五六七八九十]年|[两二三四五六七八九十]年(?:来|累计|间)|(?:19|20)\d\d年(?:以来|至今)"
                     r"|年均(?:分别)?(?:增长|增速|增幅|提高|下降|递增)|平均每年")  # not 年平均浓度: a year's average
# the years up to now (两年来, 近三年, 2000年以来): a span that is past, never the year a report plans
PAST_SPAN_RE = re.compile(r"(?:近|过去)[两二三四五六七八九十]年|[两二三四五六七八九十]年(?:来|累计)|(?:19|20)\d\d年(?:以来|至今)")
# a count of years (五年城镇新增就业4500万人): in a part spanning several years, the period's figure,
# not one year's
YEARS_COUNT_RE = re.compile(r"(?<![第\d])[两二三四五六七八九十]年(?![级制])")
# GDP as a denominator (单位GDP能耗, 占地区生产总值比重): such a window speaks of another figure
DENOMINATOR_RE = re.compile(r"单位(?:gdp|国内生产总值|地区生产总值|生产总值)|占(?:全[国省市区县])?(?:gdp|国内生产总值|地区生产总值|生产总值)的?(?:比重|比例)"
                            r"|与(?:gdp|国内生产总值|地区生产总值|生产总值)的?(?:比率|比例|比值|比重)")
# a per-head figure (人均地区生产总值) is not the total a question about GDP asks for
PER_HEAD_GDP_RE = re.compile(r"人均(?:gdp|国内生产总值|地区生产总值|生产总值)")
# a ratio to the population (每万城镇常住人口配备18名社区工作者, 每万人口发明专利拥有量): not the population's figure
PER_POPULATION_RE = re.compile(r"每[十百千万]+(?:名|个)?(?:城镇|农村|城乡)?(?:常住)?人口?")
PER_HEAD_ASKED_RE = re.compile(r"人均|每人|每个人|平均每|per capita|per person|per head", re.I)
RATIO_ASKED_RE = re.compile(r"单位|能耗|强度|比重|比例|占|per unit|share|ratio|intensity", re.I)
# a figure of what happened over the years a five-year review sums up (新增就业5771万人, 累计…)
FLOW_RE = re.compile(r"新增|累计|合计|共计|总计|增加|减少|增长|下降|提高")
# a figure set against the plan period before (全社会完成固定资产投资7950亿元，比“八五”增长1.9倍): the
# period's sum, not its last year's
PERIOD_COMPARED_RE = re.compile(r"比[“\"]?[六七八九十]{1,2}五")
# a figure summed or averaged over several years (五年共, 三年累计, 五年平均每年)
PERIOD_TOTAL_RE = re.compile(r"(?<![\d.a-z])(?:[二三四五六七八九十]|\d{1,2})\s*年(?:来|间|中)?[，,]?\s*(?:共|累计|合计|总共|平均)")
# 从6333公里增加到7809公里: the period ends at a level, which is the last year's (unless a change is asked)
LEVEL_REACHED_RE = re.compile(r"(?:增加|减少|增长|下降|提高|降低|上升|提升|扩大|回落|回升)(?:到|至)")
COMPARE_ASKED_RE = re.compile(r"比[^，。？?]{1,12}(?:[多少]|增加|减少)了?多少")
CHANGE_ASKED_RE = re.compile(COMPARE_ASKED_RE.pattern + r"|涨了?多少|增长了?多少|增长几|增速|增幅|涨幅|降了?多少|下降了?多少|降低了?多少|减少?了?多少|提高了?多少|growth|grew|rise|rose|increase",
                             re.I)


# what a side word qualifies when a figure of that side is asked (农村居民收入, 出口总额, 贷款余额),
# unlike 乡镇卫生院 or 贷款产品
STATISTIC_RE = "(?:人|居民|人口|人均|收入|支出|消费|总额|余额|额|总值|增长|增速|增幅|占比|比重|就业|低保|养老|医保)"


def _sided(question: str, words: tuple[str, ...]) -> bool:
    return any(re.search(re.escape(w) + ("" if w in TIGHT else ".{0,3}?") + STATISTIC_RE, question) for w in words)


# side words that qualify only the word right after them (城市低保, not 别的城市看病，医保…)
TIGHT = frozenset(("城市",))


SUMS = frozenset(("进出口", "存贷款"))  # a total of both sides, unlike 城乡 (分别: each side given)


# side words that only qualify a statistic (农村居民收入), not any word (农民看病报销的合作医疗)
QUALIFIERS = frozenset(("城镇", "城市"))


@lru_cache(maxsize=1024)
def _asked_of_pairs(question: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...]:
    """(asked side, its sibling, both) of each pair whose one side the question names alone."""
    out = []
    for first, second, both in SIBLINGS:
        if any(w in question for w in both):
            continue
        if QUALIFIERS.intersection(first) and not (_sided(question, first) or _sided(question, second)):
            continue
        for asked, other in ((first, second), (second, first)):
            if any(w in question for w in asked) and not any(w in question for w in other):
                out.append((asked, other, both))
    return tuple(out)


# people's income asked (老百姓收入涨了多少, 城里人到手多少): the government's revenue (一般公共预算收入)
# is another figure, though both say 收入
PEOPLE_INCOME_ASKED_RE = re.compile(r"(?:老百姓|居民|群众|城里人|城镇人|农村人|乡下人|农民|牧民|大家|人均|家庭|个人|职工|工人|市民"
                                    r"|村民|百姓)[^，。？?]{0,6}?(?:收入|挣|到手|赚)|工资|到手")
PEOPLE_INCOME_SAID = ("可支配收入", "纯收入", "居民收入", "人均收入", "农民收入", "工资", "收入增长和经济增长同步")
REVENUE_SAID = ("预算收入", "财政收入", "税收收入", "财政总收入", "地方级收入", "营业收入", "业务收入", "税收")


def _revenue_for_income(question: str, text: str) -> bool:
    """People's income asked and ``text`` names only the government's or firms' revenue."""
    return (bool(PEOPLE_INCOME_ASKED_RE.search(question)) and not any(w in question for w in REVENUE_SAID)
            and any(w in text for w in REVENUE_SAID) and not any(w in text for w in PEOPLE_INCOME_SAID))


def sibling_clash(question: str, window: str, amount: bool = False) -> bool:
    """Whether ``window`` has the sibling of a figure word the question asks for and not that word
    (支出 asked, only 收入 there; people's income asked, only 一般公共预算收入 there). Both normalised.
    When an ``amount`` is asked, the clauses holding the window's figures are read too: 预计今年财政收入
    继续恢复增长，…支出规模28.5万亿元 names 收入, but its figure is the 支出's (of a unit asked, 多少亿元,
    the clauses holding that unit)."""
    if _revenue_for_income(question, window):
        return True
    pairs = _asked_of_pairs(question)
    if any(not any(w in window for w in asked + both) and any(w in window for w in other)
           for asked, other, both in pairs):
        return True
    if not (amount and pairs):
        return False
    figures = [c for c in clauses(window) if has_figure(c)]
    # a total of both sides (进出口总额) is neither side's figure (nor is its 出口 the asked 出口)
    for total in SUMS:
        figures = [c.replace(total, " ") for c in figures]
    unit = UNIT_RE.search(question)
    if unit:  # 规上工业增加值是多少亿元: the clauses giving 亿元 and naming a side (规上工业总产值完成166.7亿元),
        # not 增加值增速12%
        sides = [w for asked, other, _ in pairs for w in asked + other]
        figures = [c for c in figures if unit.group(1) in c and any(w in c for w in sides)] or figures
    return bool(figures) and any(not any(w in c for c in figures for w in asked)
                                 and any(w in c for c in figures for w in other) for asked, other, _ in pairs)


_PLAIN_RE = re.compile(r"(?:19|20)\d\d年?|去年|今年|明年|前年|多少|几[个家所项]?|是什么|什么|怎么样|有没有|会不会|能不能|吗|呢|啊|"
                       r"[\s\W\d]+")


def _plain(question: str) -> str:
    """The normalised question without its years, question words and punctuation: the runs of its
    own words a window may repeat (地区生产总值增长 of 2025年地区生产总值增长了多少)."""
    return _PLAIN_RE.sub("|", question)


def _phrase(plain: str, window: str) -> float:
    """The longest run of the question's own characters that ``window`` (normalised) repeats, over 8
    characters: 全年地区生产总值增长4.9% repeats 地区生产总值增长, a share of 地区生产总值 less."""
    best = 0
    for run in plain.split("|"):
        size = min(len(run), 8)
        while size > best:  # longest first: at most 8 lengths of a few substring tests each
            if any(run[i:i + size] in window for i in range(len(run) - size + 1)):
                best = size
                break
            size -= 1
    return best / 8


@lru_cache(maxsize=1024)
def _one_sided(question: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...]:
    """The pairs whose one side, and not the other, the question asks a statistic of."""
    return tuple((first, second, both) for first, second, both in SIBLINGS
                 if both and not any(w in question for w in both)
                 and _sided(question, first) != _sided(question, second))


# a side a statistic's name carries though reports often leave it unsaid: 新增就业 is 城镇新增就业
# (there is no 农村新增就业 beside it)
IMPLIED_SIDE_RE = re.compile(r"(?:城镇|城市|城里).{0,4}?就业")  # (城里 X 就业: a later part carrying the subject)


def unqualified(question: str, window: str) -> bool:
    """Whether the question asks one side of a pair (农村居民收入, 出口) and ``window`` names neither
    side nor both (居民人均可支配收入, 外贸): its figure is another one. Both normalised."""
    for first, second, both in _one_sided(question):
        if IMPLIED_SIDE_RE.search(question) and not _sided(IMPLIED_SIDE_RE.sub(" ", question), first):
            continue  # 城镇新增就业 asked: a window's 新增就业 is that figure
        if not any(w in window for w in first + second + both):
            return True
        # a total (进出口, 存贷款) is not one side of it: 出口 asked, only 进出口 there
        rest = window
        for w in SUMS.intersection(both):
            rest = rest.replace(w, " ")
        if rest != window and not any(w in rest for w in first + second):
            return True
    return False


NAMES_REPORT_RE = re.compile(r"报告|会议|大会|report|session|congress", re.I)
ASKS_YEAR_RE = re.compile(r"哪一?年|什么年份|which year|what year", re.I)
TARGET_RE = re.compile(r"目标|预期|计划|打算|力争|要达到|要实现|target|goal|plan", re.I)


@lru_cache(maxsize=1024)
def _key_words(text: str) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    """The question's content words (jieba's whole words: 失业率, 支出, 券), each with the report
    terms the thesaurus gives for a phrase holding it (看病 → 医疗 …): a window names the word when
    it has the word or one of those. Not its years, frame words (多少, 目标), function words or
    measure words; English words only where the thesaurus translates them. (The report's own
    place is already taken out of the question.)"""
    pairs = matched_phrases(text)
    out: dict[str, tuple[str, ...]] = {}
    for word, flag in tag(normalize(re.sub(r"20\d\d年?|前年|去年|今年|明年", " ", text))):
        if (word in out or word in FRAME_WORDS or word in GENERIC_NOUNS or word in STOPWORDS or word.isdigit()
                or (flag[:1] in ("x", "m", "q", "r", "p", "c", "u", "y", "e", "t", "d", "f") and flag != "eng")
                or (len(word) == 1 and not flag.startswith("n"))):
            continue
        alternatives = tuple(alt for phrase, terms in pairs if word in phrase or phrase in word
                             for t in terms.split() for alt in [_alternative(word, phrase, normalize(t))])
        if word.isascii() and not alternatives:
            continue
        out[word] = alternatives
    return tuple(out.items())


def _names(norm: str, word: str, alternatives: tuple[tuple[str, ...], ...]) -> bool:
    """``norm`` names ``word`` itself or through one of its thesaurus alternatives (:func:`_key_words`)."""
    return word in norm or any(all(p in norm for p in a) for a in alternatives)


def _alternative(word: str, phrase: str, term: str) -> tuple[str, ...]:
    """What a window must hold to name ``word`` through ``term``, the thesaurus form of ``phrase``:
    the term and the rest of the word. 一般公共预算收入 is not named by 可支配收入 (the thesaurus
    term of its part 收入) unless the window also says 一般公共预算."""
    if phrase not in word or phrase == word:
        return (term,)
    before, _, after = word.partition(phrase)
    return (term, *(part for part in (before, after) if len(part) >= 2))


# kinds too vague for an answer to name (有啥新说法, 叫什么名字, 有什么变化)
VAGUE_HEADS = frozenset("说法 政策 新政 措施 举措 安排 计划 打算 变化 内容 办法 东西 事情 工作 情况 方面 好处 名字 名称 称号 意思"
                        " 作用 要求 目标 任务 成绩 成果 亮点 特点 动作 行动 活动 新规 规定 条件 标准 方式 途径".split())
WH_WORDS = frozenset("什么 什么样 啥 哪些 哪个 哪种 哪类 哪项 哪条 哪家 哪所 哪座 哪几个 哪几项 哪几类".split())


@lru_cache(maxsize=1024)
def asked_head(text: str) -> str:
    """The kind of thing a 什么/哪 question asks for, as it names it (推行什么保险制度 → 保险制度,
    什么样的城市 → 城市): an answering window usually names it too. Empty when none is named."""
    head, after = "", False
    for word, flag in tag(normalize(text)):
        if word in WH_WORDS:
            head, after = "", True
        elif after:
            if flag[:1] in ("x", "v", "y", "p", "d", "c", "m", "r") and flag != "vn":
                break
            if len(word) >= 2 and word not in FRAME_WORDS and word not in GENERIC_NOUNS and word not in VAGUE_HEADS:
                head = word
    return head


def _head_absent(head: str, norm: str) -> bool:
    """The asked kind (:func:`asked_head`) is not named in ``norm``, neither whole nor by the word
    it ends in (乡镇卫生院: 紫荆关卫生院 names a 卫生院)."""
    if not head or head in norm:
        return False
    tail = next((head[i:] for i in range(1, len(head) - 1) if jieba.dt.FREQ.get(head[i:])),
                head[-2:] if len(head) >= 4 else "")
    return not (tail and tail in norm)


def _absent(norm: str, keys: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...], idf: dict[str, float], top: float) -> float:
    """How specific the most specific question word missing from ``norm`` is (its IDF over the
    highest), 0 when every word is there. Only words the report uses elsewhere count: a window
    without 支出 when the report speaks of 支出 elsewhere is about something else (收入), while a
    word the report never uses (付钱) is only the asker's phrasing (``missing`` counts those)."""
    best = 0.0
    for w, alts in keys:
        if w in idf:
            if w in norm or any(all(p in norm for p in a) for a in alts):
                continue
            weight = idf[w]
        else:
            # a word the dictionary knows whole (接待游客) that the report never writes: the
            # report's word inside it (游客) stands in for it (not a thesaurus guess for an
            # everyday word: 宝宝 → 托育)
            own = [a[0] for a in alts if a[0] in idf and a[0] in w]
            if not own or any(a[0] in norm for a in alts):
                continue
            weight = max(idf[t] for t in own)
        best = max(best, min(weight, top) / top)
    return best


@dataclass
class Candidate:
    """A window that could answer, with the named features the answer model scores."""

    hit_index: int
    text: str
    features: dict[str, float]


def candidates(query: Query, passages: list[Passage], idf: dict[str, float], missing: list[str] = (),
               top_n: int = 5, taken: tuple[str, ...] = (), signals: list[tuple[float, float]] | None = None,
               doc_years: dict[str, int] | None = None) -> list[Candidate]:
    """Every window of the first ``top_n`` passages (other than the ``taken`` ones), with features.

    ``signals``: (dense cosine, BM25 score[, retrieval rank]) of each passage; ``doc_years``:
    the year each document plans (去年/今年 are read against the passage's own report)."""
    passages = [as_read(p) for p in passages[:top_n]]
    planned = {(doc_years or {}).get(p.doc_id) for p in passages} - {None}
    weights = _weights(query, idf, list(missing), frozenset(str(y - d) for y in planned for d in (0, 1)))
    wants_number = bool(QUANTITY_RE.search(query.text))
    ordinal_asked = bool(ORDINAL_ASKED_RE.search(query.text))
    sized_asked = bool(WHICH_ASKED_RE.search(query.text))  # which county passed 100 billion: 超千亿元县
    wants_definition = bool(DEFINITION_RE.search(query.text))
    wants_list = bool(LIST_RE.search(query.text))
    how_asked = bool(HOW_RE.search(query.text))  # what will be done: a lead and what follows it too
    # what a quoted term means (“543”体系具体指什么) is often the list of its parts after it: the whole
    # sentence is offered, as for a list
    whole_sentence = wants_list or (wants_definition and bool(QUOTED_RE.search(query.text)))
    wants_date = bool(DATE_RE.search(query.text))
    wants_target = bool(TARGET_RE.search(query.text))
    asks_what = bool(re.search(r"什么|啥|哪|代表|\bwhat\b", query.text, re.I))
    roles = asked_roles(query)
    q_norm = normalize(query.text)
    quoted = [normalize(t) for t in QUOTED_RE.findall(query.text) if len(t) >= 2] or defined_term(q_norm)
    q_plain = _plain(q_norm)
    compare_asked = COMPARE_ASKED_RE.search(query.text)  # 比1995年底多了多少: 比1995年底增加920亿美元
    # (a change since a year the question names spans the years between: not one year's figure)
    one_year = (bool(query.offsets or query.explicit) and not SEVERAL_YEARS_RE.search(query.text)
                and not BASE_YEAR_RE.search(query.text))
    asks_change = wants_number and bool(CHANGE_ASKED_RE.search(query.text))
    rise_asked = bool(RISE_ASKED_RE.search(query.text) or compare_asked)
    # a plan period's yearly rate asked (“十五五”期间每年增长多少): 今年…增长5% is one year's goal
    annual_asked = bool(query.periods) and bool(ANNUAL_ASKED_RE.search(query.text))
    rare = _rarest(query, idf)
    top_lexical = max((s[1] for s in signals or ()), default=0.0) or 1.0
    # the question's own most specific word the report uses (最低工资 of 最低工资标准多少): a figure
    # answering it sits in a clause with that word
    own = [t for t in subject_words(query.text) if t in idf and len(t) >= 2 and not t.isascii()]
    own_rare = max(own, key=lambda t: idf[t], default="")
    keys = _key_words(query.text)
    # 看病的保险 is named by 医保 (参保率达95%以上); not by a frame word (经济增长 → 增长)
    rare_alts = tuple(a for a in dict(keys).get(own_rare, ()) if not any(p in FRAME_WORDS for p in a))
    head = asked_head(query.text)
    numbered = numbered_term(query.text) if (wants_definition or wants_list or asks_what) else None
    place = subject_place(query.text) if not query.english else english_place(query.text)
    # this year's goal asked of a report whose retrieved passages include a part that plans: a figure
    # from the part that reviews is last year's result, not the goal (a report whose plan part was
    # not found keeps answering from what it has)
    # (an amount asked of 今年 alone, 今年孤儿补贴再提高多少, asks the plan's figure as a goal does)
    goal_asked = wants_target or (wants_number and bool(query.offsets) and min(query.offsets) >= 0)
    plans_seen = goal_asked and any(p.role in ("plan", "government") for p in passages[:top_n])
    past_asked = (not wants_target and bool(query.offsets) and max(query.offsets) < 0
                  and not query.explicit and not query.periods)
    result_wanted = past_asked and wants_number  # 去年物价涨了多少: what happened, not what was aimed at
    top_idf = max(idf.values(), default=1.0) or 1.0
    ratio_asked = bool(RATIO_ASKED_RE.search(query.text))
    per_head_asked = bool(PER_HEAD_ASKED_RE.search(query.text))
    per_population_asked = ratio_asked or "每" in query.text
    # figures the question itself states (今年目标是86万，那去年实际新增了多少): no answer to it
    given = given_figures(query.text) if wants_number else ()
    out: list[Candidate] = []
    for rank, p in enumerate(passages[:top_n]):
        nouns = _nouns(normalize(p.text)) if (wants_definition or wants_list) else ()
        signal = signals[rank] if signals and rank < len(signals) else (0.0, 0.0)
        dense, lexical = signal[0], signal[1]
        ranked = int(signal[2]) if len(signal) > 2 else rank  # retrieval's rank, before any reranking
        plan_year = (doc_years or {}).get(p.doc_id, query.report_year)  # the year the passage's report plans
        fit = query.year_fit(set(p.years) or _years(p.section), plan_year)
        base = {"rank": 1 / (ranked + 1), "dense": dense, "lexical": lexical / top_lexical,
                "front": float(p.role == "front"),
                "several_years": float(one_year and p.role in ("review_multi", "outlook")),
                "missing": float(min(len(missing), 2)) / 2,
                "yes_no": float(bool(YES_NO_RE.search(query.text)) and not wants_number),
                "english": float(query.english),
                "context_coverage": _coverage(p.text, weights),
                "context_absent": _absent(both_spellings(normalize(p.text)), keys, idf, top_idf),
                "year_match": float(fit > 0), "year_clash": float(fit < 0),
                "target_plan": float(wants_target and p.role in ("plan", "government", "outlook")),
                "place_miss": float(bool(place) and place not in normalize(p.text)),
                "past_for_goal": float(plans_seen and one_year and fit < 0 and p.role == "review"),
                # read by choose and _unsupported, not weighted: the mirror, last year's result asked
                # (保障性住房去年建了多少套) and the part that plans this year (建设保障性安居工程1.27万套)
                "plan_for_past": float(past_asked and one_year and fit < 0 and p.role in ("plan", "government"))}
        term = normalize(p.term).strip("“”\"")
        if p.kind == "glossary" and term and _names_term(normalize(p.term), q_norm):
            # 三个一体包括哪些, 双创是创什么, 158N的1、5、8分别代表什么: the definition answers
            if wants_definition or wants_list or asks_what:
                definition = p.text.split("：", 1)[-1]
                out.append(Candidate(rank, definition, {
                    **base, "coverage": _coverage(p.index_text or p.text, weights), "definition": 1.0,
                    "absent": _absent(normalize(p.index_text or p.text), keys, idf, top_idf),
                    "rare_word": float(bool(rare) and rare in normalize(p.index_text or p.text)),
                    "length": min(len(definition), 200) / 100}))
                continue
            base["glossary_other"] = 1.0
        listed = term_list(p.text, numbered) if numbered else None
        if listed:  # “六保”是指哪六保: the six 保… items, wherever they stand and whether or not they name it
            items = p.text[listed[0]:listed[1]]
            if not any(items in t or t in items for t in taken):
                named = normalize(numbered.text + items)  # the items stand for the term: it counts as named
                absent = _absent(named, keys, idf, top_idf)
                out.append(Candidate(rank, items, {
                    **base, "coverage": _coverage(named, weights), "definition": 1.0, "absent": absent,
                    "context_absent": min(absent, base["context_absent"]),
                    "rare_word": float(bool(rare) and rare in named), "length": min(len(items), 200) / 100}))
        limit = LIST_WINDOW_CHARS if whole_sentence else MAX_WINDOW_CHARS
        # a passage naming several years somewhere (read once; most name none): only then is each
        # window's sentence read for them
        spans = one_year and not base["several_years"] and bool(SPAN_RE.search(normalize(p.text)))
        for window in _windows(p.text, limit, whole_sentence):
            text = window.strip().rstrip("，；：、,;:")
            if not text or any(text in t or t in text for t in taken):
                continue  # another part of the question already quotes it
            norm = both_spellings(normalize(window))
            if not ratio_asked:  # 单位GDP能耗 does not cover a question about GDP
                norm = DENOMINATOR_RE.sub("、", norm)
            if not per_head_asked:  # nor does 人均地区生产总值
                norm = PER_HEAD_GDP_RE.sub("、", norm)
                if not per_population_asked:  # nor 每万常住人口… one about 常住人口
                    norm = PER_POPULATION_RE.sub("、", norm)
            has_number = has_figure(window, ordinal_asked, sized_asked)
            has_date = choice_has_time(query, window)
            goal_stated = result_wanted and states_goal(window)
            f = {**base, "coverage": _coverage(norm, weights), "rare_word": float(bool(rare) and rare in norm),
                 "phrase": _phrase(q_plain, norm),
                 "absent": _absent(norm, keys, idf, top_idf), "sibling": float(sibling_clash(q_norm, norm, wants_number)),
                 "unqualified": float(unqualified(q_norm, norm)), "head_absent": float(_head_absent(head, norm)),
                 "length": len(window) / 100, "list_length": len(window) / 100 if wants_list else 0.0}
            if goal_stated:  # read by choose, not weighted
                f["goal_stated"] = 1.0
            if (f["year_match"] and len(query.years) > 1 and not SEVERAL_YEARS_RE.search(window)
                    and not SPAN_RE.search(norm)
                    and (len(own_years(lead := _sentence_lead(p.text, window) + norm)) == 1
                         or (annual_asked and not own_years(lead) and ONE_YEAR_SAID_RE.search(lead)))):
                # “十一五”期间要降多少 asked: 2006年…降低4%左右 is one year's, and so is 今年…增长5%
                # (for a plan period's yearly rate, 每年/年均, it is another figure altogether)
                f["year_match"] = 0.0
                if annual_asked:
                    f["year_clash"] = 1.0
            if spans and SPAN_RE.search(sentence := _sentence_lead(p.text, window) + norm):
                # 近三年累计，…下降10.08%: not the one year asked, whatever the passage's part (and a
                # change asked of one year is not what 年均增长4.5% measures)
                f.update(several_years=1.0, year_match=0.0 if asks_change else f["year_match"])
                if plan_year and query.years and min(query.years) >= plan_year and PAST_SPAN_RE.search(sentence):
                    # 今年发行多少长期国债 asked: 两年来…发行2100亿元长期国债, in the part that plans, is
                    # what the years before did, not this year's figure
                    f.update(year_match=0.0, year_clash=1.0)
            if one_year and not base["several_years"] and RELATIVE_SAID_RE.search(window):
                # 去年末储蓄存款余额达到13605亿元 in a part that plans: the window names its own year
                # only a 去年 in the clause holding a figure dates that figure (not 综合考虑了去年价格变动的
                # 翘尾因素 beside this year's target)
                said = {plan_year + RELATIVE_YEARS[w] for c in clauses(window) if has_figure(c)
                        for w in RELATIVE_SAID_RE.findall(c)} if plan_year else set()
                if said and any(query.year_fit({y}, plan_year) > 0 for y in said):
                    f.update(year_match=1.0, year_clash=0.0)
                elif said and all(query.year_fit({y}, plan_year) < 0 for y in said):
                    f.update(year_match=0.0, year_clash=1.0)
            if one_year and not base["several_years"] and not f["year_match"] and not f["year_clash"]:
                # a passage whose part dates nothing, a window (or the start of its sentence) naming the
                # asked year alone (1992年同1987年相比，…达到11亿吨): that year's figure
                own = own_years(_sentence_lead(p.text, window) + window)
                if len(own) == 1 and query.year_fit(own, plan_year) > 0:
                    f["year_match"] = 1.0
            if f["year_clash"] and NOW_ASKED_RE.search(query.text) and NOW_SAID_RE.search(window):
                # 现在全国有多少城市搞了低保 → 现在全国有100多个城市建立了最低生活保障制度, in the part
                # that plans: the report's own "now" is the asker's
                f.update(year_match=1.0, year_clash=0.0)
            if base["several_years"] and one_year:
                # a sentence of a five-year summary that names the asked year speaks about that year
                # (2025年旅居人数超550万); one comparing two years (2025年总量比2020年增加…) is about
                # neither alone. One that names another year clashes (预计2022年生产总值… for
                # 2021年GDP), a year it compares against (比2020年) not counting.
                own = own_years(window)
                said = {plan_year + d for word, d in (("去年", -1), ("今年", 0))
                        if plan_year and re.search(rf"(?<![比较从由于]){word}", window)}
                if said:  # …从2009年的2.8%降到去年的1.5%左右, 今年中央财政预算…: the report's own 去年, 今年
                    own |= said
                    named = set(own)
                else:
                    named = _years(window)
                opening = _opening_year(p.text, window)  # 2012年，…，国内生产总值增长7.8%: the sentence's year
                named, own = named or opening, own or opening
                # …增加到2002年的10.2万亿元, 2010年达到1.7万亿元: the figure written after the asked year is that year's
                attached = {y for y in named if re.search(rf"{y}\s*年[底末]?(?:的|要|将)?(?:达到|突破|超过)?\s*\d", window)}
                # (1997年国内生产总值达到74772亿元，…平均每年增长11％ names the year, but its growth is the
                # five years' average: not the one year's change asked)
                averaged = asks_change and bool(SPAN_RE.search(norm))
                # a goal set for the asked year against a base year (到2010年国内生产总值比2000年翻一番)
                # is that year's: the base is only what it is measured from
                goal = wants_target and len(own) == 1 and query.year_fit(own, plan_year) > 0
                if not averaged and ((len(named) == 1 and query.year_fit(named, plan_year) > 0) or goal or
                                     any(query.year_fit({y}, plan_year) > 0 for y in attached)):
                    f.update(several_years=0.0, year_match=1.0, year_clash=0.0)
                elif own and all(query.year_fit({y}, plan_year) < 0 for y in own):
                    # about other years only: 从1997年的…增加到2002年的… for 1996年
                    f.update(year_match=0.0, year_clash=1.0)
                elif (not named and not own and wants_target and p.role == "outlook" and p.years
                      and query.year_fit({max(p.years)}, plan_year) > 0):
                    # the five years' goal (全部财政收入力争达到2000亿元左右) is the one for their last
                    # year: what a target “by 2010” asks of a report planning 2006–2010
                    f.update(several_years=0.0, year_match=1.0, year_clash=0.0)
                elif (not named and not own and not asks_change and p.role == "review_multi" and f["coverage"] >= 0.5
                      and LEVEL_REACHED_RE.search(window) and not SPAN_RE.search(norm) and plan_year
                      and query.year_fit({plan_year - 1}, plan_year) > 0):
                    # the level the five years reached (人口自然增长率下降到10.06‰) is the level of
                    # their last year, the year the report reviews
                    f.update(several_years=0.0, year_match=1.0, year_clash=0.0)
                elif not named and not own:
                    # a sentence of the five years naming none (“十一五”年均增长7.5%) is not the
                    # asked year's, though the passage's years hold it
                    f["year_match"] = 0.0
            if (f["several_years"] and not f["year_match"] and one_year
                    and (SPAN_RE.search(norm) or YEARS_COUNT_RE.search(norm)
                         or (p.role == "review_multi" and PERIOD_COMPARED_RE.search(_sentence_tail(p.text, window)))
                         or (p.role == "review_multi"
                                                and FLOW_RE.search(norm if asks_change else LEVEL_REACHED_RE.sub("", norm))))):
                f["period_figure"] = 1.0  # read by _other_years, not a weighted feature
            elif one_year and not own_years(window) and PERIOD_TOTAL_RE.search(norm):
                # one year asked; the window's figure is the years' sum (五年共利用外资609亿美元), though
                # its passage reviews one year
                f["period_figure"] = 1.0
            if (wants_definition or wants_list) and not any(w in norm and w not in q_norm for w in nouns):
                f["restates"] = 1.0  # what restates() says, from the passage's nouns cut once
            if (wants_definition or wants_list) and _defines(norm, quoted):
                f["definition"] = 1.0
            if wants_number:
                f["number" if has_number else "no_number"] = 1.0
                f["beside"] = max((_coverage(c, weights) for c in clauses(window) if has_figure(c, ordinal_asked)), default=0.0)
                if own_rare:
                    f["rare_apart"] = float(not any(_names(normalize(c), own_rare, rare_alts)
                                                    for c in clauses(window) if has_figure(c, ordinal_asked)))
                if asks_change:
                    f["change_ok"] = float(bool(GROWTH_RE.search(window) or POINTS_RE.search(window)
                                                or (compare_asked and COMPARISON_RE.search(window))))
                    if rise_asked and not f["change_ok"] and not CHANGE_SAID_RE.search(window):
                        # read by choose (what _unsupported declines as "no change given"), not a
                        # weighted feature: a share (相当于生产总值的比例4.5%) where the growth is asked
                        f["no_change"] = 1.0
                if not RESPECTIVELY_ASKED_RE.search(query.text) and parts_only(window, q_norm):
                    # read by choose, not weighted: 对东盟、欧盟进出口分别增长16.7%、40.2% gives the
                    # parts' figures when the whole's (进出口总额增长18.2%) is asked
                    f["parts"] = 1.0
            if not unit_ok(query, window, missing, p.text) or (given and not has_figure(
                    GIVEN_FIGURE_RE.sub(lambda m: " " if m.group(1) in given else m.group(0), window), ordinal_asked, sized_asked)):
                f["unit_miss"] = 1.0
            if wants_date:  # a date's subject is usually beside it (a title line), not in its clause
                # the front matter's date (a dateline, the delivery line) is the report's own: it
                # answers when the report was given, not when something it speaks of happens
                has_date = has_date and not (p.role == "front" and not NAMES_REPORT_RE.search(query.text))
                f["date_ok" if has_date else "date_miss"] = 1.0
                if has_date:
                    f["coverage"] = max(f["coverage"], f["context_coverage"])
            if roles:  # "who is the mayor": the answer is a name beside that office
                f["holder" if names_holder(window, roles) else "no_holder"] = 1.0
            out.append(Candidate(rank, text, f))
        if wants_definition or wants_list or how_asked:
            # 突出建设循环枢纽。建设…枢纽，…: a lead sentence and what follows it
            for window in _continued(p.text):
                if any(window in t or t in window for t in taken):
                    continue
                out.append(Candidate(rank, window, {
                    **base, "coverage": _coverage(window, weights), "continued": 1.0,
                    "definition": float(_defines(normalize(window), quoted)),
                    "absent": _absent(normalize(window), keys, idf, top_idf),
                    "rare_word": float(bool(rare) and rare in normalize(window)),
                    "length": len(window) / 100, "list_length": len(window) / 100}))
    if missing:
        # what a window (or its passage) covers of the question besides the missing subject's
        # modifiers (its head stays: 造林 of 植树造林), vague heads and single characters (最低工资标准
        # asked of a report that never says 最低工资: 孤儿…最低标准提高到… covers only 最低, 标准 and 到);
        # read by :func:`_unsupported`, not weighted
        core = {k: w for k, w in weights.items()
                if isinstance(k, tuple) or (len(k) >= 2 and k not in VAGUE_HEADS
                                            and not any(k in m and not m.endswith(k) for m in missing))}
        context = [_core_coverage(p.text, core, missing) for p in passages]  # a term its passage names (十乱)
        for c in out:
            c.features["core_coverage"] = max(_core_coverage(c.text, core, missing), context[c.hit_index])
    return out


def _core_coverage(text: str, core: Weights, missing: list[str] | tuple[str, ...]) -> float:
    """:func:`_coverage` over ``core``, a missing word the text writes at length counting as named
    (环城路: 环城道路, 保障房: 保障性租赁住房)."""
    norm = normalize(text)
    spelled = sum(core.get((m,), 0.0) for m in missing
                  if len(m) >= 3 and m not in norm and re.search("[^，。；]{0,4}".join(map(re.escape, m)), norm))
    return _coverage(text, core) + spelled / (sum(core.values()) or 1.0)


def _defines(norm: str, quoted: list[str]) -> bool:
    """``norm`` (a normalised window) spells out a term the question quotes: lists its members
    (城镇燃气、电动自行车、建筑保温材料等“一件事”), says what it is (负责“米袋子”就是负责…) or lists
    its marks (产权清晰、权责明确、政企分开、管理科学的现代企业制度)."""
    return any(re.search(r"、[^，。；、]{1,20}等\s*[“\"]?" + re.escape(t), norm)
               or re.search(r"(?:[^，。；、]{2,12}、)+[^，。；、]{2,12}的\s*[“\"]?" + re.escape(t), norm)
               or re.search(re.escape(t) + r"[”\"]?[^，。；]{0,4}(?:就是|是指|指的是)", norm) for t in quoted)


# what a definition question asks about when it quotes nothing: the words before 是什么/是啥样的,
# after a lead naming the report (报告说的现代企业制度具体是啥样的 → 现代企业制度)
_DEFINED_LEAD_RE = re.compile(r"^.*?(?:报告|文件)[里中上]?(?:说|提|讲|写)?(?:到|出)?的")
_DEFINED_TAIL_RE = re.compile(r"(?:具体|到底|究竟|主要|都|又|指的|说的)+$")


def defined_term(q_norm: str) -> list[str]:
    """The term a definition question names without quotes, or nothing."""
    m = DEFINITION_RE.search(q_norm)
    if not m:
        return []
    head = _DEFINED_TAIL_RE.sub("", _DEFINED_LEAD_RE.sub("", q_norm[:m.start()]))
    term = re.search(r"[\u4e00-\u9fff]{3,12}$", head)
    return [term.group(0)] if term else []


def _continued(passage: str, lead_chars: int = 30, max_chars: int = 160):
    """A short sentence (a lead naming a term or task) followed by the sentences after it."""
    for text in passage.split("\n"):
        spans = split_sentences(text, max_chars=10_000)
        for i, (s, e) in enumerate(spans):
            if e - s > lead_chars or i + 1 >= len(spans):
                continue
            end = spans[i + 1][1]
            for s2, e2 in spans[i + 2:]:
                if e2 - s > max_chars or ITEM_MARK_RE.match(text, s2):
                    break  # …费用负担。三是健全…: the next numbered item is another task
                end = e2
            if end - s <= max_chars * 1.5:
                yield text[s:end].strip()


# a figure given for each of listed items (对东盟、欧盟进出口分别增长16.7%、40.2%): what precedes 分别 in its clause
PARTS_RE = re.compile(r"([^，,；;。：:]*?[、和与及][^，,；;。：:]*?)分别")
RESPECTIVELY_ASKED_RE = re.compile(r"分别|各[是为有自]?|各多少|哪些|哪几|each|respectively", re.I)
PART_LEAD_RE = re.compile(r"^(?:对|向|与|从|在|其中)")


def parts_only(window: str, question: str) -> bool:
    """Whether every figure of ``window`` is one of several listed items' (…A、B…分别增长x%、y%) and the
    (normalised) question names none of those items: it asks the whole, which they are parts of."""
    figures = [normalize(c) for c in clauses(window) if has_figure(c)]
    if not figures:
        return False
    for c in figures:
        m = PARTS_RE.search(c)
        if not m:
            return False
        items = [PART_LEAD_RE.sub("", i.strip()) for i in re.split(r"[、和与及]", m.group(1))]
        # the items as the clause writes them: 对东盟、欧盟进出口 → 东盟, 欧盟进出口 (the last carries the noun)
        heads = [i[:2] for i in items if len(i) >= 2]
        if len(heads) < 2 or any(h in question for h in heads):
            return False
    return True


def _instead(found: list[Candidate], scores: list[float], best: Choice, chosen: int,
             able: Callable[[dict[str, float], float], bool]) -> tuple[Choice, int]:
    """The best-scoring window whose (features, score) are ``able`` to stand in for ``best``, which
    would be declined; ``best`` itself when there is none."""
    fit = [(score, i) for i, (c, score) in enumerate(zip(found, scores)) if able(c.features, score)]
    if not fit:
        return best, chosen
    score, i = max(fit)
    c = found[i]
    return Choice(c.hit_index, c.text, c.features.get("coverage", 0.0), score, c.features), i


# how far below last year's result (which cannot answer a goal) a window of the year asked may score
# and still answer in its place
GOAL_SLACK = 1.5
GOAL_COVER_SLACK = 0.3  # ... and cover nearly as much of the question (not another indicator's goal)


def _instead_near(found: list[Candidate], scores: list[float], best: Choice, chosen: int,
                  able: Callable[[dict[str, float]], bool]) -> tuple[Choice, int]:
    """:func:`_instead`, among the windows ``able`` by their features that could answer and score
    and cover nearly as well as ``best`` (within :data:`GOAL_SLACK` and :data:`GOAL_COVER_SLACK`)."""
    floor, cover = best.score - GOAL_SLACK, best.features.get("coverage", 0.0) - GOAL_COVER_SLACK
    return _instead(found, scores, best, chosen, lambda f, score: able(f) and not _lacks(f) and score >= floor
                    and f.get("coverage", 0.0) >= cover)


def _of_year_asked(features: dict[str, float]) -> bool:
    """The window speaks of the year asked (and of no other)."""
    return bool(features.get("year_match")) and not features.get("year_clash")


# a what/which question's slot (以什么为重点, 哪几个, 啥): the words around it frame the answer
SLOT_RE = re.compile(r"什么|哪些|哪几[个种项类条家所座位]?|哪个|哪[类种项家所座条位]|啥")
# ... asking for several things (哪几个, 哪些, 都有什么): a list of them answers
ITEMS_WANTED_RE = re.compile(r"哪些|哪几|都有(?:什么|啥)|包括(?:什么|啥|哪)")
# things named in a row (机械、电子、石油化工、汽车和建筑; 治庸、治懒)
ENUMERATION_RE = re.compile(r"[^，。；：、]{1,16}、[^，。；：、]{1,16}")
# ... or two of a kind (续建项目和收尾项目): enough for the best window to keep answering, too little
# for another to answer in its place
PAIR_RE = re.compile(r"(\w\w)[和及与][^，。；：、和及与]{1,8}?\1")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def fills_slot(question: str, window: str, items: bool = False) -> bool:
    """Whether ``window`` (normalised) says what the question's 什么/哪 slot asks: the words either
    side of the slot with something between (以什么为重点 → 以公路建设为重点; 从什么型 → 从粗放型), or,
    when several things are asked (哪几个), a run of them (机械、电子、石油化工、汽车和建筑)."""
    for m in SLOT_RE.finditer(question):
        left = question[m.start() - 1:m.start()]
        # the words after the slot, or after the kind of thing it asks for (先在哪些地方试点)
        for start in (m.end(), m.end() + 2):
            right = question[start:start + 2]
            right = right[:1] if len(right) == 2 and not _HAN.match(right[1]) else right
            if right in ("上", "中", "里", "内", "下"):
                continue  # 在哪些项目上: 在…上 frames too much to say what is asked
            if left and right and _HAN.match(left) and _HAN.match(right[0]) and re.search(
                    re.escape(left) + r"[^，。；：、,;:？?]{1,20}?" + re.escape(right), window):
                return True
    return items and bool(ENUMERATION_RE.search(window))


# how much more of the question the best-matching window without the asked figure may cover than
# one with it, for the latter to answer (:func:`choose`)
LACK_COVER_GAP = 0.5


def choose(query: Query, passages: list[Passage], idf: dict[str, float], missing: list[str] = (),
           top_n: int = 5, taken: tuple[str, ...] = (), signals: list[tuple[float, float]] | None = None,
           model: Model | None = None, doc_years: dict[str, int] | None = None,
           pool: list[Candidate] | None = None) -> Choice | None:
    """Best answering window among the first ``top_n`` passages, by the answer model's score
    (``pool``: their candidates, already worked out by :func:`rerank`)."""
    model = model or shipped()
    best: Choice | None = None
    best_key = None
    found = [c for c in pool if c.hit_index < top_n] if pool is not None else \
        candidates(query, passages, idf, missing, top_n, taken, signals, doc_years)
    scores = [model.score(c.features) for c in found]
    chosen = -1
    for i, (c, score) in enumerate(zip(found, scores)):
        key = (not _lacks(c.features), score)  # a window that could answer beats a better-matching one that cannot
        if best_key is None or key > best_key:
            best, best_key, chosen = Choice(c.hit_index, c.text, c.features.get("coverage", 0.0), score,
                                            c.features), key, i
    top = max(range(len(found)), key=lambda i: scores[i], default=-1)
    if best is not None and top != chosen and (any(found[top].features.get(name) for name in LACKS)
                                                or _other_years(found[top].features)) \
            and best.coverage < found[top].features.get("coverage", 0.0) - LACK_COVER_GAP:
        # the window matching best says what is asked but lacks its figure (中央财政赤字控制在预算
        # 目标之内 for 中央财政赤字有多大) or gives several years' (进出口总额年均增长15.9% for 去年进出口
        # 总额比前年增长了多少), and a window that could answer covers far less of the
        # question (国内生产总值达到…): it speaks of something else; the best is kept and declined
        c = found[top]
        best, chosen = Choice(c.hit_index, c.text, c.features.get("coverage", 0.0), scores[top], c.features), top
    if best is not None and best.features.get("no_change"):
        # a growth asked and the best window gives a share or a level (相当于生产总值的比例4.5%),
        # which would be declined: a window giving a change that covers the question as well answers
        # (生产总值…增长5.4%); one covering less (居民消费价格上涨 for 房价涨了多少) does not
        cover = best.features.get("coverage", 0.0)
        best, chosen = _instead(found, scores, best, chosen, lambda f, score: not f.get("no_change") and not _lacks(f)
                                and f.get("coverage", 0.0) >= cover - 1e-9)
    if best is not None and best.features.get("parts"):
        # the parts' figures (对东盟、欧盟进出口分别增长…) where the whole's is asked: a window giving a
        # figure of its own that covers the question as well answers instead (进出口总额增长18.2%)
        cover = best.features.get("coverage", 0.0)
        best, chosen = _instead(found, scores, best, chosen, lambda f, score: not f.get("parts") and not _lacks(f)
                                and f.get("coverage", 0.0) >= cover - 1e-9)
    if best is not None and best.features.get("past_for_goal") and best.features.get("year_clash"):
        # this year's goal asked and the best window is last year's result, which would be declined:
        # a window of the year asked that could answer and scores nearly as well answers instead
        # (全年技术合同成交总额1500亿元以上 for 今年技术合同成交额目标, though 成交额 is not its word)
        best, chosen = _instead_near(found, scores, best, chosen, _of_year_asked)
    if best is not None and best.features.get("goal_stated"):
        # last year's result asked and the best window recalls the goal set for it (去年曾提出，要把…
        # 控制在10%以内; 没有实现年初确定的…降低4%左右的目标): a window giving what happened that
        # matches nearly as well answers instead (单位国内生产总值能耗…转为下降1.2%)
        best, chosen = _instead_near(found, scores, best, chosen, lambda f: not f.get("goal_stated"))
    if best is not None and best.features.get("plan_for_past") and best.features.get("year_clash"):
        # last year's result asked and the best window is this year's plan, which would be declined:
        # a window of the year asked that could answer and scores nearly as well answers instead
        # (建设保障性安居工程1.79万套 in the part that reviews, though 保障性住房 is not its word)
        best, chosen = _instead_near(found, scores, best, chosen, _of_year_asked)
    q_norm = normalize(query.text)
    if (best is not None and SLOT_RE.search(q_norm) and not QUANTITY_RE.search(q_norm)
            and not best.features.get("definition")):
        # a what/which question (以什么为重点, 支柱产业是哪几个) and the best window only speaks of its
        # subject: a window nearly as good that fills the asked slot (以公路建设为重点; 振兴机械、电子、
        # 石油化工、汽车和建筑等支柱产业) and names the kind of thing asked answers instead
        items = bool(ITEMS_WANTED_RE.search(q_norm))
        filling = {id(c.features) for c in found if fills_slot(q_norm, normalize(c.text), items)}
        if id(best.features) not in filling and not (items and PAIR_RE.search(normalize(best.text))):
            best, chosen = _instead_near(found, scores, best, chosen,
                                         lambda f: id(f) in filling and not f.get("head_absent"))
    if best is not None:
        # its lead over the next window of the same report: in an index of several reports, another
        # report saying much the same is no reason to doubt this one
        doc = passages[best.hit_index].doc_id
        # (a window passed over for giving no change is no rival: it could not answer)
        others = [s for i, (c, s) in enumerate(zip(found, scores))
                  if i != chosen and passages[c.hit_index].doc_id == doc
                  and not (c.features.get("no_change") and not best.features.get("no_change"))]
        if others:
            best.margin = best.score - max(others)
    return best


def rerank(query: Query, passages: list[Passage], idf: dict[str, float], norm_corpus: str, top_n: int = 10,
           signals: list[tuple[float, float]] | None = None, model: Model | None = None,
           doc_years: dict[str, int] | None = None) -> tuple[list[int], list[Candidate] | None]:
    """Positions of the first ``top_n`` passages ordered by their best window's answer-model score
    (retrieval's rank is one of its features), then the rest in retrieval order: the passage that
    holds the answer is shown first. A compound question keeps retrieval's part-by-part order.

    Also returns the candidates, numbered by the new order, for :func:`compose` to choose from
    without working them out again (``None`` when nothing was reranked)."""
    model = model or shipped()
    order = list(range(len(passages)))
    if len(query.parts) > 1 or len(passages) < 2:
        return order, None
    _, soft = missing_terms(query, norm_corpus)
    found = candidates(query, passages, idf, soft, top_n=top_n, signals=signals, doc_years=doc_years)
    best: dict[int, tuple[bool, float]] = {}
    for c in found:
        key = (not _lacks(c.features), model.score(c.features))
        if c.hit_index not in best or key > best[c.hit_index]:
            best[c.hit_index] = key
    head = sorted(best, key=lambda i: (best[i], -i), reverse=True)
    order = head + [i for i in order if i not in best]
    moved = {old: new for new, old in enumerate(order)}
    pool = sorted((replace(c, hit_index=moved[c.hit_index]) for c in found), key=lambda c: c.hit_index)
    return order, pool


# the window's figure is the other side's (支出 asked, 收入 given): declined by rule (:func:`_unsupported`)
OTHER_SIDE = ("sibling", "unqualified")


def _other_years(features: dict[str, float]) -> bool:
    """A one-year question (去年…增长多少) and a window whose figure sums up several years, naming
    none of them as the asked one (进出口总额年均增长15.9%, 五年城镇新增就业5771万人): not that
    year's figure. A level the period ends with (覆盖24%的县, 到2030年…达到80岁) may well be."""
    return bool(features.get("period_figure"))


def _lacks(features: dict[str, float]) -> bool:
    """The window lacks what the question asks for: a figure of the asked kind (not the other
    side's), a date, a name. A window that could answer is chosen over a better-matching one that
    lacks it (a sentence's clauses about 农村 alone over the whole sentence that also gives 城镇's)."""
    return any(features.get(name) for name in LACKS + OTHER_SIDE) or _other_years(features)


# the five years before a report, asked (过去五年GDP年均增长多少) and said (五年来, “十三五”时期, 2016-2020年)
FIVE_YEARS_ASKED_RE = re.compile(r"过去的?五年|五年来|这五年|近五年|五年间|五年里|(?:past|last) five years", re.I)
FIVE_YEARS_SAID_RE = re.compile(r"过去的?五年|五年来|这五年|近五年|五年间|五年里|五年累计|五年[共总]|连续[五5]年|"
                                r"十[一二三四五六七八九]五[”\"'」]?(?:时期|期间|以来)|(?:19|20)\d\d\s*[-—–~至到]\s*(?:19|20)\d\d\s*年")


def missing_terms(query: Query, norm_corpus: str) -> tuple[list[str], list[str]]:
    """(names and years, other nouns) of the question that the (normalised) corpus never mentions.

    Words the thesaurus knows are excused when one of their report terms is in the corpus."""
    # a year the question writes out; 去年/前年 are read against each report and may simply not be
    # written in it (去年空气优良天数比前年多了多少天)
    years = set(re.findall(r"(?<!\d)(20\d\d)(?!\d)", query.text)) | {str(y) for y in query.explicit}
    hard = sorted(y for y in years if not _names_year(y, norm_corpus))
    if FIVE_YEARS_ASKED_RE.search(query.text) and not FIVE_YEARS_SAID_RE.search(norm_corpus):
        hard.append("过去五年")  # a report of one year's work says nothing of the five before it
    q_text = normalize(query.text)
    words = _unfused(tag(q_text))
    for (word, flag), (after, _) in zip(words, words[1:]):  # 金坛/区, 苏州/市: a place the report never names
        if (after in PLACE_SUFFIXES and len(word) >= 2 and word not in norm_corpus
                and word not in STOPWORDS and flag not in ("r", "m", "q", "v") and not QUESTION_WORD_RE.search(word)
                # 老百姓/省了: a common word before 省 or 市 is no unknown place (jieba has never seen 金坛)
                and (flag in PROPER_FLAGS or jieba.dt.FREQ.get(word, 0) < COMMON_WORD_FREQ)):
            hard.append(word + after)
    # an everyday or English phrase whose report words the report never uses: for an English
    # question that is the subject itself (housing price → 房价); in Chinese it only weighs less
    matched = matched_phrases(query.text)
    absent = [phrase for phrase, terms in matched
              if phrase not in norm_corpus and not any(t in norm_corpus for t in terms.split())
              # entities of market entities: a longer phrase holding it reaches the report
              and not any(phrase in longer and longer != phrase and any(t in norm_corpus for t in more.split())
                          for longer, more in matched)]
    soft: list[str] = []
    if query.english:
        return hard + absent, soft
    soft += [p for p in absent if not _is_verb(p)]
    # a word inside a phrase the thesaurus translates into the report's words is not missing
    # (固定资产投资 is cut into 固定资产 + 投资, and the report says 固投)
    known = [phrase for phrase, terms in matched_phrases(query.text) if any(t in norm_corpus for t in terms.split())]
    for n, (word, flag) in enumerate(words):
        if n + 1 < len(words) and words[n + 1][0].endswith(EVENT_ENDINGS):
            continue  # 杭州/亚运会: a place naming an event the report may call otherwise (第十九届亚运会)
        # (jieba's dictionary tags some places as foreign names, 曹妃甸 ``nrfg``; its guesses of two
        # characters, 失业/金的, are no name)
        if (len(word) >= 2 and (flag in NOUN_FLAGS or (flag == "nrfg" and len(word) >= 3))
                and word not in STOPWORDS and word not in GENERIC_NOUNS and word not in ACTOR_WORDS
                and word not in norm_corpus and word not in _phrases() and not _modal_verb(word)
                and not _frame_overlap(word, q_text)
                and not any(word in k or k in word for k in known)  # 小宝宝 holds 宝宝, which the thesaurus knows
                and not any(h.startswith(word) for h in hard)):  # 金坛 of 金坛区 is said once
            # 温家宝/总理, 省委书记/倪岳峰: a person, by the title after or before the name
            titled = (flag in NAME_FLAGS and 2 <= len(word) <= 3
                      and ((n + 1 < len(words) and bool(ROLE_RE.fullmatch(words[n + 1][0])))
                           or (n > 0 and bool(ROLE_RE.search(words[n - 1][0])) and words[n - 1][0].endswith(ROLE_ENDS))))
            # a compound the dictionary knows whole whose two halves the report does write
            # (澳门基本法: 澳门 and 基本法, in 《澳门特别行政区基本法》) is only the asker's shorthand
            halves = any(word[:i] in norm_corpus and word[i:] in norm_corpus for i in range(2, len(word) - 1))
            (hard if (titled or _proper(word, flag)) and not halves and not abbreviated(word, norm_corpus)
             else soft).append(word)
    said = _alternatives_said(query.text, norm_corpus)
    return [w for w in hard if w not in said], [w for w in soft if w not in said]


# a choice between two (是顺差还是逆差, 涨了还是降了): the report states one of them
ALTERNATIVES_RE = re.compile(r"([\u4e00-\u9fff]{1,6}?)还是([\u4e00-\u9fff]{1,6})")


def _alternatives_said(question: str, norm_corpus: str) -> set[str]:
    """Words of a question's "A还是B" choice that may be missing from the report because it says
    the other one (是顺差还是逆差: a report of a deficit never writes 顺差)."""
    out: set[str] = set()
    for m in ALTERNATIVES_RE.finditer(normalize(question)):
        before = [w for w, _ in tag(m.group(1)) if len(w) >= 2]
        after = [w for w, _ in tag(m.group(2)) if len(w) >= 2]
        if before and after and (before[-1] in norm_corpus or after[0] in norm_corpus):
            out |= {before[-1], after[0]}  # the words either side of 还是, not the subject before
    return out


# the one-character names of China's provinces, written together for a region (京津冀, 粤港澳, 川渝)
PROVINCE_ABBREVIATIONS = {
    "北京": "京", "天津": "津", "河北": "冀", "山西": "晋", "内蒙古": "蒙", "辽宁": "辽", "吉林": "吉",
    "黑龙江": "黑", "上海": "沪", "江苏": "苏", "浙江": "浙", "安徽": "皖", "福建": "闽", "江西": "赣",
    "山东": "鲁", "河南": "豫", "湖北": "鄂", "湖南": "湘", "广东": "粤", "广西": "桂", "海南": "琼",
    "重庆": "渝", "四川": "川", "贵州": "黔", "云南": "滇", "西藏": "藏", "陕西": "陕", "甘肃": "甘",
    "青海": "青", "宁夏": "宁", "新疆": "新", "香港": "港", "澳门": "澳", "台湾": "台"}
# regions written as their provinces' one-character names
REGIONS = ("京津冀", "京津", "粤港澳", "港澳", "川渝", "成渝", "沪苏浙皖", "苏浙皖", "苏浙沪", "江浙沪", "黑吉辽",
           "陕甘宁", "晋陕蒙", "湘鄂赣", "闽台", "滇黔桂", "蒙晋陕")


def abbreviated(place: str, norm_corpus: str) -> bool:
    """The question's name is a short form of one the report writes: a province by its one-character
    name in a region (天津 in 京津冀协同发展, 香港 in 粤港澳大湾区), or a name of three or more
    characters whose characters the report writes in order, from the first to the last, with a few
    between (农信社: 农村信用社)."""
    short = PROVINCE_ABBREVIATIONS.get(place)
    if short and any(short in region and region in norm_corpus for region in REGIONS):
        return True
    return len(place) >= 3 and re.search(".{0,3}".join(map(re.escape, place)), norm_corpus) is not None


COMMON_WORD_FREQ = 500
"""jieba's dictionary tags some everyday words as names; a name is rarely counted this often (李强 159,
高峰 1556, 文明 6584; of its two-character ``nr`` words the median count is 20)."""
# what names an event after a place (杭州亚运会, 上海进博会): the place names the event, not a sub-place
EVENT_ENDINGS = ("运会", "博会", "览会", "易会", "峰会", "论坛", "大赛", "马拉松")
CN_YEAR_DIGITS = ("〇一二三四五六七八九", "○一二三四五六七八九", "零一二三四五六七八九")
# measure words that jieba fuses with the next word into a guessed person's name (多少张普惠性床位)
MEASURE_WORDS = frozenset("个张所家位名条座台辆件项处只批套间")


def _names_year(year: str, norm_corpus: str) -> bool:
    """The report names ``year`` (2035), in Arabic or in Chinese numerals (二〇三五年)."""
    return year in norm_corpus or any("".join(d[int(c)] for c in year) in norm_corpus for d in CN_YEAR_DIGITS)


def _unfused(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """jieba's tags with a measure word split off the guessed name it was fused into after a
    number (多少/张普惠 → 多少/张/普惠): 普惠 is a word of the question, 张普惠 nobody's name."""
    out: list[tuple[str, str]] = []
    for word, flag in words:
        if (out and out[-1][1] == "m" and flag in ("nr", "nrfg", "nrt") and len(word) >= 3
                and word[0] in MEASURE_WORDS):
            out += [(word[0], "q"), (word[1:], "n")]
        else:
            out.append((word, flag))
    return out


# kinds of place, not places (城镇居民, 农村公路, 沿海地区)
PLACE_KINDS = frozenset("城镇 城市 农村 乡村 城乡 山区 新区 全国 全省 全市 国内 国外 海外 境外 沿海 内地 地方 基层 社区 县城 "
                        "城区 郊区 老区 库区 牧区 林区 景区 园区 开发区 市区".split())


def subject_place(question: str) -> str:
    """The place a question opens with (天津今年城镇新增就业目标是多少): what its figure is about. The
    report's own place is taken out of the question before it is asked (:func:`qa.routing.strip_places`),
    so a place left at its start is another one, or a part of the report's place."""
    words = [(w, f) for w, f in tag(normalize(question)) if w.strip()]
    if not words:
        return ""
    word, flag = words[0]
    # the place and then when (天津今年…, 山南市今年…, 深圳去年GDP): its figures are asked; 汶川地震
    # names an event
    after = words[2:] if len(words) > 2 and words[1][0] in PLACE_SUFFIXES | {"州", "盟", "旗"} else words[1:]
    subject = bool(after) and bool(re.fullmatch(r"今年|去年|明年|前年|上年|本年|(?:19|20)\d\d年?|的", after[0][0]))
    return word if (subject and flag == "ns" and len(word) >= 2 and word not in PLACE_KINDS
                    and _proper(word, flag)) else ""


def english_place(question: str) -> str:
    """The place an English question names that is not the report's own (What was Shanghai's GDP
    in 1996? asked of the State Council's report): the pipeline appends the Chinese name of every
    place the question spells that it did not take out as the report's (:func:`qa.query.romanized_places`)."""
    return next(iter(re.findall(r"[\u4e00-\u9fff]{2,}", question)), "")


def _proper(word: str, flag: str) -> bool:
    """A place, organisation or person name. jieba guesses tags for words it does not know and
    guesses names too eagerly (智能化 ``nr``, 太累 ``ns``): a person's name must look like one
    (surname + 1–2 characters), a place or organisation must be in jieba's dictionary (unknown
    places are caught by their suffix, 金坛区)."""
    if flag in ("nr", "nrfg", "nrt"):  # 高峰, 文明, 杜绝: two-character words jieba counts hundreds of
        # times are not names; of three characters after a surname they are (江泽民 2415, 钱其琛 560)
        if len(word) == 2 and not jieba.dt.FREQ.get(word) and _char_tag(word[0]) not in NAME_FLAGS \
                and _char_tag(word[1]) == "v":
            return False  # 钱能, 钱建 (养老钱能按时发吗, 拿多少钱建): a noun and a verb run together by jieba's guess
        return ((len(word) == 3 and word[0] in SURNAMES | RARER_SURNAMES)
                or (len(word) == 2 and jieba.dt.FREQ.get(word, 0) < COMMON_WORD_FREQ and word[0] in SURNAMES))
    if len(word) == 2 and (_char_tag(word[0]) == "d" and _char_tag(word[1]) == "a" or word[1] == "区"):
        # 太冷, 太大: an adverb and an adjective; 山区, 新区, 湾区: a kind of area, not a name (jieba's
        # dictionary lists them all as places)
        return False
    return flag in PROPER_FLAGS and bool(jieba.dt.FREQ.get(word))


def _char_tag(char: str) -> str:
    """jieba's dictionary tag of one character (冷 → a, 太 → d)."""
    return jieba.posseg.dt.word_tag_tab.get(char, "")


@lru_cache(maxsize=1)
def _phrases() -> frozenset[str]:
    return frozenset(p for p, _ in thesaurus())


UNIT_RE = re.compile(r"(?:多少|几)[十百千万亿]*?(亿元|万元|元|万亩|亩|平方公里|平方米|立方米|公里|千米|万吨|吨|微克|毫克|千瓦时|千瓦"
                     r"|万人次|人次|户|所|座|场次|万公顷|公顷|亿美元|美元|套|辆|台|栋|间)")
RANK_ASKED_RE = re.compile(r"排(?:名)?第几|第几[名位]?[？?]?$|排名(?:多少|第几|怎么样)|排在第?几|\brank", re.I)
RANK_SAID_RE = re.compile(r"第\s*[一二三四五六七八九十\d]+(?![\d.]*\s*[个次届批年条项号]|[一二三四五六七八九十]*[个次届批年条项号])|前\s*[一二三四五六七八九十\d]+(?:位|名)|首位|榜首|居首|之首")
ANNUAL_ASKED_RE = re.compile(r"年均|每年|平均每年|一年平均|average|annual|per year|a year", re.I)
# a window saying it speaks of one year without naming it (今年…目标, 全年…增长)
ONE_YEAR_SAID_RE = re.compile(r"今年|去年|明年|本年|全年|年内|当年")
# measure words that count things, and the noun they count after the question's 多少户 (家庭, 居民)
COUNT_MEASURES = frozenset(("户", "所", "座", "套", "辆", "台", "栋", "间"))
COUNTED_NOUN_RE = re.compile(r"(?![是的了呢吗在被])[\u4e00-\u9fff]{2}(?<![是的了呢吗])")
MONEY_RE = re.compile(r"多少钱|几块钱|多少块(?=钱|[？?。，,！!]|$)|how much money|\bcosts?\b|\bfares?\b|\bfees?\b|"
                      r"\bwages?\b|\bin (yuan|rmb)\b", re.I)
# a price asked is so many 元, but a rise in prices is a rate (商品零售价格涨幅控制在3%以内)
PRICE_RE = re.compile(r"(?<!consumer )\bprices?\b(?! (?:index|level))", re.I)
RATE_RE = re.compile(r"(?:[^效频汇]率|比重|占比|比例)[^，。？?,]{0,8}?(?:多少|几)|百分之(?:几|多少)|(?:多少|几)个百分点|what percentage|"
                     r"what share|\brate\b"
                     r"|(?:多少|几)[？?]?\s.*[^效频汇]率(?:\s|$)", re.I)  # 今年打算提到多少？ 财政赤字率: a borrowed rate
PERCENT_RE = re.compile(r"[%％‰]|百分点|百分之|成\b|\d\s*[:：]\s*\d")
COUNTED_RE = re.compile(r"\d+(?:\.\d+)?(?![\d.]|\s*[%％‰年倍元]|\s*[万亿]+元|\s*个百分点)|" + COUNTED_WORD)
# 多少个/几个 asks how many things: 600万千瓦 or 12亿吨 measures something, it counts nothing
ITEMS_ASKED_RE = re.compile(r"(?:多少|几)个(?!百分点|点)")
MEASURED_RE = re.compile(r"\d+(?:\.\d+)?\s*[十百千万亿]*(?:千瓦|吨|公里|千米|平方|立方|亩|公顷|标准箱|标箱|度)")
COUNT_RE = re.compile(r"总数|多少人|(?<![个收])人有多少|多少个|多少家|多少户|几个|几家|几所|几条|多少座|多少项|人口[^，。？?]{0,6}(?:多少|几)|"
                      r"(?:多少|几)[十百千万]*(?:名|位|游客|旅客)|"
                      # 多少城市居民领到了低保: so many people (多少学生 may be a share: 95%以上的学生)
                      r"(?:多少|几)[十百千万]*(?:城市|城镇|农村|困难|贫困)?(?:居民|群众|农民|职工|农民工|人次)|"
                      r"人数|how many|population", re.I)
CHANGE_RE = re.compile(r"增长|增速|增幅|涨|降|便宜|(?<!多)少了|多了|省了|节省|下降|提高|提升|上升|减少|减了|减掉|减(?:多少|几)|增加(?!值)|变好|变差|改善|好转|变化"
                       r"|压减|压缩|削减|加多少|扩[招大]了?(?:多少|几)|鼓了?多少|鼓起来|多给|多发|多补|多拿|多[招收建开修产卖挣赚出]了?(?:多少|几)"
                       r"|比例|比重|占比|率|百分|%|percent|growth|\bgr[eo]w|increase|decrease|decline|\bdrop|reduc|rise|fall|improve"
                       r"|\bchange", re.I)


def _sentence_lead(text: str, window: str) -> str:
    """The (normalised) start of the sentence holding ``window`` up to it: what the window's
    clauses say more of (近三年累计，… before 单位国内生产总值能耗下降10.08%)."""
    start = text.find(window)
    return normalize(re.split(r"[。！？；\n]", text[:start])[-1]) if start > 0 else ""


def _sentence_tail(text: str, window: str) -> str:
    """``window`` and the rest of its sentence (normalised): what a figure is set against
    (…7950亿元，比“八五”增长1.9倍)."""
    start = text.find(window)
    return normalize(re.split(r"[。！？；\n]", text[start:])[0]) if start >= 0 else normalize(window)


def unit_ok(query: Query, window: str, missing: list[str] | tuple[str, ...] = (), passage: str = "") -> bool:
    """A question asking for an amount gets a number (a year is not one) in a clause that also
    names what the question is about (not just 目标 or 增长), and that clause's figure is of the
    asked kind: the unit it names (多少亿元), money (多少钱), a rate (失业率多少), a count (常住人口
    有多少: not a bare percentage), and beside the place the question names when its ``passage``
    names that place too. ``missing``: question words the report never uses."""
    if not QUANTITY_RE.search(query.text):
        return True
    # a rank asked (排第几): a place in a ranking (稳居世界第二, 全国第1) is its figure
    ordinal, ranked = bool(ORDINAL_ASKED_RE.search(query.text)), bool(RANK_ASKED_RE.search(query.text))
    # which place passed a size asked (Which county passed 100 billion yuan in GDP): the size of its
    # kind (超千亿元县) is the figure
    sized = bool(WHICH_ASKED_RE.search(query.text))
    figure = (lambda c: has_figure(c, ordinal, sized) or bool(ranked and RANK_SAID_RE.search(c)))
    if not figure(window):
        return False
    focus = _focus(query.text, query.english, tuple(missing))
    parts = [normalize(c) for c in clauses(window)]
    numbered = [c for c in parts if figure(c)]
    if ranked:
        numbered = [c for c in numbered if RANK_SAID_RE.search(c)]
    if focus:  # a clause with no subject of its own says more of the one before it
        numbered = [c for i, c in enumerate(parts) if c in numbered
                    and any(t in _with_subject(parts, i)
                            + (parts[i + 1] if i + 1 < len(parts) and (PURPOSE_RE.match(parts[i + 1])
                                                                       or FUNDING_RE.search(c)) else "")
                            for t in focus)]
    if not numbered:
        return False
    if ranked:
        return True
    asked = UNIT_RE.search(query.text)
    kinds = []
    if AGE_RE.search(query.text):  # 多大年龄: an age
        kinds.append(lambda c: "岁" in c)
    if AREA_ASKED_RE.search(query.text) and not asked and not CHANGE_RE.search(query.text):
        kinds.append(lambda c: bool(AREA_SAID_RE.search(c)))  # 住房面积有多大: an area, not 7150元
    if asked:  # 多少微克: a figure in 微克, not a ranking
        # a count's measure word may differ where its noun is named (多少户家庭 → 149.5万个…家庭)
        noun = COUNTED_NOUN_RE.match(query.text, asked.end()) if asked.group(1) in COUNT_MEASURES else None
        kinds.append(lambda c: asked.group(1) in c or bool(noun and noun.group(0) in c))
    money_level = (MONEY_HEAD_RE.search(query.text) and not asked  # 农村居民人均可支配收入是多少: so many 元
                   and not (CHANGE_RE.search(query.text) or COUNT_RE.search(query.text)
                            or SHARE_RE.search(query.text) or TARGET_RE.search(query.text)))  # a goal may be a rate
    price = bool(PRICE_RE.search(query.text)) and not CHANGE_RE.search(query.text)
    if MONEY_RE.search(query.text) or price or money_level or (BENEFIT_RE.match(query.text) and not CHANGE_RE.search(query.text)
                                                      and not COUNT_RE.search(query.text)):
        # 多少钱, 育儿补贴每个孩子发多少: an amount of money
        kinds.append(lambda c: "元" in c)
    if RATE_RE.search(query.text):  # 失业率多少: a percentage
        kinds.append(lambda c: bool(PERCENT_RE.search(c)))
    if not (CHANGE_RE.search(query.text) or SHARE_RE.search(query.text) or TARGET_RE.search(query.text)):
        # 去年GDP有多少: a level, not 增长5.5% (a target is often a growth rate: 今年GDP目标 → 增长6%左右)
        kinds.append(lambda c: has_figure(CHANGE_FIGURE_RE.sub(" ", GROWTH_RE.sub(" ", c)), ordinal, sized))
    if not CHANGE_RE.search(query.text):  # 今年目标多少: the target itself, not 比去年多100万人
        kinds.append(lambda c: has_figure(COMPARISON_RE.sub(" ", c), ordinal, sized))
    if OUTPUT_ASKED_RE.search(query.text) and not AREA_ASKED_RE.search(query.text):
        # 去年粮食产了多少: an output, not the area sown or built (水肥一体化面积达到7182.7万亩)
        kinds.append(lambda c: has_figure(AREA_FIGURE_RE.sub(" ", c), ordinal, sized))
    if PER_HEAD_RE.search(query.text):  # 人均收入多少元: so many 元 a head, never 5853.9亿元
        kinds.append(lambda c: has_figure(BILLIONS_RE.sub(" ", c), ordinal, sized))
    items = bool(ITEMS_ASKED_RE.search(query.text))  # 多少个: not 600万千瓦 either, even of a change
    if items or (COUNT_RE.search(query.text) and not CHANGE_RE.search(query.text) and not SHARE_RE.search(query.text)):
        # a count, not 城镇化率76% (but 占全国人口多少 asks a share of the people)
        kinds.append(lambda c: bool(COUNTED_RE.search(YEAR_RE.sub(" ", MEASURED_RE.sub(" ", c) if items else c))))
    if not (SHARE_RE.search(query.text) or RATE_RE.search(query.text)):
        # GDP总量/GDP增长多少: not 服务业增加值占地区生产总值比重达56.2% (a rate asked may be named 比例)
        kinds.append(lambda c: has_figure(SHARE_FIGURE_RE.sub(" ", c), ordinal, sized))
    # a place the question names (广州 in a 广东 report) that has a figure of its own in the passage
    # (广州经济总量突破3万亿元): another clause's figure is not that place's (the province's 增长4.8%).
    # A place named without a figure (庆阳数据中心集群…，算力规模…) is the subject of the clauses after it.
    places = _places(query.text)
    named = [w for w in places if any(w in c and has_figure(c) for c in _norm_clauses(passage or window))] if places else []
    if named:
        kinds.append(lambda c: any(w in c for w in named))
    return any(all(k(c) for k in kinds) for c in numbered)


# a clause that only says how much of what the clause before names (…，达到1242亿元, …，累计完成…,
# …宏观调控目标，定为百分之八至九)
AMOUNT_VERB_RE = re.compile(r"\s*(?:达到?|累计|积累|完成|实现|超过|突破|增加到|提高到|增至|升至|总计|合计|定为|确定为|控制在)")


# a clause saying what the figure before it is for (…拟投入423亿元，用于扶助和促进就业)
PURPOSE_RE = re.compile(r"\s*(?:主要|重点|专门|全部|集中)?(?:用于|支持|扶持|资助)")
# money put up (安排资金136亿元, 投入187亿元): the clause after it says what for (，办好34项民生实事)
FUNDING_RE = re.compile(r"(?:安排|投入|筹措|筹集|拿出|下达)(?:资金|财政资金|专项资金)?\s*\d[\d.]*\s*[万亿]*元")
LEAD_TIME_RE = re.compile(r"^(?:去年|今年|全年|上年|当年|年内|年底前|(?:19|20)\d\d\s*年(?:底|末)?)\s*[，,]?\s*")


# how many clauses back a run of continuing clauses may reach for its subject
MAX_CONTINUED = 3

# a clause opening with a word for "the total of it" (总额, 总量) speaks of the clause before (not
# 规模以上工业增加值: a subject of its own)
TOTAL_LEAD_RE = re.compile(r"\s*(?:其)?(?:总额|总量|总数|总规模|余额|规模(?!以上))")


def _with_subject(parts: list[str], i: int) -> str:
    """Clause ``i`` with the clauses before it that it continues (国家财政收入比上年增加1501亿元，
    总额首次突破万亿元，达到11377亿元: the last two speak of the first)."""
    text, j = parts[i], i
    while j and _continues(parts[j]) and i - j < MAX_CONTINUED:
        j -= 1
        text = parts[j] + text
    return text


# a clause opening with the level a figure rose from (城镇居民家庭人均可支配收入，由1997年的5160元增加到…)
FROM_LEAD_RE = re.compile(r"\s*[由从]\s*\d")


def _continues(clause: str) -> bool:
    """Whether a clause opens with an adverb (建立了社会保障基金，已积累资金1242亿元), a verb of
    amount (达到, 累计) or the level it rose from (由5160元增加到7703元): its subject is the clause
    before it (not 推动机场三期: a subject of its own)."""
    clause = LEAD_TIME_RE.sub("", clause.strip())  # 去年达到54641万吨: the time is not a subject
    words = tag(clause)
    return bool(words) and (words[0][1][:1] == "d" or bool(AMOUNT_VERB_RE.match(clause))
                            or bool(CHANGE_LEAD_RE.match(clause)) or bool(TOTAL_LEAD_RE.match(clause))
                            or bool(FROM_LEAD_RE.match(clause)) or bool(RESPECTIVE_LEAD_RE.match(clause)))


# a clause giving the figures of the things the clause before lists (…养老金、城镇低保标准…再次提高，月人均
# 分别提高221元、90元…)
RESPECTIVE_LEAD_RE = re.compile(r"\s*(?:[月年]|每[月年人])?(?:人均)?分别")


# a clause giving only the change of what the clause before names (国内生产总值5578亿元，增长8.7%)
CHANGE_LEAD_RE = re.compile(r"\s*(?:人均|平均|年均)?(?:每[年月人])?(?:分别|同比|比上年|比去年|较上年)?\s*(?:增长|下降|提高|降低|上升|减少|增加|回落)了?\s*[\d.]")


@lru_cache(maxsize=2048)
def _norm_clauses(text: str) -> tuple[str, ...]:
    """The normalised clauses of a passage, remembered: its windows share them."""
    return tuple(normalize(c) for c in clauses(text))


COUNTRY_NAMES = frozenset(("中国", "中华", "全国", "我国"))  # the country: in names (中国古动物馆), never a sub-place


@lru_cache(maxsize=1024)
def _places(text: str) -> tuple[str, ...]:
    """Place names a (Chinese) question names besides its report's own, which routing strips."""
    return tuple(w for w, flag in tag(normalize(text))
                 if flag == "ns" and len(w) >= 2 and w not in COUNTRY_NAMES and _proper(w, flag))


# what is counted in money when its level is asked (收入/支出/投资是多少: so many 元, not 增长6%)
MONEY_HEAD_RE = re.compile(r"(?:收入|支出|投资额?[是有达]|资金|经费|产值|总值|增加值|零售总额|营业额|销售额|税收|存款|贷款"
                           r"|生产总值|gdp|工资|养老金|\bvalue\b(?![- ]added)|\binvestment\b)(?![比倍率占])", re.I)  # 收入比: a ratio; 补贴多少 may be a share
UNIT_WORD_RE = re.compile(r"^[十百千万亿]*(?:元|美元|个|家|项|人|次|件|名|位|户)$")  # money and bare counters: in every clause
# a rate of change (增长5.5%, 分别增长21.2%、39.5%; not 扩大到60%: a level) and a change in points
# the upper end of a range (年均增长率要达到8—9%)
_RANGE_END = r"(?:\s*[—–\-－~～]\s*\d[\d.]*)?"
GROWTH_RE = re.compile(r"(?:(?:增长|增速|增幅|下降|提高|上涨|涨幅|降低|减少|回升|扩大|提升)[^，；。\d到至]{0,6}\s*"
                       # 经济增长速度的调控目标定为8%: the goal named between the rise and its rate
                       r"|(?:增长|增速|增幅|涨幅)[^，；。\d到至]{0,8}目标[，,]?[^，；。\d到至]{0,4}"
                       # 增长速度由原定平均每年6%调高到8%至9%: the rate named, then how it was set
                       r"|增长速度[^，；。\d到至]{0,10})\d[\d.]*" + _RANGE_END + r"\s*[%％]"
                       r"(?:[、和]\s*\d[\d.]*\s*[%％])*")
# an amount of change (最高额度增加4000元): not the level (提高到1190元 is one)
_CHANGE_AMOUNT = r"\d[\d.]*\s*[十百千万亿]*(?:元|人次|人|个|家|吨|亩|户|项|件|所|座|公里)?"
# (分别增加1753万和2028万: both figures are changes)
CHANGE_FIGURE_RE = re.compile(r"(?:增加|提高|减少|降低|下降|上涨|上调|下调|增长|扩大|压减)\s*" + _CHANGE_AMOUNT
                              + r"(?:\s*[和、及]\s*" + _CHANGE_AMOUNT + ")*")
POINTS_RE = re.compile(r"\d[\d.]*\s*个百分点")
# a figure by which this year differs from another (比去年多100万人, 比上年增加2000亿元): not the level
COMPARISON_RE = re.compile(r"比(?:去年|上年|前年|上一年|(?:19|20)\d\d年[底末]?)(?:多|少|增加|减少|提高|降低|增长|下降|扩大|压减)了?"
                           r"\s*\d[\d.]*\s*[十百千万亿]*(?:元|人次|人|个|家|吨|亩|户|项|件|所|座|公里|[%％]|个百分点)?")


@lru_cache(maxsize=1024)
def _focus(text: str, english: bool, missing: tuple[str, ...]) -> list[str]:
    """Words that name what a figure question is about: its own and its thesaurus terms, less its
    frame (目标, 多少), money units and bare counters; worked out once per question."""
    # a thesaurus phrase inside a more specific word the report never uses (工资 of 最低工资) does
    # not bring its report terms (收入): the report's income figure is not a minimum wage
    loose = {phrase for phrase, _ in matched_phrases(text) if any(phrase in m and phrase != m for m in missing)}
    terms = [t for phrase, words in matched_phrases(text) if phrase not in loose for t in words.split()]
    own = tokenize(text)
    if english:  # English words are not in the text; only their report terms (细颗粒物, pm2.5) and
        # acronyms reports also write (CPI涨幅2%左右) can be
        acronyms = {a.lower() for a in re.findall(r"\b[A-Z][A-Z0-9.]*[A-Z0-9]\b", text)}
        own = [t for t in own if not t.isascii() or t in acronyms]
    focus = [t for t in own + [w for e in terms for w in tokenize(e)]
             if (t not in FRAME_WORDS or t == "总量") and t not in GENERIC_NOUNS and not t.isdigit()]
    focus = [t for t in focus if not UNIT_WORD_RE.match(t)] or focus  # 亿元, 个: the unit, not the subject
    # 总额, 总数: what any amount is; 规上工业增加值总额 is about 规上工业增加值, not 社零总额
    focus = [t for t in focus if t not in AMOUNT_NOUNS] or focus
    # (a specific unit asked, 多少公里, stays: 新（改）建6000公里 answers 农村公路要新建改建多少公里)
    return focus


# not 总量 (a frame word elsewhere: GDP总量 asks GDP's amount), which names the figure's clause:
# …增长6.0%，总量达到4773.3亿元
AMOUNT_NOUNS = frozenset(("总额", "总数", "数量", "金额"))
# a share of something (占地区生产总值比重提高到25.5%): the figure is the share, not the thing's amount
SHARE_FIGURE_RE = re.compile(r"(?:比重|占比|比例|份额)[^，。；、\d]{0,6}\d[\d.]*\s*(?:[%％]|个百分点)")
SHARE_RE = re.compile(r"占|比例|比重|份额|强度|百分之|多大比|share|proportion|percent|ratio", re.I)
# a benefit paid to each person (育儿补贴每个孩子发多少, 养老金每月领多少): an amount in 元
BENEFIT_RE = re.compile(r"(?=.*(?:补贴|补助|津贴|养老金|工资|低保|救助金|奖金|抚恤金))(?=.*(?:[发领拿]多少|每[个人月年位名]|一个月|一年))")
# an output asked (粮食产了多少, 产量有多少) ...
OUTPUT_ASKED_RE = re.compile(r"产了?多少|产量[^，。？?]{0,6}(?:多少|几)")
# ... is not an area (7182.7万亩, 1169万亩)
AREA_FIGURE_RE = re.compile(r"\d[\d.]*\s*[十百千万亿]*(?:亩|公顷|平方米|平方公里)")
PER_HEAD_RE = re.compile(r"人均|每人|每个人|per capita|per person|per head", re.I)
BILLIONS_RE = re.compile(r"\d[\d.]*\s*万?亿")
AGE_RE = re.compile(r"多大年[龄纪]|多少岁|几岁|how old|what age", re.I)
AREA_ASKED_RE = re.compile(r"面积[^，。？?,]{0,6}?(?:多大|多少|几)|(?:多大|多少)面积|占地多[大少]|how (?:large|big) (?:an? )?area"
                           r"|what area|floor space", re.I)
AREA_SAID_RE = re.compile(r"平方米|平方公里|平方千米|平米|亩|公顷|㎡")
YEAR_RE = re.compile(r"(?<![\d.])(?:19|20)\d\d(?:\s*年(?!\d)|(?=[，。、；：,.;:\s）)]|$))")  # 2025年, 回望2022，


# an item's number at the start of a line or clause (6、新农合：…, （3）, 1.实用性规划): no amount
ORDINAL_RE = re.compile(r"^\s*(?:[（(]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[、.．](?!\d))")


# digits inside a name: 5G, 3D, PM2.5, C919, G20, 5A级 (景区)
NAMED_DIGITS_RE = re.compile(r"[A-Za-z]+\d+(?:\.\d+)?[A-Za-z]*|\d+[GD](?![A-Za-z])|\d+A(?=级)")


# a quoted shorthand name whose count is part of the name (“两项补贴”, “三个一批”, “十四五”)
QUOTED_NAME_RE = re.compile(r"[“「『][^”」』\d]{1,10}[”」』]")


# an ordinal: the sixth census (第六次人口普查), the third expo (第三届进博会) is no amount of anything
ORDINAL_SAID_RE = re.compile(r"第\s*[一二三四五六七八九十百千\d]+\s*[次届批期轮个]")
ORDINAL_ASKED_RE = re.compile(r"第几|which (?:session|round|edition)", re.I)


# a figure (not a year) in a question or a window
GIVEN_FIGURE_RE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])(?!\s*年)[十百千万亿]*")
_PREMISE_SPLIT_RE = re.compile(r"[，,；;。]")


def given_figures(question: str) -> tuple[str, ...]:
    """The figures a question states in a clause that asks nothing before the one that asks
    (去年城镇新增就业6790人，那农村牧区劳动力转移就业有多少人): the asker has them already."""
    pieces = [c for c in _PREMISE_SPLIT_RE.split(normalize(question)) if c.strip()]
    if len(pieces) < 2 or not QUESTION_WORD_RE.search(pieces[-1]):
        return ()
    return tuple(n for c in pieces[:-1] if not QUESTION_WORD_RE.search(c) and not c.rstrip().endswith(("吗", "呢"))
                 for n in GIVEN_FIGURE_RE.findall(c))


@lru_cache(maxsize=65536)  # the same clauses are read again in every window holding them
def has_figure(text: str, ordinal: bool = False, sized: bool = False) -> bool:
    """Whether ``text`` holds an amount: a number or a counted word (三个), a year (2025年), an
    item's number (6、), a name's digits (5G, PM2.5), a quoted name's count (“两项补贴”) and, unless
    ``ordinal`` (第几届 asked), an ordinal (第六次) not counting; the size of a kind (超千亿元县) only
    when ``sized`` (which county passed 100 billion yuan asked)."""
    if sized and SIZE_KIND_RE.search(text):
        return True
    text = QUOTED_NAME_RE.sub(" ", text if ordinal else ORDINAL_SAID_RE.sub(" ", text))
    return bool(NUMBER_RE.search(NAMED_DIGITS_RE.sub(" ", YEAR_RE.sub(" ", ORDINAL_RE.sub(" ", text)))))


def _frame_overlap(word: str, question: str) -> bool:
    """Whether jieba cut ``word`` across a frame word of the question (一共产了多少 → 一/共产/了: 共产
    overlaps 一共): a mis-cut, not a thing the report never names."""
    i = question.find(word)
    if i < 0:
        return False
    for frame in FRAME_WORDS | WHOLE_WORDS:
        j = question.find(frame, max(0, i - len(frame) + 1))
        if 0 <= j < i + len(word) and j + len(frame) > i and not (j >= i and j + len(frame) <= i + len(word)):
            return True
    return False


def _modal_verb(word: str) -> bool:
    """能领, 会发, 可补: a modal and a verb that jieba's dictionary took for a noun (低保一个月能领多少钱)."""
    return len(word) == 2 and word[0] in "能会可要想该" and _is_verb(word[1])


def _is_verb(word: str) -> bool:
    """改, 新建: what was done last year is not what the next part asks about."""
    tagged = tag(word)
    return len(tagged) == 1 and tagged[0][1].startswith("v")


@lru_cache(maxsize=2048)
def _nouns(text: str) -> tuple[str, ...]:
    """The nouns (two characters or more) jieba finds in a normalised text, remembered: a passage's
    are cut once for all its windows, and a window restates the question when it holds none the
    question lacks."""
    return tuple(dict.fromkeys(w for w, flag in tag(text) if len(w) >= 2 and flag[:1] in ("n", "j")))


def restates(window: str, question: str) -> bool:
    """The window names nothing the (normalised) question does not: 继续办好10件惠民实事 for
    "10件惠民实事是哪10件" repeats the term instead of saying what it holds."""
    return not any(w not in question for w in _nouns(normalize(window)))


# a goal set or recalled, not reached (要把…控制在10%以内, 没有实现年初确定的…降低4%左右的目标)
# (控制在3.3% in a review is what happened; 控制在10%以内 a ceiling set)
GOAL_STATED_RE = re.compile(r"控制在[^，。；]{0,12}(?:以内|左右|以下|之内)|力争|预期|目标|要把|计划|争取|确定的|提出")
REACHED_RE = re.compile(r"完成|实现|达到|超过|突破|超额")
NOT_REACHED_RE = re.compile(r"(?:没有|没|未能?|尚未)(?:完成|实现|达到)")


def states_goal(window: str) -> bool:
    """The window sets or recalls a goal without saying it was reached: its figure is the goal."""
    return bool(GOAL_STATED_RE.search(window)) and not REACHED_RE.search(NOT_REACHED_RE.sub("", window))


def choice_has_time(query: Query, text: str) -> bool:
    """A date or time (年底, 5月, 暑期); a bare year only when the question asks which year; a
    duration (三年左右时间, 4小时) when it asks how long."""
    asks_year = bool(ASKS_YEAR_RE.search(query.text))
    return bool(TIME_RE.search(text if asks_year else YEAR_RE.sub(" ", text))) or bool(YEAR_SET_RE.search(text)) or \
        bool(DURATION_ASKED_RE.search(query.text) and DURATION_RE.search(text)) or \
        bool(FREQUENCY_ASKED_RE.search(query.text) and FREQUENCY_RE.search(text))


# a change a window gives besides a rate (增长5.5%, 提高2个百分点): an amount of change, a comparison,
# a level reached from another (从6333公里增加到7809公里), a multiple
CHANGE_SAID_RE = re.compile(CHANGE_FIGURE_RE.pattern + "|" + COMPARISON_RE.pattern + "|" + LEVEL_REACHED_RE.pattern
                            + r"|翻[一两二三]?番|\d[\d.]*\s*倍|[增下]\s*\d|(?:增长|增速|增幅|涨幅|上涨)率?[^，；。\d]{0,6}\d[\d.]*" + _RANGE_END + r"\s*[%％]"
                            # a rate named, then the level set for it clauses on (物价上涨幅度比去年有明显回落，力争
                            # 控制在15%左右)
                            r"|(?:增速|增幅|涨幅|增长率|增长速度|上涨幅度)[^。；\d]{0,24}?(?:控制在|保持在|降到|回落到)\s*\d[\d.]*\s*[%％]")


# below this share of the question's weight a window covers nothing but its frame words when the
# question's subject is missing from the report (:func:`_unsupported`)
SUBJECT_GONE = 0.1

# a rise asked (增长了多少, 涨了多少, growth) or a fall (下降了多少, 单位GDP能耗要降低多少: 比“十五”末降低20%左右)
# needs a change in the window; a reduction asked (减了多少) is answered by its amount (降低企业税负5700多亿元)
RISE_ASKED_RE = re.compile(r"涨了?多少|增长了?多少|增长几|增速|增幅|涨幅|降低了?多少|下降了?多少|\bgrowth\b|\bgrew\b", re.I)


def _unsupported(query: Query, choice: Choice, model: Model, missing: list[str] = (),
                 similarity: Similarity | None = None) -> str:
    """Why ``choice`` does not answer ``query`` (empty when it does). ``similarity``: the embedding
    cosine of two texts, for the answer model's decider (worked out only when it is needed)."""
    roles = asked_roles(query)
    if roles and not names_holder(choice.text, roles):
        return f"no one named as {'/'.join(roles)}"
    if choice.features.get("unit_miss") or not unit_ok(query, choice.text, missing):
        return "no figure of the asked kind"
    if ((DEFINITION_RE.search(query.text) or LIST_RE.search(query.text)) and not choice.features.get("definition")
            and restates(choice.text, normalize(query.text))):
        # (a definition, or the items spelling out a numbered term, 需求收缩、供给冲击、预期转弱三重压力,
        # say what it is even in the question's words)
        return "only names what is asked about"
    if DATE_RE.search(query.text) and not choice_has_time(query, choice.text):
        return "no date or time given"
    if query.explicit and choice.features.get("year_clash"):
        # 2007年的目标 asked; the window names 2006年 and its passage speaks of other years: the
        # report does not give that year's figure
        own = own_years(choice.text)
        if own and not own & set(query.explicit):
            return "about another year"
    if _other_years(choice.features):
        return "about several years"
    if (RISE_ASKED_RE.search(query.text) and choice.features.get("change_ok") == 0.0
            and not CHANGE_SAID_RE.search(choice.text)):
        return "no change given"  # 增长了多少 asked; the window gives only a level (突破150万人次)
    if choice.features.get("past_for_goal") and choice.features.get("year_clash"):
        return "last year's result, not this year's goal"  # 今年社零预期增长多少 → 去年增长15%
    if choice.features.get("plan_for_past") and choice.features.get("year_clash"):
        return "this year's plan, not last year's result"  # 去年建了多少套 → 今年建设1.27万套
    if choice.features.get("place_miss"):
        return "about another place"  # 天津今年新增就业目标 asked of 河北省's report: its figure is 河北's
    if choice.features.get("sibling") or choice.features.get("unqualified"):
        # 农村 asked, only 城镇's figure there (or neither side named): over the 50 reports' question
        # sets such a chosen window answered 1 of 82 times; the decider's weights, fitted across
        # many inputs, let too many through
        return "the figure is the other side's"
    if missing and min(choice.features.get("coverage", 1.0), choice.features.get("core_coverage", 1.0)) < SUBJECT_GONE:
        # the question's subject is a word the report never uses (房价, 公积金) and the window holds
        # next to nothing else it asks: a window about something else
        return "the report does not speak of what is asked"
    cosine = (lambda: similarity(query.search_text, choice.text)) if similarity is not None else None
    if not model.answers(choice.features, choice.score, choice.margin, cosine):
        return "weak match"
    return ""


def as_read(p: Passage) -> Passage:
    """``p`` as the answer step reads it: full-width figures folded and spelled-out percentages in
    digits (:func:`qa.text.read_figures`), so ２００２年的１０．２万亿元 is a year and an amount. Same
    length: a window's place in it is its place in the report's text, where :func:`compose` takes the
    quote from."""
    text, section, index_text = read_figures(p.text), read_figures(p.section), read_figures(p.index_text)
    if text is p.text and section is p.section and index_text is p.index_text:
        return p
    return replace(p, text=text, section=section, index_text=index_text)


def _quote(piece: str, read: Passage, original: Passage) -> str:
    """``piece``, found in the folded ``read`` passage, in the report's own characters."""
    if read is original:
        return piece
    at = read.text.find(piece)
    return original.text[at:at + len(piece)] if at >= 0 else piece


def _joined(pieces: list[str], cited: list[int], choice: Choice, passages: list[Passage]) -> bool:
    """Join ``choice`` to a piece already quoted from the same passage when the two overlap or touch
    (the two parts of 去年GDP和投资各多少 quoted from one sentence): one span instead of the same
    words twice. True when joined (``pieces`` changed in place)."""
    text = passages[choice.hit_index].text
    b = text.find(choice.text)
    if b < 0:
        return False
    for j, (piece, hit) in enumerate(zip(pieces, cited)):
        a = text.find(piece) if hit == choice.hit_index else -1
        if a >= 0 and max(a, b) <= min(a + len(piece), b + len(choice.text)):
            pieces[j] = text[min(a, b):max(a + len(piece), b + len(choice.text))]
            return True
    return False


# a part of a question that goes on about what the part before named (他负责什么, 它在哪)
PRONOUN_LEAD_RE = re.compile(r"\s*(?:那么?|那|and\s+)?(?:他们|她们|它们|他|她|它|其|此人|这个人|该人|\b(?:he|she|it|they)\b)", re.I)


def compose(query: Query, passages: list[Passage], idf: dict[str, float], norm_corpus: str,
            signals: list[tuple[float, float]] | None = None, model: Model | None = None,
            doc_years: dict[str, int] | None = None, first: int = 1,
            pool: list[Candidate] | None = None, similarity: Similarity | None = None) -> Composed:
    """Answer ``query`` from the ranked ``passages``, citing by position, or decline.

    ``signals``: (dense, BM25[, retrieval rank]) of each passage, features of the answer model;
    ``doc_years``: the year each document plans; ``pool``: the candidates :func:`rerank` worked
    out for these passages (a single-part question then chooses among them); ``similarity``: the
    embedding cosine of the question and a window, which the decider reads (without it the
    answer model's score is held against its threshold)."""
    model = model or shipped()
    decline = DECLINE_EN if query.english else DECLINE_ZH
    if not passages:
        return Composed(decline, True, reason="nothing retrieved")
    parts = sub_queries(query)
    original, passages = passages, [as_read(p) for p in passages]
    pieces, cited, confidence, declined = [], [], 1.0, None
    unknown = False  # an earlier part named someone or something the report never mentions
    for sub in parts:
        sub = replace(sub, search_text=sub.text, parts=[sub.text])
        hard, soft = missing_terms(sub, norm_corpus)
        if hard or (unknown and PRONOUN_LEAD_RE.match(sub.text)):
            # a name or year the report never mentions: this part cannot be answered, nor a part
            # that goes on about it (钱其琛被提到了吗？他负责什么工作？)
            unknown = True
            declined = declined or Composed(decline, True, reason=f"not in the report: {'、'.join(hard)}")
            continue
        # a part of a compound question has its passages interleaved with the other parts': it
        # looks as deep into the ranking as it would alone
        choice = choose(sub, passages, idf, soft, top_n=5 * len(parts), taken=tuple(pieces), signals=signals,
                        model=model, pool=pool if len(parts) == 1 else None,
                        doc_years=doc_years)
        if choice is None:
            continue
        confidence = min(confidence, choice.coverage)
        reason = _unsupported(sub, choice, model, soft, similarity)
        if reason:  # this part is declined; the other parts of a compound question may still stand
            declined = declined or Composed(decline, True, reason=reason, confidence=choice.coverage)
            continue
        if choice.text not in pieces and not _joined(pieces, cited, choice, passages):
            pieces.append(choice.text)
            cited.append(choice.hit_index)
    if not pieces:
        return declined or Composed(decline, True, reason="no answering sentence")
    pieces = [_quote(p, passages[i], original[i]) for p, i in zip(pieces, cited)]
    text = "；".join(f"{p}[{i + first}]" for p, i in zip(pieces, cited))
    if query.english:
        text = f"{ENGLISH_LEAD}{text}"
    return Composed(text, False, cited=cited, confidence=confidence)
