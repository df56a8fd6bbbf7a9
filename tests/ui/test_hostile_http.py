"""The HTTP service under hostile use: fuzzed requests, leaks, file access, rate limits, markup in documents.

* schemathesis drives ``/api`` from the server's own OpenAPI schema (≥ 2,000 requests, valid and
  invalid): no 5xx, every response as documented.
* hypothesis posts random question text (control characters, bidi marks, lone surrogates …):
  a well-formed answer or a 4xx ``{"error": ...}``.
* Error responses and headers name no server, framework, version, path or stack; Gradio serves
  no file from disk; the server listens on 127.0.0.1 unless told otherwise.
* A second server (its own data dir, a document full of HTML, ``REPORT_QA_RATE_LIMIT``) checks
  the per-client limit and, in Chromium, that markup from a document shows as text and runs nothing.
"""
from __future__ import annotations

import collections
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ui.ratelimit import Rate, RateLimit, TokenBuckets, is_limited, parse_rate

ROOT = Path(__file__).resolve().parents[2]
GDP = "去年GDP多少？"
LEAKS = ("Traceback", "File \"", "site-packages", "uvicorn", "starlette", "fastapi", "python", str(ROOT))


def assert_no_leak(r: httpx.Response, *also: str) -> None:
    """No server/framework header; an error body names no stack, path, framework or version."""
    assert "server" not in r.headers and "x-powered-by" not in r.headers, dict(r.headers)
    if r.status_code >= 400:
        for secret in (*LEAKS, *also):
            assert secret.lower() not in r.text.lower(), (r.request.url, secret, r.text[:300])


# --- schemathesis over the OpenAPI schema ---------------------------------------------------

@pytest.mark.slow
def test_schemathesis_finds_no_server_error(server):
    """≥ 2,000 generated requests (positive and negative) in batches of 8 on 4 connections."""
    try:
        import schemathesis
    except ImportError:  # part of the [test] extra
        if os.environ.get("CI"):
            pytest.fail("schemathesis is not installed (pip install -e '.[test]')")
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    from schemathesis import GenerationMode, checks
    from schemathesis.config import SchemathesisConfig

    config = SchemathesisConfig.from_dict({"checks": {
        # 413 (body over 64 KiB) is as good a refusal as 400/422
        "negative_data_rejection": {"expected-statuses": [400, 404, 405, 413, 415, 422]}}})
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json", config=config)
    cases = st.one_of([schema.as_strategy(generation_mode=mode) for mode in GenerationMode])
    codes: collections.Counter = collections.Counter()
    failures: list[str] = []
    started = time.monotonic()

    def send(case) -> None:
        r = case.call(base_url=server.url, timeout=60)
        codes[r.status_code] += 1
        try:
            # schema-valid but refused is fine: a question of spaces, an unknown doc (checked past the schema)
            case.validate_response(r, excluded_checks=[checks.positive_data_acceptance])
        except BaseException as exc:  # schemathesis raises a FailureGroup (an exception group)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            failures.append(f"{r.status_code} {str(exc)[:400]}\n{case.as_curl_command()[:400]}")

    pool = concurrent.futures.ThreadPoolExecutor(4)

    @settings(max_examples=260, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.lists(cases, min_size=8, max_size=8))
    def run(batch) -> None:
        list(pool.map(send, batch))

    try:
        run()
    finally:
        pool.shutdown()
    took = time.monotonic() - started
    assert sum(codes.values()) >= 2000, codes
    assert not [c for c in codes if c >= 500], (codes, failures[:3])
    assert not failures, f"{len(failures)} failures, e.g.\n" + "\n\n".join(failures[:3])
    assert took < 120, f"{took:.0f} s for {sum(codes.values())} requests"
    assert httpx.get(server.url + "/api/health").status_code == 200


# --- hypothesis over the question text ------------------------------------------------------

WEIRD = ("\u0000\u0007\u001b\u007f\u0085\u200b\u200e\u200f\u202e\u2066\u2069\ufeff\u3000\u2028"
         "\ud800\udfff\U0001f600\u0301\ufffd<>&\"'\\{}[]%;")
