"""``ask``: from a question to a cited answer, the one code path every interface uses."""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace

import numpy as np


from embeddings.profile import arabic_dates
from embeddings.store import Index
from qa.answer import (DECLINE_EN, DECLINE_ZH, DEFINITION_RE, ENGLISH_LEAD, LIST_RE, Composed, Similarity, asked_roles,
                       compose, rerank)
from qa.answer_model import shipped
from qa.enumerations import composite_term, introduced_items, listed_before, numbered_term, spread_over, term_list
from qa.followup import contextualize
from qa.query import QUOTED_RE, Query, place_spellings, prepare, romanized_places, sub_queries, thesaurus
from qa.query import clear_caches as forget_phrases
from qa.retrieve import MODES, Hit, QueryEncoder, Retriever
from qa.routing import Route, route, strip_places
from qa.text import add_words, is_english, normalize, tag

MAX_QUESTION_CHARS = 500
PLACES_ASKED = 3  # reports tried, best ranked first, for a question that names no place
DOC_IDF_CACHE = 64  # reports whose own word weights are kept (a few ms to compute each)


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
    before_chars: int = 0  # leading characters of ``text`` that end the passage before (context)
    after_chars: int = 0  # trailing characters of ``text`` that start the passage after (context)


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


# who made the report (报告是谁作的, 报告是哪位总理作的), not whom it names (报告号召学习哪位英雄)
# (报告里财政部长是谁 asks who holds an office the report names: :meth:`QASystem._asks_speaker` reads
# that when it is the speaker's)
ABOUT_WHO_RE = re.compile(r"报告(?:(?!长|总理|主席|书记|主任|委员|领导|官员|负责人).){0,8}(?:谁|哪位|什么人)(?:[\u4e00-\u9fff]?长|总理|主席|领导|官员)?(?:在.{0,4})?(?:来|所)?"
                          r"(?:作|做|宣读|讲|念|发布|写|[的？?。]?\s*$)|(?:谁|哪位|什么人).{0,6}(?:作|做|宣读|讲|念|发布)(?:了|的)?.{0,6}报告"
                          r"|who (?:delivered|gave|presented|read|made)|報告人|报告人", re.I)
ABOUT_WHEN_RE = re.compile(r"报告.{0,8}(?:哪天|哪一天|什么时候|何时|几月几[日号]|日期|哪次会议|什么会议|哪个会)"
                           r"|(?:哪天|哪一天|什么时候|何时|哪次会议).{0,6}(?:作|做|宣读|发布)(?:了|的)?.{0,6}报告"
                           r"|when was (?:this|the) report|on what date .*report", re.I)


def unled(answer: str) -> str:
    """An answer without the English lead ("According to the report: ")."""
    return answer[len(ENGLISH_LEAD):] if answer.startswith(ENGLISH_LEAD) else answer


# a page's metadata run together into one line (标题：…发文单位：…报告人：…来源URL：…): one label each
LABELS_RE = re.compile(r"(?<=\S)(?=(?:标题|发文单位|发文时间|发布时间|报告人|来源URL|来源|作者)[:：])")
ABOUT_SESSION_RE = re.compile(r"哪次会议|什么会议|哪个会|什么会上|哪个大会|哪次大会|at what (?:meeting|session)|which session", re.I)


def about_the_report(question: str) -> str:
    """"who", "when" or "session" for a question about the report itself (谁作的报告, 哪天作的,
    在哪次会议上作的), else ''."""
    if ABOUT_WHEN_RE.search(question):
        return "session" if ABOUT_SESSION_RE.search(question) else "when"
    if ABOUT_WHO_RE.search(question):
        return "who"
    return ""


PROFILE_FIELDS = ("place", "level", "body", "date", "session", "speaker", "reviewed_year", "aliases")


def document_profiles(documents: dict[str, dict]) -> list[dict]:
    """Plain profiles of the indexed reports, newest first: id, title, year, place, level, outline …"""
    out = []
    for doc_id, info in documents.items():
        profile = info.get("profile") or {}
        out.append({"doc_id": doc_id, "title": info.get("title", ""), "source": info.get("source", doc_id),
                    "year": info.get("year"), **{k: profile.get(k) for k in PROFILE_FIELDS},
                    "passages": info.get("passages"), "glossary_terms": len(profile.get("glossary") or []),
                    "outline": [{"title": o["title"], "role": o.get("role", ""), "years": o.get("years", [])}
                                for o in profile.get("outline") or [] if o.get("depth", 1) == 1]})
    return sorted(out, key=lambda d: (-(d["year"] or 0), d["place"] or "", d["doc_id"]))


