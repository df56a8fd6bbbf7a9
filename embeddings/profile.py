"""What one report is, read from its own text: the document profile.

Every fact retrieval, answers, routing and the UI need about a report is computed here once,
at indexing, and stored with the index: the issuing body and its place and level, the delivery
date and session, the speaker, the year it reviews (去年) and the year it plans (今年), its
outline with each part's temporal role, and its glossary terms. Nothing here knows any one
report: the patterns are those every 政府工作报告 shares (``——2025年1月4日在X第N届人民代表大会…``,
``我代表X人民政府``, ``X省省长 某某``, ``一、2024年工作回顾``, ``二、2025年工作安排``,
``“十五五”时期主要目标任务``, ``名词解释``).

Temporal roles of a part of the report:
``review`` (the reviewed year), ``plan`` (the planned year), ``review_multi`` (past five
years, “十四五” results), ``outlook`` (the next five years, “十五五”), ``government`` (the
government's own conduct, planned year), ``glossary``, ``front`` (title, delivery line).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

from embeddings.cleaning import fold_width
from embeddings.structure import Block

_WS = r"\s*"
YEAR = r"(?:19|20)\d\d"  # a year of the 1990s on (国务院 1999 is a report too)
CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
_CN_YEAR_RE = re.compile(r"((?:二[〇零○ＯO]|一九)[一二三四五六七八九〇零○ＯO]{2})年")  # Ｏ folds to O
_DATE_RE = re.compile(rf"({YEAR}){_WS}年{_WS}(\d{{1,2}}){_WS}月{_WS}(\d{{1,2}}){_WS}日")
_DELIVERY_RE = re.compile(rf"({YEAR}){_WS}年{_WS}(\d{{1,2}}){_WS}月{_WS}(\d{{1,2}}){_WS}日{_WS}在"
                          r"([\s\S]{0,40}?)人民代表大会")
_SESSION_LINE_RE = re.compile(r"在([^\n在]{2,40}?)人民代表大会([^上\n]{0,12})上")
_SESSION_PLACE_RE = re.compile(r"^(?:第)?(.{0,30}?)(?:第)?[一二三四五六七八九十百]+届")
_BODY_RE = re.compile(r"我代表\s*([\u4e00-\u9fff]{0,20}?(?:人民政府|国务院))")
OFFICES = ("总理", "自治区主席", "自治州州长", "省长", "市长", "区长", "县长", "州长", "旗长", "盟长", "主席")
# a person's name: two to five characters, or a transcribed one in parts joined by · (艾尔肯·吐尼亚孜)
_PERSON = r"[\u4e00-\u9fff]{2,5}|[\u4e00-\u9fff]{1,8}(?:[·•][\u4e00-\u9fff]{1,8}){1,3}"
_SPEAKER_RE = re.compile(r"^(?:(?P<place>[\u4e00-\u9fff]{0,24}?)(?:人民政府)?)?(?P<office>代理?(?:%s)|(?:%s))\s*"
                         r"(?P<name>%s)$" % ("|".join(OFFICES), "|".join(OFFICES), _PERSON))
_NAME_ONLY_RE = re.compile(r"^(?:%s)$" % _PERSON)
_TITLE_RE = re.compile(r"(?:标题[:：])?\s*(.{0,40}?工作报告[^\n]{0,12})")
_LINK_RE = re.compile(r"^[（(].*[）)]$|点击|查阅|更多|相关(?:链接|阅读|报道)|延伸阅读")
LEVEL_SUFFIXES = (("自治区", "province"), ("省", "province"), ("自治州", "prefecture"), ("盟", "prefecture"),
                  ("区", "district"), ("县", "county"), ("旗", "county"), ("市", "city"))
MULTI_YEAR_WORDS = ("过去五年", "五年来")
OUTLOOK_WORDS = ("今后五年", "未来五年", "今后一个时期", "今后十五年", "今后十年", "远景目标")
# the plan periods a report's parts name when its years are unknown (see :func:`period_words`)
UNDATED_PAST = ("十四五", "十三五", "十二五")
UNDATED_AHEAD = ("十五五", "十六五")
REVIEW_WORDS = ("回顾", "过去一年", "一年来", "主要工作", "主要成绩", "发展成就", "工作总结")
PLAN_WORDS = ("工作安排", "目标任务", "主要任务", "重点任务", "重点工作", "总体要求", "预期目标", "主要目标", "总体思路",
              "工作目标", "总体部署", "主要考虑")
GOVERNMENT_WORDS = ("自身建设", "服务型政府")


@dataclass
class Profile:
    """The facts of one report (see the module docstring); plain data, stored in the index."""

    title: str = ""
    body: str = ""  # 四川省人民政府, 国务院
    place: str = ""  # 四川省, 保定市徐水区, 全国
    level: str = ""  # national | province | prefecture | city | district | county
    aliases: list[str] = field(default_factory=list)  # names a question may use for the place
    date: str = ""  # delivery date, ISO
    session: str = ""  # 四川省第十四届人民代表大会第五次会议
    speaker: str = ""  # 省长 施小琳
    year: int | None = None  # the year it plans (今年)
    reviewed_year: int | None = None  # the year it reviews (去年)
    outline: list[dict] = field(default_factory=list)  # {"title", "role", "years"} of each heading
    glossary: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in ("", None, [])}


def cn_year(text: str) -> int | None:
    """``二〇二四`` → 2024."""
    try:
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    except KeyError:
        return None


def years_named(text: str) -> list[int]:
    """Years a heading or sentence names, in Arabic (2024年, ２０２４年) or Chinese numerals (二〇二四年)."""
    text = fold_width(text)  # ——２０１０年３月５日在…, 一、２００９年工作回顾
    found = [int(y) for y in re.findall(rf"(?<!\d)({YEAR})\s*年", text)]
    found += [y for y in (cn_year(m) for m in _CN_YEAR_RE.findall(text)) if y]
    return found


_CN_DATE_RE = re.compile(_CN_YEAR_RE.pattern + r"([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日")


def cn_number(text: str) -> int | None:
    """``二十七`` → 27, ``十二`` → 12, ``九`` → 9 (month and day numerals)."""
    if "十" not in text:
        return CN_DIGITS.get(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (CN_DIGITS.get(units, 0) if units else 0)


def arabic_dates(text: str) -> str:
    """``二〇二六年一月二十七日`` → ``2026年1月27日``: dates written in Chinese numerals, as a
    newspaper prints the delivery line, read like Arabic ones."""
    def repl(m: re.Match) -> str:
        y, mo, d = cn_year(m.group(1)), cn_number(m.group(2)), cn_number(m.group(3))
        return f"{y}年{mo}月{d}日" if y and mo and d else m.group(0)
    return _CN_DATE_RE.sub(repl, text)


def delivery(front: str) -> tuple[str, str]:
    """(ISO date, session) from ``——2025年1月4日在溧阳市第十七届人民代表大会第四次会议上``
    (or the same date in Chinese numerals)."""
    front = arabic_dates(fold_width(front))
    dates = list(_DATE_RE.finditer(front[:600]))
    # a date alone in brackets (（2010年1月18日）, under the speaker) is the delivery's, even where a
    # web page's own date stands right above the session line
    bracketed = next((d for d in dates if re.match(r"\s*[）)]", front[d.end():])
                      and re.search(r"[（(]\s*$", front[:d.start()])), None)
    m = _DELIVERY_RE.search(front)
    if m:
        y, mo, d = (int(g) for g in (bracketed.groups() if bracketed else m.groups()[:3]))
        tail = front[m.end():m.end() + 20]
        session = re.sub(r"\s+", "", m.group(4)) + "人民代表大会" + (re.match(r"[^上\n]{0,12}", tail).group(0))
        return f"{y:04d}-{mo:02d}-{d:02d}", session
    # the date and the session on lines of their own (——在河北省第十一届人民代表大会第三次会议上 /
    # （2010年1月18日）)
    s = _SESSION_LINE_RE.search(front)
    session = (re.sub(r"\s+", "", s.group(1)) + "人民代表大会" + s.group(2)) if s else ""
    if dates:
        # or a date with the speaker's bare name after it (2006年2月16日 季允石), below a web page's own date
        signed = next((d for d in dates if re.match(r"[ \t\u3000]*[\u4e00-\u9fff]{2,4}[ \t\u3000]*(?:\n|$)", front[d.end():])), None)
        y, mo, d = (int(g) for g in (bracketed or signed or dates[0]).groups())
        return f"{y:04d}-{mo:02d}-{d:02d}", session
    return "", session


def planned_year(date: str, text: str) -> int | None:
    """The year a report delivered on ``date`` plans for (a December delivery plans the next year)."""
    if not date:
        return None
    year, month = int(date[:4]), int(date[5:7])
    if month == 12 and re.search(rf"{year + 1}\s*年", text[:20000]):
        return year + 1
    return year


def place_of(session: str, body: str, speaker_place: str, title: str) -> str:
    """The place a report speaks for, from the session, the body, the speaker line or the title."""
    if "全国" in session or body == "国务院":
        return "全国"
    m = _SESSION_PLACE_RE.match(session)
    if m and m.group(1) and len(m.group(1)) >= 2:
        return m.group(1)
    for candidate in (body[:-4] if body.endswith("人民政府") else "", speaker_place):
        if len(candidate) >= 2 and candidate not in ("省", "市", "县", "区", "自治区", "本市", "本县", "本区"):
            return candidate
    m = re.search(rf"(?:{YEAR}年)?([\u4e00-\u9fff]{{2,20}}?)(?:{YEAR}年)?(?:人民)?政府工作报告", title)
    return m.group(1) if m and not m.group(1).endswith("年") else ""


def level_of(place: str) -> str:
    """national, province, prefecture, city, district or county, by the place's own suffix."""
    if place == "全国":
        return "national"
    for suffix, level in LEVEL_SUFFIXES:
        if place.endswith(suffix):
            return level
    return ""


