"""``/embed``: a light chat page made for a portal's iframe and for phones.

The page is plain HTML and a few lines of script (no Gradio): a header with the portal's title,
colour and logo, the conversation, and the question box with the disclaimer line at the bottom.
Each answer is followed directly by its cited source cards, and after a question the view
scrolls so that the answer and its first source are in sight, in a 760×700 iframe as on a
390×844 phone. Every label, including the accessibility labels, is Chinese.

The page asks ``POST /api/embed/ask``, which answers with HTML rendered here by ``ui.sources``
(the same cards as the chat page; every piece of text escaped), so there is one renderer.
Votes go to ``POST /api/embed/feedback`` by an answer id that the server remembers (bounded), so
a client cannot put words into the feedback log that it was never given.
"""
from __future__ import annotations

import html
import secrets
import string
import threading
from collections import OrderedDict
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from qa.pipeline import MAX_QUESTION_CHARS, QuestionError, check_question
from ui.api import MAX_HISTORY, Turn
from ui.config import LOGO_SUFFIXES, Branding
from ui.feedback import FeedbackLog
from ui.original import ReportTexts
from ui.runtime import System
from ui.sources import answer_html, sources_html

TOP_K = 5
REMEMBERED_ANSWERS = 2000  # answer ids kept for votes


class EmbedAsk(BaseModel):
    """A question from the embed page, with the conversation so far."""

    model_config = ConfigDict(extra="forbid", strict=True)
    question: str = Field(max_length=MAX_QUESTION_CHARS)
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY)


class EmbedVote(BaseModel):
    """A thumbs up or down on an answer the page was given."""

    model_config = ConfigDict(extra="forbid", strict=True)
    id: str = Field(max_length=64)
    vote: Literal["up", "down"]


class _Answers:
    """The last answers given, by id, for votes (least recently given dropped first)."""

    def __init__(self, size: int = REMEMBERED_ANSWERS) -> None:
        self._items: OrderedDict[str, dict] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def add(self, record: dict) -> str:
        key = secrets.token_urlsafe(12)
        with self._lock:
            self._items[key] = record
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return key

    def pop(self, key: str) -> dict | None:
        with self._lock:
            return self._items.pop(key, None)


def page_title(system: System, branding: Branding) -> str:
    """The branded title, else the report's own title, else a generic one."""
    if branding.title:
        return branding.title
    docs = list(system.index.documents.values())
    if len(docs) == 1 and docs[0].get("title"):
        return f"{docs[0]['title']} · 问答"
    return "政府工作报告问答"


def embed_page(title: str, branding: Branding) -> str:
    """The whole page; every configurable value escaped (the colour is validated as #hex)."""
    logo = ""
    if branding.logo:
        src = "embed/logo" if branding.logo_file is not None else branding.logo
        logo = f'<img src="{html.escape(src)}" alt="标志" class="logo">'
    examples = "".join(f'<button type="button" class="example">{html.escape(q)}</button>' for q in branding.examples)
    examples_block = (f'<div class="examples" role="group" aria-label="示例问题"><span>试试问：</span>{examples}</div>'
                      if examples else "")
    return string.Template(PAGE).substitute(  # one pass: a value is never read as a placeholder
        TITLE=html.escape(title), COLOR=branding.color, LOGO=logo, EXAMPLES=examples_block,
        DISCLAIMER=html.escape(branding.disclaimer), MAXLEN=MAX_QUESTION_CHARS)


