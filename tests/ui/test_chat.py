"""The chat step, the sources HTML and the feedback log, in process with the real QA system."""
from __future__ import annotations

import json
from types import SimpleNamespace

import gradio as gr
import pytest

from qa.pipeline import Answer, Citation
from ui.chat import build_chat, document_choices, history_from_chat, make_on_like, make_respond
from ui.feedback import MAX_VOTES_PER_SESSION, FeedbackError, FeedbackLog, vote_name
from ui.sources import answer_html, highlight, quoted_pieces, sources_html, text_html

XSS = '<img src=x onerror="window.__xss=1"><script>alert(1)</script>'


def _citation(rank: int, text: str, section: str = "一、2024年工作回顾") -> Citation:
    return Citation(rank=rank, text=text, section=section, source="r.txt", start=10 * rank, end=10 * rank + len(text),
                    score=0.5, page=3 if rank == 2 else None)


# --- sources HTML (no model needed) ------------------------------------------------------------

def test_text_html_escapes_everything():
    out = text_html(XSS + "{{x}}\n${y}")
    assert "<" not in out.replace("<br>", "") and "{" not in out and "}" not in out
    assert "&lt;img" in out and "&lt;script&gt;" in out and "<br>" in out


def test_quoted_pieces_split_the_answer_by_marker():
    answer = "全年地区生产总值突破1650亿元[1]；今年的目标是：增长6%左右；其他[2]"
    assert quoted_pieces(answer) == {1: ["全年地区生产总值突破1650亿元"], 2: ["今年的目标是：增长6%左右；其他"]}
    assert quoted_pieces("According to the report: GDP grew[3]") == {3: ["GDP grew"]}
    assert quoted_pieces("见注释^[2]的说明[1]") == {1: ["见注释^[2]的说明"]}


def test_highlight_escapes_document_text_before_marking():
    out = highlight("甲<b>乙</b>丙，丁。", ["<b>乙</b>丙"])
    assert out == "甲<mark>&lt;b&gt;乙&lt;/b&gt;丙</mark>，丁。"
    assert highlight("没有匹配", ["别的"]) == "没有匹配"


def test_answer_and_sources_html():
    a = Answer(question="q", answer="全年突破1650亿元[1]", declined=False,
               citations=[_citation(1, "全年突破1650亿元，增长6%；"), _citation(2, XSS, "二、<i>x</i>")], cited=[1])
    html = answer_html(a)
    assert '<span class="rqa-cite"' in html and "[1]</span>" in html
    src = sources_html(a)
    assert "<mark>全年突破1650亿元</mark>" in src and "更多相关段落（1）" in src  # the uncited one folded away
    assert "&lt;img" in src and "<img" not in src and "<i>" not in src and "&lt;i&gt;" in src
    assert "字符" not in src and "第 3 页" in src  # pages for readers; offsets only in the API


def test_the_neighbours_sentences_are_shown_muted_around_a_passage():
    c = Citation(rank=1, text="完成营造林987万亩。河湖生态补水13.9亿立方米。新增水面40平方公里。", section="一",
                 source="r.txt", start=0, end=40, score=0.5, before_chars=len("完成营造林987万亩。"),
                 after_chars=len("新增水面40平方公里。"))
    a = Answer(question="q", answer="河湖生态补水13.9亿立方米。[1]", declined=False, citations=[c], cited=[1])
    assert ('<span class="rqa-context">完成营造林987万亩。</span><mark>河湖生态补水13.9亿立方米。</mark>'
            '<span class="rqa-context">新增水面40平方公里。</span>') in sources_html(a)
    plain = Citation(rank=1, text="河湖生态补水。", section="一", source="r.txt", start=0, end=7, score=0.5)
    assert "rqa-context" not in sources_html(Answer(question="q", answer="x", declined=False, citations=[plain]))


# --- the chat step over the real system --------------------------------------------------------

@pytest.fixture(scope="module")
def respond(real_system):
    return make_respond(real_system)


@pytest.mark.slow
def test_respond_answers_with_marker_and_sources(respond):
    box, chat, panel, records = respond("去年GDP多少？", [], {}, "")
    assert box == ""
    assert [m["role"] for m in chat] == ["user", "assistant", "assistant"]
    assert "1650亿元" in chat[1]["content"] and "[1]" in chat[1]["content"]
    sources = chat[2]
    assert sources["metadata"]["title"].startswith("来源") and sources["metadata"]["status"] == "done"
    assert "<mark>" in sources["content"] and "一、2024年工作回顾" in sources["content"]
    assert "<mark>" in panel and "问题：去年GDP多少？" in panel
    assert records["1"]["question"] == "去年GDP多少？" and records["1"]["citations"][0]["rank"] == 1


@pytest.mark.slow
def test_follow_up_reads_the_chat_history(respond):
    _, chat, _, records = respond("去年GDP多少？", [], {}, "")
    _, chat, panel, records = respond("那今年的目标呢？", chat, records, "")
    assert "6%左右" in chat[-2]["content"]
    assert "那今年的目标呢？" in panel


@pytest.mark.slow
def test_history_from_gradio_messages_skips_sources_and_unescapes(respond):
    _, chat, _, _ = respond("去年GDP<多少>？", [], {}, "")
    # what Gradio hands back: content as a list of text parts
    gradio_chat = [{**m, "content": [{"type": "text", "text": m["content"]}]} for m in chat]
    turns = history_from_chat(gradio_chat)
    assert [t["role"] for t in turns] == ["user", "assistant"]
    assert turns[0]["content"] == "去年GDP<多少>？"
    assert "<span" not in turns[1]["content"] and "[1]" in turns[1]["content"]


