"""Encode the queries of concurrent requests together: one forward pass for many questions.

On CPU, sixteen questions embedded one by one in sixteen threads cost several times more than
the same sixteen in one batch (the threads fight over the cores). :class:`BatchingEncoder`
wraps an encoder: when it is idle a query is encoded at once (no added latency); while a batch
is running, newly arriving queries wait and are then encoded together in the next batch.
"""
from __future__ import annotations

import threading
from typing import Any

import numpy as np


class _Job:
    __slots__ = ("texts", "result", "error", "done")

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = False


class BatchingEncoder:
    """``encode_queries`` batched across threads; everything else is the wrapped encoder's."""

    def __init__(self, encoder: Any, max_batch: int = 64) -> None:
        self.encoder = encoder
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._pending: list[_Job] = []
        self._running = False
        self.batches = 0  # how many forward passes ran (for tests and curiosity)

    def __getattr__(self, name: str) -> Any:  # model_id, dim, encode_passages, warm_up, ...
        return getattr(self.encoder, name)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return self.encoder.encode_queries(texts)
        job = _Job(texts)
        batch: list[_Job] = []
        with self._cond:
            self._pending.append(job)
            while self._running and not job.done:
                self._cond.wait()
            if not job.done:  # the encoder is free: lead a batch with ours and whatever else waits
                self._running = True
                batch, size = [job], len(job.texts)
                for other in list(self._pending):
                    if other is not job and size + len(other.texts) <= self.max_batch:
                        batch.append(other)
                        size += len(other.texts)
                self._pending = [j for j in self._pending if j not in batch]
        if batch:
            self._run(batch)
        if job.error is not None:
            raise job.error
        return job.result

    def _run(self, batch: list[_Job]) -> None:
        try:
            vectors = self.encoder.encode_queries([t for j in batch for t in j.texts])
            at = 0
            for j in batch:
                j.result = vectors[at:at + len(j.texts)]
                at += len(j.texts)
        except BaseException as exc:  # every waiter gets the failure, not only the leader
            for j in batch:
                j.error = exc
        finally:
            with self._cond:
                for j in batch:
                    j.done = True
                self.batches += 1
                self._running = False
                self._cond.notify_all()
