"""The dense index kinds: ``binary`` (binary codes, exact re-ranking) finds what exact search finds
on vectors shaped like a sentence encoder's (all in one narrow cone), and survives a save."""
from __future__ import annotations

import numpy as np
import pytest

from embeddings import vector_index


def _cone(n: int, dim: int = 64, seed: int = 0) -> np.ndarray:
    """Unit vectors around one direction (mean cosine about 0.8, as e5's passages: the hard case
    for sign codes, which the median thresholds and the rotation are there for)."""
    rng = np.random.default_rng(seed)
    centre = rng.standard_normal(dim)
    topics = rng.standard_normal((50, dim))
    x = 3 * centre + topics[rng.integers(0, 50, n)] + 0.7 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_auto_is_exact_below_the_switch_and_binary_above():
    assert vector_index.choose_kind(vector_index.BINARY_FROM - 1) == "flat"
    assert vector_index.choose_kind(vector_index.BINARY_FROM) == "binary"
    with pytest.raises(ValueError, match="flat, binary or hnsw"):
        vector_index.build(_cone(10), "ivf")


def test_binary_recall_against_exact_search_and_a_round_trip():
    x = _cone(20_000)
    queries = _cone(50, seed=1)
    exact = vector_index.build(x, "flat")
    binary = vector_index.build(x, "binary")
    recall = []
    for q in queries:
        want = vector_index.search(exact, q, 10)[1][0]
        got = vector_index.search(binary, q, 10)
        recall.append(len(set(want) & set(got[1][0])) / 10)
        assert np.all(np.diff(got[0][0]) <= 1e-6)  # exact scores, best first
    assert np.mean(recall) >= 0.95
    again = vector_index.from_bytes(vector_index.to_bytes(binary))
    assert again.ntotal == len(x) and again.k_factor == vector_index.BINARY_K_FACTOR
    q = queries[0]
    assert np.array_equal(vector_index.search(again, q, 10)[1], vector_index.search(binary, q, 10)[1])


def test_binary_on_few_or_no_vectors():
    assert vector_index.build(np.zeros((0, 8), np.float32), "binary").ntotal == 0
    x = _cone(30)
    scores, ids = vector_index.search(vector_index.build(x, "binary"), x[3], 50)
    assert ids[0][0] == 3 and sorted(i for i in ids[0] if i >= 0) == list(range(30))
