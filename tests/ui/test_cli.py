"""The ``report-qa`` command as a user runs it: a real subprocess on the real index."""
import json
import os
import subprocess
import sys

import pytest


def run(args, data_dir, env_extra=None, **kw):
    env = dict(os.environ, REPORT_QA_DATA_DIR=str(data_dir), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300, **kw)


@pytest.fixture(scope="module")
def indexed(real_system, data_dir):
    """The session fixture has converted the model and built the default index already."""
    return data_dir


@pytest.fixture(scope="module")
def default_answers(indexed):
    """``ask --json`` with the default settings, once per question (each run loads the model)."""
    out = {}
    for q in ("去年GDP多少？", "今年要新增几个托班？"):
        r = run(["ask", q, "--json"], indexed)
        assert r.returncode == 0, r.stderr
        out[q] = json.loads(r.stdout)
    return out


def test_ask_json_shape(default_answers):
    out = default_answers["去年GDP多少？"]
    assert set(out) >= {"answer", "declined", "citations"}
    assert "1650亿元" in out["answer"] and out["declined"] is False
    assert len(out["citations"]) >= 3
    c = out["citations"][0]
    assert set(c) >= {"rank", "text", "section", "source", "start", "end", "score"}
    assert any(x["section"].startswith("一、2024年工作回顾") and "1650亿元" in x["text"] for x in out["citations"])
    assert "33个" in default_answers["今年要新增几个托班？"]["answer"]


def test_ask_text_and_decline(indexed):
    r = run(["ask", "溧阳的房价多少？", "--top-k", "3"], indexed)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("报告中没有找到相关内容")


@pytest.mark.parametrize("args", [["ask", ""], ["ask", "   "], ["ask", "问" * 600], ["ask", "GDP?", "--top-k", "0"],
                                  ["eval", "/nonexistent/dev.jsonl"]])
def test_bad_input_is_a_clear_error_not_a_traceback(indexed, args):
    r = run(args, indexed)
    assert r.returncode == 2
    assert "report-qa: error:" in r.stderr and "Traceback" not in r.stderr


def test_precision_flag_reuses_the_index_and_gives_the_same_answer(indexed, default_answers):
    default = default_answers["今年要新增几个托班？"]
    r = run(["ask", "今年要新增几个托班？", "--precision", "float32"], indexed)
    assert r.returncode == 0, r.stderr
    assert "encoded" not in r.stderr  # the index serves either precision
    lines = r.stdout.splitlines()  # the text output: the answer, then numbered sources
    assert lines[0] == default["answer"] and "[1]" in r.stdout


def test_onnx_and_pytorch_query_backends_give_the_same_answer(indexed, default_answers):
    default = default_answers["去年GDP多少？"]  # auto: ONNX Runtime for queries where it loads
    r = run(["ask", "去年GDP多少？", "--json", "--query-backend", "torch", "--precision", "float32"], indexed)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["answer"] == default["answer"]
    assert [c["start"] for c in out["citations"]] == [c["start"] for c in default["citations"]]
    r = run(["ask", "去年GDP多少？"], indexed, env_extra={"REPORT_QA_QUERY_BACKEND": "gpu"})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "REPORT_QA_QUERY_BACKEND must be one of auto, onnx, torch" in r.stderr


def test_bad_precision_setting_is_a_clear_error(indexed):
    r = run(["ask", "去年GDP多少？"], indexed, env_extra={"REPORT_QA_PRECISION": "fp8"})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "REPORT_QA_PRECISION must be one of auto, float32, bfloat16" in r.stderr


def test_index_command_reuses_the_cached_index(indexed):
    r = run(["index", "--no-progress"], indexed)
    assert r.returncode == 0, r.stderr
    assert "passages from 1 document" in r.stdout
    assert "encoded" not in r.stderr  # nothing was rebuilt


def test_damaged_index_is_rebuilt_with_a_message(indexed, tmp_path):
    import shutil
    copy = tmp_path / "data"  # the model shared, the index copied (not the session's other indexes)
    (copy / "indexes").mkdir(parents=True)
    (copy / "models").symlink_to(indexed / "models", target_is_directory=True)
    shutil.copytree(indexed / "indexes" / "default", copy / "indexes" / "default")
    (copy / "indexes" / "default" / "manifest.json").write_text("{broken")
    r = run(["ask", "去年GDP多少？"], copy)
    assert r.returncode == 0 and "1650亿元" in r.stdout
    assert "damaged" in r.stderr and "Traceback" not in r.stderr
