"""Routing a question to the reports it is about, from the documents' profiles."""
from embeddings.profile import aliases_of
from qa.routing import route


def doc(place: str, year: int, level: str = "district") -> dict:
    return {"title": f"{place}{year}年政府工作报告", "year": year,
            "profile": {"place": place, "level": level, "aliases": aliases_of(place), "year": year,
                        "reviewed_year": year - 1}}


DOCS = {"qy23": doc("保定市清苑区", 2023), "qy24": doc("保定市清苑区", 2024), "qy25": doc("保定市清苑区", 2025),
        "bd25": doc("保定市", 2025, "city"), "sc22": doc("全国", 2022, "national"), "sichuan": doc("四川省", 2026, "province")}


def test_a_named_place_selects_its_newest_report():
    r = route("清苑去年GDP多少？", DOCS)
    assert r.docs == ("qy25",) and r.report_year == 2025 and not r.across_years
    assert r.earlier == ("qy24", "qy23")  # kept aside, newest first, to be quoted after it


def test_a_named_year_or_a_place_with_one_report_keeps_nothing_aside():
    assert route("清苑2023年GDP多少？", DOCS).earlier == ()
    assert route("四川去年GDP多少？", DOCS).earlier == ()
    assert route("这几年清苑的GDP分别是多少？", DOCS).earlier == ()


def test_the_more_specific_place_wins():
    assert route("保定市清苑区去年GDP多少？", DOCS).docs == ("qy25",)
    assert route("保定去年GDP多少？", DOCS).docs == ("bd25",)


def test_english_and_national_names():
    assert route("What was Sichuan's GDP growth target?", DOCS).docs == ("sichuan",)
    assert route("去年全国财政收入多少？", DOCS).docs == ("sc22",)
    assert route("What did the State Council plan?", DOCS).docs == ("sc22",)
    assert route("2023年国内生产总值增长多少？", DOCS).docs == ("sc22",)  # the national figure, not a district's


def test_an_explicit_year_keeps_the_reports_that_plan_or_review_it():
    r = route("清苑2023年定的新增就业目标完成了吗？", DOCS)
    assert r.docs == ("qy23", "qy24") and r.across_years  # planned in 2023, reviewed in 2024


def test_over_several_years_keeps_every_report_of_the_place_oldest_first():
    r = route("这几年清苑的GDP分别是多少？", DOCS)
    assert r.docs == ("qy23", "qy24", "qy25") and r.across_years


def test_no_place_means_the_newest_report_of_each_place():
    r = route("去年GDP多少？", DOCS)
    assert set(r.docs) == {"qy25", "bd25", "sc22", "sichuan"} and r.report_year is None


def test_one_report_needs_no_routing():
    r = route("去年GDP多少？", {"a": doc("某县", 2025, "county")})
    assert r.docs == () and r.report_year == 2025


def test_the_kind_of_place_named_narrows_an_unnamed_question():
    """全省 is a province's report, 全国/我国 the State Council's; a ranking (全市第一) is no scope."""
    assert route("今年全省固定资产投资增长目标是多少？", DOCS).docs == ("sichuan",)
    assert route("我国去年粮食产量多少？", DOCS).docs == ("sc22",)
    assert route("What was China's GDP growth last year?", DOCS).docs == ("sc22",)
    assert route("区里今年新建几所学校？", DOCS).docs == ("qy25",)
    assert route("去年咱们区GDP涨了多少？", DOCS).docs == ("qy25",)
    assert route("我们省今年粮食产量目标多少？", DOCS).docs == ("sichuan",)
    assert route("去年增速排全市第几？", DOCS).docs == route("去年增速多少？", DOCS).docs  # every place's newest


def test_a_place_name_inside_another_word_stays():
    """全国 is the State Council's place, but not inside 安全国家标准 (stripped, 安家标准 was a word the
    report never says, and the question was declined: 国务院 2008, round 17)."""
    from qa.routing import strip_places
    docs = {"sc": {"profile": {"aliases": aliases_of("全国")}}, "xs": {"profile": {"aliases": aliases_of("保定市徐水区")}}}
    assert strip_places("今年要制定多少项药品安全国家标准？", docs, ("sc",)) == "今年要制定多少项药品安全国家标准？"
    assert strip_places("全国财政收入多少？", docs, ("sc",)) == "财政收入多少？"
    # 咱们国家 is the State Council's place as 我国 is (its 国家 was a word the GDP window lacked)
    assert strip_places("咱们国家GDP现在到多少了？", docs, ("sc",)) == "GDP现在到多少了？"
    assert strip_places("徐水区去年GDP多少？", docs, ("xs",)) == "区去年GDP多少？"
    # in English the level word goes with the name (Xushui District's: not a word to find)
    assert strip_places("What was Xushui District's GDP last year?", docs, ("xs",)) == "What was GDP last year?"


def test_a_report_is_named_by_its_place_when_its_title_names_none():
    """Several places in one index: a county's bare 政府工作报告 is named with its place (and year)."""
    from types import SimpleNamespace
    from qa.pipeline import ReportQA
    qa = ReportQA.__new__(ReportQA)  # only the index's documents are read
    qa.index = SimpleNamespace(documents={
        "h.txt": {"title": "政府工作报告", "year": 2016,
                  "profile": {"place": "海拉尔区", "aliases": ["海拉尔区", "海拉尔", "hailaer"]}},
        "s.txt": {"title": "2026年四川省政府工作报告", "year": 2026,
                  "profile": {"place": "四川省", "aliases": ["四川省", "四川", "sichuan"]}}})
    assert qa._title("h.txt") == "海拉尔区政府工作报告（2016年）"
    assert qa._title("s.txt") == "2026年四川省政府工作报告"
