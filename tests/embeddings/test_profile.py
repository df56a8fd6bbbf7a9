"""The document profile, read from each report's own text (checked against the corpus's SOURCES.md)."""
from pathlib import Path

import pytest

from embeddings.cleaning import clean
from embeddings.loaders import bundled_report_path
from embeddings.profile import aliases_of, arabic_dates, build, cn_year, level_of, role_of
from embeddings.structure import parse

REPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "reports"
needs_corpus = pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/corpus/reports is not beside the checkout")


def profile_of(path: Path):
    c = clean(path.read_text(encoding="utf-8"))
    return build(c.text, parse(c))


def analysed(text: str):
    """(clean text, profile, blocks, role of each paragraph by its text) of a report given as text."""
    c = clean(text)
    profile, blocks = build(c.text, parse(c))
    return c, profile, blocks, {b.text: b.role for b in blocks if b.kind != "heading"}


def assert_roles(text: str, years: tuple[int, int], expected: dict[str, str]) -> None:
    """The report given as text reviews and plans ``years``, and its paragraphs have these roles."""
    _, profile, _, role = analysed(text)
    assert (profile.reviewed_year, profile.year) == years
    assert {paragraph: role[paragraph] for paragraph in expected} == expected


# file, place, level, delivery date, reviewed → planned, speaker (as SOURCES.md gives them)
CASES = [
    ("shanghai-2026.txt", "上海市", "city", "2026-02-03", 2025, 2026, "市长 龚正"),
    ("sichuan-2026.txt", "四川省", "province", "2026-02-03", 2025, 2026, "省长 施小琳"),
    ("xizang-2026.txt", "西藏自治区", "province", "2026-01-31", 2025, 2026, "自治区主席 嘎玛泽登"),
    ("state-council-2022.txt", "全国", "national", "", 2021, 2022, ""),
    ("state-council-2020.txt", "全国", "national", "2020-05-22", 2019, 2020, "总理 李克强"),
    ("baoding-2025.txt", "保定市", "city", "2025-01-21", 2024, 2025, "闫继红"),
    ("baoding-xushui-2024.txt", "保定市徐水区", "district", "2024-01-23", 2023, 2024, "区长 王春雨"),
    ("yixian-2025.txt", "易县", "county", "2025-01-14", 2024, 2025, "代县长 丁磊"),
    ("gaotang-2025.txt", "高唐县", "county", "2025-01-15", 2024, 2025, "县长 杨曙光"),
    ("miyi-2023.txt", "米易县", "county", "2023-02-12", 2022, 2023, "县长 代坤宏"),
]


@needs_corpus
@pytest.mark.parametrize("name, place, level, date, reviewed, planned, speaker", CASES)
def test_profile_of_real_reports(name, place, level, date, reviewed, planned, speaker):
    profile, blocks = profile_of(REPORTS / name)
    assert (profile.place, profile.level, profile.date) == (place, level, date)
    assert (profile.reviewed_year, profile.year) == (reviewed, planned)
    assert profile.speaker == speaker
    roles = [o["role"] for o in profile.outline if o["depth"] == 1]
    assert roles[0] == "review" and "plan" in roles


@needs_corpus
@pytest.mark.parametrize("name, terms", [("sichuan-2026.txt", 20), ("baoding-xushui-2024.txt", 23), ("boye-2025.txt", 31),
                                         ("yixian-2025.txt", 31), ("gaotang-2025.txt", 32), ("miyi-2023.txt", 23)])
def test_glossaries_wherever_they_sit(name, terms):
    profile, blocks = profile_of(REPORTS / name)
    assert len(profile.glossary) == terms
    assert all(b.role == "glossary" for b in blocks if b.kind == "glossary")


@needs_corpus
def test_passages_know_the_year_they_speak_about():
    _, blocks = profile_of(REPORTS / "zhejiang-2026.txt")
    review = next(b for b in blocks if b.kind == "paragraph" and "2025年" in b.part)
    plan = next(b for b in blocks if b.kind == "paragraph" and b.part.startswith("三、2026年"))
    outlook = next(b for b in blocks if b.kind == "paragraph" and "十五五" in b.part)
    assert (review.role, review.years) == ("review", (2025,))
    assert (plan.role, plan.years) == ("plan", (2026,))
    assert outlook.role == "outlook" and 2026 in outlook.years


def test_bundled_report_profile():
    profile, _ = profile_of(bundled_report_path())
    assert (profile.place, profile.level, profile.year, profile.reviewed_year) == ("溧阳市", "city", 2025, 2024)
    assert profile.speaker == "市长 周永强" and len(profile.glossary) == 17
    assert "溧阳" in profile.aliases and "liyang" in profile.aliases


