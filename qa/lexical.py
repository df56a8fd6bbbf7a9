"""Okapi BM25 over an inverted index: ``rank_bm25.BM25Okapi``'s scores at a province's scale.

``rank_bm25`` scores a query by looping over every passage in Python (about 1.4 ms per thousand
passages per query word). Here each word's postings (passage ids and term frequencies) sit in
scipy CSC matrices, so a query touches only the passages that contain its words: the same
formula, evaluated in numpy over those postings.

Scores are those of ``BM25Okapi(corpus, k1, b, epsilon)`` to the last bit (the same operations
in the same order), including its quirks: a query word counts once per occurrence, and a word in
more than half of the passages (negative idf) gets ``epsilon`` × the mean idf of the vocabulary.

Passages can be added and removed. Weights are computed at query time from the current
document frequencies and mean length, so after any change the scores are exactly those of a
``BM25Okapi`` built afresh from the passages still present. Additions go to a new segment
(one CSC matrix per :meth:`add` call), merged into one past :data:`MAX_SEGMENTS` segments (ids
kept); removed passages are masked, and :meth:`compact` drops them and renumbers the rest (the
caller decides when, since it holds the ids).

Why not ``bm25s``: it precomputes weights at build time (no incremental update without a full
rebuild) and none of its idf variants has BM25Okapi's epsilon floor, so its rankings differ.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

MAX_SEGMENTS = 16


@dataclass
class _Segment:
    """Passages added together: term-frequency matrix (passages x words) in both layouts."""

    first: int            # id of its first passage
    by_word: sparse.csc_matrix
    by_doc: sparse.csr_matrix


class BM25:
    """BM25Okapi scoring over jieba words, updatable in place; thread-safe for readers and one writer."""

    def __init__(self, corpus: Iterable[list[str]] = (), k1: float = 1.5, b: float = 0.75,
                 epsilon: float = 0.25) -> None:
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.vocabulary: dict[str, int] = {}
        self._df = np.zeros(0, dtype=np.int64)        # passages containing each word (alive ones)
        self._lengths = np.zeros(0, dtype=np.int64)    # words per passage, by id
        self._alive = np.zeros(0, dtype=bool)
        self._segments: list[_Segment] = []
        self._lock = threading.RLock()
        self._stats: tuple | None = None  # (idf array, norm array, idf dict) for the current contents
        self.add(corpus)

    @classmethod
    def from_encoded(cls, flat: np.ndarray, lengths: np.ndarray, words: list[str], **params) -> "BM25":
        """An index of passages given as word ids (see :meth:`add_encoded`)."""
        bm25 = cls(**params)
        bm25.add_encoded(flat, lengths, words)
        return bm25

    # ---- contents -------------------------------------------------------------------------

    @property
    def corpus_size(self) -> int:
        """Passages present (added and not removed)."""
        return int(self._alive.sum())

    def __len__(self) -> int:
        """Ids handed out so far (removed ones included): the length of :meth:`get_scores`."""
        return len(self._alive)

    def add(self, corpus: Iterable[list[str]]) -> range:
        """Add passages (lists of words); returns their ids, consecutive from ``len(self)``."""
        local: dict[str, int] = {}
        flat: list[int] = []
        lengths: list[int] = []
        for words in corpus:
            flat.extend(local.setdefault(w, len(local)) for w in words)
            lengths.append(len(words))
        return self.add_encoded(np.asarray(flat, np.int64), np.asarray(lengths, np.int64), list(local))

    def add_encoded(self, flat: np.ndarray, lengths: np.ndarray, words: list[str]) -> range:
        """Add passages given as word ids into ``words``: ``flat`` holds every passage's ids one
        after the other, ``lengths`` how many each has (the form a token cache stores)."""
        flat = np.asarray(flat, np.int64)
        lengths = np.asarray(lengths, np.int64)
        with self._lock:
            first = len(self._alive)
            if not len(lengths):
                return range(first, first)
            vocab = self.vocabulary
            glob = np.zeros(len(words), np.int64)
            if len(flat):
                used, at = np.unique(flat, return_index=True)
                for j in used[np.argsort(at, kind="stable")].tolist():  # first-appearance order, as BM25Okapi
                    glob[j] = vocab.setdefault(words[j], len(vocab))
            rows = np.repeat(np.arange(len(lengths)), lengths)
            tf = sparse.csr_matrix((np.ones(len(flat), np.int32), (rows, glob[flat])),
                                   shape=(len(lengths), len(vocab)))
            tf.sum_duplicates()
            self._segments.append(_Segment(first, tf.tocsc(), tf))
            df = np.zeros(len(vocab), np.int64)
            df[: len(self._df)] = self._df
            df += np.diff(self._segments[-1].by_word.indptr)
            self._df = df
            self._lengths = np.concatenate([self._lengths, lengths])
            self._alive = np.concatenate([self._alive, np.ones(len(lengths), bool)])
            self._stats = None
            if len(self._segments) > MAX_SEGMENTS:
                self._merge()
            return range(first, first + len(lengths))

    def remove(self, ids: Iterable[int]) -> None:
        """Remove passages by id; their ids are not reused (scores 0 there) until :meth:`compact`."""
        with self._lock:
            for i in sorted(set(int(i) for i in ids)):
                if not 0 <= i < len(self._alive):
                    raise IndexError(f"no passage {i} in the BM25 index")
                if not self._alive[i]:
                    continue
                seg = self._segment_of(i)
                row = seg.by_doc[i - seg.first]
                self._df[row.indices] -= 1
                self._alive[i] = False
            self._stats = None

    def _all_rows(self) -> sparse.csr_matrix:
        """Every passage id's term frequencies in one matrix (passages x whole vocabulary)."""
        width = len(self.vocabulary)
        parts = []
        for seg in self._segments:
            part = seg.by_doc.copy()
            part.resize((part.shape[0], width))
            parts.append(part)
        return sparse.vstack(parts, format="csr")

    def _merge(self) -> None:
        """One segment instead of many, ids unchanged."""
        tf = self._all_rows()
        self._segments = [_Segment(0, tf.tocsc(), tf)]

    def compact(self) -> dict[int, int]:
        """Rewrite into one segment without removed passages; returns old id -> new id."""
        with self._lock:
            keep = np.flatnonzero(self._alive)
            mapping = {int(old): new for new, old in enumerate(keep)}
            if not self._segments:
                return mapping
            tf = self._all_rows()[keep]
            used = np.flatnonzero(self._df > 0)
            words = list(self.vocabulary)
            self.vocabulary = {words[j]: n for n, j in enumerate(used)}
            tf = tf[:, used].tocsr()
            self._df = self._df[used]
            self._lengths = self._lengths[keep]
            self._alive = np.ones(len(keep), bool)
            self._segments = [_Segment(0, tf.tocsc(), tf)] if len(keep) else []
            self._stats = None
            return mapping

    def _segment_of(self, i: int) -> _Segment:
        for seg in reversed(self._segments):
            if seg.first <= i:
                return seg
        raise IndexError(i)

    # ---- scoring ----------------------------------------------------------------------------

    def _current(self) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
        """idf per word id, the length normaliser per passage and the idf dict, as BM25Okapi computes them."""
        stats = self._stats
        if stats is not None:
            return stats
        with self._lock:
            n = self.corpus_size
            present = self._df > 0
            idf_present, table = self._okapi_idf(self._df, n)
            idf = np.zeros(len(self._df), np.float64)
            idf[present] = idf_present
            avgdl = float(self._lengths[self._alive].sum()) / n if n else 1.0
            norm = self.k1 * (1 - self.b + self.b * self._lengths / avgdl)
            self._stats = stats = (idf, norm, table)
            return stats

    def _okapi_idf(self, df: np.ndarray, n: int) -> tuple[np.ndarray, dict[str, float]]:
        """BM25Okapi's idf of the words with ``df > 0`` among ``n`` passages: as an array and by word."""
        present = df > 0
        # math.log and a left-to-right sum, as BM25Okapi computes them (numpy's SIMD log and
        # pairwise sum can differ in the last bit)
        raw = [math.log(n - f + 0.5) - math.log(f + 0.5) for f in df[present].tolist()]
        words = [w for w, keep in zip(self.vocabulary, present.tolist()) if keep]
        eps = self.epsilon * (_python_sum(raw) / len(raw)) if raw else 0.0
        idf_present = np.array([eps if v < 0 else v for v in raw], dtype=np.float64)
        return idf_present, dict(zip(words, idf_present.tolist()))

    def idf_within(self, ids: Iterable[int]) -> dict[str, float]:
        """Word -> idf as a BM25Okapi over only the passages ``ids`` would give: the word weights
        of one report inside an index that holds many (a word common in that report but rare in
        the others is no mark of one passage of it)."""
        with self._lock:
            wanted = np.unique(np.fromiter((int(i) for i in ids), np.int64))
            wanted = wanted[(wanted >= 0) & (wanted < len(self._alive))]
            wanted = wanted[self._alive[wanted]]
            df = np.zeros(len(self.vocabulary), np.int64)
            for seg in self._segments:
                rows = wanted[(wanted >= seg.first) & (wanted < seg.first + seg.by_doc.shape[0])] - seg.first
                if len(rows):
                    cols = seg.by_doc[rows].indices  # each row's words once (duplicates were summed)
                    df[: seg.by_doc.shape[1]] += np.bincount(cols, minlength=seg.by_doc.shape[1])
            return self._okapi_idf(df, len(wanted))[1] if len(wanted) else {}

    @property
    def idf(self) -> Mapping[str, float]:
        """Word -> idf, as ``BM25Okapi.idf`` (words of removed passages only are absent)."""
        return self._current()[2]

    def get_scores(self, query: list[str]) -> np.ndarray:
        """BM25 score of every passage id for the query words (0 for removed ids)."""
        with self._lock:
            idf, norm, _ = self._current()
            scores = np.zeros(len(self._alive))
            k1 = self.k1
            for q in query:
                j = self.vocabulary.get(q)
                if j is None or idf[j] == 0:
                    continue
                for seg in self._segments:
                    if j >= seg.by_word.shape[1]:
                        continue
                    lo, hi = seg.by_word.indptr[j], seg.by_word.indptr[j + 1]
                    if lo == hi:
                        continue
                    ids = seg.by_word.indices[lo:hi] + seg.first
                    tf = seg.by_word.data[lo:hi].astype(np.float64)
                    scores[ids] += idf[j] * (tf * (k1 + 1) / (tf + norm[ids]))
            if not self._alive.all():
                scores[~self._alive] = 0.0
            return scores

    def rescore(self, query: list[str], ids: list[int], k: int, labels: list[int] | None = None) -> list[tuple[int, float]]:
        """The ``k`` best of the candidate ``ids`` by this index's scores (ties: lower id), as
        ``(labels[id], score)``: another engine's BM25 proposes, BM25Okapi's formula decides."""
        if not ids:
            return []
        scores = self.get_scores(query)
        ids = sorted(ids, key=lambda i: (-scores[i], i))[:k]
        return [(labels[i] if labels is not None else i, float(scores[i])) for i in ids if scores[i] > 0]

    def top_k(self, query: list[str], k: int) -> list[tuple[int, float]]:
        """(id, score) of the ``k`` best passages with a positive score, best first (ties: lower id)."""
        scores = self.get_scores(query)
        if not len(scores) or k <= 0:
            return []
        if k < len(scores):
            part = np.argpartition(-scores, k - 1)[:k]
            # include every passage tied with the k-th, so the stable sort below decides ties by id
            kth = scores[part].min()
            part = np.flatnonzero(scores >= kth) if kth > 0 else part
        else:
            part = np.arange(len(scores))
        order = part[np.lexsort((part, -scores[part]))][:k]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]


def _python_sum(values: list[float]) -> float:
    """Left-to-right float sum, as a Python loop adds (numpy's pairwise sum rounds differently)."""
    total = 0.0
    for v in values:
        total += v
    return total
