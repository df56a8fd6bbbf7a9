"""The real path: converted model, real FAISS index of the bundled report, real answers."""
import pytest

from qa.evaluate import lenient
from qa.pipeline import QuestionError


def test_gdp_question_answers_1650_with_a_citation_into_the_review_part(real_qa):
    a = real_qa.ask("去年GDP多少？")
    assert not a.declined
    assert "1650亿元" in a.answer and "[1]" in a.answer or "[2]" in a.answer
    cited = [c for c in a.citations if c.rank in a.cited]
    assert cited and cited[0].section.startswith("一、2024年工作回顾")
    assert "1650亿元" in cited[0].text


def test_citation_offsets_point_into_the_original_report(real_qa, real_system):
    from embeddings.loaders import bundled_report_path
    raw = bundled_report_path().read_text(encoding="utf-8")
    a = real_qa.ask("今年要新增几个托班？")
    assert "33个" in a.answer
    for c in a.citations:
        assert lenient(raw[c.start:c.end]) == lenient(c.text)


@pytest.mark.parametrize("question", ["溧阳的房价多少？", "溧阳2026年的GDP目标是多少？", "What is the average housing price in Liyang?",
                                      "溧阳市人大常委会主任是谁？", "苏锡常城际铁路啥时候能通车？",
                                      "宜兴市去年地区生产总值是多少？"])
def test_declines_what_the_report_does_not_say(real_qa, question):
    a = real_qa.ask(question)
    assert a.declined
    assert ("报告中没有找到" in a.answer) != question.isascii()


def test_who_question_answers_with_the_name_the_report_gives(real_qa):
    a = real_qa.ask("溧阳市长叫什么名字？")
    assert not a.declined and "周永强" in a.answer


def test_english_question_on_the_chinese_report(real_qa):
    a = real_qa.ask("What was Liyang's GDP in 2024?")
    assert not a.declined and "1650亿元" in a.answer


def test_definition_comes_from_the_glossary(real_qa):
    a = real_qa.ask("“四个论英雄”是哪四个？")
    for word in ("亩产", "效益", "能耗", "环境"):
        assert word in a.answer
    assert a.citations[a.cited[0] - 1].section.startswith("名词解释")


def test_compound_question_cites_both_places(real_qa):
    a = real_qa.ask("去年新增了多少家“四上”企业？今年目标又是多少家？")
    assert "162家" in a.answer and "210家" in a.answer
    assert len(set(a.cited)) == 2


def test_compound_question_joined_by_a_comma_answers_both_parts(real_qa):
    a = real_qa.ask("一般公共预算收入去年增长多少、今年预期增长多少")
    assert "5.1%" in a.answer and "4%左右" in a.answer


def test_compound_question_answers_the_part_the_report_supports(real_qa):
    a = real_qa.ask("去年进出口总值多少？明年的目标是多少？")
    assert not a.declined and "186亿元" in a.answer


def test_follow_up_uses_the_conversation(real_qa):
    history = [{"role": "user", "content": "去年GDP多少？"}, {"role": "assistant", "content": "全年地区生产总值突破1650亿元[1]"}]
    a = real_qa.ask("那今年的目标呢？", history=history)
    assert "6%左右" in a.answer


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_each_retrieval_leg_finds_the_gdp_passage(real_qa, mode):
    top = real_qa.retrieve("2024年全年地区生产总值突破多少亿元", k=10, mode=mode)
    assert any("1650亿元" in c.text for c in top)


@pytest.mark.parametrize("bad", ["", "   ", "问" * 501, None, 42])
def test_bad_questions_get_a_clear_error(real_qa, bad):
    with pytest.raises(QuestionError):
        real_qa.ask(bad)


def test_answers_are_short(real_qa):
    a = real_qa.ask("溧阳在2024中国县域高质量发展百强榜上排第几？")
    assert "第19位" in a.answer and len(a.answer) <= 120


def test_both_parts_of_a_compound_question_are_cited_first(real_qa):
    """去年…？今年…？: the two passages the answer quotes are sources 1 and 2, whatever their rank."""
    a = real_qa.ask("去年GDP多少？今年GDP目标是多少？")
    assert not a.declined and "1650亿元" in a.answer
    assert a.cited[:2] == [1, 2] and "[1]" in a.answer and "[2]" in a.answer
    assert "1650亿元" in a.citations[0].text
