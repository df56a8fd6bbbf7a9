"""Nothing leaves the data directory: a real ``report-qa serve`` started with an empty HOME (the
session server of tests/ui/conftest.py) answers through every front end, and afterwards HOME is
still empty (onnxruntime's device id and events database, Hugging Face, Gradio and matplotlib
caches would all land there). The question log on that server keeps no phone or ID number."""
from __future__ import annotations

import json
import time

import httpx
import pytest

pytestmark = pytest.mark.slow

PHONE, ID_NUMBER, EMAIL = "13912345678", "32048119900101123X", "citizen@example.cn"


def _ask_everywhere(server) -> None:
    question = f"新增城镇就业多少人？我的电话{PHONE}，身份证{ID_NUMBER}，邮箱{EMAIL}"
    r = httpx.post(f"{server.url}/api/ask", json={"question": question}, timeout=30)
    assert r.status_code == 200, r.text
    r = httpx.post(f"{server.url}/api/embed/ask", json={"question": "去年GDP多少？"}, timeout=30)
    assert r.status_code == 200 and "1650亿元" in r.json()["answer"]
    for path in ("/", "/embed", "/docs"):
        assert httpx.get(server.url + path, timeout=30).status_code == 200


def test_nothing_appears_in_home(server):
    assert server.home is not None
    _ask_everywhere(server)
    written = sorted(str(p.relative_to(server.home)) for p in server.home.rglob("*"))
    assert written == [], f"written outside the data directory: {written}"
    assert (server.data_dir / "tmp").is_dir()  # the libraries' temporary files went to DATA_DIR/tmp


def test_question_log_keeps_no_personal_numbers(server):
    _ask_everywhere(server)
    log = server.data_dir / "logs" / "questions.jsonl"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (not log.exists() or "[电话]" not in log.read_text(encoding="utf-8")):
        time.sleep(0.2)
    text = log.read_text(encoding="utf-8")
    assert PHONE not in text and ID_NUMBER not in text and EMAIL not in text
    # whole lines only (the server may be writing one), and not splitlines(): U+2028 is no line end here
    entries = [json.loads(line) for line in text.split("\n")[:-1] if line]
    mine = [e for e in entries if e["question"].startswith("新增城镇就业多少人？")]
    assert mine and mine[-1]["question"] == "新增城镇就业多少人？我的电话[电话]，身份证[证件号]，邮箱[邮箱]"
    assert any(e["question"] == "去年GDP多少？" and not e["declined"] and e["cited"] for e in entries)
    assert all(set(e) <= {"time", "question", "declined", "cited", "doc"} for e in entries)
