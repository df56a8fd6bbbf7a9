"""Precision of the encoder: when bfloat16 is chosen, and that it gives the float32 vectors."""
from __future__ import annotations

import numpy as np
import pytest

from embeddings import model
from embeddings.model import Encoder, cpu_has_native_bf16, resolve_precision

X86_BF16 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile\nbogomips\t: 4000\n"
X86_DOT_ONLY = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni avx512_bf16\n"  # measured slower in bf16
X86_PLAIN = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n"
ARM_BF16 = "processor\t: 0\nFeatures\t: fp asimd sve bf16 i8mm\n"
ARM_PLAIN = "processor\t: 0\nFeatures\t: fp asimd\n"


@pytest.mark.parametrize(("cpuinfo", "expected"), [
    (X86_BF16, True), (X86_DOT_ONLY, False), (X86_PLAIN, False), (ARM_BF16, True), (ARM_PLAIN, False), ("", False),
    ("flags\t: amx_bf16 amx_tile\n", True), ("flags\t: avx512_bf16x\n", False),
])
def test_native_bf16_from_cpuinfo(cpuinfo: str, expected: bool) -> None:
    assert cpu_has_native_bf16(cpuinfo) is expected


def test_resolve_precision(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_precision("float32") == "float32"
    assert resolve_precision("bfloat16") == "bfloat16"
    monkeypatch.setattr(model, "cpu_has_native_bf16", lambda cpuinfo=None: True)
    assert resolve_precision("auto") == "bfloat16"
    assert resolve_precision("auto", device="cuda") == "float32"
    monkeypatch.setattr(model, "cpu_has_native_bf16", lambda cpuinfo=None: False)
    assert resolve_precision("auto") == "float32"
    assert Encoder(precision="auto").precision == "float32"
    with pytest.raises(ValueError, match="precision must be one of"):
        resolve_precision("fp8")
    with pytest.raises(ValueError, match="precision must be one of"):
        Encoder(precision="half")


def test_bfloat16_vectors_match_float32(data_dir, torch_encoder) -> None:
    """The speed-up must not change what is retrieved: same vectors up to bfloat16 rounding."""
    import torch

    pair = {"float32": torch_encoder, "bfloat16": Encoder(None, data_dir, precision="bfloat16", query_backend="torch")}
    assert pair["bfloat16"].model[0].auto_model.dtype == torch.bfloat16
    assert pair["float32"].model[0].auto_model.dtype == torch.float32
    queries = ["去年GDP多少？", "What was Liyang's GDP in 2024?", "今年要新增几个托班？", "1650亿元"]
    passages = ["2024年，全市实现地区生产总值1650亿元，增长6.1%。",
                "一般公共预算收入增长5.1%，社零增长5%，工业用电量增幅稳居常州前列。",
                "The city added 6.31 thousand mu of high-standard farmland and 1,650 new jobs. " * 4]
    for encode in ("encode_queries", "encode_passages"):
        texts = queries if encode == "encode_queries" else passages
        f32 = getattr(pair["float32"], encode)(texts)
        b16 = getattr(pair["bfloat16"], encode)(texts)
        assert b16.dtype == np.float32 and b16.shape == f32.shape
        cos = (f32 * b16).sum(axis=1)
        assert cos.min() > 0.999, (encode, cos)
    # and the nearest passage of each query is the same
    f32 = pair["float32"].encode_queries(queries) @ pair["float32"].encode_passages(passages).T
    b16 = pair["bfloat16"].encode_queries(queries) @ pair["bfloat16"].encode_passages(passages).T
    assert (f32.argmax(axis=1) == b16.argmax(axis=1)).all()