def test_helpers():
    assert cn_year("二〇二四") == 2024
    assert level_of("保定市清苑区") == "district" and level_of("全国") == "national" and level_of("某县") == "county"
    assert aliases_of("保定市清苑区")[:3] == ["保定市清苑区", "清苑区", "清苑"]
    assert aliases_of("宁夏回族自治区")[:3] == ["宁夏回族自治区", "宁夏", "ningxia"]  # the people named go too
    assert aliases_of("新疆维吾尔自治区")[1] == "新疆" and aliases_of("延边朝鲜族自治州")[1] == "延边"
    assert "guizhou" in aliases_of("贵州省") and "guangzhou" in aliases_of("广州市")  # 州 is their own name here
    assert "baodingshi" not in aliases_of("保定市")
    assert role_of("二、“十五五”时期主要目标任务", 2025, 2026) == "outlook"
    assert role_of("一、“十四五”时期和2025年工作回顾", 2025, 2026) == "review"
    assert role_of("三、2026年重点工作", 2025, 2026) == "plan"
    assert role_of("四、加大宏观政策实施力度", 2019, 2020, previous="plan") == "plan"


def test_a_review_part_that_covers_five_years_and_the_last_one():
    """“十四五”时期和2025年工作回顾: 这五年… paragraphs and the ones after them speak about five years,
    until 刚刚过去的2025年…; a “十五五”… paragraph looks ahead."""
    text = ("2026年政府工作报告\n——2026年1月20日在某省第十四届人民代表大会第四次会议上\n各位代表：\n"
            "一、“十四五”时期和2025年工作回顾\n这五年，我们坚定不移推动高质量发展。\n"
            "地区生产总值年均增长5.2%，城镇新增就业261.6万人。\n"
            "各位代表！刚刚过去的2025年，我们迎难而上。\n地区生产总值增长5.1%。\n"
            "二、“十五五”时期主要目标任务\n过去五年，我们打下了坚实基础。\n“十五五”时期是关键五年。\n"
            "三、2026年主要工作\n今年要重点抓好以下工作。\n城镇新增就业50万人以上。\n")
    assert_roles(text, (2025, 2026), {"地区生产总值年均增长5.2%，城镇新增就业261.6万人。": "review_multi",
                                       "地区生产总值增长5.1%。": "review",
                                       "过去五年，我们打下了坚实基础。": "review_multi",
                                       "“十五五”时期是关键五年。": "outlook",
                                       "城镇新增就业50万人以上。": "plan"})  # 主要工作 can review, 2026年主要工作 plans


def test_a_delivery_date_in_chinese_numerals():
    text = ("2026年某省政府工作报告\n——二〇二六年一月二十七日在某省十四届人民代表大会第四次会议上\n"
            "某省省长 张三\n各位代表：\n一、2025年工作回顾\n地区生产总值增长5%。\n二、2026年重点工作\n抓好就业。\n")
    c = clean(text)
    profile, _ = build(c.text, parse(c))
    assert profile.date == "2026-01-27" and profile.session.startswith("某省十四届人民代表大会第四次会议")
    assert arabic_dates("二〇二五年十二月三十一日") == "2025年12月31日"


def test_parts_whose_titles_name_no_time_take_it_from_their_first_paragraphs():
    """一、一年接着一年干，…: the title says nothing; 2025年是…收官之年 and 一年来… say it reviews.
    Its sub-sections keep the time the part's paragraphs last named, past sub-headings; in a part
    that looks ahead, a paragraph naming the coming plan period ends a 过去五年 run."""
    text = ("2026年某省政府工作报告\n——2026年1月27日在某省第十四届人民代表大会第四次会议上\n各位代表：\n"
            "一、一年接着一年干，建设持续取得新进展\n2025年是“十四五”收官之年。\n一年来，我们攻坚克难。\n"
            "（一）着力推进产业升级\n新增国家级智能工厂9家。\n（二）着力办好民生实事\n城镇新增就业54.58万人。\n"
            "五年来，我们聚力构建现代化产业体系。\n（三）着力防范风险\n累计新增就业265万人。\n"
            "二、“十四五”时期发展成就和“十五五”时期主要目标任务\n过去五年，我们打下了坚实基础。\n"
            "根据省委关于制定第十五个五年规划的建议，提出以下目标。\n到2030年，地区生产总值迈上新台阶。\n"
            "三、一鼓作气勇争先，全力推动“十五五”开好局\n2026年是“十五五”开局之年。\n城镇新增就业50万人。\n"
            "四、一以贯之转作风，努力建设人民满意的服务型政府\n我们将继续加强作风建设。\n")
    c, profile, blocks, role = analysed(text)
    assert role["城镇新增就业54.58万人。"] == "review"
    assert role["累计新增就业265万人。"] == "review_multi"  # past the sub-heading: still the five years
    assert role["过去五年，我们打下了坚实基础。"] == "review_multi"
    assert role["根据省委关于制定第十五个五年规划的建议，提出以下目标。"] == "outlook"
    assert role["到2030年，地区生产总值迈上新台阶。"] == "outlook"
    assert role["城镇新增就业50万人。"] == "plan"
    assert role["我们将继续加强作风建设。"] == "government"
    assert role_of("一、“十四五”时期工作回顾", 2025, 2026) == "review_multi"


