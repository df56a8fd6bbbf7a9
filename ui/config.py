"""Settings shared by every front end, from flags first and environment variables second."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from embeddings.model import DEFAULT_MODEL, PRECISIONS, QUERY_BACKENDS, default_data_dir


@dataclass
class Settings:
    """Where things live and which model and corpus to use."""

    data_dir: Path = field(default_factory=default_data_dir)
    model: str = DEFAULT_MODEL
    index_name: str = "default"
    corpus: list[str] = field(default_factory=list)  # files or folders; empty = the index's own / bundled report
    mode: str = "hybrid"
    precision: str = "auto"  # dtype the model computes in: auto, float32 or bfloat16
    query_backend: str = "auto"  # what encodes questions: auto (ONNX Runtime if it can), onnx or torch
    store: str = "faiss"  # where the index lives: faiss (in process) or milvus:PATH_OR_URI (docs/scale.md)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Settings from ``REPORT_QA_*`` variables, with non-None ``overrides`` on top."""
        s = cls(
            data_dir=Path(os.environ["REPORT_QA_DATA_DIR"]) if os.environ.get("REPORT_QA_DATA_DIR") else default_data_dir(),
            model=os.environ.get("REPORT_QA_MODEL") or DEFAULT_MODEL,
            index_name=os.environ.get("REPORT_QA_INDEX") or "default",
            corpus=[p for p in os.environ.get("REPORT_QA_CORPUS", "").split(os.pathsep) if p],
            mode=os.environ.get("REPORT_QA_MODE") or "hybrid",
            precision=os.environ.get("REPORT_QA_PRECISION") or "auto",
            query_backend=os.environ.get("REPORT_QA_QUERY_BACKEND") or "auto",
            store=os.environ.get("REPORT_QA_STORE") or "faiss",
        )
        for key, value in overrides.items():
            if value is not None and value != []:
                setattr(s, key, Path(value) if key == "data_dir" else value)
        if s.precision not in PRECISIONS:
            raise ValueError(f"REPORT_QA_PRECISION must be one of {', '.join(PRECISIONS)}, not {s.precision!r}")
        if s.query_backend not in QUERY_BACKENDS:
            raise ValueError(f"REPORT_QA_QUERY_BACKEND must be one of {', '.join(QUERY_BACKENDS)}, "
                             f"not {s.query_backend!r}")
        from embeddings.milvus_store import target_of
        target_of(s.store)  # ValueError naming the setting when it is neither faiss nor milvus:…
        return s

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "indexes" / self.index_name
