"""The baseline a user builds in ten minutes: BM25 over the report's blank-line paragraphs.

Split each raw document on blank lines, segment with plain ``jieba.lcut``, rank with
``rank_bm25`` and show the top paragraph as the answer. No cleaning, no thesaurus, no
dense leg, never declines. Evaluation runs it beside the real system (mode
``paragraph-bm25``) so the system's figures always come with what they improve on.
"""
from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Iterable

import jieba
import numpy as np
from rank_bm25 import BM25Okapi

from embeddings.layout import line_spans, one_paragraph_per_line
from qa.pipeline import Answer, Citation

PARAGRAPH_BM25 = "paragraph-bm25"
BASELINES = (PARAGRAPH_BM25,)
_BLANK_LINES = re.compile(r"\n\s*\n")
_WORD = re.compile(r"\w", re.UNICODE)


def paragraphs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each non-empty paragraph, stripped: blank-line separated, or one per
    line when the text is laid out that way (a web copy), as a user splitting it by eye would."""
    if one_paragraph_per_line(text):
        return [(s, e, text[s:e]) for s, e in line_spans(text)]
    out, pos = [], 0
    for piece in _BLANK_LINES.split(text):
        start = text.index(piece, pos)
        pos = start + len(piece)
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            out.append((start + lead, start + lead + len(stripped), stripped))
    return out


@lru_cache(maxsize=1)
def _plain_jieba() -> jieba.Tokenizer:
    """A jieba of its own with the stock dictionary: the system teaches the shared one the
    report's terms (:func:`qa.text.add_words`), which a ten-minute baseline would not have."""
    return jieba.Tokenizer()


def words(text: str) -> list[str]:
    """Plain jieba words, lower-cased, punctuation and spaces dropped."""
    return [w.lower() for w in _plain_jieba().lcut(text) if _WORD.search(w)]


class ParagraphBM25:
    """BM25 over blank-line paragraphs of raw documents, answering with the top paragraph."""

    def __init__(self, documents: Iterable[tuple[str, str]]) -> None:
        """``documents``: (source name, raw text) pairs."""
        self.paragraphs: list[tuple[str, int, int, str]] = [
            (source, start, end, para) for source, text in documents for start, end, para in paragraphs(text)]
        if not self.paragraphs:
            raise ValueError("the paragraph-BM25 baseline needs at least one non-empty document")
        self.bm25 = BM25Okapi([words(p[3]) or ["∅"] for p in self.paragraphs])

    def search(self, question: str, k: int = 10) -> list[tuple[int, float]]:
        """(paragraph number, BM25 score) of the ``k`` best paragraphs."""
        tokens = words(question)
        if not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(i), float(scores[i])) for i in top]

    def ask(self, question: str, top_k: int = 10) -> Answer:
        """The top ``top_k`` paragraphs, the first one as the answer; never declines."""
        started = time.perf_counter()
        hits = self.search(question, top_k)
        citations = [Citation(rank=r, text=self.paragraphs[i][3], section="", source=self.paragraphs[i][0],
                              start=self.paragraphs[i][1], end=self.paragraphs[i][2], score=round(s, 6))
                     for r, (i, s) in enumerate(hits, start=1)]
        return Answer(question=question, answer=citations[0].text if citations else "", declined=False,
                      citations=citations, took_ms=(time.perf_counter() - started) * 1000,
                      cited=[1] if citations else [])
