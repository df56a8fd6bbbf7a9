"""FAISS indexes over L2-normalised vectors, with the index type chosen by corpus size.

Exact inner-product search (``IndexFlatIP``) is both fastest to build and exact; on one core it
answers a query over 100,000 passages in about 8 ms and over 1,000,000 in about 80 ms
(benchmarks/results.md). From 100,000 passages (``binary``) each vector also gets a binary code
(a random rotation to 2 bits per dimension, thresholds at the median: ``IndexLSH``); a query
scans the codes by Hamming distance and re-ranks the best 500 × k exactly (``IndexRefineFlat``).
On e5 vectors that keeps recall@10 against exact search at 0.99 for 150,000 passages and 0.96
for 1,000,000, at 4 and 20 ms a query, and it builds in seconds (docs/scale.md), where an HNSW
graph takes minutes at 100,000 and is rebuilt on every change. HNSW stays available by name.
"""
from __future__ import annotations

import os

import faiss
import numpy as np

HNSW_FROM = 200_000  # where HNSW was the automatic choice before ``binary``; kept for benchmarks/run.py
BINARY_FROM = 100_000
BINARY_BITS_PER_DIM = 2
BINARY_K_FACTOR = 500  # re-ranked exactly: 500 x k by Hamming distance (stored with the index)
BINARY_RERANK = 5_000  # at search: the best 5,000 by Hamming distance re-ranked (500 x k for k = 10), at least 4 x k
BINARY_RERANK_SHARE = 0.01  # and at least 1 % of the passages: recall@10 0.93 -> 0.96 at 1M for about 3 ms
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256  # benchmarks/results.md: at 100k, 128 -> 256 lifts planted recall@10 0.94 -> 0.99 for ~1.5 ms


def choose_kind(n_vectors: int) -> str:
    """``flat`` below :data:`BINARY_FROM` vectors, ``binary`` from there on."""
    return "flat" if n_vectors < BINARY_FROM else "binary"


def build(vectors: np.ndarray, kind: str = "auto") -> faiss.Index:
    """A FAISS inner-product index holding ``vectors`` (rows must be L2-normalised)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    kind = choose_kind(len(vectors)) if kind == "auto" else kind
    if kind == "flat" or (kind == "binary" and not len(vectors)):
        index = faiss.IndexFlatIP(dim)
    elif kind == "binary":
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        codes = faiss.IndexLSH(dim, BINARY_BITS_PER_DIM * dim, True, True)  # rotated, median thresholds
        codes.metric_type = faiss.METRIC_INNER_PRODUCT  # so the exact re-ranking scores by inner product
        codes.train(vectors[:50_000])
        index = faiss.IndexRefineFlat(codes)
        index.own_fields = True  # the refine index owns (and frees) the code index
        codes.this.disown()
        index.k_factor = BINARY_K_FACTOR
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        raise ValueError(f"unknown index kind {kind!r}; expected auto, flat, binary or hnsw")
    if len(vectors):
        faiss.omp_set_num_threads(os.cpu_count() or 1)  # building uses every core (search uses one)
        index.add(vectors)
    return index


def search(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores and row ids of the ``k`` nearest rows for each query (ids -1 past the end)."""
    queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    if len(queries) == 1:
        # one query is 1.6-4x faster on one OpenMP thread than on all (measured: benchmarks/)
        faiss.omp_set_num_threads(1)
    k = max(1, min(k, index.ntotal)) if index.ntotal else 1
    if isinstance(index, faiss.IndexRefine):
        # a fixed re-ranking budget: 500 x k for the top 10, not 25,000 vectors for a depth of 50
        budget = max(BINARY_RERANK, BINARY_RERANK_SHARE * index.ntotal)
        params = faiss.IndexRefineSearchParameters(k_factor=max(4.0, budget / k))
        return index.search(queries, k, params=params)
    return index.search(queries, k)


def to_bytes(index: faiss.Index) -> bytes:
    return faiss.serialize_index(index).tobytes()


def from_bytes(data: bytes) -> faiss.Index:
    return faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
