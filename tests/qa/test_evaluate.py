"""Scoring against hand-computed values, lenient matching, dataset validation, the baseline."""
from __future__ import annotations

import json

import numpy as np
import pytest

from qa.baselines import ParagraphBM25, paragraphs
from qa.evaluate import (DatasetError, answer_contains, evidence_rank, lenient, load_dataset, misses, outcome,
                         percentile, score)

# --- lenient matching ------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("６．３１ 万亩", "6.31万亩"),                       # NFKC: full-width digits and dot
    ("6.31\u3000万 亩\n", "6.31万亩"),                  # every kind of whitespace removed
    ("“三站三中心”^[3]10家", "“三站三中心”10家"),         # footnote marker removed
    ("“三站三中心”＾［3］10家", "“三站三中心”10家"),       # ... also in full-width form (NFKC first)
    ("全漂助", "全溧助"), ("漂即办", "溧即办"), ("全漂为民", "全溧为民"),  # OCR folds
    ("GDP", "gdp"), ("ＰＭ2.5", "pm2.5"),                # lower case after NFKC
])
def test_lenient_folds_both_sides_to_the_same_form(a, b):
    assert lenient(a) == lenient(b)


def test_lenient_keeps_what_the_readme_does_not_fold():
    assert lenient("漂亮") == "漂亮"            # only the three listed OCR variants are folded
    assert lenient("[3]") == "[3]"              # a bracket without ^ is text
    assert lenient("6.31万亩") != lenient("6.3万亩")


# --- a hand-computed example --------------------------------------------------------------------------

ROWS = [
    # evidence in a full-width, spaced form; found at rank 2
    {"id": "q1", "question": "高标准农田？", "answers": ["6.31 万亩"], "evidence": ["改新建高标准农田 6.31 万亩"],
     "type": "number", "answerable": True},
    # two evidence strings: one at rank 1, the other at rank 4 -> covered at rank 4
    {"id": "q2", "question": "三站三中心？", "answers": ["10家", "党群服务"], "evidence": ["“三站三中心”^[3]10家", "全漂助服务"],
     "type": "multi", "answerable": True},
    # evidence never retrieved, and the system declined
    {"id": "q3", "question": "谁？", "answers": ["上上"], "evidence": ["上上、金峰等4家企业"], "type": "fact",
     "answerable": True},
    {"id": "q4", "question": "人口？", "answers": [], "evidence": [], "type": "unanswerable", "answerable": False},
    {"id": "q5", "question": "房价？", "answers": [], "evidence": [], "type": "unanswerable", "answerable": False},
]
PREDICTIONS = {
    "q1": {"passages": ["无关段落", "去年改新建高标准农田６．３１万亩。", "x", "y"], "answer": "改新建高标准农田6.31万亩[2]",
           "declined": False, "took_ms": 10.0},
    "q2": {"passages": ["新增“三站三中心” 10家", "a", "b", "打造全溧助 服务品牌", "c"], "answer": "新增“三站三中心”10家[1]",
           "declined": False, "took_ms": 20.0},
    "q3": {"passages": ["p"] * 10 + ["上上、金峰等4家企业"], "answer": "报告中没有找到相关内容。", "declined": True,
           "took_ms": 30.0},
    "q4": {"passages": ["p"], "answer": "报告中没有找到相关内容。", "declined": True, "took_ms": 40.0},
    "q5": {"passages": ["p"], "answer": "房价很高", "declined": False, "took_ms": 50.0},
}


def test_evidence_rank_is_where_all_evidence_is_first_covered():
    assert evidence_rank(ROWS[0]["evidence"], PREDICTIONS["q1"]["passages"]) == 2
    assert evidence_rank(ROWS[1]["evidence"], PREDICTIONS["q2"]["passages"]) == 4
    assert evidence_rank(ROWS[2]["evidence"], PREDICTIONS["q3"]["passages"]) is None  # rank 11 does not count
    assert evidence_rank(["b"], ["ab", "b"], k=1) == 1


def test_score_matches_hand_computed_values():
    m = score(ROWS, PREDICTIONS)
    o = m["overall"]
    assert o["questions"] == 5
    # answerable ranks: 2, 4, miss
    assert o["recall@1"] == 0.0
    assert o["recall@3"] == pytest.approx(1 / 3, abs=1e-4)
    assert o["recall@5"] == pytest.approx(2 / 3, abs=1e-4)
    assert o["recall@10"] == pytest.approx(2 / 3, abs=1e-4)
    assert o["mrr@10"] == pytest.approx((1 / 2 + 1 / 4 + 0) / 3, abs=1e-4)
    # q1 contains 6.31 万亩; q2 lacks 党群服务; q3 declined
    assert o["answer_contains"] == pytest.approx(1 / 3, abs=1e-4)
    assert o["median_answer_chars"] == len("新增“三站三中心”10家[1]") == 15  # lengths 17, 15, 12
    assert o["false_decline"] == pytest.approx(1 / 3, abs=1e-4)
    assert o["decline"] == 0.5
    assert o["latency_p50_ms"] == 30.0
    assert o["latency_p95_ms"] == pytest.approx(48.0)

    t = m["by_type"]
    assert list(t) == ["number", "fact", "multi", "unanswerable"]  # README order
    assert t["number"]["recall@1"] == 0.0 and t["number"]["recall@3"] == 1.0 and t["number"]["mrr@10"] == 0.5
    assert t["multi"]["recall@3"] == 0.0 and t["multi"]["recall@5"] == 1.0 and t["multi"]["mrr@10"] == 0.25
    assert t["multi"]["answer_contains"] == 0.0
    assert t["fact"]["recall@10"] == 0.0 and t["fact"]["false_decline"] == 1.0
    assert t["unanswerable"] == {"questions": 2, "decline": 0.5, "latency_p50_ms": 45.0, "latency_p95_ms": 49.5}


