"""Queries are cut to ``MAX_QUERY_TOKENS`` tokens before encoding (issue 13: bounded work per question)."""
from __future__ import annotations

import random

import pytest

from embeddings.model import MAX_QUERY_TOKENS, clip_queries


@pytest.mark.slow
def test_long_queries_are_cut_to_the_token_limit(real_encoder):
    """A 499-character question is encoded as its first MAX_QUERY_TOKENS tokens; short ones as they are."""
    tokenizer = real_encoder.model.tokenizer
    rng = random.Random(3)
    noise = "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(499))
    short = "去年GDP多少？"
    clipped, same = clip_queries(tokenizer, [noise, short])
    assert same == short and noise.startswith(clipped) and len(clipped) < len(noise)
    assert len(tokenizer(clipped, add_special_tokens=False)["input_ids"]) <= MAX_QUERY_TOKENS
    vectors = real_encoder.encode_queries([noise, clipped])
    assert float(vectors[0] @ vectors[1]) > 0.9999  # the long one is encoded as its cut


def test_without_a_tokenizer_nothing_is_cut():
    assert clip_queries(None, ["问" * 600]) == ["问" * 600]
