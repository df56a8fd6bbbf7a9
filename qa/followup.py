"""Read a follow-up question in the light of the conversation before it.

"去年GDP多少？" then "那今年的目标呢？": the second question names no subject, so the
content words of the previous question (without its time words) are carried over.
"""
from __future__ import annotations

import re

from qa.text import tokenize

ANAPHORA_RE = re.compile(r"^(那|那么|那个|它|其|这个|这|还有|另外|and|what about|how about)|呢[？?]?$|^(同比|目标|计划)", re.I)
MAX_PREVIOUS_CHARS = 500  # a question is at most this long; a longer earlier "question" costs, not helps
MAX_CARRIED_WORDS = 16  # a question's subject is a few words; more would only make the search costly
TIME_WORDS = re.compile(r"(20\d\d年?|去年|今年|明年|前年|last year|this year|next year)", re.I)


def is_follow_up(question: str) -> bool:
    """A short question leaning on what came before (那…呢, what about …)."""
    q = question.strip()
    return bool(ANAPHORA_RE.search(q)) and len(q) <= 30


def contextualize(question: str, history: list[dict] | None) -> str:
    """The question to search for: the follow-up plus the previous question's subject words."""
    if not history or not is_follow_up(question):
        return question
    previous = next((m.get("content", "") for m in reversed(history)
                     if m.get("role") == "user" and isinstance(m.get("content"), str) and m.get("content").strip()), "")
    if not previous:
        return question
    previous = previous[:MAX_PREVIOUS_CHARS]
    words = [w for w in tokenize(TIME_WORDS.sub(" ", previous)) if w not in question]
    words = list(dict.fromkeys(words))[:MAX_CARRIED_WORDS]
    return f"{question} {' '.join(words)}" if words else question