def aliases_of(place: str) -> list[str]:
    """Names a question may use: 保定市徐水区 → 保定市徐水区, 徐水区, 徐水; 四川省 → 四川省, 四川."""
    if not place:
        return []
    if place == "全国":
        return ["全国", "国务院", "我国", "咱们国家", "我们国家", "咱国家", "china", "state council", "national",
                "nationwide"]
    names = [place]
    parts = re.findall(r".+?(?:自治区|自治州|自治县|省|市|区|县|旗|盟|州)", place)
    own = parts[-1] if len(parts) > 1 else place  # 保定市徐水区 → 徐水区
    names.append(own)
    for suffix, _ in LEVEL_SUFFIXES + (("自治县", ""), ("州", "")):
        if own.endswith(suffix) and len(own) - len(suffix) >= 2:
            short = own[:-len(suffix)]  # 徐水, 四川
            if suffix.startswith("自治"):  # 宁夏回族自治区 → 宁夏, 新疆维吾尔自治区 → 新疆: the people named go too
                m = re.match(r"^(.{2,}?)(?:(?:[\u4e00-\u9fff]{1,3}族)+|维吾尔)$", short)
                short = m.group(1) if m else short
            names.append(short)
            break
    names += [pinyin(n) for n in names if pinyin(n)]  # 清苑 → qingyuan, for questions in English
    return list(dict.fromkeys(names))


