"""Remembered answers and query embeddings: same results, less work, never shared mutable state."""
from __future__ import annotations

import threading

import pytest

from embeddings.indexer import build_index
from embeddings.loaders import bundled_report_path, load_document
from qa.pipeline import ReportQA


@pytest.fixture
def qa(fake_encoder):
    index, _ = build_index([load_document(bundled_report_path())], fake_encoder)
    system = ReportQA(index, fake_encoder)
    system.warm_up()
    return system


def test_repeated_question_is_answered_from_memory(qa, fake_encoder):
    first = qa.ask("去年GDP多少？")
    calls = fake_encoder.calls
    again = qa.ask("去年GDP多少？")
    assert fake_encoder.calls == calls  # nothing encoded
    assert (again.answer, again.declined, again.cited) == (first.answer, first.declined, first.cited)
    assert [c.start for c in again.citations] == [c.start for c in first.citations]
    assert again.took_ms < first.took_ms


@pytest.mark.parametrize("variant", [
    {"top_k": 3}, {"mode": "bm25"}, {"history": [{"role": "user", "content": "今年要新增几个托班？"}]},
    {"doc": "another-report.txt"}, {"year": 2019},
])
def test_every_option_is_part_of_the_key(qa, variant):
    """Asked first without the option, then with it: the second must be what a cache-less system says."""
    qa.ask("那今年的目标呢？")
    other = qa.ask("那今年的目标呢？", **variant)
    fresh = ReportQA(qa.index, qa.retriever.encoder, answer_cache=0).ask("那今年的目标呢？", **variant)
    assert (other.answer, other.declined) == (fresh.answer, fresh.declined)
    assert [(c.start, c.source) for c in other.citations] == [(c.start, c.source) for c in fresh.citations]


def test_callers_cannot_change_a_remembered_answer(qa):
    first = qa.ask("今年要新增几个托班？")
    expected = [c.start for c in first.citations]
    first.citations.clear()
    first.cited.append(99)
    again = qa.ask("今年要新增几个托班？")
    assert [c.start for c in again.citations] == expected and 99 not in again.cited


def test_clear_cache_and_the_size_bound(qa, fake_encoder):
    texts = []
    encode = fake_encoder.encode_queries
    fake_encoder.encode_queries = lambda batch: texts.extend(batch) or encode(batch)
    qa.ask("去年GDP多少？")
    first = list(texts)
    qa.clear_cache()
    texts.clear()
    qa.ask("去年GDP多少？")
    assert texts == first  # the question (and the answer window the decider compares it with) again
    assert any("GDP" in t for t in texts)
    small = ReportQA(qa.index, fake_encoder, answer_cache=2)
    for q in ("去年GDP多少？", "今年要新增几个托班？", "新增城镇就业多少人？"):
        small.ask(q)
    assert len(small._answers) == 2


def test_parts_of_a_compound_question_are_encoded_together(qa, fake_encoder):
    batches = []
    encode = fake_encoder.encode_queries
    fake_encoder.encode_queries = lambda texts: batches.append(list(texts)) or encode(texts)
    qa.ask("去年新增了多少家？今年目标又是多少家？")
    assert len(batches[0]) == 3  # both parts and the whole question, in one batch
    # later batches are the answer windows the decider reads, never one of those three again
    assert not set(batches[0]) & {t for b in batches[1:] for t in b}


def test_concurrent_asks_agree(qa):
    questions = ["去年GDP多少？", "今年要新增几个托班？", "新增城镇就业多少人？"] * 8
    results: dict[int, str] = {}

    def ask(i: int) -> None:
        results[i] = qa.ask(questions[i]).answer

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, q in enumerate(questions):
        assert results[i] == results[questions.index(q)]


def test_prefetch_encodes_many_questions_in_one_batch_and_changes_no_answer(fake_encoder):
    """An evaluation run hands every question over first: one forward pass, then the same answers."""
    index, _ = build_index([load_document(bundled_report_path())], fake_encoder)
    questions = ["去年GDP多少？", "今年要新增几个托班？", "去年GDP多少？今年目标多少？", "   ", "什么是“2+2+X”产业体系？"]
    plain = ReportQA(index, fake_encoder, answer_cache=0)
    plain.warm_up()
    expected = [(a.answer, a.declined) for a in (plain.ask(q) for q in questions if q.strip())]
    fetched = ReportQA(index, fake_encoder, answer_cache=0)
    fetched.warm_up()
    calls = fake_encoder.calls
    fetched.prefetch(questions)  # the blank one is left for asking to refuse
    assert fake_encoder.calls == calls + 1
    got = [(a.answer, a.declined) for a in (fetched.ask(q) for q in questions if q.strip())]
    assert fake_encoder.calls == calls + 1 and got == expected
