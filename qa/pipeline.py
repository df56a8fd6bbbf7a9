"""``ask``: from a question to a cited answer, the one code path every interface uses."""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace


from embeddings.store import Index
from qa.answer import DECLINE_ZH, compose
from qa.followup import contextualize
from qa.query import prepare, thesaurus
from qa.retrieve import MODES, Hit, QueryEncoder, Retriever
from qa.text import add_words, normalize, tag

MAX_QUESTION_CHARS = 500


class QuestionError(ValueError):
    """The question cannot be asked as given (empty, too long, wrong type)."""


@dataclass
class Citation:
    """A retrieved passage as shown to the user, pointing into the original document."""

    rank: int
    text: str
    section: str
    source: str
    start: int
    end: int
    score: float
    doc_id: str = ""
    title: str = ""
    year: int | None = None
    page: int | None = None
    notes: list[dict] = field(default_factory=list)  # glossary entries the passage refers to


@dataclass
class Answer:
    """What ``ask`` returns: the answer text, whether it declined, and its sources."""

    question: str
    answer: str
    declined: bool
    citations: list[Citation]
    took_ms: float = 0.0
    reason: str = ""
    cited: list[int] = field(default_factory=list)  # ranks the answer text cites

    def to_dict(self) -> dict:
        return asdict(self)


MARKUP_RE = re.compile(r"<(script|style)\b[^>]{0,200}>.*?</\1\s*>|<[a-zA-Z/!][^<>]{0,200}>", re.I | re.S)


def strip_markup(text: str) -> str:
    """The question without HTML/XML tags: markup is never part of what is asked."""
    return MARKUP_RE.sub(" ", text).strip()


def check_question(question: object, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The question stripped, or :class:`QuestionError` saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("question must be a string")
    q = "".join(ch for ch in question if ch.isprintable() or ch in "\n\t").strip()
    if not q:
        raise QuestionError("question is empty")
    if len(question) > max_chars:
        raise QuestionError(f"question is {len(question)} characters; the limit is {max_chars}")
    return q


def check_history(history: object) -> list[dict]:
    """The conversation as a list of ``{"role", "content"}`` messages, or :class:`QuestionError`."""
    if history is None:
        return []
    if not isinstance(history, list) or not all(
            isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)
            for m in history):
        raise QuestionError('history must be a list of {"role": "user"|"assistant", "content": str} messages')
    return history


ANSWER_CACHE_BYTES = 32 * 1024 * 1024
"""Upper bound of the memory the remembered answers take (estimated from their text)."""


