"""Passage vectors remembered across indexes, by content hash (as ``llm`` does).

A report indexed alone, then with others in a shared index, or into a fresh index after its
old one was removed, is the same passages. Each passage's vector is kept in one SQLite file of
the data directory under its model and the SHA-256 of its text, so only passages that no index
has encoded yet go to the model. The cache only saves time: when it cannot be read or written
(damaged, read-only, locked too long) the encoder is used as if it were not there, with one
warning.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any, Callable

import numpy as np

PASSAGE_BATCH = 16
"""Passages encoded per forward pass: on a 2-core CPU 16 runs 1.2x faster than 32 (smaller matrices
stay in cache; sentence-transformers sorts by length, so padding costs nothing either way). See
``benchmarks/passage_batch.py``."""

FILE_NAME = "vectors.sqlite"
_CHUNK = 500  # keys per SQL statement (SQLite's limit on bound parameters is 999 in old builds)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    """(model id, text hash) → float32 vector, in a SQLite file; every failure is a miss."""

    def __init__(self, path: str | Path, log: Callable[[str], None] = print) -> None:
        self.path = Path(path)
        self.log = log
        self.broken = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10)
        con.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key TEXT NOT NULL, "
                    "vector BLOB NOT NULL, PRIMARY KEY (model, key))")
        return con

    def _failed(self, exc: Exception) -> None:
        if not self.broken:
            self.log(f"warning: vector cache {self.path} unusable ({exc}); encoding without it")
        self.broken = True

    def get(self, model: str, keys: list[str], dim: int) -> dict[str, np.ndarray]:
        """The cached vectors of ``keys`` that have ``dim`` dimensions."""
        if self.broken or not keys or not self.path.exists():
            return {}
        found: dict[str, np.ndarray] = {}
        try:
            with self._connect() as con:
                unique = sorted(set(keys))
                for i in range(0, len(unique), _CHUNK):
                    part = unique[i:i + _CHUNK]
                    rows = con.execute(f"SELECT key, vector FROM vectors WHERE model = ? AND key IN "
                                       f"({','.join('?' * len(part))})", [model, *part])
                    for key, blob in rows:
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape[0] == dim:  # the model changed under the same name: a miss
                            found[key] = vector
            con.close()
        except (sqlite3.Error, OSError, ValueError) as exc:
            self._failed(exc)
            return {}
        return found

    def put(self, model: str, items: dict[str, np.ndarray]) -> None:
        if self.broken or not items:
            return
        try:
            with self._connect() as con:
                con.executemany("INSERT OR REPLACE INTO vectors (model, key, vector) VALUES (?, ?, ?)",
                                [(model, k, np.asarray(v, np.float32).tobytes()) for k, v in items.items()])
            con.close()
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)


class CachingEncoder:
    """An encoder whose ``encode_passages`` reads what it can from a :class:`VectorCache`; every
    other attribute is the wrapped encoder's."""

    def __init__(self, encoder: Any, cache: VectorCache) -> None:
        self._encoder = encoder
        self.cache = cache
        self.hits = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._encoder, name)

    def encode_passages(self, texts: list[str], batch_size: int = PASSAGE_BATCH, progress: bool = False) -> np.ndarray:
        if not texts:
            return self._encoder.encode_passages(texts, batch_size=batch_size, progress=progress)
        model, dim = self._encoder.model_id, int(self._encoder.dim)
        keys = [text_key(t) for t in texts]
        found = self.cache.get(model, keys, dim)
        todo = [i for i, k in enumerate(keys) if k not in found]
        self.hits += len(texts) - len(todo)
        if todo:
            fresh = np.asarray(self._encoder.encode_passages([texts[i] for i in todo], batch_size=batch_size,
                                                             progress=progress), np.float32)
            new = {keys[i]: fresh[j] for j, i in enumerate(todo)}
            self.cache.put(model, new)
            found.update(new)
        return np.stack([found[k] for k in keys]).astype(np.float32)


def caching(encoder: Any, data_dir: str | Path | None, log: Callable[[str], None] = print) -> Any:
    """``encoder`` reading passage vectors from the data directory's cache (as is without one)."""
    if data_dir is None or isinstance(encoder, CachingEncoder):
        return encoder
    return CachingEncoder(encoder, VectorCache(Path(data_dir) / FILE_NAME, log))
