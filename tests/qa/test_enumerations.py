"""Numbered shorthand terms and the lists that spell them out (qa/enumerations.py)."""
from pathlib import Path

import pytest

from qa.enumerations import numbered_term, spelled_out

REPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "reports"


@pytest.mark.parametrize("question, expected", [
    ("“六保”是指哪六保？", (6, "保", "六保")),
    ("上海要建的“五个中心”是哪五个？", (5, "中心", "五个中心")),
    ("三大攻坚战是什么？", (3, "攻坚战", "三大攻坚战")),
    ("去年GDP多少？", None),
    ("第三次土壤普查是什么？", None),  # an ordinal, not a count
    ("前三年增长多少？", None),
    ("“双极带动”说的是哪两个城市？", None),  # which two cities: the question's words, not a term
    # twelve, past a plan period (黑龙江 2026, round 39)
    ("“十五五”的“十二个奋力推进”都包括什么？", (12, "奋力推进", "十二个奋力推进")),
    ("“十四五”规划是什么？", None),
])
def test_the_numbered_term_a_question_asks_about(question, expected):
    assert numbered_term(question) == expected


def test_a_list_of_exactly_that_many_items_holding_the_word_is_found():
    text = "加大“六稳”工作力度，保居民就业、保基本民生、保市场主体、保粮食能源安全、保产业链供应链稳定、保基层运转，坚定实施扩大内需战略"
    start, end = spelled_out(text, 6, "保")
    assert text[start:end] == "保居民就业、保基本民生、保市场主体、保粮食能源安全、保产业链供应链稳定、保基层运转"
    assert spelled_out(text, 5, "保") is None  # six items are not the five asked
    assert spelled_out("建设国际经济中心、国际金融中心和国际贸易中心。", 3, "中心") is None  # 和 joins two: not three items
    assert spelled_out("保持定力。保障民生。保护环境。", 3, "保") is None  # sentences, not list items


def test_a_list_inside_quotes_starts_and_ends_at_them():
    """开展“讲学习、讲政治、讲正气”的教育 (国务院 2000's “三讲”): the lead before the opening quote is no
    part of the first item, and the list ends at the closing quote."""
    text = "在县级以上党政领导班子和领导干部中开展“讲学习、讲政治、讲正气”的教育，加强廉政建设。"
    start, end = spelled_out(text, 3, "讲")
    assert text[start:end] == "讲学习、讲政治、讲正气"
    # the term's own clause is no item, and the last item may end the sentence (新疆 2026)
    nine = ("体现了自治区党委《建议》提出的“九个坚持”重大原则，即" + "、".join(f"坚持第{i}条" for i in range(1, 9))
            + "、坚持有效市场和有为政府相结合。下一句坚持什么")
    start, end = spelled_out(nine, 9, "坚持", "九个坚持")
    assert nine[start:end].startswith("即坚持第1条") and nine[start:end].endswith("有为政府相结合")
    led = "持续防范化解风险，着力稳就业、稳企业、稳市场、稳预期，推动经济实现质的有效提升"
    start, end = spelled_out(led, 4, "稳")  # the first item may carry a short lead (着力)
    assert led[start:end] == "着力稳就业、稳企业、稳市场、稳预期"


def test_a_one_character_word_may_end_each_item():
    """“五化” is spelled out as items ending in 化, the first after its lead (加力提速), the last with
    a short trail (进程); a colon opens a glossary's list (“四库”：指水库、…) and is no item's part."""
    text = "加力提速市场化、产业化、法治化、生态化、数字化进程，学中求进"
    start, end = spelled_out(text, 5, "化")
    assert text[start:end] == "加力提速市场化、产业化、法治化、生态化、数字化进程"
    assert spelled_out(text, 4, "化") is None
    gloss = "［11］“四库”：指水库、粮库、钱库、碳库。"
    start, end = spelled_out(gloss, 4, "库", "四库")
    assert gloss[start:end] == "指水库、粮库、钱库、碳库"
    assert spelled_out("建设水库工程、推进灌区改造、修缮堤防。", 3, "库") is None  # one item ends in 库, not three


@pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/corpus/reports is not beside the checkout")
def test_a_shorthand_the_list_never_names_is_answered_with_its_items(data_dir, real_encoder):
    """国务院 2020: “六保” is spelled out in a passage that does not say 六保."""
    from ui.config import Settings
    from ui.runtime import build_system
    settings = Settings(data_dir=data_dir, index_name="state-council-2020",
                        corpus=[str(REPORTS / "state-council-2020.txt")])
    qa = build_system(settings, encoder=real_encoder, log=lambda m: None).qa
    a = qa.ask("“六保”是指哪六保？")
    assert not a.declined
    assert all(item in a.answer for item in ("保居民就业", "保基本民生", "保市场主体", "保基层运转"))
    cited = [c for c in a.citations if c.rank in a.cited]
    assert cited and "六保" not in cited[0].text and "保粮食能源安全" in cited[0].text


def test_items_written_before_the_term_come_before_a_run_that_only_holds_its_word():
    """湖南 2026: 深入推进文化和科技、文化和旅游“两个融合” says what the term is; 会展等文旅融合业态，
    完成…“馆园融合”工程 only holds 融合 twice."""
    from qa.enumerations import term_list
    term = numbered_term("“两个融合”指的是哪两个融合？")
    named = "深入推进文化和科技、文化和旅游“两个融合”，马栏山音视频实验室投入运营。"
    start, end = term_list(named, term)
    assert named[start:end] == "深入推进文化和科技、文化和旅游“两个融合”"
    loose = "发展会展等文旅融合业态，完成省博物馆与烈士公园“馆园融合”工程。"
    assert term_list(loose, term) is not None  # a run of two, kept as a candidate: retrieval ranks the named one first


SPREAD = ("二、2010年工作安排\n"
          "一是下大力气抓好项目建设。突出抓好“四个一批”：在建一批，确保二百多个项目建成投产；推进客运专线建设。"
          "开工一批，力争五百多个项目开工建设，年内完成投资一千亿元。争取一批，认真做好中央投资项目的申报工作。"
          "储备一批，加强项目库建设，抓紧谋划一批带动能力强的大项目。\n"
          "二是大力发展文化产业。实施一批文化产业项目，培育一批文化产业园区，建设一批示范基地，打造一批知名品牌。\n")


def test_items_opening_sentences_are_found_as_a_list_spread_over_them():
    """河北省 2010: “四个一批” is spelled out as the leads of four sentences, not in one sentence."""
    from qa.enumerations import spread_over
    term = numbered_term("“四个一批”指哪几个一批？")
    spans = spread_over(SPREAD, term)
    assert [SPREAD[s:e] for s, e in spans] == ["在建一批", "开工一批", "争取一批", "储备一批"]
    # numbered leads opening alike (宁夏 2026: 一是坚定实施扩大内需战略…二是坚定实施产业兴区战略…), past a
    # sentence holding the word in another form
    text = ("全面实施“三大战略”。一是坚定实施扩大内需战略，扩大有效投资。坚持把扩大内需作为经济增长的战略基点。"
            "二是坚定实施产业兴区战略，做强产业。三是坚定实施数字宁夏战略，建设算力枢纽。")
    spans = spread_over(text, numbered_term("“三大战略”是哪几个战略？"))
    assert [text[s:e] for s, e in spans] == ["坚定实施扩大内需战略", "坚定实施产业兴区战略", "坚定实施数字宁夏战略"]


def test_items_inside_sentences_of_several_parts_are_found_when_they_open_alike():
    """湖南 2026: “三个高地” is spelled out one item a part, each inside a sentence (…，持续用力打造
    国家重要先进制造业高地，…), the three opening alike for more than a verb."""
    from qa.enumerations import spread_over
    text = ("一是持续用力打造“三个高地”，推动高质量发展。\n（二）加快建设现代化产业体系。巩固实体经济根基，"
            "持续用力打造国家重要先进制造业高地，壮大产业集群。\n（三）深入推进创新驱动发展。全面增强创新能力，"
            "持续用力打造具有核心竞争力的科技创新高地。\n（四）全面深化改革扩大开放。以开放突围，"
            "持续用力打造内陆地区改革开放高地，提升开放能级。\n")
    spans = spread_over(text, numbered_term("“三个高地”是哪三个高地？"))
    assert [text[s:e] for s, e in spans] == ["持续用力打造国家重要先进制造业高地", "持续用力打造具有核心竞争力的科技创新高地",
                                             "持续用力打造内陆地区改革开放高地"]
    assert spread_over(text.replace("持续用力打造具有", "着力建设具有"), numbered_term("“三个高地”是哪三个高地？")) is None


