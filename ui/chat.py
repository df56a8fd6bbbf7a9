"""The Gradio chat page: questions in Chinese, answers with [n] markers, sources beside them.

Every message is HTML we build ourselves from escaped text (``ui.sources``); the Chatbot keeps
its HTML sanitiser on, Markdown and LaTeX off, so whatever a user types shows as typed.
"""
from __future__ import annotations

import html
import re
from typing import Any

import gradio as gr

from qa.pipeline import MAX_QUESTION_CHARS, QuestionError, check_question
from ui.config import Branding
from ui.feedback import FeedbackError, FeedbackLog, vote_name
from ui.original import ReportTexts
from ui.runtime import System
from ui.sources import EMPTY_PANEL, answer_html, panel_html, sources_html, text_html

TOP_K = 5
MAX_HISTORY_MESSAGES = 40  # the last 20 turns are enough for follow-ups
MAX_TURN_CHARS = 4000  # one earlier message, as on the API
MAX_CHAT_MESSAGES = 600  # what a client may send back (each question adds three: question, answer, sources)
MAX_MESSAGE_CHARS = 20_000  # one message as the page holds it, HTML included (a sources panel is ~5,000)
ALL_DOCS = ""
# Gradio's own labels that its zh-CN bundle leaves in English (chat buttons, aria labels), in Chinese
# for every browser language: the page is Chinese whatever the visitor's browser is set to.
_ZH_LABELS = {"chatbot.like": "赞", "chatbot.dislike": "踩", "chatbot.clear": "清空对话",
              "chatbot.copy_message": "复制", "chatbot.copied_message": "已复制", "chatbot.retry": "重试",
              "chatbot.undo": "撤销", "chatbot.edit": "编辑", "chatbot.submit": "提交", "chatbot.cancel": "取消",
              "common.clear": "清空", "common.submit": "提交", "common.stop": "停止", "common.loading": "加载中",
              "common.error": "错误", "common.copy": "复制", "common.copied": "已复制",
              "common.clear_value": "清空", "common.no_value": "无"}
I18N_LOCALES = ("en", "en-US", "en-GB", "zh", "zh-CN", "zh-Hans", "zh-TW", "zh-HK")
_TAG_RE = re.compile(r"<[^>]*>")

CSS = """
.rqa-answer .rqa-cite { color: var(--color-accent); font-weight: 600; cursor: help; }
.rqa-declined { color: var(--body-text-color-subdued); }
.rqa-panel { font-size: 0.95em; }
.rqa-panel-q { font-weight: 600; margin-bottom: 0.6em; word-break: break-all; }
.rqa-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.5em 0.7em;
              margin-bottom: 0.6em; background: var(--background-fill-secondary); }
.rqa-source.rqa-cited { border-color: var(--color-accent); }
.rqa-head { font-size: 0.9em; margin-bottom: 0.3em; }
.rqa-rank { font-weight: 700; }
.rqa-badge { font-size: 0.8em; padding: 0 0.4em; border-radius: 4px; border: 1px solid var(--border-color-primary); }
.rqa-badge-cited { background: var(--color-accent); color: white; border-color: var(--color-accent); }
.rqa-section { color: var(--body-text-color-subdued); }
.rqa-text { line-height: 1.6; }
.rqa-context { color: #6b7280; }
.rqa-text mark { background: #fde68a; color: inherit; padding: 0 2px; border-radius: 2px; }
.rqa-pos, .rqa-note { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 0.3em; }
.rqa-empty { color: var(--body-text-color-subdued); }
.rqa-report { color: var(--body-text-color); }
.rqa-section { font-size: 0.85em; }
.rqa-original { color: var(--color-accent); margin-left: 0.3em; }
.rqa-more summary { cursor: pointer; color: var(--body-text-color-subdued); margin: 0.3em 0; }
.rqa-disclaimer { font-size: 0.8em; color: var(--body-text-color-subdued); }
.rqa-note summary { cursor: pointer; }
"""


# Gradio writes a few accessibility labels in English in its own code (not through i18n); this
# rewrites them as they appear (passed to mount_gradio_app as ``head``).
ARIA_HEAD = """<script>
(() => {
  const zh = [[/^chatbot conversation$/, "对话"], [/^user's message: [\\s\\S]*$/, "提问"], [/^bot's message: [\\s\\S]*$/, "回答"]];
  const fix = (el) => {
    const v = el.getAttribute && el.getAttribute("aria-label");
    if (!v) return;
    for (const [re, label] of zh) if (re.test(v)) { el.setAttribute("aria-label", label); return; }
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") { fix(r.target); continue; }
      for (const n of r.addedNodes) if (n.nodeType === 1) { fix(n); n.querySelectorAll("[aria-label]").forEach(fix); }
    }
  }).observe(document.documentElement, {subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"]});
})();
</script>"""