def create_embed_router(system: System, texts: ReportTexts, branding: Branding,
                        feedback: FeedbackLog | None = None) -> APIRouter:
    """``GET /embed``, ``GET /embed/logo``, ``POST /api/embed/ask`` and ``POST /api/embed/feedback``."""
    router = APIRouter()
    page = embed_page(page_title(system, branding), branding)
    answers = _Answers()

    @router.get("/embed", include_in_schema=False)
    def embed() -> Response:
        return HTMLResponse(page)

    @router.get("/embed/logo", include_in_schema=False)
    def logo() -> Response:
        path = branding.logo_file
        if path is None or not path.is_file():
            return JSONResponse({"error": "no logo"}, status_code=404)
        return FileResponse(path, media_type=LOGO_SUFFIXES[path.suffix.lower()])

    @router.post("/api/embed/ask", include_in_schema=False)
    def ask(body: EmbedAsk) -> Response:
        try:
            question = check_question(body.question)
        except QuestionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        history = [t.model_dump() for t in body.history]
        answer = system.qa.ask(question, top_k=TOP_K, history=history)
        record = {"question": question, "answer": answer.answer,
                  "citations": [{"rank": c.rank, "section": c.section, "source": c.source, "start": c.start,
                                 "end": c.end, "cited": c.rank in answer.cited} for c in answer.citations]}
        return JSONResponse({"id": answers.add(record), "answer": answer.answer, "declined": answer.declined,
                             "answer_html": answer_html(answer), "sources_html": sources_html(answer, texts)})

    @router.post("/api/embed/feedback", include_in_schema=False)
    def vote(body: EmbedVote) -> Response:
        record = answers.pop(body.id)
        if record is None:
            return JSONResponse({"error": "unknown or already rated answer"}, status_code=404)
        if feedback is not None:
            feedback.record(record["question"], record["answer"], record["citations"], body.vote)
        return JSONResponse({"ok": True})

    return router


PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>$TITLE</title>
<style>
:root { --brand: $COLOR; }
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; height: 100vh; height: 100dvh; color: #1f2937; background: #fff;
       font-family: system-ui, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif;
       font-size: 15px; line-height: 1.6; }
