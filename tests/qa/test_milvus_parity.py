"""The Milvus store answers the development questions exactly as the default (FAISS) store does."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "dev.jsonl"
EXTRA = Path(__file__).resolve().parents[2] / "data" / "eval" / "extra.jsonl"


@pytest.mark.slow
def test_same_answers_and_citations_as_the_default_store(real_system, real_encoder, tmp_path):
    from ui.config import Settings
    from ui.runtime import build_system
    settings = Settings(data_dir=real_system.settings.data_dir, store=f"milvus:{tmp_path / 'portal.db'}")
    milvus = build_system(settings, encoder=real_encoder, log=lambda m: None)
    # the default store built now too: jieba's words are process-wide and tests before this one
    # taught it other reports' terms, so both stores must cut their passages with the same words
    default = build_system(Settings(data_dir=real_system.settings.data_dir), encoder=real_encoder, log=lambda m: None)
    assert type(default.index).__name__ != "MilvusIndex"
    assert type(milvus.index).__name__ == "MilvusIndex" and len(milvus.index.passages) == len(default.index.passages)
    rows = [json.loads(line) for path in (DEV, EXTRA) if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 90
    for row in rows:
        want = default.qa.ask(row["question"], top_k=10)
        got = milvus.qa.ask(row["question"], top_k=10)
        assert (got.answer, got.declined, got.cited) == (want.answer, want.declined, want.cited), row["question"]
        assert [(c.text, c.start) for c in got.citations] == [(c.text, c.start) for c in want.citations], row["question"]
    year = default.index.documents["liyang-2025-government-work-report.txt"]["year"]
    a = milvus.qa.ask("去年GDP多少？", doc="liyang-2025-government-work-report.txt", year=year)
    assert "1650亿元" in a.answer