def pinyin(name: str) -> str:
    """``清苑`` → ``qingyuan``, ``贵州`` → ``guizhou`` (toneless, lower case); '' for a name with a level
    suffix (保定市, not 贵州 or 广州: two characters are the name itself) or non-Chinese."""
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,6}", name) or (len(name) > 2 and name[-1] in "省市区县旗州盟"):
        return ""
    from pypinyin import lazy_pinyin
    return "".join(lazy_pinyin(name))


def speaker_of(front_lines: list[str]) -> tuple[str, str]:
    """(``省长 施小琳``, place named in that line) from the front matter's speaker line."""
    # 县长??杨曙光, 国务院总理?李克强: blanks an encoding lost (Chinese asks with ？, never between two characters)
    front_lines = [re.sub(r"\s+|\?{2,}|(?<=[\u4e00-\u9fff])\?(?=[\u4e00-\u9fff])", "", line) for line in front_lines]
    for line in front_lines:
        # the speaker on a line of its own, or at the end of the delivery line when a web copy ran the
        # title, date, session and speaker together (…第二次会议上国务院总理李强)
        m = _SPEAKER_RE.match(line) or next((_SPEAKER_RE.match(t) for t in re.findall(r"会议上(.+)$", line)), None)
        if m:
            return f"{m.group('office')} {m.group('name')}", m.group("place") or ""
    for i, line in enumerate(front_lines):  # a bare name right after the delivery line
        if _DELIVERY_RE.search(line) and i + 1 < len(front_lines) and _NAME_ONLY_RE.match(front_lines[i + 1]):
            return front_lines[i + 1], ""
    for line in front_lines:  # 2006年2月16日季允石: the date signed with a bare name; a page's 报告人：label
        m = re.match(rf"(?:{YEAR}年\d{{1,2}}月\d{{1,2}}日|报告人[:：])(.+)$", arabic_dates(fold_width(line)))
        if m and _NAME_ONLY_RE.match(m.group(1)):
            return m.group(1), ""
    for line in front_lines:  # 报告人：河北省人民政府省长 钮茂生 (a page's fields may run on: …钮茂生来源URL：…)
        label = re.search(r"报告人[:：]", line)
        rest = re.split(r"来源|发文|发布|标题|链接|URL|日期|时间|字号|[（(【\[|｜]", line[label.end():])[0] if label else ""
        said = _SPEAKER_RE.match(rest)
        if said:
            return f"{said.group('office')} {said.group('name')}", said.group("place") or ""
    return "", ""


