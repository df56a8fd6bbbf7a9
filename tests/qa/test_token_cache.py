"""qa.token_cache: passages segmented once, reused across starts, re-segmented exactly where a
newly taught word occurs; a damaged cache is segmented again, never trusted."""
from __future__ import annotations

import numpy as np
import pytest

from qa import token_cache
from qa.lexical import BM25
from qa.text import tokenize

TEXTS = ["全年地区生产总值突破1650亿元，增长6%。", "新增托班33个，托位1000个。", "", "高标准农田6.31万亩。",
         "全年地区生产总值突破1650亿元，增长6%。"]


def _decoded(result) -> list[list[str]]:
    flat, lengths, words = result
    out, at = [], 0
    for n in lengths.tolist():
        out.append([words[i] for i in flat[at:at + n].tolist()])
        at += n
    return out


def test_second_start_segments_nothing_and_gets_the_same_words(tmp_path):
    path = tmp_path / "words.npz"
    first = _decoded(token_cache.segment(TEXTS, tokenize, path))
    assert first == [tokenize(t) or ["∅"] for t in TEXTS]

    def refuse(text):
        raise AssertionError(f"segmented again: {text}")
    assert _decoded(token_cache.segment(TEXTS, refuse, path)) == first


def test_only_new_passages_are_segmented(tmp_path):
    path = tmp_path / "words.npz"
    token_cache.segment(TEXTS[:2], tokenize, path)
    seen = []
    got = _decoded(token_cache.segment(TEXTS, lambda t: seen.append(t) or tokenize(t), path))
    assert seen == TEXTS[2:4] and got == [tokenize(t) or ["∅"] for t in TEXTS]


def test_a_newly_taught_word_resegments_only_the_passages_containing_it(tmp_path, monkeypatch):
    path = tmp_path / "words.npz"
    monkeypatch.setattr(token_cache, "learned_words", lambda: frozenset({"托育"}))
    token_cache.segment(TEXTS, tokenize, path)
    monkeypatch.setattr(token_cache, "learned_words", lambda: frozenset({"托育", "托位"}))
    seen = []
    token_cache.segment(TEXTS, lambda t: seen.append(t) or tokenize(t), path)
    assert seen == [TEXTS[1]]
    monkeypatch.setattr(token_cache, "learned_words", lambda: frozenset({"托位"}))  # 托育 untaught: in no text
    seen.clear()
    token_cache.segment(TEXTS, lambda t: seen.append(t) or tokenize(t), path)
    assert seen == []


def test_a_damaged_cache_is_segmented_again_with_a_warning(tmp_path):
    path = tmp_path / "words.npz"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    logs = []
    got = _decoded(token_cache.segment(TEXTS, tokenize, path, log=logs.append))
    assert got == [tokenize(t) or ["∅"] for t in TEXTS] and "unreadable" in logs[0]
    assert _decoded(token_cache.segment(TEXTS, lambda t: pytest.fail("cache not rewritten"), path)) == got


def test_bm25_from_the_cache_scores_as_from_words(tmp_path):
    words = [tokenize(t) or ["∅"] for t in TEXTS]
    cached = BM25.from_encoded(*token_cache.segment(TEXTS, tokenize, tmp_path / "w.npz"))
    direct = BM25(words)
    assert cached.idf == direct.idf
    assert np.array_equal(cached.get_scores(["生产", "托班", "生产"]), direct.get_scores(["生产", "托班", "生产"]))
