"""Several reports in one index, through the real model and FAISS: routing, naming, across years."""
import re
from pathlib import Path

import pytest

REPORTS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "reports"
pytestmark = pytest.mark.skipif(not REPORTS.is_dir(), reason="shared/corpus/reports is not beside the checkout")
QINGYUAN = [REPORTS / f"baoding-qingyuan-{y}.txt" for y in (2023, 2024, 2025)]


@pytest.fixture(scope="module")
def many(data_dir, real_encoder):
    from ui.config import Settings
    from ui.runtime import build_system
    settings = Settings(data_dir=data_dir, index_name="many-reports",
                        corpus=[str(p) for p in QINGYUAN + [REPORTS / "sichuan-2026.txt"]])
    return build_system(settings, encoder=real_encoder, log=lambda m: None)


def test_profiles_are_listed(many):
    docs = many.qa.documents()
    assert [d["year"] for d in docs] == [2026, 2025, 2024, 2023]
    assert {d["place"] for d in docs} == {"四川省", "保定市清苑区"}
    assert all(d["outline"] and d["reviewed_year"] == d["year"] - 1 for d in docs)


def test_a_named_place_is_answered_from_its_report_and_the_report_is_named(many):
    a = many.qa.ask("四川去年GDP多少？")
    assert not a.declined and "67665亿元" in a.answer and a.answer.startswith("据《2026年四川省")
    assert {c.doc_id for c in a.citations} == {"sichuan-2026.txt"}


def test_an_english_question_names_another_place_the_report_writes_in_chinese(many):
    """Sichuan routes the question; Chongqing is searched as the report writes it, 重庆."""
    a = many.qa.ask("What will Sichuan build together with Chongqing?")
    assert not a.declined and "重庆" in a.answer and "重要增长极" in a.answer
    assert {c.doc_id for c in a.citations} == {"sichuan-2026.txt"}


def test_last_year_is_read_against_each_years_report_newest_first(many):
    """No year named, several years of the place: each report that answers is quoted on its own
    line, naming itself, the newest first, its 去年 read against its own years."""
    a = many.qa.ask("清苑去年地区生产总值增长多少？")
    lines = a.answer.split("\n")
    cited = [c.doc_id for c in sorted(a.citations, key=lambda c: c.rank) if c.rank in a.cited]
    assert not a.declined and cited[0] == "baoding-qingyuan-2025.txt" and len(lines) == len(set(cited)) >= 2
    assert "2025年" in lines[0] and "增长6%以上" in lines[0]  # the 2025 report's 去年 is 2024
    assert any("2024年" in line and "176.6亿元" in line for line in lines[1:])  # the 2024 report's is 2023
    assert a.citations[0].doc_id == "baoding-qingyuan-2025.txt"


def test_a_target_and_its_outcome_are_quoted_from_the_two_reports(many):
    a = many.qa.ask("清苑2023年定的GDP增长目标是多少？实际完成了多少？")
    assert not a.declined
    cited = {c.doc_id for c in a.citations if c.rank in a.cited}
    assert cited == {"baoding-qingyuan-2023.txt", "baoding-qingyuan-2024.txt"}  # a citation per year
    assert "增长7%" in a.answer and "176.6亿元" in a.answer


def test_a_question_no_report_answers_is_declined(many):
    assert many.qa.ask("清苑2021年的地区生产总值是多少？").declined


def test_a_question_routed_to_one_report_weighs_words_as_that_report_alone(many):
    """The answer step reads the routed report's own word weights (BM25Okapi over its passages, as
    the index segmented them), not the whole index's: a word in many passages of the three 清苑
    reports but in few of 四川's still marks a passage of 四川."""
    from rank_bm25 import BM25Okapi
    qa = many.qa
    qa.warm_up()
    retriever, doc = qa.retriever, "sichuan-2026.txt"
    canon = sorted({retriever._canonical[i] for i, p in enumerate(qa.index.passages) if p.doc_id == doc})
    bm25, vocabulary = retriever.bm25, list(retriever.bm25.vocabulary)

    def words(position: int) -> list[str]:
        seg = next(s for s in reversed(bm25._segments) if s.first <= position)
        row = seg.by_doc[position - seg.first]
        return [vocabulary[j] for j, n in zip(row.indices, row.data) for _ in range(n)]

    alone = BM25Okapi([words(retriever._position[c]) for c in canon]).idf
    own = qa.idf_for(qa.route("四川去年GDP多少？"))
    assert own.keys() == alone.keys() and all(abs(own[w] - alone[w]) < 1e-9 for w in alone)
    assert own != qa.idf and qa.idf_for(qa.route("去年GDP多少？")) is qa.idf  # not routed: the whole index's


def test_a_question_naming_no_place_is_answered_from_each_place_that_says(many):
    """去年GDP增长多少？ in an index of two places: each place's newest report is quoted, naming it,
    each part with its own citation, an earlier year of a place only after its newest, and no
    passage is listed twice."""
    a = many.qa.ask("去年地区生产总值增长多少？")
    assert not a.declined
    assert "《2026年四川省人民政府工作报告》" in a.answer and "增长5.5%" in a.answer
    assert "《清苑区2025年政府工作报告》" in a.answer and "6%以上" in a.answer
    cited = {c.rank: c.doc_id for c in a.citations if c.rank in a.cited}
    assert {"sichuan-2026.txt", "baoding-qingyuan-2025.txt"} <= set(cited.values()) and len(set(cited.values())) <= 3
    lines = a.answer.split("\n")
    years = [int(y) for line in lines if "清苑" in line for y in re.findall(r"(20\d\d)年政府", line)]
    assert years == sorted(years, reverse=True)  # the newest of the place first
    for rank, doc_id in cited.items():  # each report's part cites its own passage
        part = next(line for line in a.answer.split("\n") if f"[{rank}]" in line)
        assert ("四川" in part) == (doc_id == "sichuan-2026.txt")
    rows = [(c.doc_id, c.start) for c in a.citations]
    assert len(rows) == len(set(rows))


def test_the_parts_of_a_compound_question_come_from_one_report(many):
    a = many.qa.ask("去年粮食产量多少？今年目标是多少？")
    sichuan = next(line for line in a.answer.split("\n") if "四川" in line)
    assert "732.5亿斤" in sichuan and "730亿斤以上" in sichuan


def test_our_district_is_a_kind_of_place(many):
    a = many.qa.ask("去年咱们区GDP涨了多少？")
    assert not a.declined and "6%以上" in a.answer and "四川" not in a.answer


def test_a_question_naming_no_place_that_no_report_answers_is_declined(many):
    assert many.qa.ask("去年火星基地建了几个？").declined


@pytest.mark.parametrize("question", ["这份报告是哪天作的？", "政府工作报告是谁作的？"])
def test_the_date_or_speaker_asked_without_a_place_is_given_for_each_place(many, question):
    a = many.qa.ask(question)
    lines = a.answer.split("\n")
    assert not a.declined and len(lines) == 2 and len(a.cited) == 2
    assert any("四川" in x for x in lines) and any("清苑" in x for x in lines)
    if "哪天" in question:
        assert any("四川" in x and "2026年" in x for x in lines) and any("清苑" in x and "2025年" in x for x in lines)
