"""Encode queries with ONNX Runtime: the same sentence-transformers model, exported once.

A question is a handful of tokens, so its cost on CPU is per-operator overhead more than
arithmetic: ONNX Runtime runs the exported graph of the *same* sentence-transformers model
(tokenizer, transformer, pooling, normalisation) about twice as fast as PyTorch for one short
query, with the same vectors (cosine > 0.9999, checked every time the file is loaded). Passages
are still encoded by sentence-transformers itself; only the query path uses the export.

The export is cached under the data directory and keyed by the content of the model's files,
so it is made once per model (a few seconds) and found again when the cache is copied or mounted
at another path; a file that fails to load or no longer matches the model is made again. A
cache that cannot be written (read-only) only loses the speed-up: the caller falls back to
PyTorch with a warning. Needs the ``onnx`` (export) and ``onnxruntime`` (inference) packages.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

EXPORT_VERSION = 1
"""Bumped when the export changes, so older cached files are not reused."""

MIN_COSINE = 0.9999
"""An export whose vectors differ more than this from sentence-transformers' is not used."""

PROBES = ("去年GDP多少？", "What was Liyang's GDP in 2024?",
          "全年地区生产总值突破1650亿元，增长6%（预计数，下同），一般公共预算收入60.2亿元。",
          "今年要新增几个托班", "2025年 6.31万亩 1:1.72 ^[3] “三站三中心”")
"""Chinese, English and number-heavy texts of different lengths: batched, they also test padding."""


class OnnxQueryError(RuntimeError):
    """The model could not be exported to, loaded in or matched by ONNX Runtime."""


def onnx_available() -> bool:
    """Whether the packages needed to export and run the model are installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxruntime"))


MODEL_SUFFIXES = (".json", ".safetensors", ".bin", ".model", ".txt")


def model_key(name_or_path: str, digests: Path | None = None) -> str:
    """A short key for a model: for a folder, the SHA-256 of its files' names and contents (so a
    copy of the cache at another path, or a model folder touched but not changed, finds its
    export); for a hub name, the name. ``digests``: a JSON file remembering each file's SHA-256
    by path, size and time, so a start does not read the 470 MB of weights again to find its
    export (a cold read of them took seconds after the page cache was gone)."""
    h = hashlib.sha256(f"v{EXPORT_VERSION}\0".encode())
    folder = Path(name_or_path)
    if not folder.is_dir():
        h.update(name_or_path.encode("utf-8", "surrogateescape"))
        return h.hexdigest()[:16]
    known = _read_digests(digests)
    seen = dict(known)
    for f in sorted(folder.rglob("*")):
        if f.is_file() and f.suffix in MODEL_SUFFIXES:
            h.update(f"\0{f.relative_to(folder).as_posix()}\0".encode("utf-8", "surrogateescape"))
            st = f.stat()
            stamp = f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}"
            digest = bytes.fromhex(seen[stamp]) if stamp in seen else _file_digest(f)
            seen[stamp] = digest.hex()
            h.update(digest)
    if digests is not None and seen != known:
        _write_digests(digests, seen)
    return h.hexdigest()[:16]


def _read_digests(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and len(v) == 64}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_digests(path: Path, digests: dict[str, str]) -> None:
    tmp = Path(path).with_name(f".{Path(path).name}.{os.getpid()}.tmp")
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(dict(sorted(digests.items())[-64:]), indent=0), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # only a speed-up
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _file_digest(path: Path) -> bytes:
    """SHA-256 of a file, remembered for this process by (path, size, mtime)."""
    st = path.stat()
    return _digest_of(str(path.resolve()), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=256)
def _digest_of(path: str, size: int, mtime_ns: int) -> bytes:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").digest()


def _features(model: Any, texts: list[str], prompt: str | None) -> dict[str, Any]:
    """What sentence-transformers feeds its modules for these texts (its own tokenisation)."""
    if hasattr(model, "preprocess"):  # sentence-transformers >= 6
        return model.preprocess(list(texts), prompt=prompt)
    return model.tokenize([(prompt or "") + t for t in texts])


def export(model: Any, path: Path, prompt: str | None) -> None:
    """Write ``model`` (a float32 ``SentenceTransformer``) as an ONNX graph to ``path``, atomically."""
    import torch

    sample = _features(model, list(PROBES[:2]), prompt)  # two lengths: padding is part of the graph
    names = [k for k, v in sample.items() if isinstance(v, torch.Tensor)]
    fixed = {k: v for k, v in sample.items() if not isinstance(v, torch.Tensor)}

    class Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.model({**fixed, **dict(zip(names, tensors))})["sentence_embedding"]

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # inside: a read-only cache is an OnnxQueryError
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(Graph().eval(), tuple(sample[n] for n in names), str(tmp), input_names=names,
                              output_names=["sentence_embedding"], opset_version=17, dynamo=False,
                              dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names},
                                            "sentence_embedding": {0: "batch"}})
        os.replace(tmp, path)
    except Exception as exc:
        raise OnnxQueryError(f"could not export the model to ONNX: {type(exc).__name__}: {exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    # no busy-waiting between runs: the web server's other threads need the CPU (16 clients on
    # 2 cores: p50 136 ms without spinning, 153 ms with it; one client: 13.5 vs 12.7 ms)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise OnnxQueryError(f"could not load {path}: {type(exc).__name__}: {exc}") from None


def _run(session: Any, inputs: list[str], arrays: dict[str, Any]) -> np.ndarray:
    """The graph's output for the token arrays it takes (int64), float32."""
    feed = {}
    for name in inputs:
        if name not in arrays:
            raise OnnxQueryError(f"the tokenizer gives no {name!r}, which the ONNX graph needs")
        feed[name] = np.asarray(arrays[name], dtype=np.int64)
    return np.asarray(session.run(None, feed)[0], dtype=np.float32)


