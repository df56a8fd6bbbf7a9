"""What a city's web team relies on, without a model: source cards for readers, the whole report
with a passage highlighted, the question log (redaction, rotation), ``report-qa stats``,
branding settings, and the embed page's HTML."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from embeddings.loaders import bundled_report_path, load_document
from qa.pipeline import Answer, Citation
from ui import stats
from ui.cli import main
from ui.config import Branding, question_log_enabled
from ui.embed import embed_page
from ui.original import ReportText, ReportTexts, create_original_router, original_link
from ui.querylog import LoggedQA, QuestionLog, redact
from ui.sources import sources_html

XSS = '<img src=x onerror="window.__xss=1">'
REPORT = bundled_report_path()
DOC_ID = REPORT.name


@pytest.fixture(scope="module")
def texts() -> ReportTexts:
    doc = load_document(REPORT)
    return ReportTexts({DOC_ID: {"path": str(REPORT), "title": "某市2025年政府工作报告",
                                 "content_hash": doc.content_hash}})


def _answer(report_text: str) -> Answer:
    """An answer citing the passage that holds 地区生产总值 (offsets from the real file)."""
    at = report_text.index("全年地区生产总值")
    end = report_text.index("；", at) + 1
    cited = Citation(rank=1, text=report_text[at:end], section="一、2024年工作回顾", source=DOC_ID, start=at, end=end,
                     score=0.154, doc_id=DOC_ID, title="某市2025年政府工作报告",
                     notes=[{"number": 15, "term": "长幼随学", "text": "15.长幼随学：一段解释。"}])
    other = Citation(rank=2, text=XSS + "另一段。", section="二、2025年工作安排 > <b>小节</b>", source=DOC_ID,
                     start=10, end=30, score=0.1, doc_id=DOC_ID, title="某市2025年政府工作报告")
    return Answer(question="去年GDP多少？", answer=report_text[at:report_text.index("，", at)] + "[1]", declined=False,
                  citations=[cited, other], cited=[1])


# --- source cards ---------------------------------------------------------------------------------

def test_source_cards_speak_to_readers(texts):
    report = texts.get(DOC_ID)
    a = _answer(report.text)
    out = sources_html(a, texts)
    cited, _, more = out.partition('<details class="rqa-more">')
    # the cited card: title, chapter, paragraph number, quote marked, a link to the whole report
    assert "《某市2025年政府工作报告》" in cited and "一、2024年工作回顾" in cited
    assert f"第 {report.paragraph(a.citations[0].start)} 段" in cited
    assert "<mark>全年地区生产总值" in cited
    link = original_link(DOC_ID, a.citations[0].start, a.citations[0].end).replace("&", "&amp;")
    assert f'href="{link}"' in cited and "查看原文" in cited
    # the glossary note under its term, without the glossary's list number
    assert "名词解释：长幼随学" in cited and "15." not in cited and "一段解释。" in cited
    # no offsets, scores or file names for people
    assert "字符" not in out and "相关度" not in out and "0.154" not in out and DOC_ID + " ·" not in out
    # the uncited passage is folded away, and escaped like everything else
    assert "更多相关段落（1）" in more and "[2]" in more and "[2]" not in cited
    assert "&lt;img" in more and "<img" not in out and "<b>" not in out and "小节" in more


def test_paragraph_numbers_follow_the_report(texts):
    report = texts.get(DOC_ID)
    assert report.paragraph(0) == 1
    first_part = report.text.index("一、2024年工作回顾")
    numbers = [report.paragraph(o) for o in range(0, len(report.text), 500)]
    assert numbers == sorted(numbers) and numbers[-1] > 50
    # a page break inside a sentence does not start a new paragraph (the indexer joins it)
    broken = report.text.index("的\n\n导向持续强化")
    assert report.paragraph(broken) == report.paragraph(broken + 5) == report.paragraph(first_part + 30)


def test_original_page_marks_the_passage_and_escapes(texts, tmp_path):
    app = FastAPI()
    app.include_router(create_original_router(texts))
    client = TestClient(app)
    report = texts.get(DOC_ID)
    at = report.text.index("全年地区生产总值")
    page = client.get(f"/{original_link(DOC_ID, at, at + 20).split('#')[0]}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'<mark id="passage">{report.text[at:at + 20]}</mark>' in page.text
    assert "某市2025年政府工作报告" in page.text and "第 7 段" in page.text
    assert page.text.count("<mark") == 1 and "<script" not in page.text
    assert client.get("/original", params={"doc": "nope.txt", "start": 0, "end": 1}).status_code == 404
    assert client.get("/original", params={"doc": DOC_ID, "start": 20, "end": 10}).status_code == 400
    assert client.get("/original", params={"doc": DOC_ID, "start": -1, "end": 10}).status_code in (400, 422)
    # document text is text, never markup
    hostile = ReportText.from_text("x", "<i>t</i>", "甲" + XSS + "乙\n\n丙。")
    html = hostile.page_html(1, 5)
    assert "<img" not in html and "&lt;img" in html and "<i>" not in html


def test_a_document_edited_since_indexing_gets_no_link(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("一、标题\n\n原来的内容。\n", encoding="utf-8")
    texts = ReportTexts({"r.txt": {"path": str(path), "content_hash": load_document(path).content_hash}})
    path.write_text("一、标题\n\n改过的内容，偏移量对不上了。\n", encoding="utf-8")
    assert texts.get("r.txt") is None and texts.paragraph("r.txt", 3) is None
    c = Citation(rank=1, text="原来的内容。", section="一、标题", source="r.txt", start=6, end=12, score=1.0, doc_id="r.txt")
    out = sources_html(Answer(question="q", answer="原来的内容。[1]", declined=False, citations=[c], cited=[1]), texts)
    assert "查看原文" not in out and "原来的内容" in out


# --- question log ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, kept", [
    ("我的手机13812345678，能办吗", "我的手机[电话]，能办吗"),
    ("电话 138 1234 5678", "电话 [电话]"),
    ("+86-139-1234-5678 联系", "[电话] 联系"),
    ("座机0519-87654321或(0519)87654321", "座机[电话]或[电话]"),
    ("身份证320481199001011234查询", "身份证[证件号]查询"),
    ("身份证 32048119900101123X 查询", "身份证 [证件号] 查询"),
    ("老身份证320481900101123", "老身份证[证件号]"),
    ("卡号6222 0212 3456 7890 123", "卡号[证件号]"),
    ("全角１３８１２３４５６７８", "全角[电话]"),
    ("邮箱 zhang.san+qa@example.gov.cn 回复", "邮箱 [邮箱] 回复"),
])
def test_redaction_removes_personal_numbers(text, kept):
    assert redact(text) == kept


@pytest.mark.parametrize("text", ["去年GDP多少？", "全年地区生产总值突破1650亿元", "2024年增长6.5%", "拨打12345热线",
                                  "2025年1月4日的报告", "新增城镇就业12000人", "投资100000000元"])
def test_redaction_leaves_ordinary_questions_alone(text):
    assert redact(text) == text


def test_question_log_records_no_person_and_rotates(tmp_path):
    log = QuestionLog(tmp_path / "questions.jsonl", max_bytes=4000, backups=2)
    a = Answer(question="q", answer="x[1]", declined=False, cited=[1],
               citations=[Citation(rank=1, text="t", section="一、回顾 > 经济", source="r.txt", start=0, end=1, score=1.0,
                                   doc_id="r.txt", title="某报告"),
                          Citation(rank=2, text="t", section="二、安排", source="r.txt", start=2, end=3, score=0.5)])
    for i in range(200):
        log.record(f"问题{i} 请回电13812345678 或发 a{i}@b.cn", a, doc="r.txt" if i % 2 else None)
    log.close()
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["questions.jsonl", "questions.jsonl.1", "questions.jsonl.2"]
    assert all(f.stat().st_size <= 4000 for f in files)
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "13812345678" not in text and "@b.cn" not in text
    entry = json.loads(files[0].read_text(encoding="utf-8").splitlines()[-1])
    assert entry["question"] == "问题199 请回电[电话] 或发 [邮箱]"
    assert entry["declined"] is False and entry["cited"] == [{"doc": "r.txt", "title": "某报告", "section": "一、回顾 > 经济"}]
    assert set(entry) == {"time", "question", "declined", "cited", "doc"}  # no ip, agent or session


def test_logged_qa_records_every_question_and_delegates(tmp_path):
    calls = []

    class QA:
        index = "the index"

        def ask(self, question, top_k=5, history=None, doc=None):
            calls.append((question, top_k, doc))
            return Answer(question=question, answer="报告中没有找到相关内容。", declined=True, citations=[])

    log = QuestionLog(tmp_path / "q.jsonl")
    qa = LoggedQA(QA(), log)
    assert qa.ask("邮箱x@y.com的问题", top_k=3, doc="d").declined and qa.index == "the index"
    log.close()
    assert calls == [("邮箱x@y.com的问题", 3, "d")]  # the QA system sees the question as asked
    entry = json.loads((tmp_path / "q.jsonl").read_text(encoding="utf-8"))
    assert entry["question"] == "邮箱[邮箱]的问题" and entry["declined"] is True and entry["doc"] == "d"


def test_question_log_switch():
    assert question_log_enabled(None, {}) is False
    assert question_log_enabled(None, {"REPORT_QA_QUESTION_LOG": "on"}) is True
    assert question_log_enabled(False, {"REPORT_QA_QUESTION_LOG": "on"}) is False
    with pytest.raises(ValueError, match="REPORT_QA_QUESTION_LOG"):
        question_log_enabled(None, {"REPORT_QA_QUESTION_LOG": "maybe"})


# --- report-qa stats ------------------------------------------------------------------------------

def _write_logs(logs: Path) -> None:
    logs.mkdir(parents=True)
    log = QuestionLog(logs / "questions.jsonl", max_bytes=20_000, backups=3)
    cited = Citation(rank=1, text="t", section="一、回顾 > 就业", source="r.txt", start=0, end=1, score=1.0,
                     doc_id="r.txt", title="某报告")
    answered = Answer(question="q", answer="x[1]", declined=False, citations=[cited], cited=[1])
    declined = Answer(question="q", answer="报告中没有找到相关内容。", declined=True, citations=[])
    for i in range(300):
        if i % 3 == 0:
            log.record("去年GDP多少？" if i % 2 else "去年gdp多少", answered)
        elif i % 3 == 1:
            log.record(f"地铁什么时候通？我电话1391234567{i % 10}", declined)
        else:
            log.record(f"问题{i % 7}", answered)
    log.close()
    with open(logs / "questions.jsonl", "a", encoding="utf-8") as fh:
        fh.write("not json\n")
    votes = [{"time": "t", "vote": "up", "question": "去年GDP多少？"}] * 5 + \
            [{"time": "t", "vote": "down", "question": "问题3"}] * 2
    (logs / "feedback.jsonl").write_text("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in votes), encoding="utf-8")


def test_stats_shows_top_and_declined_questions(tmp_path, capsys):
    _write_logs(tmp_path / "logs")
    assert (tmp_path / "logs" / "questions.jsonl.1").exists()  # rotated: backups are read too
    s = stats.load(tmp_path / "logs")
    assert s.questions == 300 and s.declined == 100 and s.bad_lines == 1
    top = dict(s.top)
    assert top["地铁什么时候通？我电话[电话]"] == 100 and [c for _, c in s.top[:2]] == [100, 100]
    assert any(q.lower().startswith("去年gdp多少") and c == 100 for q, c in s.top)  # spelling variants counted together
    assert s.top_declined == [("地铁什么时候通？我电话[电话]", 100)]
    assert s.votes == {"up": 5, "down": 2} and s.top_down == [("问题3", 2)]
    assert s.sections[0] == ("《某报告》一、回顾 › 就业", 200)

    html_out = tmp_path / "stats.html"
    assert main(["stats", "--data-dir", str(tmp_path), "--top", "5", "--html", str(html_out)]) == 0
    out = capsys.readouterr().out
    assert "问题日志：300 个问题" in out and "未能回答 100（33.3%）" in out and "赞 5，踩 2" in out
    assert "未能回答的问题" in out and "地铁什么时候通" in out
    assert not re.search(r"1[3-9]\d{9}", out + html_out.read_text(encoding="utf-8"))
    page = html_out.read_text(encoding="utf-8")
    assert "<script" not in page and "地铁什么时候通" in page and "http" not in page


def test_stats_on_no_logs_and_escapes_html(tmp_path, capsys):
    assert main(["stats", "--data-dir", str(tmp_path)]) == 0
    assert "问题日志：0 个问题" in capsys.readouterr().out
    s = stats.compute([{"question": XSS, "declined": True}], [])
    assert "&lt;img" in stats.format_html(s) and "<img" not in stats.format_html(s)
    assert main(["stats", "--data-dir", str(tmp_path), "--top", "0"]) == 2


# --- branding and the embed page ------------------------------------------------------------------

def test_branding_from_env_and_file(tmp_path):
    assert Branding.from_env({}).examples and Branding.from_env({}).disclaimer
    b = Branding.from_env({"REPORT_QA_TITLE": "某市政府 · 报告问答", "REPORT_QA_COLOR": "#0055aa",
                           "REPORT_QA_EXAMPLES": "问题一？|问题二？"})
    assert (b.title, b.color, b.examples) == ("某市政府 · 报告问答", "#0055aa", ["问题一？", "问题二？"])
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    conf = tmp_path / "branding.toml"
    conf.write_text(f'title = "市政府门户"\nlogo = "{logo}"\nexamples = ["甲？"]\ndisclaimer = ""\n', encoding="utf-8")
    b = Branding.from_env({"REPORT_QA_BRANDING": str(conf), "REPORT_QA_COLOR": "#123"})
    assert b.title == "市政府门户" and b.logo_file == logo and b.examples == ["甲？"] and b.disclaimer == ""
    assert b.color == "#123"  # the environment wins over the file


@pytest.mark.parametrize("env, problem", [
    ({"REPORT_QA_COLOR": "red; background:url(x)"}, "color"),
    ({"REPORT_QA_LOGO": "/no/such/logo.png"}, "logo"),
    ({"REPORT_QA_LOGO": 'https://x/" onerror="1'}, "logo"),
    ({"REPORT_QA_EXAMPLES": "|".join(["问"] * 9)}, "examples"),
    ({"REPORT_QA_BRANDING": "/no/such/file.toml"}, "cannot read"),
])
def test_bad_branding_is_a_clear_error(env, problem):
    with pytest.raises(ValueError, match=problem):
        Branding.from_env(env)


def test_unknown_branding_key_is_named(tmp_path):
    conf = tmp_path / "b.json"
    conf.write_text('{"titel": "x"}', encoding="utf-8")
    with pytest.raises(ValueError, match="titel"):
        Branding.from_env({"REPORT_QA_BRANDING": str(conf)})


def test_embed_page_is_chinese_and_escapes_branding():
    b = Branding(title="<b>门户</b>", examples=["<i>问</i>？"], disclaimer="仅供参考 & 以原文为准", logo="https://example.org/l.png")
    page = embed_page(b.title, b)
    assert "<b>门户</b>" not in page and "&lt;b&gt;门户&lt;/b&gt;" in page and "&lt;i&gt;问&lt;/i&gt;？" in page
    assert "仅供参考 &amp; 以原文为准" in page and 'src="https://example.org/l.png"' in page
    assert 'lang="zh-CN"' in page and "--brand: #b91c1c" in page
    # every label a visitor or a screen reader meets is Chinese
    labels = re.findall(r'(?:aria-label|placeholder|alt|title)="([^"]*)"', page)
    labels += re.findall(r">([^<>{}]*[^\s<>{}][^<>{}]*)</(?:button|h1|p|span)>", page)
    words = [re.sub(r"&[a-z]+;|GDP", "", label) for label in labels]
    assert labels and not [w for w in words if re.search(r"[A-Za-z]{3,}", w)], labels
    assert "gradio" not in page.lower() and "http://" not in page


def test_setup_skips_installation_when_nothing_changed(tmp_path):
    """scripts/setup.sh with an unchanged stamp runs no pip at all; a changed pyproject does."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    calls = tmp_path / "calls"
    python = venv / "bin" / "python"  # records every call; "imports" succeed, pip does nothing
    python.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\ncase "$1" in -m) exit 0;; esac\n'
                      f'case "$2" in *torch*|*sentence_transformers*) exit 0;; esac\n'  # heavy imports: not the point here
                      f'PYTHONPATH="{root}" exec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "REPORT_QA_VENV": str(venv), "HOME": str(tmp_path)}
    first = subprocess.run(["bash", str(root / "scripts" / "setup.sh")], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "-m pip install -q -e ." in calls.read_text() and (venv / ".report-qa-setup").is_file()
    calls.write_text("")
    second = subprocess.run(["bash", str(root / "scripts" / "setup.sh")], env=env, capture_output=True, text=True)
    assert second.returncode == 0 and second.stdout == "" and second.stderr == ""
    assert "pip" not in calls.read_text()
    (venv / ".report-qa-setup").write_text("stale\n")
    third = subprocess.run(["bash", str(root / "scripts" / "setup.sh")], env=env, capture_output=True, text=True)
    assert third.returncode == 0 and "-m pip install -q -e ." in calls.read_text()


def test_progress_bars_only_in_a_terminal():
    import io

    from embeddings.progress import bar, is_terminal

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, log = Tty(), io.StringIO()
    for stream in (tty, log):
        with bar(3, "converting the model", file=stream) as b:
            b.update(3)
    assert "converting the model" in tty.getvalue() and "0/3" in tty.getvalue()
    assert log.getvalue() == "" and is_terminal(tty) and not is_terminal(log)


def test_embed_api_renders_cards_and_takes_votes(tmp_path):
    from ui.embed import create_embed_router
    from ui.feedback import FeedbackLog

    report = load_document(REPORT)
    answer = _answer(report.text)

    class QA:
        def ask(self, question, top_k=5, history=None, doc=None):
            assert history == [{"role": "user", "content": "前一个问题"}, {"role": "assistant", "content": "前一个回答"}]
            return answer

    texts = ReportTexts({DOC_ID: {"path": str(REPORT), "title": "某市2025年政府工作报告",
                                  "content_hash": report.content_hash}})
    system = SimpleNamespace(qa=QA(), index=SimpleNamespace(documents={DOC_ID: {"title": "某市2025年政府工作报告"}}))
    feedback = FeedbackLog(tmp_path / "feedback.jsonl")
    app = FastAPI()
    app.include_router(create_embed_router(system, texts, Branding(), feedback))
    client = TestClient(app)
    assert "某市2025年政府工作报告 · 问答" in client.get("/embed").text
    history = [{"role": "user", "content": "前一个问题"}, {"role": "assistant", "content": "前一个回答"}]
    r = client.post("/api/embed/ask", json={"question": "去年GDP多少？", "history": history})
    assert r.status_code == 200
    data = r.json()
    assert "<mark>全年地区生产总值" in data["sources_html"] and "查看原文" in data["sources_html"]
    assert '<span class="rqa-cite"' in data["answer_html"] and data["declined"] is False
    assert client.post("/api/embed/ask", json={"question": "   "}).status_code == 400
    assert client.post("/api/embed/ask", json={"question": "x", "extra": 1}).status_code == 422
    assert client.post("/api/embed/feedback", json={"id": "made-up", "vote": "up"}).status_code == 404
    assert client.post("/api/embed/feedback", json={"id": data["id"], "vote": "down"}).json() == {"ok": True}
    assert client.post("/api/embed/feedback", json={"id": data["id"], "vote": "down"}).status_code == 404  # once
    feedback.close()
    entry = json.loads((tmp_path / "feedback.jsonl").read_text(encoding="utf-8"))
    assert entry["vote"] == "down" and entry["question"] == "去年GDP多少？" and entry["answer"] == answer.answer


def test_feedback_log_redacts_the_question_too(tmp_path):
    from ui.feedback import FeedbackLog

    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.record("我的手机13812345678，去年GDP多少？", "全年地区生产总值突破1650亿元[1]", [], "up")
    log.close()
    entry = json.loads((tmp_path / "feedback.jsonl").read_text(encoding="utf-8"))
    assert entry["question"] == "我的手机[电话]，去年GDP多少？" and entry["answer"] == "全年地区生产总值突破1650亿元[1]"


def test_bars_show_in_a_terminal_that_reports_no_size():
    """Some container and remote shells give a terminal of 0×0: tqdm would then draw nothing."""
    import os
    import pty
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    code = "import embeddings\nfrom embeddings.progress import bar\nwith bar(2, 'exporting') as b:\n    b.update(2)\n"
    main_fd, child_fd = pty.openpty()  # a fresh pty has 0 rows and 0 columns
    env = {k: v for k, v in os.environ.items() if not k.startswith("TQDM_")}
    env["PYTHONPATH"] = str(root)
    proc = subprocess.run([sys.executable, "-c", code], stdin=child_fd, stdout=child_fd, stderr=child_fd,
                          env=env, timeout=60)
    os.close(child_fd)
    out = b""
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(main_fd)
    assert proc.returncode == 0
    assert b"exporting:   0%" in out and b"0/2" in out
