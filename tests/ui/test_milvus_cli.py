"""``--store milvus:PATH``: the command line indexes into Milvus Lite and answers from what it holds."""
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")


def run(args, data_dir, **env):
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, REPORT_QA_DATA_DIR=str(data_dir), **env))


def test_an_unknown_store_is_a_clear_error(tmp_path):
    r = run(["ask", "去年GDP多少？", "--store", "qdrant:/tmp/x"], tmp_path)
    assert r.returncode == 2 and "store must be 'faiss' or 'milvus:PATH_OR_URI'" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.slow
def test_index_then_ask_from_the_milvus_store(real_system, real_encoder, data_dir, tmp_path):
    from embeddings.loaders import bundled_report_path
    text = bundled_report_path().read_text(encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "first.txt").write_text(text[:5000], encoding="utf-8")
    (reports / "second.txt").write_text(text[5000:9000], encoding="utf-8")
    store = f"milvus:{tmp_path / 'portal.db'}"
    from ui.config import Settings
    from ui.runtime import build_system
    system = build_system(Settings(data_dir=data_dir, store=store, corpus=[str(reports)]), encoder=real_encoder,
                          log=lambda m: None)  # what `report-qa index REPORTS --store …` does, without a second model load
    assert set(system.index.documents) == {"first.txt", "second.txt"}
    system.index.close()  # Milvus Lite: one process per file
    # no --corpus: the documents the Milvus index holds (not the bundled report, which would replace them)
    r = run(["ask", "去年GDP多少？", "--json", "--top-k", "3"], data_dir, REPORT_QA_STORE=store)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert "1650亿元" in out["answer"] and {c["source"] for c in out["citations"]} <= {"first.txt", "second.txt"}
