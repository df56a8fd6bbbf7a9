"""Which reports a question is about, in an index that holds several.

Read from each document's profile (place aliases, level, the year it plans and the year it
reviews), never from file names:

- a place or body the question names (北京, 广东省, 清苑区, 国务院/全国, Qingyuan) selects that
  place's reports; of two places named where one contains the other (保定市 / 保定市清苑区) the
  more specific wins;
- a question naming no place but a kind of place (全省, 全区, 咱们区, 全国/我国, China) selects the reports
  whose place is of that kind (a ranking such as 全省第一 names no scope);
- an explicit year (2024年…) keeps the reports that review or plan that year;
- otherwise 去年/今年 mean the newest report of each place in view; the place's earlier reports are
  kept aside (``Route.earlier``) so an answer can also quote them, each read against its own years;
- a question over several years (这几年, 历年, 分别) or a year both planned by one report and
  reviewed by the next keeps every report of the place, answered report by report.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.text import normalize, straddles

ACROSS_YEARS_RE = re.compile(r"这几年|近几年|几年来|这些年|历年|每年|逐年|各年|每一年|分别|近[两三四五六七八九十]年"
                             r"|[两三四五]年来|多年来|over the years|each year|every year|per year|year by year", re.I)
YEAR_RE = re.compile(r"(?<!\d)(20\d\d(?!\d)|19\d\d(?=\s*年))")  # 2024, 2024年, 1999年 (not 1999元)
# a question that names no place may still name the kind of place it is about: 全省 (a province's
# report), 全区 (a district's or an autonomous region's), 全国/我国 (the State Council's); not a
# ranking (全省第一, 全国百强 in a county's report); 国内生产总值 is the national figure (a place's is 地区生产总值)
SCOPE_RE = re.compile(r"(?:全|本|我们?|咱们?|俺们?)(国|省|市|区|县|州|旗)(?![第前百排领首唯])|(省|市|区|县)里|(国)内生产总值"
                      r"|\b(?:(national)(?!\s+(?:level|rank))|(nationwide)|(china)(?:'s)?)\b", re.I)


@dataclass
class Route:
    """The documents to answer from (empty: all), what 今年 means, and how to answer."""

    docs: tuple[str, ...] = ()
    report_year: int | None = None
    places: tuple[str, ...] = ()  # places the question named
    across_years: bool = False  # answer report by report, oldest first
    years: dict[str, int] = field(default_factory=dict)  # planned year of each routed document
    earlier: tuple[str, ...] = ()  # no year named: the older reports of the places in view


def _profile(info: dict) -> dict:
    profile = dict(info.get("profile") or {})
    profile.setdefault("year", info.get("year"))
    if profile.get("year") and not profile.get("reviewed_year"):
        profile["reviewed_year"] = profile["year"] - 1
    profile.setdefault("place", "")
    return profile


def named_places(question: str, documents: dict[str, dict]) -> dict[str, int]:
    """{doc_id: length of the longest alias of its place the question names}."""
    q = normalize(question)
    found: dict[str, int] = {}
    for doc_id, info in documents.items():
        for alias in _profile(info).get("aliases") or ():
            alias = alias.lower()
            hit = (re.search(r"(?<![a-z])" + re.escape(alias) + r"(?![a-z])", q) if alias.isascii() else alias in q)
            if hit:
                found[doc_id] = max(found.get(doc_id, 0), len(alias))
    places = {d: _profile(documents[d])["place"] for d in found}
    return {d: n for d, n in found.items()  # 保定市 gives way to 保定市清苑区 when both are named
            if not any(p != places[d] and places[d] and p.startswith(places[d]) for p in places.values())}


def route(question: str, documents: dict[str, dict]) -> Route:
    """Where to look for the answer to ``question`` among ``documents`` (doc_id → manifest info)."""
    if len(documents) <= 1:
        only = next(iter(documents.values()), {})
        return Route(report_year=_profile(only).get("year") if only else None)
    profiles = {d: _profile(info) for d, info in documents.items()}
    named = named_places(question, documents)
    docs = list(named) or in_scope(question, profiles) or list(documents)
    years = {int(y) for y in YEAR_RE.findall(question)}
    across = bool(ACROSS_YEARS_RE.search(question))
    earlier: list[str] = []
    if years:
        dated = [d for d in docs if {profiles[d].get("year"), profiles[d].get("reviewed_year")} & years]
        docs = dated or docs
        by_place: dict[str, list[str]] = {}
        for d in docs:
            by_place.setdefault(profiles[d]["place"], []).append(d)
        across = across or any(len(v) > 1 for v in by_place.values())
    elif not across:
        newest: dict[str, str] = {}
        for d in docs:  # 去年/今年 or no year at all: the newest report of each place
            place = profiles[d]["place"] or d
            if place not in newest or (profiles[d].get("year") or 0) > (profiles[newest[place]].get("year") or 0):
                newest[place] = d
        earlier = [d for d in docs if d not in newest.values()]
        docs = list(newest.values())
    places = tuple(dict.fromkeys(profiles[d]["place"] for d in named))
    one_place = len({profiles[d]["place"] for d in docs}) == 1
    report_year = max((profiles[d].get("year") or 0 for d in docs), default=0) or None
    across = across and one_place and len(docs) > 1
    return Route(docs=tuple(sorted(docs, key=lambda d: (profiles[d].get("year") or 0, d))) if (named or years or
                 len(docs) < len(documents)) else (),
                 report_year=report_year if one_place else None, places=places, across_years=across,
                 years={d: profiles[d].get("year") for d in docs},
                 earlier=tuple(sorted(earlier, key=lambda d: (-(profiles[d].get("year") or 0), d))))


def in_scope(question: str, profiles: dict[str, dict]) -> list[str]:
    """The reports whose place is of the kind the question names (全省 → places ending in 省),
    or none when it names no kind, or no report is of that kind."""
    m = SCOPE_RE.search(normalize(question))
    if not m:
        return []
    kind = next(g for g in m.groups() if g).lower()
    if kind in ("国", "national", "nationwide", "china"):
        return [d for d, p in profiles.items() if p.get("level") == "national" or p.get("place") == "全国"]
    return [d for d, p in profiles.items() if (p.get("place") or "").endswith(kind)]


ENGLISH_LEVEL = r"(?:\s+(?:autonomous\s+region|district|county|city|province|municipality|prefecture|region|banner))?"
LEVEL_SUFFIX_RE = re.compile(r"(?:自治区|自治州|自治县|省|市|区|县|旗|盟|州)$")


def _without(text: str, name: str) -> str:
    """``text`` less each ``name`` a reader would see there: not 全国 in 药品安全国家标准 (安全 / 国家标准:
    stripped, 安家标准 was left; :func:`qa.text.straddles`)."""
    out, i = [], 0
    for m in re.finditer(re.escape(name), text):
        if not straddles(text, m.start(), m.end()):
            out.append(text[i:m.start()])
            i = m.end()
    return "".join(out) + text[i:]


def strip_places(question: str, documents: dict[str, dict], docs: tuple[str, ...] = ()) -> str:
    """The question without the names of the place(s) it was routed to (四川粮食今年… → 粮食今年…):
    routing already chose the report, and a place name would otherwise weigh as a word to find.
    A level suffix stays (溧阳市委书记 → 市委书记: the office asked about is kept)."""
    chosen = docs or tuple(documents)
    forms = set()
    for d in chosen:
        for alias in _profile(documents.get(d, {})).get("aliases") or ():
            stem = LEVEL_SUFFIX_RE.sub("", alias) if not alias.isascii() else alias
            forms.add(stem if len(stem) >= 2 else alias)
    out = question
    for form in sorted(forms, key=len, reverse=True):
        if form.isascii():
            # Hailar District, Hebei Province: the level word goes with the name
            out = re.sub(r"(?<![A-Za-z])" + re.escape(form) + ENGLISH_LEVEL + r"(?:'s)?(?![A-Za-z])", " ", out, flags=re.I)
        else:
            out = _without(out, form)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return out if re.search(r"\w", out) else question
