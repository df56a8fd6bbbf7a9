"""A per-client rate limit for the API and the chat: a token bucket per client address, in memory.

Off unless configured, e.g. ``REPORT_QA_RATE_LIMIT=60/minute``: each client may send a burst of
60 requests, then one more per second on average. Over the limit a request gets 429
``{"error": ...}`` with ``Retry-After`` before anything reads its body.

Counted: every ``/api/…`` request except ``GET /api/health`` (for monitors) and CORS preflights,
and every ``POST`` under ``/gradio_api/`` (a chat question, a vote). Pages and assets are not.
The client is the address the ASGI server reports; behind a reverse proxy uvicorn takes it from
``X-Forwarded-For`` when the proxy's address is in ``FORWARDED_ALLOW_IPS`` (127.0.0.1 by
default). Addresses are only dictionary keys in this process: never logged, never written, and
at most ``max_clients`` of them are kept (least recently seen dropped first).

Requests are weighted by what they cost: one that takes longer than :data:`COST_UNIT` seconds
to answer spends one more token per further ``COST_UNIT`` (at most a burst's worth), so a client
sending costly questions is slowed down sooner than one asking ordinary ones.
"""
from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

RATE_ENV = "REPORT_QA_RATE_LIMIT"
MAX_CLIENTS = 10_000
COST_UNIT = 0.25  # seconds of answering that one token pays for (a normal question takes ~0.02 s)
_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_RATE_RE = re.compile(r"\s*(\d+)\s*/\s*([a-z]+)\s*", re.I)


@dataclass(frozen=True)
class Rate:
    """``requests`` per ``seconds``; also the burst size."""

    requests: int
    seconds: int

    def __str__(self) -> str:
        unit = {1: "second", 60: "minute", 3600: "hour"}[self.seconds]
        return f"{self.requests}/{unit}"


def parse_rate(value: str | None) -> Rate | None:
    """``"60/minute"`` → ``Rate(60, 60)``; empty or ``off`` → None; anything else :class:`ValueError`."""
    if value is None or value.strip().lower() in ("", "off", "0", "none"):
        return None
    m = _RATE_RE.fullmatch(value)
    unit = m.group(2).lower() if m else ""
    if len(unit) > 2 and unit.endswith("s") and unit[:-1] in _PERIODS:
        unit = unit[:-1]  # "minutes", "secs"
    if not m or unit not in _PERIODS or int(m.group(1)) < 1:
        raise ValueError(f"{RATE_ENV}={value!r}: expected N/second, N/minute or N/hour with N ≥ 1, "
                         "e.g. 60/minute (or off)")
    return Rate(int(m.group(1)), _PERIODS[unit])


def rate_from_env() -> Rate | None:
    """The rate limit configured in ``REPORT_QA_RATE_LIMIT`` (None when unset or off)."""
    return parse_rate(os.environ.get(RATE_ENV))


class TokenBuckets:
    """One bucket per key holding up to ``rate.requests`` tokens, refilled continuously."""

    def __init__(self, rate: Rate, max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(rate.requests)
        self.per_second = rate.requests / rate.seconds
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, when)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend a token for ``key``: 0.0 if there was one, else the seconds until there is."""
        now = self.clock()
        with self._lock:
            tokens, when = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - when) * self.per_second)
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.per_second
            self._buckets[key] = (tokens - 1.0 if wait == 0.0 else tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait

    def charge(self, key: str, tokens: float) -> None:
        """Spend ``tokens`` more for ``key`` (a costly request), down to one burst below empty."""
        if tokens <= 0:
            return
        now = self.clock()
        with self._lock:
            have, when = self._buckets.pop(key, (self.capacity, now))
            have = min(self.capacity, have + (now - when) * self.per_second)
            self._buckets[key] = (max(-self.capacity, have - tokens), now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)


def is_limited(method: str, path: str) -> bool:
    """Whether a request counts against the limit (API calls and chat actions, not pages or assets)."""
    if method == "OPTIONS":
        return False
    if path.startswith("/api/") or path == "/api":
        return path.rstrip("/") != "/api/health"
    return method == "POST" and path.startswith("/gradio_api/")


class RateLimit:
    """ASGI middleware: 429 with ``Retry-After`` for clients over ``rate``."""

    def __init__(self, app, rate: Rate, max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic, cost_unit: float = COST_UNIT) -> None:
        self.app = app
        self.rate = rate
        self.clock = clock
        self.cost_unit = cost_unit
        self.buckets = TokenBuckets(rate, max_clients, clock)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not is_limited(scope.get("method", ""), scope.get("path", "")):
            return await self.app(scope, receive, send)
        client = scope.get("client")
        key = client[0] if client else "-"
        wait = self.buckets.take(key)
        if wait <= 0.0:
            started = self.clock()
            try:
                return await self.app(scope, receive, send)
            finally:
                self.buckets.charge(key, (self.clock() - started) / self.cost_unit - 1.0)
        retry = max(1, math.ceil(wait))
        body = json.dumps({"error": f"too many requests: the limit is {self.rate}; try again in {retry} s"},
                          ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"retry-after", str(retry).encode())]})
        await send({"type": "http.response.body", "body": body})