def answer_key(question: str, top_k: int, history: list[dict], mode: str, doc: str | None,
               year: int | None) -> bytes:
    """A fixed-size key for a request: the SHA-256 of everything the answer depends on."""
    h = hashlib.sha256(json.dumps([question, top_k, [[m["role"], m["content"]] for m in history], mode, doc, year],
                                  ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return h.digest()


def answer_size(answer: "Answer") -> int:
    """Bytes an answer holds in memory, roughly: its strings (4 bytes a character, at most) plus overhead."""
    chars = len(answer.question) + len(answer.answer) + len(answer.reason)
    chars += sum(len(c.text) + len(c.section) + len(c.source) + len(c.doc_id) + len(c.title)
                 + sum(len(str(n)) for n in c.notes) for c in answer.citations)
    return 4 * chars + 512 + 256 * len(answer.citations)


class ReportQA:
    """Question answering over one index (cheap ``__init__``, heavy ``warm_up``)."""

    def __init__(self, index: Index, encoder: QueryEncoder, mode: str = "hybrid",
                 max_question_chars: int = MAX_QUESTION_CHARS, answer_cache: int = 1024,
                 **retriever_options) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; expected one of {MODES}")
        self.index = index
        self.mode = mode
        self.max_question_chars = max_question_chars
        self.retriever = Retriever(index, encoder, **retriever_options)
        self._warm = False
        # The index never changes under a ReportQA, so an answer is a pure function of the
        # request: popular questions (a portal's example questions) are answered from memory.
        # Keys are digests (a request's history can be long); the cache is bounded in bytes too.
        self._answers: OrderedDict[bytes, tuple[Answer, int]] = OrderedDict()
        self._answer_cache = answer_cache
        self._answer_cache_bytes = ANSWER_CACHE_BYTES
        self._answers_size = 0
        self._answers_lock = threading.Lock()

    def clear_cache(self) -> None:
        """Forget remembered answers and query embeddings (benchmarks time new questions)."""
        with self._answers_lock:
            self._answers.clear()
            self._answers_size = 0
        self.retriever.clear_cache()

    def warm_up(self) -> None:
        """Build BM25 and the lookup tables; call once before serving."""
        passages = self.index.passages
        add_words([t for _, terms in thesaurus() for t in terms.split()]
                  + [p.term for p in passages if p.kind == "glossary" and p.term])
        self.retriever.warm_up()
        self._corpus = normalize("\n".join(p.section + "\n" + p.text for p in passages))
        tag("预热")  # load jieba's part-of-speech model now, not on the first question
        self._idf = dict(self.retriever.bm25.idf) if self.retriever.bm25 else {}
        self._notes: dict[tuple[str, int], dict] = {}
        for p in passages:
            if p.kind == "glossary":
                number = int("".join(ch for ch in p.text.split(".")[0] if ch.isdigit()) or 0)
                self._notes[(p.doc_id, number)] = {"number": number, "term": p.term, "text": p.text}
        years = [d.get("year") for d in self.index.documents.values() if d.get("year")]
        self._default_year = max(years) if years else None
        self._warm = True

    def ask(self, question: str, top_k: int = 5, history: list[dict] | None = None, mode: str | None = None,
            doc: str | None = None, year: int | None = None) -> Answer:
        """Answer ``question`` from the report, with the ``top_k`` passages it rests on."""
        started = time.perf_counter()
        if not self._warm:
            self.warm_up()
        question = check_question(question, self.max_question_chars)
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= 50:
            raise QuestionError("top_k must be a whole number between 1 and 50")
        history = check_history(history)
        key = answer_key(question, top_k, history, mode or self.mode, doc, year)
        with self._answers_lock:
            known = self._answers.get(key)
            if known is not None:
                self._answers.move_to_end(key)
                known = known[0]
        if known is not None:
            return replace(known, citations=list(known.citations), cited=list(known.cited),
                           took_ms=(time.perf_counter() - started) * 1000)
        answer = self._answer(question, top_k, history, mode, doc, year, started)
        size = answer_size(answer)
        if self._answer_cache > 0 and size <= self._answer_cache_bytes // 16:
            with self._answers_lock:
                old = self._answers.pop(key, None)
                self._answers_size += size - (old[1] if old else 0)
                self._answers[key] = (answer, size)
                while len(self._answers) > self._answer_cache or self._answers_size > self._answer_cache_bytes:
                    self._answers_size -= self._answers.popitem(last=False)[1][1]
        return replace(answer, citations=list(answer.citations), cited=list(answer.cited))

    def _answer(self, question: str, top_k: int, history: list[dict], mode: str | None, doc: str | None,
                year: int | None, started: float) -> Answer:
        meant = strip_markup(question)
        if not re.search(r"\w", meant):
            return Answer(question=question, answer=DECLINE_ZH, declined=True, citations=[],
                          took_ms=(time.perf_counter() - started) * 1000, reason="no words in the question")
        searched = contextualize(meant, history)
        query = prepare(searched, self._report_year(doc, year))
        query.parts = prepare(meant).parts if searched == meant else [searched]
        want = max(int(top_k), 10)
        hits = self._filtered(self.retriever.search(query, want if not (doc or year) else 200, mode or self.mode),
                              doc, year)[:want]
        composed = compose(query, [self.index.passages[h.row] for h in hits], self._idf, self._corpus)
        citations = [self._citation(rank, h) for rank, h in enumerate(hits[:top_k], start=1)]
        cited = [i + 1 for i in composed.cited]
        for i in composed.cited:  # a cited passage beyond top_k is still shown
            if i >= top_k:
                citations.append(self._citation(i + 1, hits[i]))
        return Answer(question=question, answer=composed.answer, declined=composed.declined,
                      citations=citations, took_ms=(time.perf_counter() - started) * 1000,
                      reason=composed.reason, cited=cited)

    def retrieve(self, question: str, k: int = 10, mode: str | None = None) -> list[Citation]:
        """Only the retrieval step: the top ``k`` passages."""
        if not self._warm:
            self.warm_up()
        query = prepare(check_question(question, self.max_question_chars), self._default_year)
        hits = self._filtered(self.retriever.search(query, k, mode or self.mode), None, None)
        return [self._citation(r, h) for r, h in enumerate(hits, 1)]

    def _report_year(self, doc: str | None, year: int | None) -> int | None:
        if year:
            return int(year)
        if doc and doc in self.index.documents:
            return self.index.documents[doc].get("year")
        return self._default_year

    def _filtered(self, hits: list[Hit], doc: str | None, year: int | None) -> list[Hit]:
        """Hits whose document passes the filters, each shown as its copy from the newest report."""
        docs = self.index.documents
        out = []
        for hit in hits:
            rows = [r for r in self.retriever.copies.get(hit.row, [hit.row])
                    if (not doc or self.index.passages[r].doc_id == doc)
                    and (not year or docs.get(self.index.passages[r].doc_id, {}).get("year") == int(year))]
            if rows:
                newest = max(rows, key=lambda r: (docs.get(self.index.passages[r].doc_id, {}).get("year") or 0, -r))
                out.append(Hit(newest, hit.score, hit.dense, hit.bm25))
        return out

    def _citation(self, rank: int, hit: Hit) -> Citation:
        p = self.index.passages[hit.row]
        info = self.index.documents.get(p.doc_id, {})
        notes = [self._notes[(p.doc_id, n)] for n in p.footnotes if (p.doc_id, n) in self._notes]
        return Citation(rank=rank, text=p.text, section=p.section, source=info.get("source", p.doc_id),
                        start=p.start, end=p.end, score=round(hit.score, 6), doc_id=p.doc_id,
                        title=info.get("title", ""), year=info.get("year"), page=p.page, notes=notes)
