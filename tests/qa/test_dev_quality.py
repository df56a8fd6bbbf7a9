"""The dev set through the real system must meet the foundation issue's quality bar."""
from pathlib import Path

import pytest

from qa.evaluate import load_dataset, predict, score

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "dev.jsonl"
EXTRA = Path(__file__).resolve().parents[2] / "data" / "eval"


@pytest.mark.parametrize("dataset", [
    pytest.param(DEV, id="dev", marks=pytest.mark.skipif(not DEV.exists(), reason="shared/eval/dev.jsonl is not beside the checkout")),
    pytest.param(EXTRA / "extra.jsonl", id="extra"), pytest.param(EXTRA / "extra2.jsonl", id="extra2"),
    pytest.param(EXTRA / "extra3.jsonl", id="extra3"), pytest.param(EXTRA / "extra4.jsonl", id="extra4"),
    pytest.param(EXTRA / "extra5.jsonl", id="extra5")])
def test_question_set_quality(real_qa, dataset):
    rows = load_dataset(dataset)
    preds = predict(lambda q: real_qa.ask(q, top_k=10), rows)
    m = score(rows, {p["id"]: p for p in preds})["overall"]
    assert m["recall@5"] >= 0.95
    assert m["mrr@10"] >= 0.80
    assert m["answer_contains"] >= 0.85
    assert m["median_answer_chars"] <= 120
    assert m["decline"] >= 0.67
    assert m["false_decline"] <= 0.05
