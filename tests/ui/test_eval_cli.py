"""``report-qa eval``: dataset errors exit 2 with the line number; a run writes every output it promises."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.evaluate import load_dataset, score
from ui.cli import main
from ui.evaluation import DEFAULT_MODES, parse_modes

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "dev.jsonl"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def no_system(monkeypatch):
    """Fail the test if eval gets as far as loading the model."""
    def refuse(*args, **kwargs):
        raise AssertionError("the dataset should have been rejected before loading the system")
    monkeypatch.setattr("ui.runtime.build_system", refuse)


def test_malformed_line_exits_2_naming_the_line(tmp_path, capsys, no_system):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "question": "问？", "answers": ["1"]}\n{"id": "b", "question": \n', encoding="utf-8")
    assert main(["eval", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("report-qa: error: ") and f"{path}:2: not valid JSON" in err


def test_missing_dataset_and_unknown_mode_exit_2(tmp_path, capsys, no_system):
    assert main(["eval", str(tmp_path / "nope.jsonl")]) == 2
    assert "report-qa: error: " in capsys.readouterr().err
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "a", "question": "问？", "answers": ["1"]}\n', encoding="utf-8")
    assert main(["eval", str(good), "--modes", "hybrid,magic"]) == 2
    assert "unknown mode 'magic'" in capsys.readouterr().err


def test_parse_modes():
    assert parse_modes(None) == list(DEFAULT_MODES) and DEFAULT_MODES[0] == "hybrid"
    assert parse_modes(" bm25, paragraph-bm25 ,bm25") == ["bm25", "paragraph-bm25"]


@pytest.mark.slow
@pytest.mark.skipif(not DEV.exists(), reason="shared/eval/dev.jsonl is not beside the checkout")
def test_eval_writes_metrics_report_plots_and_predictions(tmp_path, capsys, monkeypatch, real_system):
    monkeypatch.setattr("ui.runtime.build_system", lambda *a, **k: real_system)
    subset = tmp_path / "dev10.jsonl"
    lines = [ln for ln in DEV.read_text(encoding="utf-8").splitlines() if ln.strip()]
    picked = lines[:8] + [ln for ln in lines if '"answerable": false' in ln][:2]  # both kinds of question
    subset.write_text("\n".join(picked) + "\n", encoding="utf-8")
    out, preds_path = tmp_path / "out", tmp_path / "preds" / "p.jsonl"
    modes = "hybrid,bm25,paragraph-bm25"

    assert main(["eval", str(subset), "--out", str(out), "--predictions", str(preds_path), "--modes", modes]) == 0
    printed = capsys.readouterr().out
    assert all(f"== mode: {m}" in printed for m in modes.split(","))

    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["modes"]) == modes.split(",") and metrics["run"]["questions"] == 10
    for m in metrics["modes"].values():
        o = m["overall"]
        for key in ("recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "answer_contains",
                    "median_answer_chars", "decline", "false_decline", "latency_p50_ms", "latency_p95_ms"):
            assert o[key] is not None, key
        assert "unanswerable" in m["by_type"]
    assert metrics["modes"]["paragraph-bm25"]["overall"]["decline"] == 0.0  # the baseline never declines

    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| metric | hybrid | bm25 | paragraph-bm25 |" in report and "## Worst misses (hybrid)" in report
    for name in ("recall_at_k.png", "by_type.png", "latency.png"):
        data = (out / name).read_bytes()
        assert data[:8] == PNG_MAGIC and len(data) > 5000, name
        assert f"]({name})" in report

    preds = [json.loads(ln) for ln in preds_path.read_text(encoding="utf-8").splitlines()]
    assert [p["id"] for p in preds] == [json.loads(ln)["id"] for ln in picked]
    assert all(set(p) == {"id", "passages", "answer", "declined"} and len(p["passages"]) <= 10 for p in preds)
    # the predictions file, scored independently, gives the main mode's metrics
    rescored = score(load_dataset(subset), {p["id"]: p for p in preds})["overall"]
    written = metrics["modes"]["hybrid"]["overall"]
    assert rescored == {k: v for k, v in written.items() if not k.startswith("latency")}