def test_a_web_copy_whose_bold_phrases_stand_on_lines_of_their_own():
    """A web page set 主要预期目标 in bold on a line of its own (…发展的 / 主要预期目标 / 是：…): one
    sentence, not a part title; 各位代表！经过五年… opens five years; a glossary gives each term on
    its own line and the definition on the next; a transcribed name is the speaker."""
    text = ("2026年某省政府工作报告\n——2026年1月26日在某省第十四届人民代表大会第五次会议上\n自治区主席 艾尔肯·吐尼亚孜\n"
            "各位代表：\n现在，我代表省人民政府，向大会报告工作，请予审议。\n"
            "一、2025年和“十四五”时期工作回顾\n2025年是极不平凡的一年。\n地区生产总值增长4.5%。\n"
            "空气质量持续改善，PM\n2.5\n年平均浓度保持在20微克/立方米左右。\n"
            "各位代表！经过五年接续奋斗，我省“十四五”顺利收官。\n地区生产总值从11万亿元提高到14万亿元。\n"
            "二、2026年工作安排\n2026年是“十五五”第一年。今年经济社会发展的\n主要预期目标\n是：地区生产总值增长4.5%—5%。\n"
            "（一）推动产业升级。\n新建低空起降设施2500个。\n"
            "附件\n名词解释\n1.“四好农村路”：\n指建好、管好、护好、运营好农村公路。\n"
            "2.“链式改造”：\n包括“供应链改造”和“产业链改造”。\n“产业链改造”是指由平台企业提供服务。\n"
            "3.“双一流”：指世界一流大学和一流学科。\n")
    c, profile, blocks, role = analysed(text)
    assert profile.speaker == "自治区主席 艾尔肯·吐尼亚孜"
    assert "今年经济社会发展的主要预期目标是：地区生产总值增长4.5%—5%。" in c.text
    assert "空气质量持续改善，PM2.5年平均浓度保持在20微克/立方米左右。" in c.text  # a subscript's own line
    assert [o["title"] for o in profile.outline if o["depth"] == 1][:2] == ["一、2025年和“十四五”时期工作回顾", "二、2026年工作安排"]
    assert role["地区生产总值增长4.5%。"] == "review"
    assert role["地区生产总值从11万亿元提高到14万亿元。"] == "review_multi"
    glossary = {b.term: b.text for b in blocks if b.kind == "glossary"}
    assert profile.glossary == ["“四好农村路”", "“链式改造”", "“双一流”"]
    assert glossary["“四好农村路”"].endswith("指建好、管好、护好、运营好农村公路。")
    assert glossary["“链式改造”"].endswith("“产业链改造”是指由平台企业提供服务。")


def test_a_speaker_at_the_end_of_a_run_together_delivery_line():
    """A web copy that ran title, date, session and speaker into one line (the State Council's 2024
    report, first seen in round 12) still names the speaker."""
    profile, _ = profile_of(Path(__file__).resolve().parents[2] / "data" / "reports" / "state-council-2024.txt")
    assert (profile.speaker, profile.date, profile.place, profile.level) == ("总理 李强", "2024-03-05", "全国", "national")
    assert (profile.reviewed_year, profile.year) == (2023, 2024)


def test_the_two_reports_first_seen_in_round_13():
    """The State Council's 2018 report (a title line before the usual head) and a 广东 web copy
    with its 名词解释 annex: date, speaker, years, level and glossary read on first sight."""
    reports = Path(__file__).resolve().parents[2] / "data" / "reports"
    sc, _ = profile_of(reports / "state-council-2018.txt")
    assert (sc.speaker, sc.date, sc.level, sc.reviewed_year, sc.year) == ("总理 李克强", "2018-03-05", "national", 2017, 2018)
    gd, _ = profile_of(reports / "guangdong-2023.txt")
    assert (gd.speaker, gd.date, gd.place, gd.level, gd.reviewed_year, gd.year) == (
        "省长 王伟中", "2023-01-12", "广东省", "province", 2022, 2023)
    assert len(gd.glossary) == 17


