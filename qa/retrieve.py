"""Find the passages that answer a question: dense (FAISS), BM25 over jieba words, or both.

Hybrid retrieval fuses the two rankings with reciprocal rank fusion, then applies a small
prior for the year a question is about (a passage under 2024年工作回顾 answers 去年…).
Compound questions are searched part by part and the results interleaved, so each part's
evidence reaches the top ranks. Passages with the same text (the same report indexed as a
PDF and as text, say) are ranked once, as their first copy; ``copies`` lists the others.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from embeddings.store import Index
from qa import token_cache
from qa.lexical import BM25
from qa.query import Query, sub_queries
from qa.text import normalize, tokenize

MODES = ("hybrid", "dense", "bm25")
RESTRICT_ROWS = 5000  # routed to at most this many passages (or a tenth of the index): rank within them
LEXICAL_CANDIDATES = 4  # a store's own BM25 proposes this many times k passages for exact scoring


class QueryEncoder(Protocol):
    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass
class Hit:
    """A retrieved passage: its row in the index and how each leg scored it."""

    row: int
    score: float
    dense: float = 0.0
    bm25: float = 0.0


class Retriever:
    """Dense, BM25 and hybrid search over one index (cheap init, heavy ``warm_up``)."""

    def __init__(self, index: Index, encoder: QueryEncoder, tokenizer: Callable[[str], list[str]] = tokenize,
                 rrf_k: int = 10, dense_weight: float = 0.3, bm25_weight: float = 1.0,
                 year_boost: float = 0.3, term_boost: float = 0.5, depth: int = 50,
                 token_cache: str | Path | None = None) -> None:
        self.index = index
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.bm25_weight = bm25_weight
        self.year_boost = year_boost
        self.term_boost = term_boost
        self.depth = depth
        self.token_cache = token_cache  # file remembering each passage's words (qa/token_cache.py)
        self.bm25: BM25 | None = None
        self._years: list[tuple[int, ...]] = []
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()  # query text -> embedding, LRU
        self._vectors_max = 2048
        self._vectors_lock = threading.Lock()
        self.copies: dict[int, list[int]] = {}

    def warm_up(self) -> None:
        passages = self.index.passages
        first: dict[str, int] = {}
        self._canonical = [first.setdefault(re.sub(r"\s+", "", p.text), i) for i, p in enumerate(passages)]
        self.copies = {}
        for row, canon in enumerate(self._canonical):
            self.copies.setdefault(canon, []).append(row)
        self._unique = sorted(self.copies)
        self._position = {row: i for i, row in enumerate(self._unique)}
        self._allowed_cache: dict[frozenset[str], list[int]] = {}
        self._doc_rows: dict[str, set[int]] = {}
        for canon, rows in self.copies.items():
            for r in rows:
                self._doc_rows.setdefault(passages[r].doc_id, set()).add(canon)
        self._max_copies = max((len(v) for v in self.copies.values()), default=1)
        texts = [passages[i].index_text for i in self._unique]
        words = token_cache.segment(texts, self.tokenizer, self.token_cache)  # cached: no jieba at start
        self.bm25 = BM25.from_encoded(*words) if texts else None  # BM25Okapi's scores, inverted index
        self._years = [tuple(p.years) or _section_years(p.section) for p in passages]
        planned = {d: info.get("year") for d, info in self.index.documents.items()}
        self._doc_years = [planned.get(p.doc_id) for p in passages]
        self._terms = {i: normalize(p.term).strip("“”\"") for i, p in enumerate(passages)
                       if p.kind == "glossary" and p.term and self._canonical[i] == i}

    def idf_of(self, doc_id: str) -> dict[str, float]:
        """BM25's word weights as if ``doc_id`` were alone in the index."""
        if self.bm25 is None:
            self.warm_up()
        if self.bm25 is None:
            return {}
        return self.bm25.idf_within(self._position[c] for c in self._doc_rows.get(doc_id, ()))

    def clear_cache(self) -> None:
        """Forget cached query embeddings."""
        with self._vectors_lock:
            self._vectors.clear()

    def embed(self, texts: list[str]) -> list[np.ndarray]:
        """Query embeddings, remembered; the ones not seen before are encoded in one batch."""
        with self._vectors_lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for t in known:
                self._vectors.move_to_end(t)
        new = list(dict.fromkeys(t for t in texts if t not in known))
        if new:
            vectors = self.encoder.encode_queries(new)
            with self._vectors_lock:
                for t, v in zip(new, vectors):
                    known[t] = self._vectors[t] = v
                while len(self._vectors) > self._vectors_max:
                    self._vectors.popitem(last=False)
        return [known[t] for t in texts]

    def dense(self, text: str, k: int) -> list[tuple[int, float]]:
        """(row, cosine) by embedding similarity, one row per distinct text."""
        if self.bm25 is None:
            self.warm_up()
        best: dict[int, float] = {}
        for row, score in self.index.search(self.embed([text])[0], k * self._max_copies):
            canon = self._canonical[row]
            best.setdefault(canon, score)
        return list(best.items())[:k]

    def lexical(self, text: str, k: int) -> list[tuple[int, float]]:
        """(row, BM25 score) over jieba words."""
        if self.bm25 is None:
            self.warm_up()
        if self.bm25 is None:
            return []
        tokens = self.tokenizer(text)
        if not tokens:
            return []
        if hasattr(self.index, "lexical"):  # a store with its own BM25 (Milvus) finds the candidates,
            # scored here as BM25Okapi scores them (Milvus's idf is Lucene's): the default store's ranking
            rows = {self._canonical[r] for r, _ in self.index.lexical(tokens, LEXICAL_CANDIDATES * k * self._max_copies)}
            return self.bm25.rescore(tokens, [self._position[r] for r in rows], k, self._unique)
        return [(self._unique[i], score) for i, score in self.bm25.top_k(tokens, k)]

    def search(self, query: Query, k: int = 10, mode: str = "hybrid", docs: set[str] | None = None) -> list[Hit]:
        """Top ``k`` passages for a prepared query (only from ``docs`` when given: both legs rank
        within those reports, so routing to one report ranks as that report alone would)."""
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; expected one of {MODES}")
        if self.bm25 is None:
            self.warm_up()
        allowed = self._allowed(docs) if docs else None
        if len(query.parts) > 1:
            # each part (a later one with the first one's subject) in turn, then the whole question:
            # every part gets its own evidence among the first few
            parts = sub_queries(query) + [replace(query, parts=[query.text])]
            if mode in ("hybrid", "dense"):
                self.embed([p.search_text for p in parts])  # one forward pass for all parts
            return _interleave([self._search_one(p, k, mode, allowed) for p in parts], k)
        return self._search_one(query, k, mode, allowed)

    def _allowed(self, docs: set[str]) -> list[int]:
        """Ranked rows (first copies) with a copy in one of ``docs``, in order (remembered per set of reports)."""
        key = frozenset(docs)
        rows = self._allowed_cache.get(key)
        if rows is None:
            rows = sorted({r for d in docs for r in self._doc_rows.get(d, ())})
            if len(self._allowed_cache) > 256:
                self._allowed_cache.clear()
            self._allowed_cache[key] = rows
        return rows

    def _dense_within(self, text: str, rows: list[int], k: int) -> list[tuple[int, float]]:
        """Cosine of the question to each of ``rows`` (a few reports' passages), best ``k``."""
        vectors = getattr(self.index, "vectors", None)
        if vectors is None or not len(vectors):
            keep = set(rows)
            return [(r, s) for r, s in self.dense(text, len(self.index.passages)) if r in keep][:k]
        scores = np.asarray(vectors[rows], dtype=np.float32) @ self.embed([text])[0]
        top = np.argsort(-scores, kind="stable")[:k]
        return [(rows[int(i)], float(scores[i])) for i in top]

    def _lexical_within(self, text: str, rows: list[int], k: int) -> list[tuple[int, float]]:
        """BM25 of ``rows`` only (scores as over the whole index), best ``k``."""
        tokens = self.tokenizer(text)
        if not tokens or self.bm25 is None:
            return []
        return self.bm25.rescore(tokens, [self._position[r] for r in rows], k, self._unique)

    def _search_one(self, query: Query, k: int, mode: str, allowed: list[int] | None = None) -> list[Hit]:
        depth = max(k, self.depth)
        if allowed is not None and len(allowed) > max(RESTRICT_ROWS, len(self._unique) // 10):
            # routed to a large share of the index (the newest report of every place): rank everything
            # and keep the routed rows, rather than copying that many vectors for every question
            keep = set(allowed)
            wide = min(len(self._unique), 20 * depth)
            dense = [(r, s) for r, s in self.dense(query.search_text, wide) if r in keep][:depth] \
                if mode in ("hybrid", "dense") else []
            lexical = [(r, s) for r, s in self.lexical(query.search_text, wide) if r in keep][:depth] \
                if mode in ("hybrid", "bm25") else []
        elif allowed is None:
            dense = self.dense(query.search_text, depth) if mode in ("hybrid", "dense") else []
            lexical = self.lexical(query.search_text, depth) if mode in ("hybrid", "bm25") else []
        else:  # both legs rank only the routed reports' passages (a few reports: cheap)
            dense = self._dense_within(query.search_text, allowed, depth) if mode in ("hybrid", "dense") else []
            lexical = self._lexical_within(query.search_text, allowed, depth) if mode in ("hybrid", "bm25") else []
        hits: dict[int, Hit] = {}
        for weight, ranking, attr in ((self.dense_weight, dense, "dense"), (self.bm25_weight, lexical, "bm25")):
            for rank, (row, score) in enumerate(ranking):
                hit = hits.setdefault(row, Hit(row, 0.0))
                setattr(hit, attr, score)
                hit.score += weight / (self.rrf_k + rank + 1) if mode == "hybrid" else score
        if mode == "hybrid":
            self._fill_dense(query.search_text, hits)
        if mode == "hybrid" and self.term_boost:
            # a glossary entry whose term the question names is where its definition is
            q = normalize(query.text)
            allowed_set = set(allowed or ())
            for row, term in self._terms.items():
                if term in q and (allowed is None or row in allowed_set):
                    hit = hits.setdefault(row, Hit(row, 0.0))
                    hit.score = hit.score * (1 + self.term_boost) + self.term_boost / (self.rrf_k + 1)
        if mode == "hybrid" and query.years and self._years:
            for hit in hits.values():
                fit = query.year_fit(self._years[hit.row], self._doc_years[hit.row])
                if fit > 0:
                    hit.score *= 1 + self.year_boost
                elif fit < 0:
                    hit.score *= 1 - self.year_boost / 2
        return sorted(hits.values(), key=lambda h: -h.score)[:k]


    def _fill_dense(self, text: str, hits: dict[int, Hit]) -> None:
        """The embedding cosine of passages only the BM25 leg found (the answer step reads every
        hit's cosine; a passage is not unlike the question just because the dense leg ranked it
        below its depth)."""
        missing = [row for row, hit in hits.items() if hit.dense == 0.0]
        if not missing or not hasattr(self.index, "vectors_of"):
            return
        query = self.embed([text])[0]
        for row, score in zip(missing, self.index.vectors_of(missing) @ query):
            hits[row].dense = float(score)


def _section_years(section: str) -> tuple[int, ...]:
    return tuple(sorted({int(y) for y in re.findall(r"(20\d\d)\s*年", section)}))


def _interleave(rankings: list[list[Hit]], k: int) -> list[Hit]:
    out: list[Hit] = []
    seen: set[int] = set()
    for i in range(max((len(r) for r in rankings), default=0)):
        for r in rankings:
            if i < len(r) and r[i].row not in seen:
                seen.add(r[i].row)
                out.append(r[i])
    return out[:k]
