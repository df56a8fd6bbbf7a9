"""The question log: what citizens ask and which questions the reports could not answer.

Off unless switched on (``report-qa serve --question-log`` or ``REPORT_QA_QUESTION_LOG=on``).
Each line of ``DATA_DIR/logs/questions.jsonl`` holds the UTC time, the question, whether it was
answered or declined, and the sections it cited; never an IP address, user agent or session.
Phone numbers, ID and card numbers and e-mail addresses are replaced by placeholders *before*
anything is written. The file rotates by size (default 5 MB, 3 backups), so it cannot fill the
disk. ``report-qa stats`` (``ui.stats``) summarises it.

The log wraps the QA object (:class:`LoggedQA`), so the chat, the embed page and the JSON API
all record through one place without knowing about it.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

LOG_NAME = "questions.jsonl"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3
MAX_LOGGED_CHARS = 500

# Order matters: e-mail first (its digits must not be half-taken by a phone pattern), then long
# digit runs (ID and bank card numbers, spaces or dashes allowed between groups), then phones.
_SEP = r"[\s\-]?"
_REDACTIONS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"[A-Za-z0-9._%+\-]+\s*(?:@|＠)\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"), "[邮箱]"),
    (re.compile(r"(?<![\dA-Za-z])\d(?:" + _SEP + r"\d){13,}(?:" + _SEP + r"\d|" + _SEP + r"[Xx])(?![\dA-Za-z])"),
     "[证件号]"),
    (re.compile(r"(?<!\d)(?:(?:\+|00)?86" + _SEP + r")?1[3-9]\d(?:" + _SEP + r"\d){8}(?!\d)"), "[电话]"),
    (re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})" + _SEP + r"\d{3,4}" + _SEP + r"\d{4}(?!\d)"),
     "[电话]"),
]


def redact(text: str) -> str:
    """``text`` with phone numbers, ID/card numbers and e-mail addresses replaced by placeholders."""
    text = text.translate(_FULLWIDTH_DIGITS)
    for pattern, placeholder in _REDACTIONS:
        text = pattern.sub(placeholder, text)
    return text


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ－", "0123456789Xx-")


class _BytesRotatingHandler(RotatingFileHandler):
    """Rotates by the bytes a record takes in UTF-8 (the standard handler counts characters, so a
    Chinese log could grow to three times its cap)."""

    def shouldRollover(self, record: logging.LogRecord) -> bool:
        if self.maxBytes <= 0:
            return False
        if self.stream is None:
            self.stream = self._open()
        size = len((self.format(record) + "\n").encode("utf-8"))
        self.stream.seek(0, 2)
        return self.stream.tell() > 0 and self.stream.tell() + size > self.maxBytes


class QuestionLog:
    """Append-only, size-rotated JSONL log of questions; thread-safe (the handler locks per write)."""

    def __init__(self, path: str | Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handler = _BytesRotatingHandler(self.path, maxBytes=max_bytes, backupCount=backups,
                                            encoding="utf-8", delay=True)
        self._handler.setFormatter(logging.Formatter("%(message)s"))
        self._logger = logging.Logger(f"report-qa.questions:{self.path}", logging.INFO)  # not in the global tree
        self._logger.addHandler(self._handler)
        self._logger.propagate = False

    def record(self, question: str, answer: Any, doc: str | None = None) -> dict:
        """Append one question and what became of it; returns the record written."""
        cited = [{"doc": c.doc_id, "title": c.title, "section": c.section}
                 for c in answer.citations if c.rank in answer.cited]
        entry = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 "question": redact(question[:MAX_LOGGED_CHARS]),
                 "declined": bool(answer.declined), "cited": cited}
        if doc:
            entry["doc"] = doc
        self._logger.info(json.dumps(entry, ensure_ascii=False))
        return entry

    def close(self) -> None:
        self._handler.close()


class LoggedQA:
    """A QA object that records every question it answers in a :class:`QuestionLog`.

    Everything else is delegated to the wrapped object. A failure to write is reported once in
    the server log and never costs the user the answer."""

    def __init__(self, qa: Any, log: QuestionLog) -> None:
        self._qa = qa
        self._log = log
        self._warned = False

    def ask(self, question: str, *args, **kwargs):
        answer = self._qa.ask(question, *args, **kwargs)
        try:
            self._log.record(question, answer, doc=kwargs.get("doc"))
        except (OSError, ValueError, TypeError) as exc:
            if not self._warned:
                logger.warning("question log: cannot write %s: %s", self._log.path, exc)
                self._warned = True
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._qa, name)