# a news lead in a web copy: 3月5日，第十二届全国人民代表大会第五次会议在北京人民大会堂开幕。国务院总理李克强作政府工作报告。
_NEWS_OPENING_RE = re.compile(r"(\d{1,2})月(\d{1,2})日[，,]\s*([^，。]{0,30}?人民代表大会[^，。]{0,12}?会议)[^。]{0,30}?开幕")
_NEWS_SPEAKER_RE = re.compile(r"([\u4e00-\u9fff·•]{3,30}?)(?:代表[^，。]{0,12}|在[^，。]{0,30}?会议?上)?作(?:了)?(?:政府)?工作报告")
# or: 2月4日，市长闫继红在市十六届人大七次会议上作政府工作报告
_NEWS_DELIVERED_RE = re.compile(r"(\d{1,2})月(\d{1,2})日[，,]\s*[^，。]{0,20}?在([^，。]{0,30}?(?:人民代表大会|人大)[^，。]{0,12}?会议)上作(?:了)?政府工作报告")


def news_lead(text: str, year: int | None) -> tuple[str, str, str]:
    """(ISO date, session, speaker) from a news lead that a web copy carries in place of the
    report's own front matter; the date needs the report's ``year`` (the lead names no year)."""
    date = session = speaker = ""
    m = _NEWS_OPENING_RE.search(text) or _NEWS_DELIVERED_RE.search(text)
    if m and year:
        date, session = f"{year:04d}-{int(m.group(1)):02d}-{int(m.group(2)):02d}", m.group(3)
    for m in _NEWS_SPEAKER_RE.finditer(text):
        head = m.group(1)
        found = next((s for s in (_SPEAKER_RE.match(head[i:]) for i in range(len(head))) if s), None)
        if found:
            speaker = f"{found.group('office')} {found.group('name')}"
            break
    return date, session, speaker