texts = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=120),  # lone surrogates too
    st.text(alphabet=st.sampled_from(WEIRD), max_size=40),
    st.lists(st.sampled_from(["去年", "GDP", "多少", "？", "增长", "2025年", "<b>", "\u202e", "\x00", "\ud800"]),
             max_size=12).map("".join),
    st.builds(lambda s, n: s * n, st.sampled_from(["问", "\u200b", "😀", "a"]), st.integers(400, 600)))


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.mark.slow
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(question=texts, top_k=st.integers(1, 20))
def test_any_question_text_over_http(client, question, top_k):
    # ensure_ascii: lone surrogates travel as \ud800 escapes, as a hostile client would send them
    body = json.dumps({"question": question, "top_k": top_k}, ensure_ascii=True)
    r = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200 or 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    data = r.json()
    if r.status_code != 200:
        assert set(data) == {"error"} and isinstance(data["error"], str) and data["error"].strip()
        return
    assert isinstance(data["answer"], str) and data["answer"].strip() and isinstance(data["declined"], bool)
    ranks = [c["rank"] for c in data["citations"]]
    shown = [k for k in ranks if k <= top_k]
    assert shown == list(range(1, len(shown) + 1)) and set(data["cited"]) <= set(ranks)
    for c in data["citations"]:
        assert 0 <= c["start"] < c["end"] and c["text"]


# --- what error responses and headers give away ---------------------------------------------

@pytest.mark.slow
def test_errors_name_no_server_version_path_or_stack(client, server):
    """Our 4xx, Gradio's 4xx and 500s, pages: no ``server``/``x-powered-by`` header, no details in error bodies."""
    requests = [("GET", "/api/nothing", {}), ("GET", "/api/ask", {}), ("POST", "/api/ask", {"json": {"question": ""}}),
                ("POST", "/api/ask", {"content": b"{", "headers": {"content-type": "application/json"}}),
                ("POST", "/api/ask", {"json": {"question": "a" * 70_000}}),
                ("POST", "/api/ask", {"content": b"x", "headers": {"content-type": "text/plain"}}),
                ("POST", "/api/ask", {"json": {"question": GDP, "doc": "../../etc/passwd"}}),
                ("GET", "/nothing-here", {}), ("GET", "/docs-assets/../../etc/passwd", {}),
                ("POST", "/gradio_api/queue/join", {"json": {"data": [], "fn_index": 999, "session_hash": "x"}}),
                ("POST", "/gradio_api/run/predict", {"json": {"data": [1, 2]}}),
                ("GET", "/api/health", {}), ("GET", "/", {}), ("GET", "/openapi.json", {})]
    for method, path, kw in requests:
        with httpx.Client(base_url=server.url, timeout=60) as fresh:  # Gradio's 500s close the connection
            r = fresh.request(method, path, **kw)
        assert_no_leak(r, str(server.data_dir))
        if path.startswith("/api/") and r.status_code >= 400:
            assert set(r.json()) == {"error"}, (path, r.text)
    assert client.get("/api/health").status_code == 200


FILES = ["/file=/etc/passwd", "/gradio_api/file=/etc/passwd", "/gradio_api/file=%2Fetc%2Fpasswd",
         "/gradio_api/file=../../../../../../etc/passwd", "/gradio_api/file=/proc/self/environ",
         "/file=..%2F..%2F..%2Fetc%2Fpasswd", "/static/../../../../etc/passwd", "/assets/..%2F..%2F..%2Fetc%2Fpasswd",
         "/gradio_api/file={data}/indexes/default/manifest.json", "/file={data}/indexes/default/manifest.json",
         "/gradio_api/file={report}", "/gradio_api/file={root}/pyproject.toml", "/gradio_api/proxy=http://127.0.0.1/",
         "/examples/../pyproject.toml", "/examples/%2e%2e/pyproject.toml"]


@pytest.mark.slow
@pytest.mark.parametrize("template", FILES)
def test_gradio_serves_no_file_from_disk(server, template):
    from embeddings.loaders import bundled_report_path

    path = template.format(data=server.data_dir, report=bundled_report_path(), root=ROOT)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.get(path)  # httpx normalises ../ in paths; send raw bytes too
        raw = _raw_get(server.url, path)
    for status, body in ((r.status_code, r.text), raw):
        assert status in (400, 403, 404), (path, status, body[:200])
        assert "root:x:0:0" not in body and '"format_version"' not in body and "[project]" not in body
        assert "HOME=" not in body and "2024年工作回顾" not in body


def _raw_get(url: str, path: str) -> tuple[int, str]:
    """GET ``path`` exactly as written (no client-side normalisation of ``..``)."""
    host, port = url.split("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", errors="replace")


@pytest.mark.slow
def test_uploads_are_refused(client):
    r = client.post("/gradio_api/upload", files={"files": ("note.html", b"<script>alert(1)</script>", "text/html")})
    assert r.status_code in (403, 404, 405), (r.status_code, r.text)