class OnnxQueryEncoder:
    """Queries through ONNX Runtime; ``encode`` takes plain texts and adds the query prompt."""

    def __init__(self, model: Any, path: Path, prompt: str | None, threads: int = 1) -> None:
        self.session = _session(path, threads)
        self.model = model
        self.path = path
        self.prompt = prompt
        self.inputs = [i.name for i in self.session.get_inputs()]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embeddings of ``texts`` as queries, shape ``(n, dim)``, float32."""
        features = _features(self.model, texts, self.prompt)
        return _run(self.session, self.inputs, {k: v.numpy() for k, v in features.items() if hasattr(v, "numpy")})

    def reference(self) -> np.ndarray:
        """sentence-transformers' own vectors of :data:`PROBES` (normalised)."""
        import torch

        with torch.inference_mode():
            want = np.asarray(self.model.encode(list(PROBES), prompt=self.prompt, convert_to_numpy=True,
                                                 show_progress_bar=False),
                              dtype=np.float32)
        return want / np.linalg.norm(want, axis=1, keepdims=True)

    def agreement(self) -> float:
        """Smallest cosine between this graph's and sentence-transformers' vectors on :data:`PROBES`."""
        return _agreement(self.encode(list(PROBES)), self.reference())


def _agreement(got: np.ndarray, want: np.ndarray) -> float:
    if got.shape != want.shape:
        return -1.0
    got = got / np.linalg.norm(got, axis=1, keepdims=True)
    return float((want * got).sum(axis=1).min())


REFERENCE = "reference.npz"
"""Beside an export that agreed with its model: the model's own vectors of :data:`PROBES` and the
prompt, so a later start can check the export without loading PyTorch (see :class:`StandaloneQueryEncoder`)."""


def save_reference(path: Path, vectors: np.ndarray, prompt: str | None) -> None:
    """Keep the probe vectors beside the export ``path`` (atomically; failing only loses the fast start)."""
    target = path.with_name(REFERENCE)
    tmp = path.with_name(f".{REFERENCE}.{os.getpid()}.tmp.npz")
    try:
        np.savez(tmp, vectors=np.asarray(vectors, np.float32), prompt=np.array(prompt or ""),
                 probes=np.array(list(PROBES)))
        os.replace(tmp, target)
    except OSError as exc:
        logger.info("cannot keep %s (%s): the next start loads PyTorch to check the export", target, exc)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def standalone_available() -> bool:
    """Whether queries can run without PyTorch: ONNX Runtime and Hugging Face ``tokenizers``."""
    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "tokenizers"))


