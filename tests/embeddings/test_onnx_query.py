"""The ONNX Runtime query path: same vectors as sentence-transformers, cached export, clear fallbacks."""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from embeddings import onnx_query
from embeddings.model import DEFAULT_MODEL, Encoder, ModelLoadError

QUERIES = ["去年GDP多少？", "What was Liyang's GDP in 2024?", "今年要新增几个托班？", "1650亿元",
           "2024年改建新建了多少高标准农田？6.31 万亩是多少公顷", "a" * 2000]  # the last is truncated at 512 tokens


def test_onnx_queries_match_sentence_transformers(real_encoder, torch_encoder) -> None:
    assert real_encoder.query_backend == "onnx"
    want = torch_encoder.encode_queries(QUERIES)
    one_by_one = np.vstack([real_encoder.encode_queries([q]) for q in QUERIES])
    batched = np.vstack([real_encoder.encode_queries(QUERIES[i:i + 3]) for i in (0, 3)])  # padded batches
    for got in (one_by_one, batched):
        assert got.dtype == np.float32 and got.shape == want.shape
        assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
        assert (got * want).sum(axis=1).min() > 0.9999


def test_query_backend_is_validated() -> None:
    with pytest.raises(ValueError, match="query backend must be one of auto, onnx, torch"):
        Encoder(query_backend="tensorrt")


@pytest.fixture
def exported(real_encoder, data_dir, tmp_path) -> tuple[Path, str]:
    """A copy of the session's export (made by ``real_encoder``) in a cache folder of its own: (cache dir, key)."""
    key = onnx_query.model_key(str(Path(data_dir) / "models" / DEFAULT_MODEL))
    source = Path(data_dir) / "models" / "onnx" / key / "model.onnx"
    assert source.is_file()  # the real encoder made it in the data directory
    (tmp_path / key).mkdir()
    shutil.copy(source, tmp_path / key / "model.onnx")
    return tmp_path, key


def test_cached_export_is_reused(exported, torch_encoder, monkeypatch) -> None:
    cache, key = exported
    before = (cache / key / "model.onnx").stat().st_mtime_ns
    monkeypatch.setattr(onnx_query, "export", lambda *a, **k: pytest.fail("exported again"))
    enc = onnx_query.load_or_export(torch_encoder.model, cache, key, "query: ", threads=1)
    assert (cache / key / "model.onnx").stat().st_mtime_ns == before
    assert enc.agreement() > 0.9999


def test_damaged_export_is_made_again(exported, torch_encoder, caplog) -> None:
    cache, key = exported
    (cache / key / "model.onnx").write_bytes(b"not an onnx file")
    with caplog.at_level(logging.WARNING, logger="embeddings.onnx_query"):
        enc = onnx_query.load_or_export(torch_encoder.model, cache, key, "query: ", threads=1)
    assert "exporting it again" in caplog.text
    assert enc.agreement() > 0.9999
    assert not list((cache / key).glob(".*tmp"))  # no temporary file left behind


def test_export_that_disagrees_with_the_model_is_replaced(exported, torch_encoder, monkeypatch, caplog) -> None:
    """A cached file from another model (same key by accident, or an edited model) is not trusted."""
    cache, key = exported
    monkeypatch.setattr(onnx_query, "PROBES", ("这句话", "另一句话"))
    calls = []
    real_agreement = onnx_query.OnnxQueryEncoder.agreement
    monkeypatch.setattr(onnx_query.OnnxQueryEncoder, "agreement",
                        lambda self: (calls.append(1), 0.5 if len(calls) == 1 else real_agreement(self))[1])
    with caplog.at_level(logging.WARNING, logger="embeddings.onnx_query"):
        onnx_query.load_or_export(torch_encoder.model, cache, key, "query: ", threads=1)
    assert "no longer matches the model" in caplog.text and len(calls) == 2


def test_model_key_changes_with_the_model_files(tmp_path) -> None:
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"1234")
    first = onnx_query.model_key(str(tmp_path))
    assert onnx_query.model_key(str(tmp_path)) == first
    (tmp_path / "model.safetensors").write_bytes(b"12345")
    assert onnx_query.model_key(str(tmp_path)) != first
    assert onnx_query.model_key("org/some-model") != onnx_query.model_key("org/other-model")


@pytest.mark.parametrize("failure", ["not installed", "export fails"])
def test_without_onnx_queries_fall_back_to_pytorch_or_fail_clearly(failure, data_dir, torch_encoder, monkeypatch,
                                                                    caplog) -> None:
    if failure == "not installed":
        monkeypatch.setattr(onnx_query, "onnx_available", lambda: False)
    else:
        def broken(*args, **kwargs):
            raise onnx_query.OnnxQueryError("could not export the model to ONNX: RuntimeError: unsupported op")
        monkeypatch.setattr(onnx_query, "load_or_export", broken)
    auto = Encoder(None, data_dir, query_backend="auto")
    with caplog.at_level(logging.INFO, logger="embeddings.model"):
        assert auto._prepare_onnx(torch_encoder.model, "query: ") is None
    assert "queries use PyTorch" in caplog.text
    required = Encoder(None, data_dir, query_backend="onnx")
    with pytest.raises(ModelLoadError, match="query backend 'onnx'"):
        required._prepare_onnx(torch_encoder.model, "query: ")