ANSWER_CACHE_BYTES = 32 * 1024 * 1024
"""Upper bound of the memory the remembered answers take (estimated from their text)."""


def cited_first(composed: Composed, hits: list) -> tuple[Composed, list]:
    """The passages an answer quotes listed first, in the order it quotes them, the rest after by
    rank, and the answer's markers renumbered to match: a reader (and recall@5) finds the sources
    of both parts of 去年…？今年…？ on top, not the second one eighth."""
    order = list(dict.fromkeys(i for i in composed.cited if i < len(hits)))
    if not order or order == list(range(len(order))):
        return composed, hits
    new = {old: n for n, old in enumerate(order)}
    rest = [i for i in range(len(hits)) if i not in new]
    for i in rest:
        new[i] = len(new)
    # only the markers compose puts after each part (…[8]；…[2]), not brackets the quote holds
    answer = re.sub(r"\[(\d+)\](?=；|$)", lambda m: f"[{new.get(int(m.group(1)) - 1, int(m.group(1)) - 1) + 1}]",
                    composed.answer)
    return (replace(composed, answer=answer, cited=[new[i] for i in composed.cited]),
            [hits[i] for i in order + rest])


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
        self.answer_model = None  # the shipped answer model unless one is set (fitting sets its own)
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
        forget_phrases()  # which phrases a question holds depends on the words jieba knows (straddles)
        self.retriever.warm_up()
        by_doc: dict[str, list[str]] = {}
        self._doc_rows: dict[str, list[int]] = {}
        for i, p in enumerate(passages):
            by_doc.setdefault(p.doc_id, []).append(p.section + "\n" + p.text)
            self._doc_rows.setdefault(p.doc_id, []).append(i)
        self._doc_corpus = {d: normalize("\n".join(texts)) for d, texts in by_doc.items()}
        self._front_rows: dict[str, list[int]] = {}  # the title/delivery/speaker passages of each report
        for i, p in enumerate(passages):
            if p.kind == "front":
                self._front_rows.setdefault(p.doc_id, []).append(i)
        self._corpus = "\n".join(self._doc_corpus.values())
        tag("预热")  # load jieba's part-of-speech model now, not on the first question
        self._idf = dict(self.retriever.bm25.idf) if self.retriever.bm25 else {}
        self._spellings = place_spellings(self._idf)  # 北京 for Beijing in an English question
        self._doc_idf: OrderedDict[str, dict[str, float]] = OrderedDict()  # a few reports' own word weights
        self._doc_idf_lock = threading.Lock()
        self._notes: dict[tuple[str, int], dict] = {}
        for p in passages:
            if p.kind == "glossary":
                number = int("".join(ch for ch in p.text.split(".")[0] if ch.isdigit()) or 0)
                self._notes[(p.doc_id, number)] = {"number": number, "term": p.term, "text": p.text}
        years = [d.get("year") for d in self.index.documents.values() if d.get("year")]
        self._default_year = max(years) if years else None
        self._doc_years = {d: info.get("year") for d, info in self.index.documents.items()}
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

    def route(self, question: str, doc: str | None = None, year: int | None = None) -> Route:
        """Which reports answer ``question``: the ``doc``/``year`` filters when given, else what the
        question names (place, body, year) read against each document's profile."""
        if doc or year:
            docs = tuple(d for d, info in self.index.documents.items()
                         if (not doc or d == doc) and (not year or info.get("year") == int(year)))
            return Route(docs=docs or ("\0none",), report_year=self._report_year(doc, year))
        return route(question, self.index.documents)

    def search(self, question: str, top_k: int = 10, history: list[dict] | None = None, mode: str | None = None,
               doc: str | None = None, year: int | None = None, where: Route | None = None) -> tuple[Query, list[Hit]]:
        """The prepared question and the passages retrieved for it (at least 10), before answering."""
        if not self._warm:
            self.warm_up()
        query, where = self._query(question, history, doc, year, where)
        want = max(int(top_k), 10, 5 * len(where.docs) if where.across_years else 0)
        docs = set(where.docs)
        hits = self._filtered(self.retriever.search(query, want, mode or self.mode, docs=docs or None), docs)[:want]
        if not hits and docs and not (doc or year):  # routed to reports that hold nothing: look everywhere
            hits = self._filtered(self.retriever.search(query, want, mode or self.mode), set())[:want]
        return query, self._with_quoted(query, self._with_list(query, hits, docs), docs)

    def _query(self, question: str, history: list[dict] | None = None, doc: str | None = None,
               year: int | None = None, where: Route | None = None) -> tuple[Query, Route]:
        """The question prepared for retrieval (its follow-up context, places, years and parts) and
        where it is routed."""
        searched = contextualize(question, history or [])
        where = where or self.route(searched, doc, year)
        asked = strip_places(searched, self.index.documents, where.docs)
        # Beijing → Beijing 北京: the place names the report writes in Chinese, in every part asked
        places = " ".join(romanized_places(asked, self._spellings)) if is_english(asked) else ""
        query = prepare(f"{asked} {places}" if places else asked, where.report_year or self._report_year(doc, year))
        parts = prepare(strip_places(question, self.index.documents, where.docs)).parts \
            if searched == question else [asked]
        query.parts = [f"{part} {places}" for part in parts] if places and len(parts) > 1 else parts
        return query, where

    def prefetch(self, questions: list[str], batch: int = 64) -> None:
        """Encode the questions (and each part of a compound one) in batches ahead of asking them one
        by one: an evaluation run asks hundreds, and one forward pass for many is far cheaper."""
        if not self._warm:
            self.warm_up()
        texts: list[str] = []
        for question in questions:
            try:
                query, _ = self._query(strip_markup(check_question(question, self.max_question_chars)))
            except ValueError:
                continue  # asking it will say what is wrong
            texts.append(query.search_text)
            if len(query.parts) > 1:
                texts += [p.search_text for p in sub_queries(query)]
        texts = list(dict.fromkeys(texts))
        for i in range(0, len(texts), batch):
            self.retriever.embed(texts[i:i + batch])

    def _with_list(self, query: Query, hits: list[Hit], docs: set[str]) -> list[Hit]:
        """For a numbered shorthand (“六保”是指哪六保), the passage listing its items first: word
        search misses it when the list does not name the term. Looked for in the routed reports,
        else in those of the first three hits."""
        term = numbered_term(query.text)
        if term is None or not hits:
            return hits
        passages = self.index.passages
        where = docs or {passages[h.row].doc_id for h in hits[:3]}
        # already retrieved: moved first, one naming the term after its items before one only listing them
        for h in sorted(hits, key=lambda h: listed_before(passages[h.row].text, term) is None):
            if term_list(passages[h.row].text, term):
                return [h] + [x for x in hits if x is not h]
        for row in (r for d in sorted(where) for r in self._doc_rows.get(d, ())):
            if term_list(passages[row].text, term):
                vector = self.index.vectors_of([row])
                dense = float(np.dot(vector[0], self.retriever.embed([query.search_text])[0])) if len(vector) else 0.0
                return [Hit(row=row, score=hits[0].score, dense=dense)] + hits[:-1]
        return hits

    def _with_quoted(self, query: Query, hits: list[Hit], docs: set[str], among: int = 5) -> list[Hit]:
        """For a question quoting a name (“一圈一带两区”指的是哪几块) that none of the first ``among``
        passages holds, the passage of the routed reports (else those of the first three hits) that
        holds it and is closest to the question, first: word search cuts such a name into pieces
        that are everywhere."""
        names = [n for n in QUOTED_RE.findall(query.text) if len(n) >= 3]
        if not names or not hits:
            return hits
        passages = self.index.passages
        if any(n in passages[h.row].text for h in hits[:among] for n in names):
            return hits
        where = docs or {passages[h.row].doc_id for h in hits[:3]}
        rows = [r for d in sorted(where) for r in self._doc_rows.get(d, ()) if any(n in passages[r].text for n in names)]
        if not rows:
            return hits
        vectors = self.index.vectors_of(rows)
        question = self.retriever.embed([query.search_text])[0]
        cosines = [float(np.dot(v, question)) for v in vectors] if len(vectors) else [0.0] * len(rows)
        best = max(range(len(rows)), key=lambda i: cosines[i])
        found = [h for h in hits if h.row == rows[best]]
        hit = found[0] if found else Hit(row=rows[best], score=hits[0].score, dense=cosines[best])
        return [hit] + [h for h in hits if h.row != hit.row][:len(hits) - (0 if found else 1)]

    def _similarity(self, mode: str | None = None) -> Similarity | None:
        """:meth:`similarity` when the answer model's decider was fitted on this encoder's model
        and on hybrid retrieval (another model's cosines differ in scale, and one leg alone leaves
        the other's signal empty: then the window's score decides alone)."""
        model = self.answer_model or shipped()
        if (mode or self.mode) != "hybrid" or not model.decides_with(getattr(self.retriever.encoder, "model_id", "")):
            return None
        return self.similarity

    def similarity(self, question: str, window: str) -> float:
        """Embedding cosine of a question (its search text) and an answer window, both encoded as
        queries and remembered by the retriever: the answer model's decider reads it."""
        a, b = self.retriever.embed([question, window])
        return float(np.dot(a, b))

    @property
    def idf(self) -> dict[str, float]:
        """BM25's inverse document frequency of each word (the answer step weighs question words by it)."""
        return self._idf

    def idf_for(self, where: Route | tuple[str, ...]) -> dict[str, float]:
        """The word weights the answer step reads: of the one report a question is routed to (as
        if it were alone: a word every report uses, but that one uses rarely, still marks a
        passage of it), else of the whole index."""
        docs = where.docs if isinstance(where, Route) else where
        if len(docs) != 1 or len(self.index.documents) <= 1 or docs[0] not in self._doc_corpus:
            return self._idf
        with self._doc_idf_lock:
            known = self._doc_idf.get(docs[0])
            if known is not None:
                self._doc_idf.move_to_end(docs[0])
                return known
        weights = self.retriever.idf_of(docs[0])
        with self._doc_idf_lock:
            self._doc_idf[docs[0]] = weights
            while len(self._doc_idf) > DOC_IDF_CACHE:
                self._doc_idf.popitem(last=False)
        return weights

    @property
    def norm_corpus(self) -> str:
        """Every passage and section title, normalised: what the report mentions at all."""
        return self._corpus

    def _answer(self, question: str, top_k: int, history: list[dict], mode: str | None, doc: str | None,
                year: int | None, started: float) -> Answer:
        meant = strip_markup(question)
        if not re.search(r"\w", meant):
            return Answer(question=question, answer=DECLINE_ZH, declined=True, citations=[],
                          took_ms=(time.perf_counter() - started) * 1000, reason="no words in the question")
        where = self.route(contextualize(meant, history), doc, year)
        query, hits = self.search(meant, top_k, history, mode, doc, year, where)
        about = about_the_report(meant) or self._asks_speaker(query, hits, where)
        stated = self._from_front(about, hits, where) if about else self._spread_list(query, hits, where)
        if stated is not None:
            composed, hits = stated
        elif where.across_years:
            composed, hits = self._compose_by_report(query, hits, where, mode)
        elif not (doc or year) and (where.earlier or self._unplaced(where)):
            composed, hits = self._compose_by_place(meant, query, hits, top_k, history, mode, where)
        else:
            composed, hits = cited_first(*self._compose(query, hits, where, mode))
            if len(self.index.documents) > 1 and not composed.declined:
                composed = replace(composed, answer=self._name_reports(
                    composed.answer, [self.index.passages[hits[i].row].doc_id for i in composed.cited]))
        citations = [self._citation(rank, h) for rank, h in enumerate(hits[:top_k], start=1)]
        cited = [i + 1 for i in composed.cited]
        for i in composed.cited:  # a cited passage beyond top_k is still shown
            if i >= top_k:
                citations.append(self._citation(i + 1, hits[i]))
        return Answer(question=question, answer=composed.answer, declined=composed.declined,
                      citations=citations, took_ms=(time.perf_counter() - started) * 1000,
                      reason=composed.reason, cited=cited)

    def _compose(self, query: Query, hits: list[Hit], where: Route,
                 mode: str | None) -> tuple[Composed, list[Hit]]:
        """The answer from the retrieved ``hits``: candidate windows reranked, the best one chosen
        (for each part of a compound question), or a decline; the hits in their new order."""
        idf = self.idf_for(where)
        order, pool = rerank(query, [self.index.passages[h.row] for h in hits], idf, self._said(where),
                             signals=[(h.dense, h.bm25) for h in hits], model=self.answer_model,
                             doc_years=self._doc_years)
        hits = [hits[i] for i in order]
        composed = compose(query, [self.index.passages[h.row] for h in hits], idf, self._said(where),
                           signals=[(h.dense, h.bm25, i) for h, i in zip(hits, order)], model=self.answer_model,
                           doc_years=self._doc_years, pool=pool, similarity=self._similarity(mode))
        return composed, hits

    def _place(self, doc_id: str) -> str:
        return ((self.index.documents.get(doc_id) or {}).get("profile") or {}).get("place") or doc_id

    def _unplaced(self, where: Route) -> bool:
        """A question that names no place while the reports in view are of several places."""
        if len(self.index.documents) < 2 or where.places:
            return False
        return len({self._place(d) for d in (where.docs or self.index.documents)}) > 1

    def _compose_by_place(self, meant: str, query: Query, hits: list[Hit], top_k: int, history: list[dict],
                          mode: str | None, where: Route) -> tuple[Composed, list[Hit]]:
        """A question that names no place, in an index of several places (去年GDP增长多少？ in a
        portal of many cities), or no year, in an index of several years of its place: when some
        window answers it, it is answered as if each of the reports ranked first (at most
        :data:`PLACES_ASKED`) were alone in the index, and every report that answers is quoted,
        each naming itself (a place's newest report first), so the asker's own place and year are
        among them; 去年/今年 are read against each report's own years. Each part of a compound
        question comes from one report, read with that report's own word weights; when no window
        answers, it is declined as before."""
        if where.earlier:  # the place's earlier reports too, with no one year for 去年/今年
            query, hits = self.search(meant, top_k, history, mode, None, None,
                                      Route(docs=tuple(where.docs) + where.earlier, places=where.places))
        whole, ordered = self._compose(query, hits, Route(), mode)
        if whole.declined:  # no window of any report answers: one report alone would not either
            return whole, ordered
        ranked = list(dict.fromkeys([self.index.passages[ordered[i].row].doc_id for i in whole.cited]
                                    + [self.index.passages[h.row].doc_id for h in ordered]))[:PLACES_ASKED]
        # places in the order they ranked; within a place, its newest report first
        first = {p: n for n, p in reversed(list(enumerate(self._place(d) for d in ranked)))}
        ranked.sort(key=lambda d: (first[self._place(d)], -((self.index.documents.get(d) or {}).get("year") or 0)))
        pieces, cited, out = [], [], []
        for doc_id in ranked:
            info = self.index.documents.get(doc_id) or {}
            one = Route(docs=(doc_id,), report_year=info.get("year"), years={doc_id: info.get("year")})
            sub_query, sub_hits = self.search(meant, top_k, history, mode, None, None, one)
            composed, sub_hits = self._compose(sub_query, sub_hits, one, mode)
            if composed.declined:
                continue
            body = unled(composed.answer)
            moved = {}  # the cited passages come first, each report's in turn; then the rest by rank
            for i in composed.cited:
                if i + 1 not in moved:
                    out.append(sub_hits[i])
                    moved[i + 1] = len(out)
            # renumber the markers compose put after each part (…[2]；…[5]), not brackets the quote holds
            pieces.append((doc_id, re.sub(r"\[(\d+)\](?=；|$)",
                                          lambda m: f"[{moved.get(int(m.group(1)), m.group(1))}]", body)))
            cited += [moved[i + 1] - 1 for i in composed.cited]
        if not pieces:
            return Composed(DECLINE_EN if query.english else DECLINE_ZH, True, reason="no report says alone"), ordered
        shown = {h.row for h in out}
        out += [h for h in ordered if h.row not in shown]
        if len(pieces) == 1:
            answer = f"{ENGLISH_LEAD}{pieces[0][1]}" if query.english else pieces[0][1]
            return Composed(self._name_reports(answer, [pieces[0][0]]), False, cited=cited), out
        return Composed(self._per_report(pieces, query.english), False, cited=cited), out

    def _said(self, where: Route | tuple[str, ...]) -> str:
        """What the reports in view mention at all (a name only another report mentions is still missing)."""
        docs = where.docs if isinstance(where, Route) else where
        if len(docs) == 1 and docs[0] in self._doc_corpus:
            return self._doc_corpus[docs[0]]
        return self._corpus  # several reports in view: not joined again on every question

    def documents(self) -> list[dict]:
        """Each indexed report's profile (what routing reads), for listings in the CLI, API and chat."""
        return document_profiles(self.index.documents)

    def _asks_speaker(self, query: Query, hits: list[Hit], where: Route) -> str:
        """"who" when a "who is the …" question asks the office the report's speaker holds (省长是谁,
        自治区主席是谁, 县长叫什么名字): the profile knows the name, however unusual."""
        roles = asked_roles(query)
        docs = list(where.docs) or ([self.index.passages[hits[0].row].doc_id] if hits else [])
        if not roles or len(docs) != 1:
            return ""
        speaker = ((self.index.documents.get(docs[0]) or {}).get("profile") or {}).get("speaker") or ""
        office = speaker.split(" ")[0].replace("代", "", 1) if " " in speaker else ""
        bare = [r for r in roles if not r.startswith(("副", "常务"))]  # a deputy is not the speaker
        return "who" if office and any(office.endswith(r) or r.endswith(office) for r in bare) else ""

    def _from_front(self, about: str, hits: list[Hit], where: Route) -> tuple[Composed, list[Hit]] | None:
        """"这份报告是谁作的/哪天作的": the line of the report's front matter that says it (the
        speaker line, or the delivery line with its date and session), quoted and cited. Asked
        without a place in an index of several places: that line of each of the reports ranked
        first (at most :data:`PLACES_ASKED`), each naming its report."""
        ranked = list(dict.fromkeys(self.index.passages[h.row].doc_id for h in hits))
        several = self._unplaced(where)
        if several:  # the reports the search ranks first, then the others in view (few words to rank by)
            docs = [d for d in dict.fromkeys(ranked + list(where.docs or self.index.documents))
                    if not where.docs or d in where.docs][:PLACES_ASKED]
        else:
            docs = list(where.docs) or ranked[:1]
        picked: list[tuple[str, int, str]] = []
        for doc_id in docs:
            profile = (self.index.documents.get(doc_id) or {}).get("profile") or {}
            name = (profile.get("speaker") or "").split(" ")[-1]
            found = [(i, piece.strip()) for i in self._front_rows.get(doc_id, ())
                     for line in self.index.passages[i].text.split("\n")
                     for piece in LABELS_RE.split(line) if piece.strip()]
            if about == "who":  # the report's own speaker line before a page's 报告人： label
                pick = sorted([(i, x) for i, x in found if name and name in x.replace(" ", "").replace("?", "")],
                              key=lambda ix: bool(re.match(r"\S{2,6}[:：]", ix[1])))
            else:
                pick = [(i, x) for i, x in found  # 二〇二六年一月二十七日 too
                        if re.search(r"(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", arabic_dates(x))]
                sitting = [(i, x) for i, x in found if re.search(r"会议|大会", x)]
                day = [int(x) for x in re.findall(r"\d+", profile.get("date") or "")]
                said = (lambda x: len(day) == 3 and bool(re.search(
                    rf"{day[0]}\s*年\s*0?{day[1]}\s*月\s*0?{day[2]}\s*日", arabic_dates(x))))
                # the delivery line (…在…人民代表大会第三次会议上, or the profile's date, in brackets
                # under the speaker as printed) before a web page's own date (2001年01月08日)
                pick = sorted(pick, key=lambda ix: (not said(ix[1]), not re.search(r"会议|大会", ix[1]),
                                                    not re.match(r"\s*[（(]", ix[1])))
                if about == "session":
                    pick = [ix for ix in pick if ix in sitting] or sitting or pick
            if pick:
                picked.append((doc_id, *pick[0]))
                if not several:
                    break
        if not picked:
            return None
        score = hits[0].score if hits else 1.0
        front = [Hit(row, score) for _, row, _ in picked]
        rest = [h for h in hits if h.row not in {row for _, row, _ in picked}]
        if len(picked) == 1:
            doc_id, _, line = picked[0]
            answer = f"{line}[1]"
            if len(self.index.documents) > 1:
                answer = self._name_reports(answer, [doc_id])
            return Composed(answer, False, cited=[0]), front + rest
        text = self._per_report([(d, f"{line}[{n}]") for n, (d, _, line) in enumerate(picked, 1)], False)
        return Composed(text, False, cited=list(range(len(picked)))), front + rest

    def _spread_list(self, query: Query, hits: list[Hit], where: Route) -> tuple[Composed, list[Hit]] | None:
        """"“四个一批”指哪几个一批": when no passage of the report lists the term's items in one
        sentence, the items that open that many sentences over its paragraphs (在建一批，…。开工一批，…),
        each quoted with its passage cited, those passages first (:func:`spread_over`); for a term of
        counted parts (“两新一重”), the items a colon after it introduces (:func:`introduced_items`)."""
        term = composite_term(query.text) or numbered_term(query.text)  # “两新一重” is no “两新”
        # asked what its items are (是哪几个, 指什么, 包括哪些): a definition or a list, as the answer step reads them
        if term is None or not (DEFINITION_RE.search(query.text) or LIST_RE.search(query.text)) or not hits:
            return None
        passages = self.index.passages
        docs = list(where.docs) or [passages[hits[0].row].doc_id]
        if len(docs) != 1:
            return None
        rows = self._doc_rows.get(docs[0], [])
        inline = [r for r in rows if term.word and term_list(passages[r].text, term)]
        if any(term.text in passages[r].text for r in inline):
            return None  # a sentence naming the term lists its items: the answer step quotes it
        text, starts = "", []
        for n, r in enumerate(rows):  # the report's passages joined, a paragraph's pieces without a break
            gap = n and passages[r].start - passages[rows[n - 1]].end > 1
            text += "\n" if gap else ""
            starts.append(len(text))
            text += passages[r].text
        # a term of counted parts (“两新一重”) has no shared word: its items are those a colon after
        # it introduces (…建设，主要是：加强新型基础设施建设，…。加强新型城镇化建设，…)
        spans = spread_over(text, term) if term.word else introduced_items(text, term)
        # a list elsewhere that never names the term (培育一批…，建设一批…) gives way only to items the
        # term introduces (突出抓好“四个一批”：在建一批，…)
        if spans is None or (inline and term.text not in text[max(0, spans[0][0] - 40):spans[0][0]]):
            return None
        pieces: list[tuple[int, str]] = []
        for s, e in spans:
            n = max(i for i, at in enumerate(starts) if at <= s)
            own = passages[rows[n]].text
            s, e = s - starts[n], min(e - starts[n], len(own))
            more = re.match(r"[，,]([^，,。；;！？!?]{1,40})", own[e:])  # 在建一批 → 在建一批，确保…投产
            if more and e - s <= len(term.word) + 2:  # not 奋力推进产业振兴: it says what it is
                e += more.end()
            pieces.append((rows[n], own[s:e].strip()))
        order = list(dict.fromkeys(r for r, _ in pieces))
        answer = "；".join(f"{piece}[{order.index(r) + 1}]" for r, piece in pieces)
        if query.english:
            answer = f"{ENGLISH_LEAD}{answer}"
        score = hits[0].score
        found = {h.row: h for h in hits}
        front = [found.get(r) or Hit(row=r, score=score) for r in order]
        return (Composed(answer, False, cited=list(range(len(order)))),
                front + [h for h in hits if h.row not in set(order)])

    def _title(self, doc_id: str) -> str:
        """How an answer names a report among several: its title, with its place in front when the
        title names none (a county's bare 政府工作报告 → 海拉尔区政府工作报告) and its year after when
        the title has none."""
        info = self.index.documents.get(doc_id, {})
        title = info.get("title") or info.get("source") or doc_id
        profile = info.get("profile") or {}
        names = [a for a in profile.get("aliases") or () if len(a) >= 2 and not a.isascii()]
        place = profile.get("place") or ""
        if place and names and not any(name in title for name in names):
            title = place + title
        return title if not info.get("year") or str(info["year"]) in title else f"{title}（{info['year']}年）"

    def _name_reports(self, answer: str, doc_ids: list[str]) -> str:
        """``据《北京市2026年政府工作报告》：…``: with several reports indexed, say which one is quoted."""
        titles = "".join(f"《{self._title(d)}》" for d in dict.fromkeys(doc_ids))
        if not titles:
            return answer
        if answer.startswith(ENGLISH_LEAD):
            return f"According to {titles}: " + answer[len(ENGLISH_LEAD):]
        return f"据{titles}：{answer}"

    def _per_report(self, parts: list[tuple[str, str]], english: bool) -> str:
        """One line per report, each naming it (``《title》：quote[n]``), the English lead once in front."""
        text = "\n".join(f"《{self._title(d)}》：{unled(body)}" for d, body in parts)
        return f"{ENGLISH_LEAD}{text}" if english else text

    def _compose_by_report(self, query: Query, hits: list[Hit], where: Route,
                           mode: str | None = None) -> tuple[Composed, list[Hit]]:
        """A question over several years of one place, answered from each report in turn (oldest
        first), each part quoting its own report with its own citation; a report that does not
        say is left out, and the question is declined only when none does."""
        ordered: list[Hit] = []
        pieces, cited, reasons = [], [], []
        for doc_id in where.docs:
            mine = [h for h in hits if self.index.passages[h.row].doc_id == doc_id][:3]
            if not mine:
                continue
            sub = prepare(query.text, where.years.get(doc_id) or query.report_year)
            sub.parts = query.parts
            part = compose(sub, [self.index.passages[h.row] for h in mine], self.idf_for((doc_id,)),
                           self._said((doc_id,)),
                           signals=[(h.dense, h.bm25) for h in mine], model=self.answer_model,
                           doc_years=self._doc_years, first=len(ordered) + 1, similarity=self._similarity(mode))
            if part.declined:
                reasons.append(part.reason)
            else:
                pieces.append((doc_id, part.answer))
                cited += [i + len(ordered) for i in part.cited]
            ordered += mine
        ordered += [h for h in hits if h not in ordered]
        if not pieces:
            return Composed(DECLINE_EN if query.english else DECLINE_ZH, True,
                            reason="; ".join(dict.fromkeys(reasons)) or "no report says"), ordered
        return Composed(self._per_report(pieces, query.english), False, cited=cited), ordered

    def retrieve(self, question: str, k: int = 10, mode: str | None = None) -> list[Citation]:
        """Only the retrieval step: the top ``k`` passages."""
        if not self._warm:
            self.warm_up()
        query = prepare(check_question(question, self.max_question_chars), self._default_year)
        hits = self._filtered(self.retriever.search(query, k, mode or self.mode), set())
        return [self._citation(r, h) for r, h in enumerate(hits, 1)]

    def _report_year(self, doc: str | None, year: int | None) -> int | None:
        if year:
            return int(year)
        if doc and doc in self.index.documents:
            return self.index.documents[doc].get("year")
        return self._default_year

    def _filtered(self, hits: list[Hit], docs: set[str]) -> list[Hit]:
        """Hits from the given documents (all when empty), each shown as its copy from the newest report."""
        info = self.index.documents
        out = []
        for hit in hits:
            rows = [r for r in self.retriever.copies.get(hit.row, [hit.row])
                    if not docs or self.index.passages[r].doc_id in docs]
            if rows:
                newest = max(rows, key=lambda r: (info.get(self.index.passages[r].doc_id, {}).get("year") or 0,
                                                  -self.index.passages[r].start, -r))  # the first copy in the text
                out.append(Hit(newest, hit.score, hit.dense, hit.bm25))
        return out

    def _citation(self, rank: int, hit: Hit) -> Citation:
        p = self.index.passages[hit.row]
        info = self.index.documents.get(p.doc_id, {})
        notes = [self._notes[(p.doc_id, n)] for n in p.footnotes if (p.doc_id, n) in self._notes]
        wide = p.shown_start is not None and p.shown_end is not None  # with its neighbours' sentences
        return Citation(rank=rank, text=p.before + p.text + p.after, section=p.section,
                        source=info.get("source", p.doc_id), start=p.shown_start if wide else p.start,
                        end=p.shown_end if wide else p.end, score=round(hit.score, 6), doc_id=p.doc_id,
                        title=info.get("title", ""), year=info.get("year"), page=p.page, notes=notes,
                        before_chars=len(p.before), after_chars=len(p.after))