def test_a_year_that_closes_a_plan_period_and_the_period_named_by_its_own_numeral():
    """2015年是“十二五”收官之年。过去五年，… sums up five years, as “十二五”时期… does in a 2016 report;
    the period a report looks ahead to (“十三五” in 2016, “十五五” in 2026) is not reviewed."""
    text = ("2016年政府工作报告\n各位代表：\n一、2015年工作回顾\n过去一年，经济运行保持在合理区间。\n"
            "国内生产总值增长6.9%。\n2015年是“十二五”收官之年。过去五年，我国发展成就举世瞩目。\n"
            "农村贫困人口减少1亿多。\n“十二五”时期的辉煌成就，充分显示了巨大优越性。\n"
            "二、“十三五”时期主要目标任务\n“十三五”时期是全面建成小康社会决胜阶段。\n"
            "三、2016年重点工作\n今年要重点做好八个方面工作。\n")
    assert_roles(text, (2015, 2016), {"国内生产总值增长6.9%。": "review",
                                       "2015年是“十二五”收官之年。过去五年，我国发展成就举世瞩目。": "review_multi",
                                       "农村贫困人口减少1亿多。": "review_multi",
                                       "“十二五”时期的辉煌成就，充分显示了巨大优越性。": "review_multi",
                                       "“十三五”时期是全面建成小康社会决胜阶段。": "outlook"})
    one_year = text.replace("过去五年，我国发展成就举世瞩目。", "一年来，我们迎难而上。")
    assert_roles(one_year, (2015, 2016), {"2015年是“十二五”收官之年。一年来，我们迎难而上。": "review"})


def test_the_two_reports_first_seen_in_round_14():
    """The State Council's 2016 report (only a title line above 各位代表) and a 广东 page copied
    from a news portal as found: menus before the report, a disclaimer and a news list after it."""
    reports = Path(__file__).resolve().parents[2] / "data" / "reports"
    sc, sc_blocks = profile_of(reports / "state-council-2016.txt")
    assert (sc.place, sc.level, sc.reviewed_year, sc.year, sc.date, sc.speaker) == ("全国", "national", 2015, 2016, "", "")
    by_role = {b.role for b in sc_blocks if "农村贫困人口减少1亿多" in b.text}
    assert by_role == {"review_multi"}  # the “十二五” summary, not 2015
    gd, gd_blocks = profile_of(reports / "guangdong-2025.txt")
    assert (gd.title, gd.speaker, gd.date, gd.place, gd.level, gd.reviewed_year, gd.year) == (
        "2025年广东省政府工作报告", "省长 王伟中", "2025-01-15", "广东省", "province", 2024, 2025)
    texts = [b.text for b in gd_blocks]
    assert any(b.path[-1].startswith("附件1") for b in gd_blocks if b.kind == "paragraph")  # the annex is the report's
    for clutter in ("网易首页", "热点推荐", "跟贴", "特别声明", "进入关怀版", "注册免费邮箱"):
        assert not any(clutter in t for t in texts), clutter
    assert not {"体育", "财经", "房产"} & set(texts)  # the portal's menu


def test_a_news_lead_stands_in_for_the_missing_front_matter():
    """The State Council's 2017 report (first seen in round 15) has only a title line above 各位代表;
    the copy carries a news lead (3月5日，第十二届全国人民代表大会第五次会议…开幕。国务院总理李克强作政府
    工作报告。) from which date, session and speaker are read."""
    reports = Path(__file__).resolve().parents[2] / "data" / "reports"
    sc, _ = profile_of(reports / "state-council-2017.txt")
    assert (sc.speaker, sc.date, sc.session, sc.level, sc.reviewed_year, sc.year) == (
        "总理 李克强", "2017-03-05", "第十二届全国人民代表大会第五次会议", "national", 2016, 2017)
    gd, blocks = profile_of(reports / "guangdong-2024.txt")  # an exam-prep portal's page, ads and all
    assert (gd.speaker, gd.date, gd.place, gd.reviewed_year, gd.year) == ("省长 王伟中", "2024-01-23", "广东省", 2023, 2024)
    assert blocks[-1].text.endswith("为强国建设、民族复兴作出广东新的更大贡献！")


def test_a_newspaper_digest_without_front_matter_takes_its_title_year():
    """保定市's 2026 report as a city newspaper printed it (first seen in round 21): no delivery
    line, only 标题：2026年保定市政府工作报告 and 本报讯 2月4日，市长闫继红在市十六届人大七次会议上作政府工作报告.
    Its year is the title's (not one after its 2026年主要工作 heading, read as a review), and its
    date and speaker come from the lead."""
    reports = Path(__file__).resolve().parents[2] / "data" / "reports"
    bd, blocks = profile_of(reports / "baoding-2026.txt")
    assert (bd.speaker, bd.date, bd.place, bd.reviewed_year, bd.year) == ("市长 闫继红", "2026-02-04", "保定市", 2025, 2026)
    assert [(o["title"], o["role"]) for o in bd.outline if o["depth"] == 1][-1] == ("2026年主要工作", "plan")
    assert next(b.role for b in blocks if b.text.startswith("2025年，我们")) == "review"