header { flex: none; display: flex; align-items: center; gap: 8px; padding: 8px 12px; background: var(--brand);
         color: #fff; }
header .logo { height: 28px; width: auto; }
header h1 { margin: 0; font-size: 16px; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#conversation { flex: 1 1 auto; overflow-y: auto; padding: 10px 12px; scroll-behavior: auto; }
.welcome { color: #4b5563; font-size: 14px; }
.welcome p { margin: 4px 0 8px; }
.examples { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.examples span { font-size: 13px; color: #6b7280; }
.example { border: 1px solid #d1d5db; background: #f9fafb; border-radius: 14px; padding: 3px 10px; font-size: 13px;
           cursor: pointer; color: #1f2937; font-family: inherit; }
.turn { margin: 0 0 14px; }
.question { margin: 0 0 6px auto; max-width: 85%; width: fit-content; background: #eef2ff; border-radius: 10px;
            padding: 6px 10px; word-break: break-word; white-space: pre-wrap; }
.reply { border-left: 3px solid var(--brand); padding: 2px 0 2px 10px; }
.pending { color: #6b7280; }
.error { color: #b91c1c; }
.rqa-answer { font-size: 16px; margin-bottom: 6px; word-break: break-word; }
.rqa-cite { color: var(--brand); font-weight: 600; }
.rqa-declined { color: #4b5563; }
.rqa-source { border: 1px solid #e5e7eb; border-radius: 8px; padding: 6px 9px; margin: 6px 0; background: #f9fafb;
              font-size: 14px; }
.rqa-source.rqa-cited { border-color: var(--brand); background: #fff; }
.rqa-head { font-size: 13px; }
.rqa-rank { font-weight: 700; color: var(--brand); margin-right: 2px; }
.rqa-report { color: #374151; }
.rqa-section { font-size: 12px; color: #6b7280; }
.rqa-text { line-height: 1.65; word-break: break-word; }
.rqa-context { color: #6b7280; }
.rqa-text mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
.rqa-note, .rqa-pos { font-size: 12px; color: #6b7280; margin-top: 2px; }
.rqa-original { color: var(--brand); margin-left: 2px; }
.rqa-note summary { cursor: pointer; }
.rqa-note-text { color: #4b5563; }
.rqa-more summary { cursor: pointer; font-size: 13px; color: #4b5563; margin: 4px 0; }
.rqa-empty { color: #6b7280; font-size: 13px; }
.votes { display: flex; gap: 6px; margin-top: 4px; font-size: 12px; color: #6b7280; align-items: center; }
.votes button { border: 1px solid #d1d5db; background: #fff; border-radius: 12px; padding: 1px 9px; cursor: pointer;
                font-size: 12px; font-family: inherit; }
footer { flex: none; border-top: 1px solid #e5e7eb; padding: 8px 12px calc(6px + env(safe-area-inset-bottom)); }
form { display: flex; gap: 8px; }
#question { flex: 1; min-width: 0; font-size: 16px; padding: 7px 10px; border: 1px solid #d1d5db; border-radius: 8px;
            font-family: inherit; }
#send { flex: none; font-size: 15px; padding: 7px 16px; border: 0; border-radius: 8px; background: var(--brand);
        color: #fff; cursor: pointer; font-family: inherit; }
#send:disabled { opacity: .6; }
.disclaimer { margin: 4px 0 0; font-size: 11px; color: #6b7280; line-height: 1.4; }
</style>
</head>
<body>
<header>$LOGO<h1>$TITLE</h1></header>
<main id="conversation" aria-live="polite" aria-label="对话">
  <div class="welcome" id="welcome"><p>请输入关于报告的问题，答案摘自报告原文，并在下方列出引用的段落。</p>$EXAMPLES</div>
</main>
<footer>
  <form id="ask" role="search" aria-label="提问">
    <input id="question" name="question" type="text" maxlength="$MAXLEN" autocomplete="off" enterkeyhint="send"
           placeholder="请输入问题，例如：去年GDP多少？" aria-label="输入问题">
    <button id="send" type="submit" aria-label="发送问题">发送</button>
  </form>
  <p class="disclaimer">$DISCLAIMER</p>
</footer>
<script>
"use strict";
(function () {
  const MAX_HISTORY = 40;
  const conversation = document.getElementById("conversation");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const send = document.getElementById("send");
  const history = [];

  function element(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function reveal(turn) {  // the new question at the top of the view: its answer and sources below it
    conversation.scrollTop = turn.offsetTop - conversation.offsetTop - 4;
  }

  function votes(id) {
    const box = element("div", "votes");
    box.append(element("span", "", "这个回答有帮助吗？"));
    for (const [vote, label] of [["up", "有帮助"], ["down", "没帮助"]]) {
      const b = element("button", "", label);
      b.type = "button";
      b.setAttribute("aria-label", "评价：" + label);
      b.addEventListener("click", async () => {
        box.replaceChildren(element("span", "", "谢谢您的评价。"));
        try {
          await fetch("api/embed/feedback", {method: "POST", headers: {"Content-Type": "application/json"},
                                             body: JSON.stringify({id: id, vote: vote})});
        } catch (e) { /* a lost vote is not worth an error message */ }
      });
      box.append(b);
    }
    return box;
  }

  async function ask(question) {
    question = question.trim();
    if (!question || send.disabled) return;
    const welcome = document.getElementById("welcome");
    if (welcome) welcome.remove();
    const turn = element("section", "turn");
    turn.setAttribute("aria-label", "问答");
    const reply = element("div", "reply pending", "正在查找报告原文……");
    turn.append(element("div", "question", question), reply);
    conversation.append(turn);
    reveal(turn);
    input.value = "";
    send.disabled = true;
    try {
      const response = await fetch("api/embed/ask", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({question: question, history: history.slice(-MAX_HISTORY)}),
      });
      let data = {};
      try { data = await response.json(); } catch (e) { /* not JSON */ }
      if (!response.ok) {
        const why = response.status === 429 ? "提问太频繁，请稍后再试。" : (data.error || ("服务返回错误 " + response.status));
        throw new Error(why);
      }
      reply.className = "reply";
      reply.innerHTML = data.answer_html + data.sources_html;  // built by the server from escaped text
      reply.append(votes(data.id));
      history.push({role: "user", content: question}, {role: "assistant", content: data.answer});
    } catch (e) {
      reply.className = "reply error";
      reply.textContent = "查询失败：" + (e instanceof TypeError ? "无法连接问答服务，请稍后再试。" : e.message);
    } finally {
      send.disabled = false;
      reveal(turn);
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); ask(input.value); });
  for (const b of document.querySelectorAll(".example")) b.addEventListener("click", () => ask(b.textContent));
})();
</script>
</body>
</html>
"""