@pytest.mark.slow
def test_user_text_is_never_html(respond):
    _, chat, panel, _ = respond(XSS, [], {}, "")
    assert "<img" not in chat[0]["content"] and "&lt;img" in chat[0]["content"]
    assert "<script" not in panel and "<img" not in panel and "&lt;img" in panel
    for m in chat:
        assert "<img" not in m["content"] and "<script" not in m["content"]


@pytest.mark.slow
def test_empty_and_too_long_questions(respond):
    box, chat, panel, records = respond("   ", [], {}, "")
    assert chat == [] and box == ""
    box, chat, panel, records = respond("问" * 600, [], {}, "")
    assert chat[-1]["role"] == "assistant" and "无法回答" in chat[-1]["content"] and "500" in chat[-1]["content"]


@pytest.mark.slow
def test_like_is_logged_without_personal_data(respond, tmp_path):
    _, chat, _, records = respond("去年GDP多少？", [], {}, "")
    log = FeedbackLog(tmp_path / "logs" / "feedback.jsonl")
    on_like = make_on_like(log)
    on_like(records, gr.LikeData(None, {"index": 2, "value": chat[2]["content"], "liked": True}))
    on_like(records, gr.LikeData(None, {"index": 1, "value": chat[1]["content"], "liked": False}))
    log.close()
    entries = [json.loads(x) for x in (tmp_path / "logs" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["vote"] for e in entries] == ["up", "down"]
    e = entries[0]
    assert set(e) == {"time", "vote", "question", "answer", "citations"}
    assert e["question"] == "去年GDP多少？" and "1650亿元" in e["answer"] and e["time"].endswith("+00:00")
    assert set(e["citations"][0]) == {"rank", "section", "source", "start", "end", "cited"}


def test_feedback_log_rotates_by_size(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl", max_bytes=2000, backups=3)
    for i in range(60):
        log.record(f"问题{i}", "答案" * 20, [{"rank": 1, "section": "一", "start": 0, "end": 5}], "up")
    log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["feedback.jsonl", "feedback.jsonl.1", "feedback.jsonl.2", "feedback.jsonl.3"]
    assert all(p.stat().st_size <= 2000 for p in tmp_path.iterdir())
    assert vote_name(True) == "up" and vote_name(False) == "down" and vote_name("Flag") is None


def test_feedback_votes_are_up_or_down_and_each_record_is_one_line(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    for bad in ("x" * 40, "Flag", "", "up\n"):
        with pytest.raises(FeedbackError):
            log.record("问题", "答案", [], bad)
    breaks = "甲\u2028乙\u2029丙\u0085丁\n戊\r己\x0b\x0c\x1c\x1d\x1e"
    for i in range(8):
        log.record(breaks + str(i), breaks, [{"rank": 1, "section": breaks}], "up" if i % 2 else "down")
    log.close()
    text = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines()  # str.splitlines splits at every separator above
    assert len(lines) == 8
    assert [json.loads(x)["question"] for x in lines] == [breaks + str(i) for i in range(8)]


def test_one_session_cannot_rotate_the_feedback_away(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.record("别人的问题", "答案", [], "up", session="someone")
    flooded = 0
    for _ in range(MAX_VOTES_PER_SESSION + 50):
        try:
            log.record("问题", "答案", [], "down", session="flooder")
            flooded += 1
        except FeedbackError:
            pass
    log.record("又一个问题", "答案", [], "up", session="someone")
    log.close()
    assert flooded == MAX_VOTES_PER_SESSION
    lines = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == MAX_VOTES_PER_SESSION + 2
    assert json.loads(lines[0])["question"] == "别人的问题" and json.loads(lines[-1])["question"] == "又一个问题"


def test_on_like_ignores_votes_that_are_not_thumbs(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    on_like = make_on_like(log)
    records = {"1": {"question": "q", "answer": "a", "citations": [], "doc": None}}
    on_like(records, gr.LikeData(None, {"index": 1, "value": "a", "liked": "x" * 40}))
    on_like(["not", "a", "dict"], gr.LikeData(None, {"index": 1, "value": "a", "liked": True}))
    on_like(records, gr.LikeData(None, {"index": 7, "value": "a", "liked": True}))
    assert not (tmp_path / "feedback.jsonl").exists()
    on_like(records, gr.LikeData(None, {"index": 1, "value": "a", "liked": True}))
    log.close()
    assert json.loads((tmp_path / "feedback.jsonl").read_text(encoding="utf-8"))["vote"] == "up"


@pytest.mark.slow
def test_build_chat_wires_the_ask_endpoint(real_system):
    demo = build_chat(real_system)
    names = [fn.api_name for fn in demo.fns.values()]
    assert "ask" in names
    dropdown = next(b for b in demo.blocks.values() if isinstance(b, gr.Dropdown))
    assert dropdown.visible is False  # one document: no selector


def test_document_choices_for_several_reports():
    index = SimpleNamespace(documents={"a.txt": {"title": "溧阳市2024年政府工作报告", "year": 2024},
                                       "b.pdf": {"title": "溧阳市2025年政府工作报告", "year": 2025},
                                       "c.docx": {"year": 2023}})
    choices = document_choices(SimpleNamespace(index=index))
    assert choices[0] == ("全部文档", "")
    assert [c[1] for c in choices[1:]] == ["b.pdf", "a.txt", "c.docx"]
    assert choices[3][0] == "c.docx（2023）"