class StandaloneQueryEncoder:
    """The exported graph fed by the model folder's own ``tokenizer.json``: no PyTorch and no
    sentence-transformers, so a process that only asks questions starts in a second or two
    instead of importing them (about 8 s on 2 cores). It tokenizes as sentence-transformers does
    (prompt prepended, text stripped, truncated to the model's ``max_seq_length``, padded), and is
    used only when its vectors of :data:`PROBES` agree with the ones sentence-transformers gave
    when the export was checked (:data:`REFERENCE`)."""

    def __init__(self, path: Path, folder: Path, prompt: str | None, threads: int = 1) -> None:
        import json

        from tokenizers import Tokenizer

        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            st_config = folder / "sentence_bert_config.json"
            config = json.loads(st_config.read_text(encoding="utf-8")) if st_config.exists() else {}
            tok_config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        except Exception as exc:
            raise OnnxQueryError(f"cannot read the tokenizer of {folder}: {type(exc).__name__}: {exc}") from None
        pad = tok_config.get("pad_token")
        pad = pad.get("content") if isinstance(pad, dict) else pad
        pad_id = self.tokenizer.token_to_id(pad) if isinstance(pad, str) else None
        if pad_id is None:
            raise OnnxQueryError(f"the tokenizer of {folder} has no padding token")
        self.max_length = int(config.get("max_seq_length") or tok_config.get("model_max_length") or 512)
        self.lower = bool(config.get("do_lower_case"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self._plain = Tokenizer.from_str(self.tokenizer.to_str())  # for clipping: no special tokens
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token=pad)
        self.session = _session(path, threads)
        self.path = path
        self.prompt = prompt
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.dim = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embeddings of ``texts`` as queries, shape ``(n, dim)``, float32."""
        prepared = [((self.prompt or "") + t).strip() for t in texts]
        if self.lower:
            prepared = [t.lower() for t in prepared]
        encodings = self.tokenizer.encode_batch(prepared)
        arrays = {"input_ids": [e.ids for e in encodings], "attention_mask": [e.attention_mask for e in encodings],
                  "token_type_ids": [e.type_ids for e in encodings]}
        return _run(self.session, self.inputs, arrays)

    def clip(self, texts: list[str], limit: int) -> list[str]:
        """Each text cut after its ``limit``-th token, as :func:`embeddings.model.clip_queries` does."""
        out = []
        for text in texts:
            if len(text) < limit // 2:
                out.append(text)
                continue
            enc = self._plain.encode(text, add_special_tokens=False)
            out.append(text[:enc.offsets[limit - 1][1]] if len(enc.ids) >= limit else text)
        return out


def load_standalone(cache_dir: Path, key: str, folder: Path, prompt: str | None,
                    threads: int) -> StandaloneQueryEncoder | None:
    """The checked export of ``key`` without PyTorch, or None (no export or reference yet, another
    prompt, or it no longer agrees: the caller loads the model and checks the export itself)."""
    path = Path(cache_dir) / key / "model.onnx"
    ref_path = path.with_name(REFERENCE)
    if not (path.is_file() and ref_path.is_file()):
        return None
    try:
        with np.load(ref_path) as ref:
            want, ref_prompt, probes = ref["vectors"], str(ref["prompt"]), tuple(str(p) for p in ref["probes"])
    except Exception as exc:
        logger.info("cannot read %s (%s): checking the export with PyTorch", ref_path, exc)
        return None
    if ref_prompt != (prompt or "") or probes != tuple(PROBES):
        return None
    enc = StandaloneQueryEncoder(path, folder, prompt, threads)
    cosine = _agreement(enc.encode(list(PROBES)), want)
    if cosine < MIN_COSINE:
        logger.info("%s: the export without PyTorch disagrees (cosine %.5f); checking it with PyTorch", path, cosine)
        return None
    enc.dim = int(want.shape[1])
    return enc


def load_or_export(model: Any, cache_dir: Path, key: str, prompt: str | None, threads: int) -> OnnxQueryEncoder:
    """The cached export for ``key`` if it loads and agrees with ``model``; else a fresh export.

    ``model`` must still be in float32 (the export and the check both use it).
    """
    path = Path(cache_dir) / key / "model.onnx"
    if path.exists():
        try:
            enc = OnnxQueryEncoder(model, path, prompt, threads)
            if enc.agreement() >= MIN_COSINE:
                if not path.with_name(REFERENCE).exists():  # checked: later starts need no PyTorch for it
                    save_reference(path, enc.reference(), prompt)
                return enc
            logger.warning("%s no longer matches the model; exporting it again", path)
        except OnnxQueryError as exc:
            logger.warning("%s; exporting it again", exc)
        with contextlib.suppress(OSError):
            path.with_name(REFERENCE).unlink(missing_ok=True)
    from embeddings.progress import bar

    with bar(2, "exporting the model for ONNX Runtime (once)") as shown:
        export(model, path, prompt)
        shown.update()
        enc = OnnxQueryEncoder(model, path, prompt, threads)
        cosine = enc.agreement()
        shown.update()
    if cosine < MIN_COSINE:
        raise OnnxQueryError(f"the ONNX export disagrees with the model (cosine {cosine:.5f} < {MIN_COSINE})")
    save_reference(path, enc.reference(), prompt)
    return enc