def test_items_opening_with_the_word_itself_are_one_list_however_long():
    """黑龙江 2026: 一是奋力推进产业振兴 … 十二是奋力推进安全能力提升, short and long leads alike."""
    from qa.enumerations import spread_over
    items = ["产业振兴", "科教振兴", "农业振兴", "经济循环高效畅通"]
    text = "落实“四个奋力推进”重点任务。" + "".join(
        f"{n}是奋力推进{item}，做好各项工作。" for n, item in zip("一二三四", items))
    spans = spread_over(text, numbered_term("“四个奋力推进”都包括什么？"))
    assert [text[s:e] for s, e in spans] == [f"奋力推进{item}" for item in items]


def test_no_list_is_read_over_sentences_for_a_pair_a_one_character_word_or_a_term_not_in_the_text():
    from qa.enumerations import spread_over
    assert spread_over(SPREAD, numbered_term("“五个一批”指哪几个一批？")) is None  # four, not five
    assert spread_over(SPREAD.replace("“四个一批”", ""), numbered_term("“四个一批”指哪几个一批？")) is None
    pair = "建设“两个中心”。加快建设区域经济中心，做强产业。加快建设区域物流中心，畅通通道。"
    assert spread_over(pair, numbered_term("“两个中心”是哪两个？")) is None
    one = "落实“三保”。保障就业，扩大岗位。保障民生，兜牢底线。保障运转，压减支出。"
    assert spread_over(one, numbered_term("“三保”是哪三保？")) is None


def test_a_term_spread_over_sentences_is_answered_with_each_item(data_dir, real_encoder, tmp_path):
    """The real path: each item quoted with its passage cited first, not the list of another
    paragraph that holds 一批 four times but never names the term."""
    from ui.config import Settings
    from ui.runtime import build_system
    report = tmp_path / "spread-report.txt"
    report.write_text("某省政府工作报告\n" + SPREAD, encoding="utf-8")
    settings = Settings(data_dir=data_dir, index_name="spread-report", corpus=[str(report)])
    qa = build_system(settings, encoder=real_encoder, log=lambda m: None).qa
    a = qa.ask("报告里说的“四个一批”指哪几个一批？")
    assert not a.declined
    assert all(item in a.answer for item in ("在建一批", "开工一批", "争取一批", "储备一批"))
    assert "文化产业" not in a.answer
    assert "在建一批，确保二百多个项目建成投产" in a.answer  # a bare lead goes on to its next clause
    cited = [c for c in a.citations if c.rank in a.cited]
    assert cited and a.cited[0] == 1 and "在建一批" in cited[0].text


def test_a_term_of_counted_parts_is_spelled_out_by_the_items_a_colon_after_it_introduces():
    """国务院 2020: “两新一重”建设，主要是：加强新型基础设施建设，…。加强新型城镇化建设，…。加强交通、水利等
    重大工程建设。 Two plus one: three sentences opening alike (another sentence between them)."""
    from qa.enumerations import composite_term, introduced_items
    term = composite_term("报告里的“两新一重”指的是什么？")
    assert term == (3, "", "两新一重")
    assert composite_term("“四个一批”指哪几个？") is None and composite_term("“四算一体”是哪四算？") is None
    assert composite_term("“一带一路”国家有哪些？") is None  # two parts: too few to tell
    text = ("重点支持“两新一重”建设，主要是：加强新型基础设施建设，发展新一代信息网络，拓展5G应用。"
            "加强新型城镇化建设，提升县城公共设施和服务能力。新开工改造城镇老旧小区3.9万个。"
            "加强交通、水利等重大工程建设。增加国家铁路建设资本金1000亿元。\n加强安全生产。")
    spans = introduced_items(text, term)
    assert [text[s:e] for s, e in spans] == ["加强新型基础设施建设", "加强新型城镇化建设", "加强交通、水利等重大工程建设"]
    assert introduced_items(text.replace("主要是：", "主要是"), term) is None  # no colon: not introduced