def chinese_labels():
    """A ``gr.I18n`` that puts Gradio's built-in labels in Chinese (passed to ``mount_gradio_app``)."""
    return gr.I18n(**{locale: dict(_ZH_LABELS) for locale in I18N_LOCALES})


def message_text(content: Any) -> str:
    """The text of a Chatbot message, whatever shape Gradio hands it over in."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", "")) if content.get("type", "text") == "text" else ""
    if isinstance(content, (list, tuple)):
        return "".join(message_text(part) for part in content)
    return ""


def check_chat(chat: object) -> list[dict]:
    """The chat a client sent back as history turns, or :class:`QuestionError` when it is not a
    list of messages or is over the limits (as on the API: turns of at most 4,000 characters)."""
    if chat is None:
        return []
    if not isinstance(chat, list) or len(chat) > MAX_CHAT_MESSAGES:
        raise QuestionError(f"the chat must be a list of at most {MAX_CHAT_MESSAGES} messages")
    for m in chat:
        if not isinstance(m, dict) or not isinstance(m.get("metadata") or {}, dict):
            raise QuestionError("each chat message must be an object")
        if len(message_text(m.get("content"))) > MAX_MESSAGE_CHARS:
            raise QuestionError(f"a chat message is longer than {MAX_MESSAGE_CHARS} characters")
    turns = history_from_chat(chat)
    if any(len(t["content"]) > MAX_TURN_CHARS for t in turns):
        raise QuestionError(f"an earlier message is longer than {MAX_TURN_CHARS} characters")
    return turns


def history_from_chat(chat: list[dict] | None) -> list[dict]:
    """The conversation as plain ``{"role", "content"}`` turns for ``ReportQA.ask`` (sources left out)."""
    turns = []
    for m in reversed(chat or []):  # newest first: only the last MAX_HISTORY_MESSAGES are read
        if len(turns) >= MAX_HISTORY_MESSAGES:
            break
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        if ((m.get("metadata") if isinstance(m.get("metadata"), dict) else None) or {}).get("title"):
            continue  # a collapsible sources message
        text = html.unescape(_TAG_RE.sub("", message_text(m.get("content")).replace("<br>", "\n"))).strip()
        if text:
            turns.append({"role": m["role"], "content": text})
    return turns[::-1]


def _citations_record(answer) -> list[dict]:
    return [{"rank": c.rank, "section": c.section, "source": c.source, "start": c.start, "end": c.end,
             "cited": c.rank in answer.cited} for c in answer.citations]


def make_respond(system: System, texts: ReportTexts | None = None):
    """The chat step: (question, chat, records, doc) → (cleared box, chat, side panel, records)."""

    def respond(message: str, chat: list[dict] | None, records: dict | None, doc: str | None = ALL_DOCS):
        try:
            history = check_chat(chat)
        except QuestionError as exc:
            raise gr.Error(f"无法回答：{exc}", print_exception=False) from None
        chat = list(chat or [])
        records = dict(records) if isinstance(records, dict) else {}
        try:
            question = check_question(message or "")
        except QuestionError as exc:
            if not (message or "").strip():
                return "", chat, gr.skip(), records
            chat += [{"role": "user", "content": text_html((message or "")[:MAX_QUESTION_CHARS] + "…")},
                     {"role": "assistant", "content": text_html(f"无法回答：{exc}")}]
            return message, chat, gr.skip(), records
        doc = doc if doc and doc in system.index.documents else None
        answer = system.qa.ask(question, top_k=TOP_K, history=history, doc=doc)
        n_cited = len(answer.cited)
        title = f"来源：引用 {n_cited} 段" if answer.citations else "来源：无"
        chat.append({"role": "user", "content": text_html(question)})
        chat.append({"role": "assistant", "content": answer_html(answer)})
        chat.append({"role": "assistant", "content": sources_html(answer, texts),
                     "metadata": {"title": title, "status": "done"}})
        record = {"question": question, "answer": answer.answer, "citations": _citations_record(answer),
                  "doc": doc}
        records[str(len(chat) - 2)] = records[str(len(chat) - 1)] = record
        return "", chat, panel_html(question, answer, texts), records

    return respond


def make_on_like(feedback: FeedbackLog | None):
    """Record a thumbs up/down on an answer in the feedback log."""

    def on_like(records: dict | None, data: gr.LikeData, request: gr.Request = None) -> None:
        if feedback is None:
            return
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        record = (records or {}).get(str(index)) if isinstance(records, dict) else None
        vote = vote_name(data.liked)
        if not isinstance(record, dict) or vote is None:
            return  # not an answer of this session, or not a thumbs up/down: nothing to record
        try:
            feedback.record(str(record["question"]), str(record["answer"]), list(record["citations"]), vote,
                            doc=record.get("doc"), session=getattr(request, "session_hash", None) or "-")
        except (FeedbackError, KeyError, TypeError, AttributeError):
            pass  # over the session's cap, or a record this server did not make: dropped

    return on_like


def clear() -> tuple:
    return "", [], EMPTY_PANEL, {}


def page_title(system: System, branding: Branding | None = None) -> str:
    if branding is not None and branding.title:
        return branding.title
    docs = list(system.index.documents.values())
    if len(docs) == 1 and docs[0].get("title"):
        return f"{docs[0]['title']} · 问答"
    return "政府工作报告问答"


LEVELS = {"national": "全国", "province": "省级", "prefecture": "地级", "city": "市", "district": "区", "county": "县"}


def profiles_html(docs: list[dict]) -> str:
    """The indexed reports as read from their text: title, place and level, the year each reviews
    and plans, delivery date and speaker (so a reader knows what 去年/今年 mean in each)."""
    rows = "".join(
        "<tr>" + "".join(f"<td>{text_html(str(v))}</td>" for v in (
            d["title"], f"{d['place'] or '—'}（{LEVELS.get(d['level'] or '', '—')}）",
            f"回顾{d['reviewed_year'] or '—'}年 · 部署{d['year'] or '—'}年", d["date"] or "—", d["speaker"] or "—",
            d["passages"] or 0)) + "</tr>" for d in docs)
    head = "".join(f"<th>{h}</th>" for h in ("报告", "地区", "年份", "报告日期", "报告人", "段落"))
    return f'<table class="rqa-reports"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def document_choices(system: System) -> list[tuple[str, str]]:
    """("全部文档", "") then one entry per indexed document."""
    choices = [("全部文档", ALL_DOCS)]
    for doc_id, info in sorted(system.index.documents.items(), key=lambda kv: (-(kv[1].get("year") or 0), kv[0])):
        label = info.get("title") or doc_id
        if info.get("year") and str(info["year"]) not in label:
            label += f"（{info['year']}）"
        choices.append((label, doc_id))
    return choices


def build_chat(system: System, feedback: FeedbackLog | None = None, texts: ReportTexts | None = None,
               branding: Branding | None = None) -> gr.Blocks:
    """The chat page over a loaded ``system`` (no model or index is loaded here)."""
    branding = branding or Branding()
    title = page_title(system, branding)
    with gr.Blocks(title=title, analytics_enabled=False) as demo:
        gr.Markdown(f"## {html.escape(title)}\n答案摘自报告原文，方括号中的数字 [1] [2] 对应右侧的来源段落；"
                    "可以接着追问，例如先问“去年GDP多少？”，再问“那今年的目标呢？”。")
        records = gr.State({})
        choices = document_choices(system)
        doc = gr.Dropdown(choices=choices, value=ALL_DOCS, label="文档", visible=len(choices) > 2,
                          interactive=True, elem_id="rqa-doc")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=360):
                chatbot = gr.Chatbot(
                    label="对话", height=520, elem_id="rqa-chat",
                    placeholder="请提出关于报告的问题，答案会附上引用的原文。",
                    render_markdown=False, sanitize_html=True, latex_delimiters=[], allow_tags=False,
                    buttons=["copy"], feedback_options=("Like", "Dislike"),  # shown as 赞/踩 (chinese_labels)
                    group_consecutive_messages=True, allow_file_downloads=False)
                with gr.Row():
                    box = gr.Textbox(placeholder="请输入问题，例如：去年GDP多少？", show_label=False, label="输入问题",
                                     max_length=MAX_QUESTION_CHARS, lines=1, max_lines=4, scale=5,
                                     autofocus=True, elem_id="rqa-question", submit_btn=False)
                    send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="rqa-send")
                    reset = gr.Button("清空", scale=1, min_width=80, elem_id="rqa-clear")
                if branding.disclaimer:
                    gr.HTML(f'<p class="rqa-disclaimer">{text_html(branding.disclaimer)}</p>', padding=False)
                if branding.examples:
                    gr.Examples(examples=[[q] for q in branding.examples], inputs=[box], label="示例问题")
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### 来源与原文位置")
                panel = gr.HTML(EMPTY_PANEL, elem_id="rqa-sources", js_on_load=None, padding=True)
        profiles = system.qa.documents()
        with gr.Accordion(f"已收录的报告（{len(profiles)}份）", open=False, elem_id="rqa-reports"):
            gr.HTML(profiles_html(profiles), padding=True)

        gr.on([box.submit, send.click], make_respond(system, texts), inputs=[box, chatbot, records, doc],
              outputs=[box, chatbot, panel, records], api_name="ask",
              api_description="Ask a question; returns (textbox, chat messages, sources HTML).",
              concurrency_limit=8, concurrency_id="ask", show_progress="minimal")
        reset.click(clear, outputs=[box, chatbot, panel, records], api_visibility="private", queue=False)
        chatbot.clear(clear, outputs=[box, chatbot, panel, records], api_visibility="private", queue=False)
        chatbot.like(make_on_like(feedback), inputs=[records], outputs=None, api_visibility="private",
                     queue=False)
    return demo
