"""Thumbs up/down on answers, appended to a local JSONL file that rotates by size.

A record holds the question, the answer, where its citations point, the vote and the UTC time;
nothing about who voted (no IP address, no user agent, no session id). Every record is one line:
the line and paragraph separators that JSON leaves raw (U+0085, U+2028, U+2029) are escaped, so
any reader that splits on line breaks gets whole records. Votes are ``up`` or ``down`` only, and
one browser session is counted (in memory, by Gradio's session id, never written) so that it
cannot rotate everyone else's feedback away: at most :data:`MAX_VOTES_PER_SESSION` votes.
"""
from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from datetime import datetime, timezone
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ui.querylog import redact

MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3
VOTES = ("up", "down")
MAX_VOTES_PER_SESSION = 100  # a chat session votes on its own answers; 100 is far above any real one
MAX_SESSIONS = 10_000  # sessions remembered for the cap (least recently seen forgotten first)
_RAW_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class FeedbackError(ValueError):
    """A vote that is not recorded: not up/down, or its session is over the cap."""


def json_line(entry: dict) -> str:
    """``entry`` as JSON on exactly one line, whatever line separators its strings hold."""
    text = json.dumps(entry, ensure_ascii=False)
    for raw, escaped in _RAW_BREAKS.items():
        text = text.replace(raw, escaped)
    return text


class FeedbackLog:
    """Append-only JSONL feedback file; thread-safe (the handler holds a lock per write)."""

    def __init__(self, path: str | Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handler = RotatingFileHandler(self.path, maxBytes=max_bytes, backupCount=backups,
                                            encoding="utf-8", delay=True)
        self._handler.setFormatter(logging.Formatter("%(message)s"))
        # a private logger object, not registered in logging's global tree
        self._logger = logging.Logger(f"report-qa.feedback:{self.path}", logging.INFO)
        self._logger.addHandler(self._handler)
        self._logger.propagate = False
        self._sessions: OrderedDict[str, int] = OrderedDict()
        self._sessions_lock = threading.Lock()

    def _count(self, session: str) -> None:
        """One more vote of ``session``, or :class:`FeedbackError` past the cap."""
        with self._sessions_lock:
            votes = self._sessions.pop(session, 0)
            self._sessions[session] = votes + (votes < MAX_VOTES_PER_SESSION)
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        if votes >= MAX_VOTES_PER_SESSION:
            raise FeedbackError(f"this session has already voted {MAX_VOTES_PER_SESSION} times")

    def record(self, question: str, answer: str, citations: list[dict], vote: str,
               doc: str | None = None, session: str | None = None) -> dict:
        """Append one vote; returns the record written. :class:`FeedbackError` for a vote other
        than up/down or a ``session`` over its cap (nothing is written then)."""
        if vote not in VOTES:
            raise FeedbackError(f"vote must be one of {VOTES}")
        if session is not None:
            self._count(session)
        entry = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "vote": vote,
            "question": redact(question),  # phone, ID numbers and e-mails never reach the disk
            "answer": answer,
            "citations": [{k: c.get(k) for k in ("rank", "section", "source", "start", "end", "cited")}
                          for c in citations],
        }
        if doc:
            entry["doc"] = doc
        self._logger.info(json_line(entry))
        return entry

    def close(self) -> None:
        self._handler.close()


def vote_name(liked: object) -> str | None:
    """Gradio's ``LikeData.liked`` as a word: True or "Like" → up, False or "Dislike" → down, else None."""
    if liked is True or liked == "Like":
        return "up"
    if liked is False or liked == "Dislike":
        return "down"
    return None
