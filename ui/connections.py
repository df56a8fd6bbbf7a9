"""Connection limits for ``report-qa serve``: read timeouts, a connection cap, throttled error logs.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` seconds, but a
connection that never sends a request, or sends half its headers or half its body, stays open for
good; at the process's file limit new clients time out and asyncio logs a traceback for every
failed ``accept()``. :class:`GuardedH11Protocol` is uvicorn's h11 protocol with three deadlines
and a cap:

* the request line and headers must arrive within :data:`HEADER_TIMEOUT` seconds of the
  connection opening (or of the previous response, after the keep-alive period);
* the body within :data:`BODY_TIMEOUT` seconds of the headers;
* beyond :data:`MAX_CONNECTIONS` open connections a new one is closed at once.

A connection past a deadline is closed (a partial request gets nothing; the client sees the
connection close). :class:`LogThrottle` lets each distinct log message through once per
:data:`LOG_EVERY` seconds and says how many were held back.
"""
from __future__ import annotations

import logging
import os
import resource
import threading
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
KEEP_ALIVE_TIMEOUT = 5
MAX_CONNECTIONS = 1000
LOG_EVERY = 10.0

logger = logging.getLogger("report_qa.connections")


ENV = {"REPORT_QA_HEADER_TIMEOUT": "header_timeout", "REPORT_QA_BODY_TIMEOUT": "body_timeout",
       "REPORT_QA_MAX_CONNECTIONS": "max_connections"}


def configure_from_env(environ=os.environ) -> type["GuardedH11Protocol"]:
    """:class:`GuardedH11Protocol` with the limits set in the environment (seconds; a count),
    the connection cap kept below the file limit; :class:`ValueError` for a value that is not a
    positive number."""
    for name, attr in ENV.items():
        raw = environ.get(name)
        value = float(getattr(GuardedH11Protocol, attr)) if raw in (None, "") else None
        if value is None:
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not value > 0:
                raise ValueError(f"{name}={raw!r}: expected a positive number")
        setattr(GuardedH11Protocol, attr, int(value) if attr == "max_connections" else value)
    GuardedH11Protocol.max_connections = connection_cap(GuardedH11Protocol.max_connections)
    return GuardedH11Protocol


def connection_cap(wanted: int = MAX_CONNECTIONS) -> int:
    """``wanted``, but no more than the process's file limit leaves room for (index, model, logs)."""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return wanted
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(16, min(wanted, soft - 128))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with header and body read deadlines and a connection cap."""

    header_timeout = HEADER_TIMEOUT
    body_timeout = BODY_TIMEOUT
    max_connections = MAX_CONNECTIONS

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self._deadline = None
        self._waiting_for = ""
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            logger.warning("more than %d open connections: closing new ones", self.max_connections)
            transport.close()
            return
        self._arm("headers", self.header_timeout)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._waiting_for != "headers":
            self._arm("headers", self.header_timeout)  # a new request on a kept-alive connection
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow(after_response=True)

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _follow(self, after_response: bool = False) -> None:
        """Move the deadline along with the request: headers, then body, then none while the app
        answers; between requests uvicorn's keep-alive timer closes an idle connection."""
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._waiting_for != "body":
                self._arm("body", self.body_timeout)
        elif state is not h11.IDLE or after_response:
            self._disarm()

    def _arm(self, what: str, seconds: float) -> None:
        self._disarm()
        self._waiting_for = what
        self._deadline = self.loop.call_later(seconds, self._expired, what)

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()
        self._deadline = None
        self._waiting_for = ""

    def _expired(self, what: str) -> None:
        self._deadline = None
        self._waiting_for = ""
        if not self.transport.is_closing():
            logger.info("closing a connection that sent no complete %s in time", what)
            self.transport.close()  # connection_lost tells a waiting app: http.disconnect


class LogThrottle(logging.Filter):
    """Let each distinct message (logger, level, text template) through once per ``every`` seconds."""

    def __init__(self, every: float = LOG_EVERY, clock=time.monotonic, max_keys: int = 1000) -> None:
        super().__init__()
        self.every, self.clock, self.max_keys = every, clock, max_keys
        self._seen: dict[tuple, list] = {}  # key → [last time let through, held back since]
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg)[:200])
        now = self.clock()
        with self._lock:
            entry = self._seen.get(key)
            if entry is not None and now - entry[0] < self.every:
                entry[1] += 1
                return False
            held = entry[1] if entry else 0
            if len(self._seen) >= self.max_keys and key not in self._seen:
                self._seen.clear()
            self._seen[key] = [now, 0]
        if held:
            record.msg = f"{record.msg} [{held} more like this in the last {self.every:.0f} s not logged]"
        return True


THROTTLED_LOGGERS = ("asyncio", "uvicorn.error", "uvicorn", "report_qa.connections")


def throttle_logs(every: float = LOG_EVERY) -> LogThrottle:
    """Install one :class:`LogThrottle` on the loggers that report resource exhaustion."""
    throttle = LogThrottle(every)
    for name in THROTTLED_LOGGERS:
        log = logging.getLogger(name)
        if not any(isinstance(f, LogThrottle) for f in log.filters):
            log.addFilter(throttle)
    return throttle