def title_of(front_lines: list[str]) -> str:
    """The report's own title line (``2026年浙江省政府工作报告``), without a ``标题：`` label; a line
    naming the government's report wins over a page's bare section name (``工作报告``)."""
    found = []
    for line in front_lines[:12]:
        m = _TITLE_RE.fullmatch(line.strip())
        if m and _LINK_RE.search(line.strip()):
            continue  # （点击查阅更多2011年地方政府工作报告）: a link to other reports, not this one's title
        if m and "在" not in m.group(1):  # a page's headline lead (全文来了！…, 全文｜…) is not the title
            found.append(re.sub(r"\s+", "", re.split(r"[！!｜|】]", m.group(1))[-1]))
    return max(found, key=lambda t: ("政府" in t, re.search(YEAR, t) is not None, len(t)), default="")


def period_words(reviewed: int | None, planned: int | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words of the five years a report looks back on, words of those it looks ahead to), by its own
    years: a 2016 report reviews “十二五” and plans “十三五”, a 2026 one reviews “十四五” and plans “十五五”."""
    past = period_of(reviewed) if reviewed else ""
    multi = MULTI_YEAR_WORDS + ((f"{past}五",) if past else UNDATED_PAST)
    outlook = OUTLOOK_WORDS + (coming_period(planned) or UNDATED_AHEAD)
    return multi, tuple(w for w in outlook if w not in multi)


def role_of(title: str, reviewed: int | None, planned: int | None, previous: str = "") -> str:
    """The temporal role of a part from its title; a part that says nothing continues the plan."""
    years = set(years_named(title))
    multi_words, outlook_words = period_words(reviewed, planned)
    if any(w in title for w in ("名词解释", "注释", "名词注释")):
        return "glossary"
    if any(w in title for w in GOVERNMENT_WORDS):
        return "government"
    if "回顾" in title:  # “十四五”时期工作回顾 reviews five years; …和2025年工作回顾 mixes them (paragraphs tell)
        multi = any(w in title for w in multi_words) and reviewed not in years and "一年" not in title
        return "review_multi" if multi else "review"
    if reviewed in years and planned not in years:
        return "review"
    if planned in years and reviewed not in years:
        return "plan"
    if any(w in title for w in outlook_words):
        return "outlook"
    if any(w in title for w in multi_words):
        return "review_multi"
    if any(w in title for w in PLAN_WORDS) or "今年" in title:
        return "plan"
    if any(w in title for w in REVIEW_WORDS):
        return "review"
    return previous if previous in ("plan", "government", "outlook") else (previous or "")


def role_years(role: str, reviewed: int | None, planned: int | None) -> list[int]:
    """The years a passage of that role speaks about."""
    if role == "review" and reviewed:
        return [reviewed]
    if role in ("plan", "government") and planned:
        return [planned]
    if role == "review_multi" and reviewed:
        return list(range(reviewed - 4, reviewed + 1))
    if role == "outlook" and planned:
        return list(range(planned, planned + 5))
    return []


# a short aside before the time a paragraph opens with (特别需要指出的是，刚刚过去的2005年，…)
_ASIDE = r"(?:[^。！？，；：\d]{2,10}[，,])?"
_LEAD_ROLE = (("review_multi", re.compile(r"^(?:(?:回顾|在)?过去(?:的)?五年|五年来|经过五年|这五年|[^。！？，]{2,24}以来的五年)")),
              ("outlook", re.compile(r"^(?:今后五年|未来五年)")),
              ("review", re.compile(rf"^(?:在?过去的?一年|一年来|去年|{_ASIDE}刚刚过去的(?:一年|{YEAR}年))")),
              ("plan", re.compile(r"^(?:今年|新的一年)")))
_YEAR_LEAD_RE = re.compile(rf"^(?:首先|下面|在)?(?:报告|回顾)?({YEAR})年(?:是|，|,|以来|全年|我们|的?工作|的[^，,。；]{{1,8}}工作)")
_ADDRESS_RE = re.compile(r"^各位代表[！!，,、]?")


def lead_role(text: str, reviewed: int | None = None, planned: int | None = None) -> str:
    """The time a paragraph opens with (过去五年…, 一年来…, 各位代表！刚刚过去的2025年…, 2026年是…), or ""."""
    text = _ADDRESS_RE.sub("", fold_width(text).lstrip()).lstrip("—－-─━ \u3000")  # ——这五年，…: a dash leads it
    for role, pattern in _LEAD_ROLE:
        if pattern.match(text):
            return role
    past = period_of(reviewed) + "五" if reviewed and period_of(reviewed) else UNDATED_PAST[0]
    if re.match(rf"“?{past}”?(?:时期|期间|以来|这五年)", text):  # “十二五”时期… in a 2016 report
        return "review_multi"
    ahead = (coming_period(planned) or UNDATED_AHEAD)[0]
    if re.match(rf"“?{ahead}”?", text):  # “十三五”时期是… in a 2016 report looks ahead
        return "outlook"
    m = _YEAR_LEAD_RE.match(text)
    if m:  # 2025年是“十四五”收官之年 reviews; 2026年是“十五五”开局之年 plans
        year = int(m.group(1))
        if year == reviewed:  # …收官之年。过去五年，…: the paragraph sums up the five years
            second = re.split(r"[。！!]", text, maxsplit=1)[1:]
            return "review_multi" if second and _LEAD_ROLE[0][1].match(second[0].lstrip()) else "review"
        return "plan" if (year == planned or planned is None) else ""
    return ""


def paragraph_role(text: str, part_role: str, current: str = "", reviewed: int | None = None,
                   planned: int | None = None, lead: str | None = None) -> str:
    """The role of a paragraph inside a part that reviews: the time it opens with, else the time
    the last paragraph that named one opened (``current``), else the part's own.

    A part titled “十四五”时期和2025年工作回顾 runs 这五年… paragraphs and then 刚刚过去的2025年…
    ones: each paragraph belongs to the last time named before it."""
    role = lead_role(text, reviewed, planned) if lead is None else lead
    if part_role == "plan" and role in ("review", "review_multi") and not turns_to(text, "plan"):
        return role  # 九、努力做好1996年的工作 opens 过去的一年，…增长10.2%: that paragraph reviews
        # (一年来，我们…。新的一年，我们要…: it plans)
    if part_role not in ("review", "review_multi", "outlook"):
        return part_role
    if role == "plan":  # 今年… in a part that reviews speaks of the year it reviews into; in one that
        # looks five years ahead it is this year's work (2001年是…“十五”计划的第一年。…继续发行1500亿元国债)
        return "plan" if part_role == "outlook" else part_role
    return role or current or part_role


# the 8th plan (“八五”) ran 1991–1995, the 9th 1996–2000, the 10th (“十五”) 2001–2005, the 11th (“十一五”) 2006–2010, …
_PERIOD_NUMERALS = {6: "六", 7: "七", 8: "八", 9: "九", 10: "十", 11: "十一", 12: "十二", 13: "十三", 14: "十四", 15: "十五", 16: "十六", 17: "十七"}


def plan_period_names() -> dict[str, int]:
    """Each five-year plan's name and first year (“十四五” → 2021, “十五” → 2001), from the 9th on:
    the one table of plan periods, for reports here and for questions in ``qa``."""
    return {f"{cn}五": 2021 + 5 * (n - 14) for n, cn in _PERIOD_NUMERALS.items()}


def period_of(year: int) -> str:
    """The numeral of the five-year plan period a year falls in (2025 → 十四, 2015 → 十二), or ""."""
    return _PERIOD_NUMERALS.get(14 + (year - 2021) // 5, "")


def coming_period(planned: int | None) -> tuple[str, ...]:
    """How a report names the five-year plan period starting with or after its planned year
    (2026 → 十五五, 第十五个五年): the period a forward-looking part is about."""
    if not planned:
        return ()
    n = 14 + -(-(planned - 2021) // 5)  # 十四五 starts in 2021
    cn = _PERIOD_NUMERALS.get(n)
    return (f"{cn}五", f"第{cn}个五年") if cn else ()


def opening_role(paragraphs: list[str], reviewed: int | None, planned: int | None) -> str:
    """The time the first paragraphs of a part open with, for a part whose title names none
    (一、一年接着一年干，…: its 2025年是…收官之年 / 一年来… paragraphs say it reviews)."""
    for text in paragraphs[:3]:
        role = lead_role(text, reviewed, planned)
        if role:
            return role
    return ""


def assign_roles(blocks: list[Block], reviewed: int | None, planned: int | None) -> list[Block]:
    """The blocks with their temporal role and years, from their part's title, the time its first
    paragraphs open with when the title names none, and each paragraph's own opening."""
    openings: dict[str, list[str]] = {}
    for b in blocks:
        if b.kind not in ("front", "glossary", "heading"):
            openings.setdefault(b.part, []).append(b.text)
    coming = coming_period(planned)
    out: list[Block] = []
    part_roles: dict[str, str] = {}
    told: set[str] = set()  # parts among the plans whose first paragraphs look back
    previous, current, part = "", "", None
    for b in blocks:
        if b.kind in ("front", "glossary"):
            out.append(replace(b, role=b.kind, years=()))
            continue
        if b.part not in part_roles:
            own = role_of(b.part, reviewed, planned)
            opened = opening_role(openings.get(b.part, []), reviewed, planned)
            if not own or (own == "outlook" and opened == "plan"):  # …推动“十五五”开好局: 2026年是…开局之年
                own = opened
                if opened and previous in ("plan", "government"):
                    told.add(b.part)  # 八、进一步做好外交工作: 一年来…
            part_roles[b.part] = own or role_of(b.part, reviewed, planned, previous)
            previous = part_roles[b.part] or previous
            if previous == "review" and planned and planned in years_named(b.part):
                previous = "plan"  # 一、1998年工作回顾和1999年工作的总体要求: the parts after it plan
        if b.part != part:
            part, current = b.part, ""
        lead = ""
        if b.kind == "heading" and b.text == b.part:
            role = part_roles[b.part]
        elif not b.part:
            # the speech before its first heading (首先报告2001年的工作。… 2002年是…): each paragraph's
            # own time, else the last one named; the first part takes the time it ends with
            role = lead_role(b.text, reviewed, planned) or current
            current = previous = role
        else:
            lead = lead_role(b.text, reviewed, planned)
            role = paragraph_role(b.text, part_roles[b.part], current, reviewed, planned, lead)
            if lead == "plan" and ((planned and planned in years_named(b.part)) or b.part in told):
                role = "plan"  # …和1999年工作的总体要求, 八、进一步做好外交工作 (一年来…): its 今年… paragraphs plan
            if (part_roles[b.part] == "outlook" and role != "outlook" and not lead
                    and any(name in b.text[:80] for name in coming)):
                role = "outlook"  # 根据《…第十五个五年规划的建议》 after a 过去五年 paragraph: the look ahead begins
            if role != current and (lead or role == "outlook"):
                current = role  # a paragraph naming a time sets it for the next ones
        years = role_years(role, reviewed, planned)
        if role in ("plan", "government") and reviewed and reviews_later(b.text):
            years = years + [reviewed]  # 2011年，是…开局之年。过去一年，…国内生产总值增长10.3%
        head = turn_to_plan(b.text) if role == "plan" and lead in ("review", "review_multi") else 0
        out.append(replace(b, role=role, years=tuple(years), head_end=head,
                           head_role=lead if head else "", head_years=tuple(role_years(lead, reviewed, planned)) if head else ()))
    return out