def test_a_blank_lost_as_one_question_mark_between_office_and_name():
    """The State Council's 2015 report (first seen in round 15) writes 国务院总理?李克强: an encoding
    lost the blank; Chinese asks with ？ and never between two characters."""
    reports = Path(__file__).resolve().parents[2] / "data" / "reports"
    sc, _ = profile_of(reports / "state-council-2015.txt")
    assert (sc.speaker, sc.date, sc.reviewed_year, sc.year) == ("总理 李克强", "2015-03-05", 2014, 2015)


def test_full_width_digits_and_headings_ending_in_a_lost_character():
    """Two reports first seen in round 16. The State Council's 2010 report writes its dates in
    full-width digits (——２０１０年３月５日在第十一届全国人民代表大会第三次会议上); its 2014 report ends two
    sub-part headings with an ASCII ? an encoding left for a lost character (（四）促进农业现代化和农村
    改革发展。?), which must still open their sub-parts."""
    reports = Path(__file__).resolve().parents[2] / "data" / "reports"
    sc10, blocks = profile_of(reports / "state-council-2010.txt")
    assert (sc10.date, sc10.session, sc10.speaker, sc10.reviewed_year, sc10.year) == (
        "2010-03-05", "第十一届全国人民代表大会第三次会议", "总理 温家宝", 2009, 2010)
    assert len(sc10.glossary) == 7 and sum(b.kind == "glossary" for b in blocks) == 7
    assert [o["years"] for o in sc10.outline[:2]] == [[2009], [2010]]
    sc14, _ = profile_of(reports / "state-council-2014.txt")
    titles = [o["title"] for o in sc14.outline]
    assert "（四）促进农业现代化和农村改革发展。?" in titles and "（七）加强教育、卫生、文化等社会建设。?" in titles
    assert all(o["role"] == "plan" for o in sc14.outline if o["title"].startswith(("（四）", "（七）")))


def test_plan_periods_before_the_twelfth_are_named_too():
    """A 2011 report reviews the “十一五” (2006–2010) and plans the “十二五”; a 2006 one reviews the “十五”."""
    from embeddings.profile import coming_period, period_of, role_of
    assert period_of(2010) == "十一" and period_of(2005) == "十" and coming_period(2006)[0] == "十一五"
    assert role_of("一、“十一五”时期国民经济和社会发展的回顾", 2010, 2011) == "review_multi"
    assert role_of("二、“十二五”时期的主要目标和任务", 2010, 2011) == "outlook"
    assert role_of("一、“十三五”时期经济社会发展回顾", 2020, 2021) == "review_multi"


def test_a_plan_paragraph_turning_to_the_past_year_also_speaks_of_it():
    """2011年，是…开局之年。过去一年，…国内生产总值增长10.3%: the paragraph is the plan's, and 2010's too."""
    from embeddings.profile import reviews_later
    assert reviews_later("2011年，是“十二五”开局之年。过去一年，我们的各项工作取得了很大成绩。国内生产总值增长10.3%")
    assert not reviews_later("过去一年，我们的各项工作取得了很大成绩。")  # its lead says so already
    assert not reviews_later("今年要巩固去年的成果，继续推进改革。")


def test_one_table_of_plan_periods_serves_reports_and_questions():
    from embeddings.profile import plan_period_names
    from qa.query import plan_periods
    names = plan_period_names()
    assert names["十四五"] == 2021 and names["十一五"] == 2006 and names["十五"] == 2001 and names["九五"] == 1996
    assert plan_periods("“十三五”时期") == tuple(range(2016, 2021))


def test_a_delivery_line_split_from_its_date_and_a_link_that_looks_like_a_title():
    """A portal's copy (河北省 2010/2011): the page's own date before the session line and a bracketed
    delivery date after the speaker; a link to other places' reports above the report."""
    text = "\n".join(["河北省2010年政府工作报告", "（点击查阅更多2010年地方政府工作报告）", "2010年01月20日", "【字体：大中小】",
                      "——在河北省第十一届人民代表大会第三次会议上", "河北省代省长 陈全国", "（2010年1月18日）", "各位代表：",
                      "现在，我代表省人民政府，向大会作政府工作报告，请予审议。", "一、2009年工作回顾",
                      "——这五年，综合实力大幅跃升。地区生产总值连跨两个台阶。", "二、2010年主要任务", "今年全省生产总值增长9%以上。"])
    c, profile, _, role = analysed(text)
    assert (profile.date, profile.session) == ("2010-01-18", "河北省第十一届人民代表大会第三次会议")
    assert (profile.place, profile.title) == ("河北省", "河北省2010年政府工作报告")
    assert role["——这五年，综合实力大幅跃升。地区生产总值连跨两个台阶。"] == "review_multi"  # a dash leads it