def test_answer_contains_is_the_readme_definition():
    assert answer_contains(["6.31 万亩", "4万元"], "６．３１万亩，4 万元")
    assert not answer_contains(["6.31 万亩", "4万元"], "6.31万亩")
    assert answer_contains(["全漂助"], "全溧助服务品牌")


def test_score_needs_a_prediction_for_every_question():
    with pytest.raises(ValueError, match="no prediction"):
        score(ROWS, {k: v for k, v in PREDICTIONS.items() if k != "q2"})


def test_percentile_is_numpys_linear_interpolation():
    values = [3.0, 1.0, 4.0, 1.5, 9.0, 2.6]
    for q in (0, 50, 95, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), abs=1e-3)


def test_misses_worst_first_with_what_was_retrieved():
    worst = misses(ROWS, PREDICTIONS)
    assert [w["id"] for w in worst] == ["q3", "q2", "q5", "q1"]
    q3 = worst[0]
    assert q3["problems"][0] == "evidence not in the top 10" and "declined an answerable question" in q3["problems"]
    assert q3["top3"] == ["p", "p", "p"] and q3["evidence"] == ["上上、金峰等4家企业"]
    assert "answer lacks “党群服务”" in worst[1]["problems"]
    assert worst[2]["problems"] == ["answered an unanswerable question"]
    assert worst[3]["problems"] == ["evidence complete only at rank 2"]
    assert misses(ROWS, PREDICTIONS, n=2) == worst[:2]


def test_two_evidence_strings_may_take_two_passages():
    pred = {"passages": ["“三站三中心”10家", "全溧助服务", "x"], "answer": "10家，党群服务", "declined": False}
    assert outcome(ROWS[1], pred) == {"rank": 2, "correct": True, "problems": []}
    late = {**pred, "passages": ["x", "“三站三中心”10家", "全溧助服务"]}
    assert outcome(ROWS[1], late)["problems"] == ["evidence complete only at rank 3"]


# --- dataset validation -------------------------------------------------------------------------------

GOOD = {"id": "d1", "question": "问题？", "answers": ["1"], "evidence": ["证据一二三四五六"], "type": "number",
        "answerable": True}


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("bad, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    (json.dumps({**GOOD, "id": "d2", "question": ""}), "'question' must be a non-empty string"),
    (json.dumps({**GOOD, "id": "d2", "answers": "1"}), "'answers' must be a list of strings"),
    (json.dumps({**GOOD, "id": "d2", "answerable": "yes"}), "'answerable' must be true or false"),
    (json.dumps({**GOOD, "id": "d2", "answers": [], "evidence": []}), "needs 'answers' or 'evidence'"),
    (json.dumps(GOOD), "duplicate id 'd1'"),
])
def test_a_malformed_line_is_named_by_its_number(tmp_path, bad, message):
    path = _write(tmp_path, [json.dumps(GOOD), "", bad])
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert f"{path}:3:" in str(info.value) and message in str(info.value)


def test_dataset_defaults_and_empty_files(tmp_path):
    rows = load_dataset(_write(tmp_path, [json.dumps({"id": "u", "question": "？", "answerable": False})]))
    assert rows[0]["type"] == "unanswerable" and rows[0]["evidence"] == [] and rows[0]["answers"] == []
    with pytest.raises(DatasetError, match="no questions"):
        load_dataset(_write(tmp_path, ["", "  "]))
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(tmp_path / "missing.jsonl")


# --- the paragraph-BM25 baseline ------------------------------------------------------------------------

TEXT = "标题\n\n  去年新增充电端口5800个，建成充电站。\n\n今年计划新建高标准农田3万亩。\n\n\n\n各位代表：\n"


def test_paragraphs_are_blank_line_blocks_with_offsets():
    paras = paragraphs(TEXT)
    assert [p[2] for p in paras] == ["标题", "去年新增充电端口5800个，建成充电站。", "今年计划新建高标准农田3万亩。", "各位代表："]
    assert all(TEXT[s:e] == t for s, e, t in paras)


def test_baseline_answers_with_the_top_paragraph_and_never_declines():
    baseline = ParagraphBM25([("r.txt", TEXT)])
    a = baseline.ask("新增了多少充电端口？", top_k=3)
    assert a.answer == "去年新增充电端口5800个，建成充电站。" and not a.declined
    assert [c.rank for c in a.citations] == [1, 2, 3] and a.citations[0].source == "r.txt"
    assert a.took_ms >= 0
    nothing = baseline.ask("？？", top_k=3)
    assert nothing.answer == "" and nothing.citations == [] and not nothing.declined
    with pytest.raises(ValueError):
        ParagraphBM25([("empty.txt", "\n\n")])


def test_a_predictions_decline_carries_its_reason():
    """A prediction file says why a question was declined (reading misses needs it) and nothing for an answer."""
    from types import SimpleNamespace
    from qa.evaluate import predict

    def ask(question):
        declined = "GDP" not in question
        return SimpleNamespace(citations=[], answer="…", declined=declined, took_ms=1.0,
                               reason="weak match" if declined else "")

    out = predict(ask, [{"id": "a", "question": "去年GDP多少"}, {"id": "b", "question": "房价多少"}])
    assert [(p["declined"], p["reason"]) for p in out] == [(False, ""), (True, "weak match")]
