"""Server-side timeouts and the connection cap on a real ``report-qa serve`` (issue 13).

The server runs with 1-second header and body deadlines and a cap of 24 connections, so each
check takes seconds; a socket read waits up to 15 s for the close, far beyond the deadline, so
a slow machine cannot make these tests fail. The log throttle is tested with a fake clock.
"""
from __future__ import annotations

import logging
import os
import socket
import time

import httpx
import pytest

from ui.connections import LogThrottle, configure_from_env

CAP = 24
PATIENCE = 15.0  # seconds a test waits for the server to close a connection (the deadline is 1 s)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def limited(real_system, data_dir, launch_server, tmp_path_factory) -> tuple[str, object]:
    """A server over the session's index (built by ``real_system``) with tight limits."""
    port = free_port()
    log = tmp_path_factory.mktemp("limited") / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_QA_")}
    env.update(REPORT_QA_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1",
               REPORT_QA_HEADER_TIMEOUT="1", REPORT_QA_BODY_TIMEOUT="1", REPORT_QA_MAX_CONNECTIONS=str(CAP))
    with launch_server(["serve", "--port", str(port), "--query-backend", "torch"], env, log, port):
        yield f"127.0.0.1:{port}", log


def connect(address: str) -> socket.socket:
    host, port = address.split(":")
    s = socket.create_connection((host, int(port)), timeout=PATIENCE)
    return s


def closed_by_server(s: socket.socket) -> bool:
    """True when the server closes ``s`` (EOF or reset) within :data:`PATIENCE` seconds."""
    try:
        while True:
            if not s.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


@pytest.mark.slow
def test_idle_half_header_and_half_body_connections_are_closed(limited):
    address, log = limited
    idle = connect(address)
    half_header = connect(address)
    half_header.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    half_body = connect(address)
    half_body.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100\r\n\r\n{\"question\": ")
    started = time.monotonic()
    for s in (idle, half_header, half_body):
        with s:
            assert closed_by_server(s)
    assert time.monotonic() - started < PATIENCE
    assert httpx.get(f"http://{address}/api/health", timeout=30).status_code == 200  # still serving


@pytest.mark.slow
def test_a_trickled_header_does_not_extend_the_deadline(limited):
    address, _ = limited
    with connect(address) as s:
        s.sendall(b"GET /api/health HTTP/1.1\r\n")
        for _ in range(3):  # 3 s of one header byte every half second: past the 1 s deadline
            time.sleep(0.5)
            try:
                s.sendall(b"X")
            except OSError:
                break
        assert closed_by_server(s)


@pytest.mark.slow
def test_connections_beyond_the_cap_are_closed_and_service_resumes(limited):
    address, _ = limited
    socks = [connect(address) for _ in range(CAP + 20)]
    try:
        time.sleep(0.5)
        for s in socks:
            s.settimeout(0.2)
        closed_at_once = 0
        for s in socks:
            try:
                closed_at_once += s.recv(1) == b""
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed_at_once += 1
        assert closed_at_once >= 20 - 2  # everything past the cap (a couple may still be in flight)
    finally:
        for s in socks:
            s.close()
    deadline = time.monotonic() + PATIENCE
    while True:  # the idle ones time out; then a normal request gets through
        try:
            r = httpx.post(f"http://{address}/api/ask", json={"question": "去年GDP多少？"}, timeout=30)
            break
        except httpx.HTTPError:
            assert time.monotonic() < deadline
            time.sleep(0.5)
    assert r.status_code == 200 and "1650亿元" in r.json()["answer"]


@pytest.mark.slow
def test_a_normal_keep_alive_client_is_not_cut_off(limited):
    address, _ = limited
    with httpx.Client(base_url=f"http://{address}", timeout=30) as c:
        for _ in range(3):
            assert c.post("/api/ask", json={"question": "去年GDP多少？"}).status_code == 200
            time.sleep(1.5)  # longer than the header deadline, shorter than keep-alive (5 s)


def test_log_throttle_lets_one_message_through_per_period():
    now = [0.0]
    throttle = LogThrottle(every=10, clock=lambda: now[0])
    log = logging.Logger("throttled-test")
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())
    log.addHandler(handler)
    log.addFilter(throttle)
    for i in range(1000):
        log.error("socket.accept() out of system resource (%d)", i)
    log.error("another message")
    now[0] = 11.0
    log.error("socket.accept() out of system resource (%d)", 1000)
    assert len(seen) == 3
    assert seen[0].endswith("(0)") and seen[1] == "another message"
    assert "999 more like this" in seen[2]


def test_bad_limits_are_refused():
    with pytest.raises(ValueError, match="REPORT_QA_HEADER_TIMEOUT"):
        configure_from_env({"REPORT_QA_HEADER_TIMEOUT": "soon"})
    with pytest.raises(ValueError, match="REPORT_QA_MAX_CONNECTIONS"):
        configure_from_env({"REPORT_QA_MAX_CONNECTIONS": "0"})


@pytest.mark.slow
def test_a_flood_of_bad_requests_logs_one_line_per_period(limited):
    address, log = limited
    seen = len(log.read_bytes())
    time.sleep(10.5)  # a new throttling period (10 s): earlier lines do not count
    started = time.monotonic()
    for _ in range(60):
        with connect(address) as s:
            s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            closed_by_server(s)
    periods = 1 + int((time.monotonic() - started) // 10) + 1  # one line per started 10 s period
    assert httpx.get(f"http://{address}/api/health", timeout=30).status_code == 200
    text = log.read_bytes()[seen:].decode("utf-8", errors="replace")
    assert 1 <= text.count("Invalid HTTP request received") <= periods < 60, text[-2000:]