def test_a_date_signed_with_the_speakers_name_and_an_aside_before_the_year_reviewed():
    """A portal's copy (河北省 2006): the page's date, then the delivery date signed with the speaker's
    bare name; a paragraph of the five years' review opening 特别需要指出的是，刚刚过去的2005年 speaks
    about that one year."""
    text = "\n".join(["河北省2006年政府工作报告", "2006年02月18日", "2006年2月16日季允石", "各位代表：",
                      "现在，我代表省人民政府，向大会作报告，请予审议。", "一、“十五”时期国民经济和社会发展回顾",
                      "过去的五年，全省人民团结奋斗。2005年全省生产总值达到10116.6亿元，五年平均增长11.2%。",
                      "特别需要指出的是，刚刚过去的2005年，各条战线都取得了新成绩。城镇新增就业46万人。",
                      "二、“十一五”时期的发展目标", "全部财政收入力争达到2000亿元左右。"])
    c, profile, _, role = analysed(text)
    assert (profile.date, profile.speaker) == ("2006-02-16", "季允石")
    assert role["过去的五年，全省人民团结奋斗。2005年全省生产总值达到10116.6亿元，五年平均增长11.2%。"] == "review_multi"
    assert role["特别需要指出的是，刚刚过去的2005年，各条战线都取得了新成绩。城镇新增就业46万人。"] == "review"


def test_a_pages_reporter_label_names_the_speaker():
    text = "\n".join(["标题：河北省2004年政府工作报告", "报告人：季允石", "政府工作报告",
                      "—在河北省第十届人民代表大会第二次会议上（二〇〇四年一月八日）", "各位代表：",
                      "现在，我代表省人民政府，向大会作工作报告，请予审议。", "一、2003年工作回顾", "过去一年，全省生产总值增长11.6%。"])
    c, profile, _, role = analysed(text)
    assert (profile.date, profile.speaker) == ("2004-01-08", "季允石")


def test_a_pages_reporter_label_with_the_office_and_the_fields_run_together():
    """河北省 2002: the page's fields on one line (…报告人：河北省人民政府省长 钮茂生来源URL：…) and the
    speaker line itself broken by the page (河北 / 省省 / 长 钮茂生（2002年1月24日））."""
    text = "\n".join(["标题：河北省2002年政府工作报告发文单位：河北省人民政府发文时间：2002-01-24报告人：河北省人民政府省长 钮茂生"
                      "来源URL：https://www.hebei.gov.cn/x.html", "政府工作报告", "——在河北省第九届人民代表大会第五次会议上",
                      "河北", "省省", "长 钮茂生（2002年1月24日）", "各位代表：",
                      "现在，我代表河北省人民政府，向大会作政府工作报告，请予审议。", "一、2001年工作回顾", "全省生产总值增长8.7%。"])
    c, profile, _, role = analysed(text)
    assert profile.speaker == "省长 钮茂生"


