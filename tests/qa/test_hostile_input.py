"""Hostile questions through ``ReportQA.ask`` on the real model and index: property-based.

Whatever the text — random Unicode, control characters, bidi and zero-width marks, emoji, lone
surrogates, only punctuation, 100k characters, report fragments mixed with junk — ``ask`` either
raises :class:`QuestionError` or returns a well-formed answer whose citations point at the
passage they quote in the original document.
"""
from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embeddings.loaders import bundled_report_path, load_document
from qa.pipeline import MAX_QUESTION_CHARS, QuestionError, check_question
from qa.retrieve import MODES

pytestmark = pytest.mark.slow

DOC_ID = "liyang-2025-government-work-report.txt"
BOUNDED = settings(max_examples=150, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

REPORT = load_document(bundled_report_path()).text
FRAGMENTS = sorted({w for w in re.findall(r"[\u4e00-\u9fff0-9%.]{2,8}", REPORT)})[:400] + [
    "去年GDP多少？", "那今年的目标呢？", "2025年", "增长6%左右", "多少亿元", "什么是", "？", "GDP"]
WEIRD = ("\u0000\u0001\u0007\u001b\u007f\u0085\u00ad"  # C0/C1 controls, soft hyphen
         "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters and BOM
         "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi marks and overrides
         "\u3000\u00a0\t\n\r\u2028\u2029"  # ideographic/no-break space, line and paragraph separators
         "\ud800\udbff\udc00\udfff"  # lone surrogates (a Python caller can pass them)
         "\U0001f600\U0001f1e8\U0001f1f3\u0301\u0332\ufffd\uffff\U0010ffff"  # emoji, flags, combining marks, specials
         "<>&\"'`/\\{}[]%$#;|*~^")
weird_text = st.text(alphabet=st.sampled_from(WEIRD), max_size=40)
any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80)  # surrogates too
punctuation = st.text(alphabet=st.characters(categories=["Po", "Ps", "Pe", "Pd", "Pi", "Pf", "Sm", "So"]),
                      min_size=1, max_size=60)
mixed = st.lists(st.one_of(st.sampled_from(FRAGMENTS), weird_text, any_text), max_size=8).map("".join)
huge = st.builds(lambda piece, n: piece * n, st.one_of(st.sampled_from(FRAGMENTS), weird_text.filter(bool)),
                 st.integers(50, 100_000))
questions = st.one_of(any_text, weird_text, punctuation, mixed, huge)
history = st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]),
                                          "content": st.one_of(mixed, st.sampled_from(FRAGMENTS))}), max_size=6)


def squash(text: str) -> str:
    """Text without whitespace, footnote marks or Markdown emphasis (the cleaner drops those)."""
    return re.sub(r"\s+|\^\[\d+\]|\*\*", "", text)


def assert_well_formed(answer, top_k: int, question: str) -> None:
    assert isinstance(answer.answer, str) and answer.answer.strip()
    assert isinstance(answer.declined, bool)
    assert answer.question == check_question(question)
    ranks = [c.rank for c in answer.citations]
    shown = [r for r in ranks if r <= top_k]
    assert shown == list(range(1, len(shown) + 1)), ranks  # 1..n in order, then any cited passage beyond top_k
    assert len(set(ranks)) == len(ranks) and all(r > top_k for r in ranks[len(shown):])
    assert set(answer.cited) <= set(ranks)
    if answer.declined:
        assert answer.cited == []
    for c in answer.citations:
        assert c.doc_id == DOC_ID and c.source == DOC_ID
        assert 0 <= c.start < c.end <= len(REPORT)
        assert squash(REPORT[c.start:c.end]) == squash(c.text), (c.rank, c.start, c.end)
    assert all(f"[{r}]" in answer.answer for r in answer.cited)


def ask_or_refuse(qa, question: str, **options):
    """The answer, or None when ``ask`` refused with a QuestionError that matches ``check_question``."""
    try:
        expected_error = None
        check_question(question)
    except QuestionError as exc:
        expected_error = str(exc)
    try:
        answer = qa.ask(question, **options)
    except QuestionError as exc:
        assert expected_error == str(exc) or "top_k" in str(exc)
        return None
    assert expected_error is None, f"accepted a question check_question refuses: {expected_error}"
    return answer


@BOUNDED
@given(question=questions)
def test_any_question_text_is_answered_or_refused_cleanly(real_qa, question):
    answer = ask_or_refuse(real_qa, question)
    if answer is not None:
        assert_well_formed(answer, 5, question)


@BOUNDED
@given(question=st.one_of(mixed, st.sampled_from(FRAGMENTS)), top_k=st.integers(1, 20),
       mode=st.sampled_from(MODES), doc=st.sampled_from([None, DOC_ID, "nope.txt"]),
       year=st.sampled_from([None, 2025, 2019]), turns=st.one_of(st.none(), history))
def test_hostile_questions_with_every_option(real_qa, question, top_k, mode, doc, year, turns):
    answer = ask_or_refuse(real_qa, question, top_k=top_k, mode=mode, doc=doc, year=year, history=turns)
    if answer is not None:
        assert_well_formed(answer, top_k, question)
        if doc == "nope.txt" or year == 2019:
            assert answer.citations == [] and answer.declined


def test_refusals_say_what_is_wrong_and_are_fast(real_qa):
    for question in ("", " \t\n\u3000", "\u200b\u200e\u202e\ufeff", "\ud800\udfff", "\x00\x07\x1b"):
        with pytest.raises(QuestionError, match="question is empty"):
            real_qa.ask(question)
    started = time.perf_counter()
    with pytest.raises(QuestionError, match=f"100000 characters; the limit is {MAX_QUESTION_CHARS}"):
        real_qa.ask("问" * 100_000)
    assert time.perf_counter() - started < 1.0
    for not_text in (None, 42, b"GDP", ["GDP"], {"q": "GDP"}):
        with pytest.raises(QuestionError, match="must be a string"):
            real_qa.ask(not_text)
    for top_k in (0, -1, 51, 10**9):
        with pytest.raises(QuestionError, match="top_k"):
            real_qa.ask("去年GDP多少？", top_k=top_k)


def test_junk_around_a_real_question_keeps_the_answer(real_qa):
    for junk in ("\u202e", "\u200b", "\x00", "\ud800", "\U0001f600", "\u3000\u00a0", "<script>"):
        answer = real_qa.ask(f"{junk}去年GDP多少？{junk}")
        assert "1650亿元" in answer.answer and not answer.declined, (junk, answer.answer)


@pytest.mark.parametrize("options, message", [
    ({"history": ["去年GDP多少？"]}, "history"), ({"history": [None]}, "history"), ({"history": "去年GDP多少？"}, "history"),
    ({"history": [{"role": "system", "content": "x"}]}, "history"),
    ({"history": [{"role": "user", "content": 1}]}, "history"),
    ({"top_k": "5"}, "top_k"), ({"top_k": 2.5}, "top_k"), ({"top_k": None}, "top_k"), ({"top_k": True}, "top_k")],
    ids=["history-of-strings", "history-of-none", "history-a-string", "history-bad-role", "history-bad-content",
         "top_k-str", "top_k-float", "top_k-none", "top_k-bool"])
def test_malformed_options_are_question_errors(real_qa, options, message):
    with pytest.raises(QuestionError, match=message):
        real_qa.ask("那今年的目标呢？", **options)