def test_model_key_follows_the_content_not_the_path_or_time(tmp_path) -> None:
    """A cache copied or mounted at another path, or a model folder touched, keeps its export."""
    here = tmp_path / "here"
    here.mkdir()
    (here / "config.json").write_text("{}")
    (here / "model.safetensors").write_bytes(b"1234")
    first = onnx_query.model_key(str(here))
    there = tmp_path / "elsewhere" / "model"
    shutil.copytree(here, there)
    os.utime(there / "model.safetensors", ns=(1, 1))
    assert onnx_query.model_key(str(there)) == first
    (there / "config.json").write_text('{"hidden_size": 1}')
    assert onnx_query.model_key(str(there)) != first


def test_an_unwritable_cache_is_an_onnx_error_not_a_crash(tmp_path, torch_encoder) -> None:
    """``serve`` with a read-only cache falls back to PyTorch (Encoder catches OnnxQueryError)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(onnx_query.OnnxQueryError, match="could not export"):
        onnx_query.load_or_export(torch_encoder.model, blocker / "onnx", "k", "query: ", threads=1)
    assert blocker.read_text() == "not a folder"


def test_a_checked_export_starts_without_pytorch(real_encoder, torch_encoder, data_dir, tmp_path) -> None:
    """Fast start: once the export agreed with the model, a process that asks questions loads only
    the export and the tokenizer (no PyTorch, no sentence-transformers), with the same vectors.
    (Batches of at most ONNX_MAX_BATCH_BESIDE_BF16: beside bfloat16, bigger ones go to PyTorch.)"""
    import subprocess
    import sys
    out = tmp_path / "q.npy"
    code = ("import sys, numpy as np; from pathlib import Path; from embeddings.model import Encoder\n"
            f"e = Encoder(None, Path({str(data_dir)!r})); e.warm_up()\n"
            f"q = {QUERIES!r}; np.save({str(out)!r}, np.vstack([e.encode_queries(q[:3]), e.encode_queries(q[3:])]))\n"
            "print(e.query_backend, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       cwd=Path(__file__).resolve().parents[2])
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["onnx", "False", "False"]
    got, want = np.load(out), torch_encoder.encode_queries(QUERIES)
    assert (got * want).sum(axis=1).min() > 0.9999  # the 2000-character query clipped alike


def test_a_fast_start_loads_the_model_when_a_passage_is_encoded(data_dir, real_encoder) -> None:
    enc = Encoder(None, data_dir)
    enc.warm_up()
    assert enc._model is None and enc.query_backend == "onnx" and enc.dim == real_encoder.dim
    assert "queries only" in repr(enc)
    passage = ["全年地区生产总值突破1650亿元，增长6%（预计数，下同）。"]
    got = enc.encode_passages(passage)  # indexing needs sentence-transformers: loaded now
    assert enc._model is not None and (got @ real_encoder.encode_passages(passage).T).item() > 0.9999


def test_no_fast_start_when_the_export_no_longer_agrees(data_dir, monkeypatch) -> None:
    monkeypatch.setattr(onnx_query, "MIN_COSINE", 1.01)  # nothing agrees: the model is loaded to check
    assert onnx_query.load_standalone(Path(data_dir) / "models" / "onnx",
                                      onnx_query.model_key(str(Path(data_dir) / "models" / DEFAULT_MODEL)),
                                      Path(data_dir) / "models" / DEFAULT_MODEL, "query: ", threads=1) is None
    monkeypatch.setenv("REPORT_QA_FAST_START", "0")
    assert Encoder(None, data_dir)._fast_start() is False


def test_model_key_remembers_file_digests(tmp_path, monkeypatch) -> None:
    """A start finds its export without reading the weights again; a changed file is read."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"1234")
    digests = tmp_path / "onnx" / "digests.json"
    first = onnx_query.model_key(str(folder), digests)
    assert first == onnx_query.model_key(str(folder)) and digests.is_file()
    monkeypatch.setattr(onnx_query, "_file_digest", lambda f: pytest.fail(f"read {f} again"))
    assert onnx_query.model_key(str(folder), digests) == first
    monkeypatch.undo()
    (folder / "model.safetensors").write_bytes(b"12345")
    assert onnx_query.model_key(str(folder), digests) != first
    digests.write_text("{not json")  # a damaged file is only a miss
    assert onnx_query.model_key(str(folder), digests) == onnx_query.model_key(str(folder))