def test_a_report_of_the_nineties_and_a_review_before_the_first_heading():
    """国务院 2002 (and 1999), as gov.cn printed them: the page's dateline, R's <U+00A0> escapes, a
    1990s date; the year reviewed told before any heading (首先报告２００１年的工作。), then the year
    planned (２００２年是…), then eight numbered parts naming no time: they plan."""
    text = "\n\n".join(["<!--", "-->", "<U+00A0>当前位置： 首页>> 中国概况", "2002年国务院政府工作报告",
                       "中央政府门户网站　www.gov.cn　　 2006年02月16日　　 来源：新华社", "2002年政府工作报告",
                       "——2002年3月5日在第九届全国人民代表大会第五次会议上", "<U+00A0><U+00A0> 国务院总理朱镕基",
                       "<U+00A0> 各位代表：", "　　现在，我代表国务院向大会作政府工作报告，请予审议。",
                       "　　首先报告２００１年的工作。", "　　国民经济保持良好发展势头。２００１年国内生产总值达到９５９３３亿元。",
                       "　　２００２年是非常重要的一年。做好今年各项工作，具有十分重要的意义。",
                       "　　按照这个总体要求，今年要着重做好以下八个方面工作。", "　　一、扩大和培育内需，促进经济较快增长",
                       "　　今年拟发行１５００亿元长期建设国债。", "　　二、加快农业和农村经济发展，努力增加农民收入",
                       "　　扩大退耕还林规模。", "　　八、进一步做好外交工作", "　　一年来，我国外交工作取得重要成果。",
                       "　　今年，我们将继续奉行独立自主的和平外交政策。"])
    c, profile, _, role = analysed(text)
    # a part among the plans whose first paragraph looks back: its 今年… paragraph plans
    assert role["一年来，我国外交工作取得重要成果。"] == "review"
    assert role["今年，我们将继续奉行独立自主的和平外交政策。"] == "plan"
    assert "<U+00A0>" not in c.text and "<!--" not in c.text and "来源" not in c.text
    assert (profile.date, profile.year, profile.reviewed_year) == ("2002-03-05", 2002, 2001)
    assert role["国民经济保持良好发展势头。２００１年国内生产总值达到９５９３３亿元。"] == "review"
    assert role["２００２年是非常重要的一年。做好今年各项工作，具有十分重要的意义。"] == "plan"
    assert role["今年拟发行１５００亿元长期建设国债。"] == "plan" and role["扩大退耕还林规模。"] == "plan"
    old = text.replace("2002年3月5日", "1999年3月5日").replace("2002年国务院", "1999年国务院")
    assert analysed(old)[1].date == "1999-03-05"
    from embeddings.profile import years_named
    assert years_named("（一九九九年三月五日）") == [1999]  # in Chinese numerals too


def test_the_first_year_of_a_plan_in_a_part_that_looks_five_years_ahead():
    """国务院 2001 sets out the tenth five-year plan part by part; the closing 2001年是…“十五”计划的
    第一年。…继续发行1500亿元长期建设国债 is this year's work, not the five years'. The speaker line
    run into the delivery line and 各位代表： kept apart from both."""
    text = "\n\n".join(["2001年政府工作报告",
                       "——2001年3月5日在第九届全国人民代表大会第四次会议上\n <U+00A0><U+00A0> 国务院总理朱镕基",
                       "<U+00A0> 各位代表：", "　　从今年开始，我国将实施新世纪第一个五年计划。现在，我代表国务院向大会作报告，请予审议。",
                       "　　一、“九五”时期国民经济和社会发展的回顾", "　　过去五年，国内生产总值2000年达89404亿元。",
                       "　　二、“十五”期间的奋斗目标和指导方针", "　　“十五”期间经济增长速度预期为年均7％左右。",
                       "　　三、加强农业基础地位，努力增加农民收入", "　　大力推进农业和农村经济结构调整。",
                       "　　加强农业基础设施建设。", "　　积极推进农村税费改革。",
                       "　　各位代表！\n<U+00A0> 2001年是进入新世纪、实施“十五”计划的第一年。继续发行1500亿元长期建设国债。"])
    c, profile, _, role = analysed(text)
    assert (profile.speaker, profile.year, profile.reviewed_year) == ("总理 朱镕基", 2001, 2000)
    assert role["大力推进农业和农村经济结构调整。"] == "outlook"
    assert role["各位代表！2001年是进入新世纪、实施“十五”计划的第一年。继续发行1500亿元长期建设国债。"] == "plan"


def test_a_report_that_sets_out_the_ninth_plan_and_closes_with_this_years_work():
    """国务院 1996: the “八五” reviewed (1991–1995), 今后十五年的奋斗目标 and the parts after it look
    ahead, and the closing part for 1996 opens by reviewing 1995 (过去的一年，…增长10.2%)."""
    from embeddings.profile import period_of, plan_period_names
    assert period_of(1995) == "八" and plan_period_names()["八五"] == 1991
    text = "\n\n".join(["1996年政府工作报告",
                       "——1996年3月5日在第八届全国人民代表大会第四次会议上", "国务院总理李鹏", "各位代表：",
                       "　　现在，我代表国务院向大会作报告，请予审议。",
                       "　　一、“八五”时期国民经济和社会发展的回顾", "　　“八五”计划提前完成。国民生产总值年均增长12％。",
                       "　　二、今后十五年的奋斗目标和指导方针", "　　今后十五年，是承前启后的重要时期。",
                       "　　三、促进国民经济持续、快速、健康发展", "　　第一，确保农业和农村经济持续稳定增长。",
                       "　　九、努力做好１９９６年的工作，为“九五”创造一个良好开端",
                       "　　过去的一年，国内生产总值比上年增长１０．２％。",
                       "　　１９９６年是“九五”计划第一年。今年经济增长速度的调控目标定为８％左右。"])
    c, profile, _, role = analysed(text)
    assert (profile.year, profile.reviewed_year) == (1996, 1995)
    assert role["“八五”计划提前完成。国民生产总值年均增长12％。"] == "review_multi"
    assert role["今后十五年，是承前启后的重要时期。"] == "outlook"
    assert role["第一，确保农业和农村经济持续稳定增长。"] == "outlook"
    assert role["过去的一年，国内生产总值比上年增长１０．２％。"] == "review"
    assert role["１９９６年是“九五”计划第一年。今年经济增长速度的调控目标定为８％左右。"] == "plan"


