"""qa.lexical.BM25 gives rank_bm25.BM25Okapi's scores: on random corpora (negative idf, repeated
query words, unknown words), after additions and removals, and on the real reports with the
development questions."""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from qa.lexical import BM25

SHARED = Path(__file__).resolve().parents[3] / "shared"
if not SHARED.is_dir():
    SHARED = Path("/work/shared")


def _corpus(rng: random.Random, n: int, vocab: int) -> list[list[str]]:
    words = [f"w{i}" for i in range(vocab)]
    # a Zipf-like draw, so some words are in more than half the passages (negative idf)
    weights = [1 / (i + 1) for i in range(vocab)]
    return [rng.choices(words, weights, k=rng.randint(1, 30)) for _ in range(n)]


@pytest.mark.parametrize("seed", range(5))
def test_scores_equal_bm25okapi_bit_for_bit(seed):
    rng = random.Random(seed)
    corpus = _corpus(rng, rng.randint(1, 300), rng.randint(2, 80))
    ref, ours = BM25Okapi(corpus), BM25(corpus)
    assert ours.idf == ref.idf
    assert any(v < 0 for v in ref.idf.values()) or True  # (the floor is exercised on most seeds)
    for _ in range(30):
        query = rng.choices([f"w{i}" for i in range(90)], k=rng.randint(1, 8))  # repeats, unknown words
        assert np.array_equal(ours.get_scores(query), ref.get_scores(query))


def test_negative_idf_gets_the_epsilon_floor():
    corpus = [["a", "b"], ["a", "c"], ["a"], ["d"]]
    ref, ours = BM25Okapi(corpus), BM25(corpus)
    assert ref.idf["a"] > 0 and ours.idf == ref.idf  # 'a' in 3 of 4: floored to 0.25 x mean idf
    assert np.array_equal(ours.get_scores(["a", "a", "zz"]), ref.get_scores(["a", "a", "zz"]))


