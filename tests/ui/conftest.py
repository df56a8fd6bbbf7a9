"""A real ``report-qa serve`` subprocess for the HTTP, gradio_client and browser tests.

It runs on 127.0.0.1 with a free port and the session's data directory (tests/conftest.py
``data_dir``), so the model is converted and the report indexed once per session. CORS is opened
to ``http://allowed.example`` (for the CORS tests) and to the origin of a small static server that
serves ``examples/`` (for the portal test, which embeds the chat from another origin).
"""
from __future__ import annotations

import contextlib
import functools
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_ORIGIN = "http://allowed.example"  # also named in test_api.py
STARTUP_TIMEOUT = 300.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path
    data_dir: Path
    home: Path | None = None  # the server's HOME: empty at start, and nothing may appear in it

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


def _serve_command() -> list[str]:
    exe = Path(sys.executable).with_name("report-qa")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.cli"]


@pytest.fixture(scope="session")
def portal_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def portal_origin(portal_port) -> str:
    return f"http://127.0.0.1:{portal_port}"


@contextlib.contextmanager
def running_server(args: list[str], env: dict, log: Path, port: int) -> Iterator[subprocess.Popen]:
    """``report-qa ARGS`` as a subprocess, yielded once /api/health answers 200, terminated after."""
    import httpx

    with open(log, "wb") as out:
        proc = subprocess.Popen([*_serve_command(), *args], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    tail = lambda: log.read_text(encoding="utf-8", errors="replace")[-3000:]  # noqa: E731
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"report-qa serve exited with {proc.returncode}:\n{tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"report-qa serve not healthy after {STARTUP_TIMEOUT:.0f} s:\n{tail()}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def launch_server():
    """The :func:`running_server` context manager, for tests that need a server of their own."""
    return running_server


@pytest.fixture(scope="session")
def server(data_dir, portal_origin, tmp_path_factory) -> Server:
    """``report-qa serve`` as a subprocess; healthy when yielded, terminated at the end."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "serve.log"
    home = tmp_path_factory.mktemp("home")  # empty: whatever a dependency writes there shows (test_privacy)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("REPORT_QA_", "XDG_", "ORT_")) and k not in ("TMPDIR", "HOME")}
    env.update(REPORT_QA_DATA_DIR=str(data_dir), REPORT_QA_CORS_ORIGINS=f"{ALLOWED_ORIGIN},{portal_origin}",
               HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1", HOME=str(home),
               REPORT_QA_QUESTION_LOG="on")
    with running_server(["serve", "--host", "127.0.0.1", "--port", str(port)], env, log, port) as proc:
        yield Server(f"http://127.0.0.1:{port}", proc, log, Path(data_dir), home)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="session")
def portal_server(portal_port) -> str:
    """``examples/`` served by a static file server on another origin; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(ROOT / "examples"))
    httpd = ThreadingHTTPServer(("127.0.0.1", portal_port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{portal_port}"
    httpd.shutdown()
    httpd.server_close()