# --- rate limit (in process) ----------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_parse_rate():
    assert parse_rate("60/minute") == Rate(60, 60) and str(parse_rate("60/minutes")) == "60/minute"
    assert parse_rate(" 5 / s") == Rate(5, 1) and parse_rate("100/hour") == Rate(100, 3600)
    assert parse_rate(None) is parse_rate("") is parse_rate("off") is None
    for bad in ("60", "fast", "0/minute", "-1/minute", "60/fortnight", "1.5/second", "3/ms"):
        with pytest.raises(ValueError, match="REPORT_QA_RATE_LIMIT.*e.g. 60/minute"):
            parse_rate(bad)


def test_token_bucket_bursts_then_refills():
    clock = Clock()
    buckets = TokenBuckets(Rate(3, 60), clock=clock)  # a token every 20 s
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(20.0) and buckets.take("b") == 0.0  # per client
    clock.now += 10
    assert buckets.take("a") == pytest.approx(10.0)  # refused requests do not spend tokens
    clock.now += 10
    assert buckets.take("a") == 0.0 and buckets.take("a") > 0
    clock.now += 3600
    assert [buckets.take("a") for _ in range(4)][:3] == [0.0, 0.0, 0.0]  # never more than the burst


def test_token_buckets_are_bounded():
    clock = Clock()
    buckets = TokenBuckets(Rate(1, 60), max_clients=100, clock=clock)
    buckets.take("first")
    for i in range(1000):
        buckets.take(f"10.0.{i // 256}.{i % 256}")
    assert len(buckets) == 100
    assert buckets.take("first") == 0.0  # forgotten (the least recently seen go first)


@pytest.mark.parametrize("method, path, limited", [
    ("POST", "/api/ask", True), ("GET", "/api/ask", True), ("GET", "/api/nothing", True), ("OPTIONS", "/api/ask", False),
    ("GET", "/api/health", False), ("POST", "/gradio_api/queue/join", True), ("POST", "/gradio_api/run/predict", True),
    ("GET", "/gradio_api/queue/data", False), ("GET", "/", False), ("GET", "/assets/index.js", False),
    ("GET", "/config", False), ("GET", "/docs", False)])
def test_what_counts_against_the_limit(method, path, limited):
    assert is_limited(method, path) is limited


def test_middleware_answers_429_with_retry_after_and_never_logs_the_client(caplog):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    clock = Clock()
    app = FastAPI()
    app.add_middleware(RateLimit, rate=Rate(2, 60), clock=clock)

    @app.post("/api/ask")
    def ask() -> dict:
        return {"answer": "ok"}

    @app.get("/api/health")
    def health() -> dict:
        return {"status": "ok"}

    with TestClient(app, client=("203.0.113.7", 5000)) as c:
        assert [c.post("/api/ask").status_code for _ in range(2)] == [200, 200]
        r = c.post("/api/ask")
        assert r.status_code == 429 and r.headers["retry-after"] == "30"
        assert r.json() == {"error": "too many requests: the limit is 2/minute; try again in 30 s"}
        assert all(c.get("/api/health").status_code == 200 for _ in range(5))
        clock.now += 30
        assert c.post("/api/ask").status_code == 200
    assert "203.0.113.7" not in caplog.text


# --- a second server: rate limit on, a document full of markup ------------------------------

