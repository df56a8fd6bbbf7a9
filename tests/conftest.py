"""Shared fixtures: the real model, the real index of the bundled report, the real QA system.

They are built once per test session in a temporary data directory (model conversion and
indexing take about half a minute on 2 cores), so every test that needs the real path uses
the same objects. Fast unit tests use ``FakeEncoder`` instead.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
pytest.register_assert_rewrite("quality_sets")  # its shared checks report values as a test's asserts do
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class FakeEncoder:
    """A tiny deterministic encoder: bag of character bigrams hashed into 64 dimensions."""

    model_id = "fake-bigram-64"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0
        self.encoded = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        for a, b in zip(text, text[1:]):
            v[int(hashlib.md5((a + b).encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.stack([self._vec(t) for t in texts])

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        self.calls += 1
        self.encoded += len(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> "os.PathLike":
    """One data directory (converted model + indexes) for the whole session."""
    return tmp_path_factory.mktemp("report-qa-data")


@pytest.fixture(scope="session")
def real_encoder(data_dir):
    from embeddings.model import Encoder
    enc = Encoder(None, data_dir)
    enc.warm_up()
    return enc


@pytest.fixture(scope="session")
def torch_encoder(data_dir):
    """The same model as plain sentence-transformers: PyTorch, float32, no ONNX (the reference)."""
    from embeddings.model import Encoder
    enc = Encoder(None, data_dir, precision="float32", query_backend="torch")
    enc.warm_up()
    return enc


@pytest.fixture(scope="session")
def real_system(data_dir, real_encoder):
    """The bundled report indexed with the real model, and a warm QA system over it."""
    from ui.config import Settings
    from ui.runtime import build_system
    settings = Settings(data_dir=data_dir)
    return build_system(settings, encoder=real_encoder, log=lambda m: None)


@pytest.fixture(scope="session")
def real_qa(real_system):
    return real_system.qa



# scripts/test.sh runs the suite in two pytest-xdist workers (``-n 2``). The quality test, minutes
# of answering in Python on one core, runs in the second with the modules collected after it that
# start no server, its later reports (``test_dev_quality_later.py``) last; everything else in the
# first, so the two finish near the same time. Each worker runs its modules in collection order, so jieba
# learns words in the same order every run, and only the first starts servers, so the two never
# race for a free port. (A scheduler, not ``xdist_group`` marks: pytest 9.2 drops the node-id
# suffix those marks rely on, pytest-dev/pytest-xdist#1386.)
SECOND_WORKER = ("tests/qa/test_dev_quality.py", "tests/qa/test_dev_quality_later.py",
                 *(f"tests/qa/test_{name}.py" for name in (
                     "enumerations", "evaluate", "hostile_input", "lexical", "many_reports",
                     "query_logic", "real_questions", "retrieve", "routing", "siblings", "token_cache")),
                 *(f"tests/ui/test_{name}.py" for name in ("eval_cli", "multidoc_cli")))
# (the two Milvus modules, 30 s, run in the first worker since round 31; since round 32, when the
# quality test stopped encoding its questions, its later reports run in the second worker too)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Two work units, one per worker: the modules of ``SECOND_WORKER`` and the rest."""
    from xdist.scheduler import LoadScopeScheduling

    class TwoWorkers(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "second" if nodeid.split("::", 1)[0] in SECOND_WORKER else "first"

    return TwoWorkers(config, log)


LAST = "tests/qa/test_dev_quality_later.py"


def pytest_collection_modifyitems(items):
    """The later quality module runs last in its worker: the words its reports teach jieba
    (process-wide) reach no other test after it."""
    later = [item for item in items if item.nodeid.split("::", 1)[0] == LAST]
    if later:
        items[:] = [item for item in items if item.nodeid.split("::", 1)[0] != LAST] + later
