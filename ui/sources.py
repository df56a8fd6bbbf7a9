"""Answers and their sources as safe HTML: every piece of text escaped, the quoted sentence marked.

Nothing here trusts its input: questions come from users and passages from documents, so both
go through :func:`html.escape` before any tag of ours is added around them.
"""
from __future__ import annotations

import html
import re

from qa.pipeline import Answer, Citation

MARKER_RE = re.compile(r"(?<!\^)\[(\d+)\]")  # [2] cites passage 2; ^[2] is a footnote inside quoted text
ENGLISH_PREFIX = "According to the report: "
PIECE_SEPARATOR = "；"


def text_html(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept, braces as entities (never read as a template)."""
    escaped = html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;")
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def quoted_pieces(answer: str) -> dict[int, list[str]]:
    """Rank → the pieces of ``answer`` quoted from that passage (the text before each ``[rank]``)."""
    pieces: dict[int, list[str]] = {}
    previous = 0
    for m in MARKER_RE.finditer(answer):
        piece = answer[previous:m.start()]
        if piece.startswith(PIECE_SEPARATOR):
            piece = piece[len(PIECE_SEPARATOR):]
        if piece.startswith(ENGLISH_PREFIX):
            piece = piece[len(ENGLISH_PREFIX):]
        piece = piece.strip()
        if piece:
            pieces.setdefault(int(m.group(1)), []).append(piece)
        previous = m.end()
    return pieces


def highlight(text: str, pieces: list[str]) -> str:
    """``text`` escaped, with each of ``pieces`` found in it wrapped in ``<mark>``."""
    spans: list[tuple[int, int]] = []
    for piece in pieces:
        at = text.find(piece)
        if at >= 0:
            spans.append((at, at + len(piece)))
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, cursor = [], 0
    for s, e in merged:
        out.append(text_html(text[cursor:s]))
        out.append(f"<mark>{text_html(text[s:e])}</mark>")
        cursor = e
    out.append(text_html(text[cursor:]))
    return "".join(out)


def answer_html(answer: Answer) -> str:
    """The answer text escaped, its citation markers ``[n]`` kept visible and styled."""
    titles = {c.rank: c.section for c in answer.citations}

    def marker(m: re.Match) -> str:
        rank = int(m.group(1))
        title = text_html(titles.get(rank, "")).replace("<br>", " ")
        return f'<span class="rqa-cite" title="{title}">[{rank}]</span>'

    body = MARKER_RE.sub(marker, text_html(answer.answer))
    css = "rqa-answer rqa-declined" if answer.declined else "rqa-answer"
    return f'<div class="{css}">{body}</div>'


def position(c: Citation) -> str:
    """Where a passage sits in its report: source, character offsets, page."""
    parts = [c.source or c.doc_id, f"字符 {c.start}–{c.end}"]
    if c.page:
        parts.append(f"第 {c.page} 页")
    parts.append(f"相关度 {c.score:.3f}")
    return " · ".join(parts)


def citation_html(c: Citation, cited: bool, pieces: list[str]) -> str:
    """One passage card: rank, cited or not, section path, text with the quote marked, position."""
    badge = '<span class="rqa-badge rqa-badge-cited">已引用</span>' if cited else \
        '<span class="rqa-badge">参考</span>'
    section = text_html(c.section or "（开头）")
    notes = "".join(f'<div class="rqa-note">注 {n.get("number", "")}：{text_html(str(n.get("text", "")))}</div>'
                    for n in c.notes)
    return (f'<div class="rqa-source{" rqa-cited" if cited else ""}" data-rank="{c.rank}">'
            f'<div class="rqa-head"><span class="rqa-rank">[{c.rank}]</span> {badge} '
            f'<span class="rqa-section">{section}</span></div>'
            f'<div class="rqa-text">{highlight(c.text, pieces if cited else [])}</div>'
            f'{notes}<div class="rqa-pos">{text_html(position(c))}</div></div>')


def sources_html(answer: Answer) -> str:
    """Every passage of ``answer``: the cited ones first, then the other retrieved ones."""
    if not answer.citations:
        return '<div class="rqa-sources"><p class="rqa-empty">没有检索到相关段落。</p></div>'
    pieces = quoted_pieces(answer.answer)
    cited = [c for c in answer.citations if c.rank in answer.cited]
    others = [c for c in answer.citations if c.rank not in answer.cited]
    cards = [citation_html(c, True, pieces.get(c.rank, [])) for c in cited]
    cards += [citation_html(c, False, []) for c in others]
    return f'<div class="rqa-sources">{"".join(cards)}</div>'


def panel_html(question: str, answer: Answer) -> str:
    """The side panel for the latest answer: the question it answers, then its sources."""
    return (f'<div class="rqa-panel"><div class="rqa-panel-q">问题：{text_html(question)}</div>'
            f'{sources_html(answer)}</div>')


EMPTY_PANEL = ('<div class="rqa-panel"><p class="rqa-empty">提问后，这里显示答案引用的报告原文、'
               '所在章节和位置；引用的句子以黄色标出。</p></div>')