def test_a_plan_paragraph_opening_with_the_past_year_then_turning_to_this_one_plans():
    """国务院 2010: （五）大力加强文化建设 / 一年来，我们…。新的一年，我们要…推进…博物馆免费开放: a
    plan of this year (its years this year's alone, as before it opened with the past one)."""
    text = "\n\n".join(["2010年政府工作报告", "——2010年3月5日在第十一届全国人民代表大会第三次会议上",
                       "国务院总理温家宝", "各位代表：", "一、2009年工作回顾", "过去一年，国内生产总值增长8.7%。",
                       "二、2010年工作的总体部署", "今年国内生产总值增长8%左右。", "（五）大力加强文化建设",
                       "一年来，我们大力发展公益性文化事业。新的一年，我们要推进图书馆、博物馆免费开放。"])
    c, profile, blocks, role = analysed(text)
    assert role["一年来，我们大力发展公益性文化事业。新的一年，我们要推进图书馆、博物馆免费开放。"] == "plan"
    years = {b.text: b.years for b in blocks}
    assert years["一年来，我们大力发展公益性文化事业。新的一年，我们要推进图书馆、博物馆免费开放。"] == (2010,)


def test_a_part_opening_in_this_years_work_plans_and_one_opening_in_the_past_year_reviews():
    """国务院 1995: 二、促进国民经济持续、快速、健康发展 names no time; its first paragraph opens
    在１９９５年的经济工作中，要…: it plans 1995, though the part before it reviews 1994. 在过去的一年里，
    我国外交工作取得重要进展 reviews, inside the closing part that plans."""
    text = "\n\n".join(["1995年政府工作报告", "——1995年3月5日在第八届全国人民代表大会第三次会议上", "国务院总理李鹏",
                       "各位代表：", "一、１９９４年国内工作的回顾", "　　国民经济继续快速增长。",
                       "二、促进国民经济持续、快速、健康发展", "　　在１９９５年的经济工作中，要加强和改善宏观调控。",
                       "　　今年经济增长速度的宏观调控目标，定为百分之八至九。",
                       "七、关于外交工作", "　　在过去的一年里，我国外交工作取得重要进展。"])
    _, profile, _, role = analysed(text)
    assert (profile.reviewed_year, profile.year) == (1994, 1995)
    assert role["在１９９５年的经济工作中，要加强和改善宏观调控。"] == "plan"
    assert role["今年经济增长速度的宏观调控目标，定为百分之八至九。"] == "plan"
    assert role["在过去的一年里，我国外交工作取得重要进展。"] == "review"


def test_the_opening_of_a_plan_paragraph_on_the_past_year_is_passages_of_that_year():
    """国务院 2009: 过去的一年，外交工作取得显著成就。…成功举办亚欧首脑会议…。新的一年，我们将…, in the
    part that plans. The paragraph plans, but a passage cut from its opening, before 新的一年, reviews
    2008 (去年我国办了个什么国际首脑会议 was declined as a window of 2009)."""
    from embeddings.chunking import chunk_blocks
    past = "过去的一年，外交工作取得显著成就。" + "我们与国际社会携手应对金融危机，成功举办亚欧首脑会议，增进亚欧国家间的政治互信与务实合作。" * 2
    ahead = "新的一年，我们将继续高举和平、发展、合作的旗帜，坚持走和平发展道路。" * 3
    text = "\n\n".join(["2009年政府工作报告", "——2009年3月5日在第十一届全国人民代表大会第二次会议上",
                       "国务院总理温家宝", "各位代表：", "一、2008年工作回顾", "过去一年，国内生产总值增长9%。",
                       "二、2009年工作的总体部署", "今年国内生产总值增长8%左右。", past + ahead])
    c, profile, blocks, role = analysed(text)
    assert role[past + ahead] == "plan"
    passages = chunk_blocks(blocks, c, "d")
    opening = [p for p in passages if "亚欧首脑会议" in p.text and "新的一年" not in p.text]
    later = [p for p in passages if p.text.startswith("新的一年")]
    assert opening and all((p.role, p.years) == ("review", [2008]) for p in opening)
    assert later and all((p.role, p.years) == ("plan", [2009]) for p in later)