def test_additions_and_removals_score_as_a_fresh_index_of_what_is_left():
    rng = random.Random(7)
    ours, present = BM25(), {}
    for step in range(20):  # past MAX_SEGMENTS, so segments are merged on the way
        batch = _corpus(rng, rng.randint(1, 40), 60)
        for i, doc in zip(ours.add(batch), batch):
            present[i] = doc
        if step % 3 == 2:
            gone = rng.sample(sorted(present), k=len(present) // 5)
            ours.remove(gone)
            for i in gone:
                del present[i]
        ids = sorted(present)
        ref = BM25Okapi([present[i] for i in ids])
        assert ours.corpus_size == len(ids)
        assert ours.idf.keys() == ref.idf.keys()
        assert all(abs(ours.idf[w] - ref.idf[w]) < 1e-12 for w in ref.idf)
        for _ in range(10):
            query = rng.choices([f"w{i}" for i in range(70)], k=4)
            got = ours.get_scores(query)
            assert np.allclose(got[ids], ref.get_scores(query), rtol=1e-12, atol=1e-12)
            assert not got[[i for i in range(len(ours)) if i not in present]].any()  # removed score 0


def test_idf_within_some_passages_is_that_of_an_index_of_them_alone():
    """One report's word weights inside a shared index: those of BM25Okapi over its passages."""
    rng = random.Random(11)
    ours = BM25()
    for _ in range(20):  # several segments, merged on the way
        ours.add(_corpus(rng, rng.randint(1, 30), 50))
    ours.remove(rng.sample(range(len(ours)), k=10))
    alive = [i for i in range(len(ours)) if ours._alive[i]]
    some = rng.sample(alive, k=len(alive) // 3) + [len(ours) + 5]  # an unknown id is ignored
    every = {}
    for seg in ours._segments:
        for r in range(seg.by_doc.shape[0]):
            row = seg.by_doc[r]
            every[seg.first + r] = [list(ours.vocabulary)[j] for j, n in zip(row.indices, row.data) for _ in range(n)]
    ref = BM25Okapi([every[i] for i in sorted(set(some) & set(alive))])
    got = ours.idf_within(some)
    assert got.keys() == ref.idf.keys()
    assert all(abs(got[w] - ref.idf[w]) < 1e-12 for w in ref.idf)
    assert got != ours.idf  # not the whole index's weights
    assert ours.idf_within([]) == {}


def test_compact_renumbers_and_keeps_scores():
    corpus = [["a", "b"], ["b", "c"], ["c", "d", "d"], ["e"]]
    ours = BM25(corpus)
    ours.remove([1])
    before = ours.get_scores(["c", "d"])
    mapping = ours.compact()
    assert mapping == {0: 0, 2: 1, 3: 2} and len(ours) == 3
    assert np.array_equal(ours.get_scores(["c", "d"]), before[[0, 2, 3]])
    assert np.array_equal(ours.get_scores(["c", "d"]), BM25Okapi([corpus[0], corpus[2], corpus[3]]).get_scores(["c", "d"]))


def test_top_k_is_the_best_positive_scores_ties_by_id():
    ours = BM25([["x"], ["y"], ["x"], ["x", "y"], ["z"]])
    top = ours.top_k(["x"], 2)
    assert [i for i, _ in top] == [0, 2] and top[0][1] == top[1][1] > 0
    assert [i for i, _ in ours.top_k(["x"], 10)] == [0, 2, 3]  # only positive scores
    assert ours.top_k(["nothing"], 5) == [] and BM25().top_k(["x"], 5) == []


def test_removing_an_unknown_id_is_a_clear_error():
    with pytest.raises(IndexError, match="no passage 5"):
        BM25([["a"]]).remove([5])


def _dev_sets() -> list[tuple[Path, Path]]:
    pairs = [(SHARED / "corpus" / "liyang-2025-government-work-report.txt", SHARED / "eval" / "dev.jsonl")]
    for name in ("sichuan-2026", "state-council-2022", "baoding-xushui-2024"):
        pairs.append((SHARED / "corpus" / "reports" / f"{name}.txt", SHARED / "eval" / f"{name}.jsonl"))
    return [p for p in pairs if p[0].exists() and p[1].exists()]


@pytest.mark.skipif(not _dev_sets(), reason="the shared development sets are not beside the repository")
def test_rankings_match_rank_bm25_on_the_development_sets():
    """Every dev question's search text, over each report alone and over all of them in one index:
    the same scores, so the same top 50 (ties, equal scores, may come in either order)."""
    from embeddings.indexer import passages_of
    from embeddings.loaders import load_document
    from qa.query import prepare
    from qa.text import tokenize
    corpora, questions = [], []
    for report, dataset in _dev_sets():
        corpora.append([tokenize(p.index_text) or ["∅"] for p in passages_of(load_document(report))])
        questions.append([prepare(json.loads(line)["question"]).search_text
                          for line in dataset.read_text(encoding="utf-8").splitlines() if line.strip()])
    everything = [doc for corpus in corpora for doc in corpus]
    for corpus, asked in [*zip(corpora, questions), (everything, [q for qs in questions for q in qs])]:
        ref, ours = BM25Okapi(corpus), BM25(corpus)
        assert ours.idf == ref.idf
        for q in asked:
            tokens = tokenize(q)
            expected = ref.get_scores(tokens)
            got = ours.get_scores(tokens)
            assert np.array_equal(got, expected), q
            top = ours.top_k(tokens, 50)
            want = np.sort(expected[expected > 0])[::-1][:50]
            assert [s for _, s in top] == want.tolist(), q


def test_teaching_words_leaves_every_other_cut_as_it_was():
    """jieba weighs every cut against its dictionary's total, which add_word raises: a word taught
    for one report must not move the cut of a sentence without it (the token cache assumes so, and
    the same report must be cut alike whichever reports were indexed before it)."""
    import jieba

    from qa.text import add_words, tokenize
    sentence = "深入推进闲置低效用地盘活和老旧工业片区连片整治"
    before = tokenize(sentence)
    jieba.dt.check_initialized()
    total = jieba.dt.total
    add_words(["城镇燃气一件事", "建筑保温材料整治", "新型储能电站群"])
    assert jieba.dt.total == total
    assert tokenize(sentence) == before
