"""Thumbs up/down on answers, appended to a local JSONL file that rotates by size.

A record holds the question, the answer, where its citations point, the vote and the UTC time;
nothing about who voted (no IP address, no user agent, no session id).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ui.querylog import redact

MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3


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

    def record(self, question: str, answer: str, citations: list[dict], vote: str,
               doc: str | None = None) -> dict:
        """Append one vote; returns the record written."""
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
        self._logger.info(json.dumps(entry, ensure_ascii=False))
        return entry

    def close(self) -> None:
        self._handler.close()


def vote_name(liked: object) -> str:
    """Gradio's ``LikeData.liked`` as a word: True → up, False → down, other options as given."""
    if liked is True:
        return "up"
    if liked is False:
        return "down"
    return str(liked)[:40]
