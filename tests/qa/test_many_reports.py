"""Several reports in one index, through the real model and FAISS: routing, naming, across years."""
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


def test_last_year_means_the_newest_report_of_the_place(many):
    a = many.qa.ask("清苑去年地区生产总值增长多少？")
    cited = [c for c in a.citations if c.rank in a.cited]
    assert not a.declined and cited and all(c.doc_id == "baoding-qingyuan-2025.txt" for c in cited)


def test_a_target_and_its_outcome_are_quoted_from_the_two_reports(many):
    a = many.qa.ask("清苑2023年定的GDP增长目标是多少？实际完成了多少？")
    assert not a.declined
    cited = {c.doc_id for c in a.citations if c.rank in a.cited}
    assert cited == {"baoding-qingyuan-2023.txt", "baoding-qingyuan-2024.txt"}  # a citation per year
    assert "增长7%" in a.answer and "176.6亿元" in a.answer


def test_a_question_no_report_answers_is_declined(many):
    assert many.qa.ask("清苑2021年的地区生产总值是多少？").declined
