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
    led = "持续防范化解风险，着力稳就业、稳企业、稳市场、稳预期，推动经济实现质的有效提升"
    start, end = spelled_out(led, 4, "稳")  # the first item may carry a short lead (着力)
    assert led[start:end] == "着力稳就业、稳企业、稳市场、稳预期"


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