XSS_IMG = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=2</script>"
XSS_SVG = '<svg onload="window.__xss=3"></svg>'
XSS_REPORT = f"""某市2025年政府工作报告

一、安全测试

网页注入测试：正文中的{XSS_IMG}图片标签应当显示为文字。

脚本注入测试：正文中的{XSS_SCRIPT}脚本标签应当显示为文字，{XSS_SVG}也一样。
"""
RATE = "20/minute"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def guarded(real_encoder, data_dir, tmp_path_factory, launch_server):
    """``report-qa serve --corpus xss-report.txt`` with REPORT_QA_RATE_LIMIT and no ``--host``."""
    tmp = tmp_path_factory.mktemp("guarded")
    report = tmp / "xss-report.txt"
    report.write_text(XSS_REPORT, encoding="utf-8")
    data = tmp / "data"
    data.mkdir()
    (data / "models").symlink_to(Path(data_dir) / "models", target_is_directory=True)  # converted once per session
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_QA_")}
    env.update(REPORT_QA_DATA_DIR=str(data), REPORT_QA_RATE_LIMIT=RATE, REPORT_QA_PORT=str(port),
               REPORT_QA_CORS_ORIGINS="http://allowed.example", HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    log = tmp / "serve.log"
    with launch_server(["serve", "--corpus", str(report)], env, log, port) as proc:
        yield {"url": f"http://127.0.0.1:{port}", "port": port, "log": log, "data": data, "pid": proc.pid}


@pytest.mark.slow
def test_listens_on_loopback_only_by_default(guarded):
    """Started without --host: the listening socket is 127.0.0.1, not 0.0.0.0 or ::."""
    port = f"{guarded['port']:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if local.endswith(":" + port) and state == "0A":
                    listening.append(local)
    assert listening == ["0100007F:" + port], listening


@pytest.mark.slow
def test_rate_limit_per_client_with_retry_after(guarded):
    limit = parse_rate(RATE).requests
    with httpx.Client(base_url=guarded["url"], timeout=30) as c:
        def ask(client_ip: str, **headers) -> httpx.Response:
            # uvicorn takes the client address from X-Forwarded-For sent by a proxy on 127.0.0.1
            return c.post("/api/ask", json={"question": ""}, headers={"X-Forwarded-For": client_ip, **headers})

        codes = [ask("198.51.100.7").status_code for _ in range(limit + 5)]
        assert codes[:limit] == [422] * limit, codes  # the burst (each refusal is cheap: no model)
        assert codes[limit:].count(429) >= 4, codes  # then about one per 3 s
        r = ask("198.51.100.7", Origin="http://allowed.example")
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        assert r.json()["error"].startswith(f"too many requests: the limit is {RATE}")
        assert r.headers.get("access-control-allow-origin") == "http://allowed.example"  # the portal sees it
        r = c.post("/gradio_api/queue/join", json={}, headers={"X-Forwarded-For": "198.51.100.7"})
        assert r.status_code == 429  # the chat is limited too
        assert ask("198.51.100.8").status_code == 422  # another client is not affected
        assert c.get("/api/health", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 200
        assert c.get("/", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 200
    text = guarded["log"].read_text(errors="replace")
    assert "198.51.100" not in text and "Traceback" not in text
    for path in guarded["data"].rglob("*"):
        if path.is_file() and not path.is_symlink() and "models" not in path.parts:
            assert b"198.51.100" not in path.read_bytes(), path


@pytest.mark.slow
def test_bad_rate_limit_setting_fails_fast(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORT_QA_")}
    env.update(REPORT_QA_DATA_DIR=str(tmp_path), REPORT_QA_RATE_LIMIT="lots")
    r = subprocess.run([sys.executable, "-m", "ui.cli", "serve", "--port", str(_free_port())], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "REPORT_QA_RATE_LIMIT='lots'" in r.stderr and "Traceback" not in r.stderr
    assert "loading the model" not in r.stderr


CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.mark.slow
@pytest.mark.browser
def test_markup_in_a_document_shows_as_text_in_the_chat(guarded, tmp_path):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is not installed (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.set_default_timeout(30_000)
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(guarded["url"] + "/")
            page.locator("#rqa-question textarea").fill("网页注入测试和脚本注入测试是什么？")
            page.locator("#rqa-send").click()
            page.locator("#rqa-chat .rqa-answer").first.wait_for()
            page.locator("#rqa-sources .rqa-source").first.wait_for()
            page.wait_for_timeout(500)  # let any injected handler fire
            answer = page.locator("#rqa-chat .rqa-answer").first.inner_text()
            page.locator("#rqa-sources details").evaluate_all("ds => ds.forEach(d => d.open = true)")  # 更多相关段落
            sources = page.locator("#rqa-sources").inner_text()
            assert XSS_IMG in answer or XSS_SCRIPT in answer, answer
            for markup in (XSS_IMG, XSS_SCRIPT, XSS_SVG):
                assert markup in sources, (markup, sources)  # shown, character for character
            page.locator("#rqa-chat").get_by_text("来源：引用").first.click()  # open the collapsible sources message
            page.locator("#rqa-chat mark").first.wait_for()
            page.locator("#rqa-chat details").evaluate_all("ds => ds.forEach(d => d.open = true)")
            chat = page.locator("#rqa-chat").inner_text()
            assert XSS_SCRIPT in chat and XSS_SVG in chat and XSS_IMG in chat, chat
            assert page.evaluate("typeof window.__xss") == "undefined"
            injected = "#rqa-chat img[onerror], #rqa-sources img, #rqa-chat svg[onload], #rqa-sources svg[onload], " \
                       "#rqa-chat script, #rqa-sources script, img[src='x']"
            assert page.locator(injected).count() == 0
            assert dialogs == []
            page.screenshot(path=str(tmp_path / "xss-document.png"), full_page=True)
        finally:
            browser.close()