def turn_to_plan(text: str) -> int:
    """Where a paragraph that opens on the past turns to plans (过去的一年，外交工作取得显著成就。…
    新的一年，…): the offset of that sentence, 0 when it does not turn."""
    lead = dict(_LEAD_ROLE)["plan"]
    at = 0
    for sentence in re.split(r"(?<=[。！!；;])", text):
        if at and lead.match(sentence.lstrip()):
            return at
        at += len(sentence)
    return 0


def reviews_later(text: str) -> bool:
    """A paragraph that turns to the year under review after its opening (…开局之年。过去一年，…):
    a later sentence opens as a paragraph reviewing the year would (:func:`lead_role`'s words)."""
    return turns_to(text, "review")


def turns_to(text: str, role: str) -> bool:
    """A later sentence of the paragraph opens as one of ``role`` would (一年来，…。新的一年，我们要…)."""
    lead = dict(_LEAD_ROLE)[role]
    return any(lead.match(s.lstrip()) for s in re.split(r"(?<=[。！!；;])", text)[1:])


def build(clean_text: str, blocks: list[Block], described: dict | None = None) -> tuple[Profile, list[Block]]:
    """The profile of a report from its clean text and blocks, and the blocks with their temporal
    roles; ``described`` (title/year/body from the loader and the user's sidecar file) wins where
    it is given."""
    described = described or {}
    front_lines = [line.strip() for b in blocks if b.kind == "front" for line in b.text.split("\n") if line.strip()]
    front = "\n".join(front_lines) or clean_text[:3000]
    date, session = delivery(front)
    m = _BODY_RE.search(clean_text[:6000])
    body = m.group(1) if m else ""
    speaker, speaker_place = speaker_of(front_lines)
    title = title_of(front_lines)
    place = place_of(session, body, speaker_place, title)
    if body in ("", "人民政府") or re.fullmatch(r"(?:省|市|县|区|自治区|自治州|旗)人民政府", body):
        body = "国务院" if place == "全国" else (place + "人民政府" if place else body)
    year = planned_year(date, clean_text)
    headings = [b for b in blocks if b.kind == "heading"]
    reviewed = None
    for h in headings:
        named = years_named(h.text)
        if named and any(w in h.text for w in REVIEW_WORDS):
            reviewed = min(named)
            break
    if year is None:  # no delivery date: the title's year (2026年保定市政府工作报告), else the plan's heading
        planned_named = years_named(title) or [int(y) for y in re.findall(rf"(?<!\d){YEAR}(?!\d)", title)][:1]
        planned_named = planned_named or [y for h in headings if any(w in h.text for w in PLAN_WORDS)
                                          for y in years_named(h.text)]
        year = planned_named[0] if planned_named else (reviewed + 1 if reviewed else None)
    year = described.get("year") or year
    if not (date and speaker):  # a web copy's news lead (…开幕。国务院总理李克强作政府工作报告)
        titled = years_named(title) or [int(y) for y in re.findall(YEAR, title)]  # 2017政府工作报告
        lead_date, lead_session, lead_speaker = news_lead(clean_text[:20000], year or (titled[0] if titled else None))
        if not date:
            date, session = lead_date, session or lead_session
        speaker = speaker or lead_speaker
    if reviewed is None or (year and reviewed != year - 1):  # 2026年主要工作 plans: it reviews nothing
        reviewed = year - 1 if year else None
    blocks = assign_roles(blocks, reviewed, year)
    outline = [{"title": b.text, "depth": len(b.path), "role": b.role, "years": list(b.years)}
               for b in blocks if b.kind == "heading"]
    glossary = [b.term for b in blocks if b.kind == "glossary" and b.term]
    return Profile(title=described.get("title") or title, body=described.get("body") or body, place=place,
                   level=level_of(place), aliases=aliases_of(place), date=date, session=session, speaker=speaker,
                   year=year, reviewed_year=reviewed, outline=outline, glossary=glossary), blocks
