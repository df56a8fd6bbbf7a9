"""Bounded work per question, whatever its text (issue 13): the tagger's HMM never sees long runs
of characters no dictionary word covers, and remembered answers are bounded in bytes.

Work is counted (characters handed to jieba's part-of-speech HMM, bytes held by the answer
cache), never timed; the timing is in ``benchmarks/costly_questions.py``.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import jieba.posseg as posseg
import pytest

from qa import text
from qa.pipeline import ReportQA, answer_key

ROOT = Path(__file__).resolve().parents[2]


def real_questions() -> list[str]:
    out = []
    for path in sorted((ROOT / "data" / "eval").glob("extra*.jsonl")):
        out += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def random_cjk(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(n))


@pytest.fixture
def hmm_chars(monkeypatch) -> list[int]:
    """Lengths of what jieba's part-of-speech HMM is asked to tag, call by call."""
    seen: list[int] = []
    real = posseg.viterbi

    def counting(obs, *args, **kwargs):
        seen.append(len(obs))
        return real(obs, *args, **kwargs)

    monkeypatch.setattr(posseg, "viterbi", counting)
    text.clear_caches()
    yield seen
    text.clear_caches()


def test_real_questions_are_tagged_exactly_as_jieba_tags_them():
    questions = real_questions()
    assert len(questions) > 300
    for q in questions:
        q = text.normalize(q)
        assert text.tag(q) == tuple((w.word, w.flag) for w in posseg.lcut(q) if w.word.strip()), q


def test_a_name_the_dictionary_lacks_is_still_guessed(hmm_chars):
    """Short unknown runs (a person's name) still go through the HMM, as before."""
    assert text.tag("市长周永强说了什么") == tuple((w.word, w.flag) for w in posseg.lcut("市长周永强说了什么"))
    assert hmm_chars  # the counter sees the HMM's work


@pytest.mark.parametrize("seed", range(5))
def test_random_characters_never_reach_the_hmm_in_long_runs(hmm_chars, seed):
    q = random_cjk(200, seed) + "，市长周永强说了什么，" + random_cjk(289, seed + 100)
    tagged = text.tag(q)
    assert "".join(w for w, _ in tagged) == q  # every character is still tagged
    assert max(hmm_chars, default=0) <= text.MAX_GUESSED_RUN
    assert sum(hmm_chars) <= 499
    assert hmm_chars  # the short unknown run between words (a name) is still guessed


def test_a_random_question_is_answered_with_bounded_hmm_work(qa, hmm_chars):
    answer = qa.ask(random_cjk(499, 99))
    assert answer.answer  # answered or declined, either way within the bound
    assert max(hmm_chars, default=0) <= text.MAX_GUESSED_RUN


@pytest.fixture
def qa(fake_encoder):
    from embeddings.indexer import build_index
    from embeddings.loaders import bundled_report_path, load_document

    index, _ = build_index([load_document(bundled_report_path())], fake_encoder)
    system = ReportQA(index, fake_encoder)
    system.warm_up()
    return system


def test_answer_keys_are_fixed_size_whatever_the_history():
    long_history = [{"role": "user", "content": "很长的问题" * 60_000}]
    key = answer_key("那今年的目标呢？", 5, long_history, "hybrid", None, None)
    assert isinstance(key, bytes) and len(key) == 32
    assert key != answer_key("那今年的目标呢？", 5, [], "hybrid", None, None)
    assert key == answer_key("那今年的目标呢？", 5, [dict(m) for m in long_history], "hybrid", None, None)


def test_the_answer_cache_is_bounded_in_bytes(qa):
    small = ReportQA(qa.index, qa.retriever.encoder)
    small._answer_cache_bytes = 200_000
    for i in range(60):
        small.ask(f"第{i}个问题：去年GDP多少？")
    assert 0 < len(small._answers) < 60
    assert small._answers_size <= 200_000
    assert small._answers_size == sum(size for _, size in small._answers.values())
    again = small.ask("第59个问题：去年GDP多少？")  # the newest is still remembered
    assert again.answer == small._answers[answer_key("第59个问题：去年GDP多少？", 5, [], "hybrid", None, None)][0].answer


def test_long_texts_are_cut_and_tagged_but_not_remembered():
    """An earlier message of 4,000 characters is read once per request, not kept in a cache."""
    text.clear_caches()
    long_text = random_cjk(4000, 11)
    assert "".join(text._cut(long_text)).replace(" ", "") and text.tag(long_text)
    assert text._cut_cached.cache_info().currsize == 0 and text._tag_cached.cache_info().currsize == 0
    text.tag("去年GDP多少？")
    assert text._tag_cached.cache_info().currsize == 1


def test_a_follow_up_carries_a_bounded_part_of_a_long_earlier_message():
    from qa.followup import MAX_CARRIED_WORDS, MAX_PREVIOUS_CHARS, contextualize

    long_turn = [{"role": "user", "content": random_cjk(4000, 12)}, {"role": "assistant", "content": "好"}]
    searched = contextualize("那今年的目标呢？", long_turn)
    carried = searched.split(" ")[1:]
    assert 0 < len(carried) <= MAX_CARRIED_WORDS
    assert all(w in long_turn[0]["content"][:MAX_PREVIOUS_CHARS] for w in carried)
    normal = [{"role": "user", "content": "去年GDP多少？"}, {"role": "assistant", "content": "1650亿元"}]
    assert contextualize("那今年的目标呢？", normal) == "那今年的目标呢？ gdp"
