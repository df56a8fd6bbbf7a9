"""The JSON API, the docs and the Gradio endpoint over real HTTP against ``report-qa serve``."""
from __future__ import annotations

import concurrent.futures

import httpx
import pytest

pytestmark = pytest.mark.slow

GDP = "去年GDP多少？"
ALLOWED_ORIGIN = "http://allowed.example"  # the server fixture opens CORS to this origin


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def ask(client: httpx.Client, **body) -> httpx.Response:
    return client.post("/api/ask", json=body)


def assert_healthy(client: httpx.Client) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["passages"] > 100 and body["documents"] == 1
    assert body["model"] and body["document_ids"] == ["liyang-2025-government-work-report.txt"]


def test_documents_lists_each_report_profile(client):
    docs = client.get("/api/documents").json()["documents"]
    assert len(docs) == 1
    d = docs[0]
    assert (d["place"], d["level"], d["year"], d["reviewed_year"]) == ("溧阳市", "city", 2025, 2024)
    assert d["date"] == "2025-01-04" and d["speaker"] == "市长 周永强" and d["glossary_terms"] == 17
    assert [o["role"] for o in d["outline"]][:2] == ["review", "plan"]
    assert client.post("/api/documents").status_code == 405


def test_ask_answers_with_citation(client):
    r = ask(client, question=GDP)
    assert r.status_code == 200
    body = r.json()
    assert "1650亿元" in body["answer"] and not body["declined"]
    assert "[1]" in body["answer"] and body["cited"]
    assert set(body) >= {"answer", "declined", "citations", "cited", "took_ms"}
    cited = [c for c in body["citations"] if c["rank"] in body["cited"]]
    assert cited and cited[0]["section"].startswith("一、2024年工作回顾")
    c = cited[0]
    assert "1650亿元" in c["text"] and 0 <= c["start"] < c["end"] and c["source"].endswith(".txt")
    assert len(body["citations"]) == 5 and body["took_ms"] > 0


def test_a_cited_passage_comes_with_its_neighbours_sentences(client):
    # sentence-window citations: retrieval reads the passage, the reader also sees the sentences around it
    from embeddings.loaders import bundled_report_path
    body = ask(client, question="常机电溧阳校区迎来了多少学子？").json()
    assert "4000多名学子" in body["answer"]
    c = next(c for c in body["citations"] if "4000多名学子" in c["text"])
    before = "启用新建学校3所，新增学位1620个、托位660个。"
    assert c["before_chars"] == len(before) and c["text"].startswith(before + "常机电溧阳校区")
    after = c["text"][len(c["text"]) - c["after_chars"]:]
    assert 0 < c["after_chars"] <= 60 and after.endswith(("。", "，", "；", "：")), after
    original = bundled_report_path().read_text(encoding="utf-8")
    shown = "".join(original[c["start"]:c["end"]].split())  # the original spaces its figures (3 所)
    assert shown.startswith(before) and shown.endswith(c["text"][-20:])
    assert all(x["before_chars"] + x["after_chars"] < len(x["text"]) for x in body["citations"])


def test_top_k_limits_passages(client):
    body = ask(client, question=GDP, top_k=2).json()
    assert len([c for c in body["citations"] if c["rank"] <= 2]) == 2


def test_declines_what_the_report_does_not_say(client):
    body = ask(client, question="溧阳的房价多少？").json()
    assert body["declined"] is True and body["cited"] == []


def test_follow_up_uses_history(client):
    first = ask(client, question=GDP).json()
    history = [{"role": "user", "content": GDP}, {"role": "assistant", "content": first["answer"]}]
    body = ask(client, question="那今年的目标呢？", history=history).json()
    assert not body["declined"]
    assert "6%左右" in body["answer"] and "地区生产总值" in body["answer"]


def test_doc_and_year_filters(client):
    body = ask(client, question=GDP, doc="liyang-2025-government-work-report.txt", year=2025).json()
    assert "1650亿元" in body["answer"]


HOSTILE = {
    "empty question": {"json": {"question": ""}},
    "whitespace question": {"json": {"question": " \n\t　"}},
    "control characters only": {"json": {"question": "\u0000\u0007"}},
    "question over 500 chars": {"json": {"question": "问" * 501}},
    "question not a string": {"json": {"question": 42}},
    "question null": {"json": {"question": None}},
    "question missing": {"json": {"top_k": 3}},
    "top_k as string": {"json": {"question": GDP, "top_k": "5"}},
    "top_k zero": {"json": {"question": GDP, "top_k": 0}},
    "top_k 21": {"json": {"question": GDP, "top_k": 21}},
    "top_k float": {"json": {"question": GDP, "top_k": 2.5}},
    "history not a list": {"json": {"question": GDP, "history": "去年GDP多少？"}},
    "history bad role": {"json": {"question": GDP, "history": [{"role": "system", "content": "x"}]}},
    "history too long": {"json": {"question": GDP, "history": [{"role": "user", "content": "x"}] * 41}},
    "year as string": {"json": {"question": GDP, "year": "2025"}},
    "unknown doc": {"json": {"question": GDP, "doc": "../../etc/passwd"}},
    "unknown field": {"json": {"question": GDP, "topk": 3}},
    "malformed JSON": {"content": b'{"question": "GDP"', "headers": {"content-type": "application/json"}},
    "invalid UTF-8": {"content": b'{"question": "\xff\xfe\xfa"}', "headers": {"content-type": "application/json"}},
    "body is a list": {"json": [GDP]},
    "body is a string": {"json": GDP},
    "body is null": {"content": b"null", "headers": {"content-type": "application/json"}},
    "empty body": {"content": b"", "headers": {"content-type": "application/json"}},
    "deeply nested JSON": {"content": b"[" * 20000 + b"]" * 20000, "headers": {"content-type": "application/json"}},
    "not JSON content type": {"content": b'{"question": "GDP"}', "headers": {"content-type": "text/plain"}},
    "body over 64 KiB": {"json": {"question": "a" * 70_000}},
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_bad_requests_get_a_4xx_json_error(client, case):
    r = client.post("/api/ask", **HOSTILE[case])
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in r.text
    assert_healthy(client)


def test_error_messages_say_what_is_wrong(client):
    assert ask(client, question="  ").json()["error"] == "question is empty"
    assert "500" in ask(client, question="问" * 501).json()["error"]
    assert "top_k" in ask(client, question=GDP, top_k=99).json()["error"]
    assert "unknown doc" in ask(client, question=GDP, doc="nope").json()["error"]
    assert client.post("/api/ask", json={"question": "a" * 70_000}).status_code == 413
    assert client.post("/api/ask", content=b"{", headers={"content-type": "application/json"}).status_code == 400


def test_chunked_oversized_body_is_refused(client):
    def chunks():
        for _ in range(20):
            yield b"x" * 8192
    r = client.post("/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "64 KiB" in r.json()["error"]
    assert_healthy(client)


def test_wrong_method_and_unknown_endpoint(client):
    r = client.get("/api/ask")
    assert r.status_code == 405 and "POST" in r.json()["error"]
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and "error" in r.json()


def test_cors_only_for_configured_origins(client):
    r = client.post("/api/ask", json={"question": GDP}, headers={"Origin": ALLOWED_ORIGIN})
    assert r.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    r = client.post("/api/ask", json={"question": GDP}, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    r = client.options("/api/ask", headers={"Origin": ALLOWED_ORIGIN, **preflight})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    r = client.options("/api/ask", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in r.headers
    r = client.post("/api/ask", json={"question": ""}, headers={"Origin": ALLOWED_ORIGIN})
    assert r.status_code == 422 and r.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    r = client.post("/api/ask", content=b"x" * 70_000, headers={"Origin": ALLOWED_ORIGIN,
                                                                 "content-type": "application/json"})
    assert r.status_code == 413 and r.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    # the Gradio app follows the same policy (no permissive default of its own)
    r = client.get("/config", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_openapi_documents_the_contract(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/api/ask", "/api/health", "/api/documents"}
    ask_op = spec["paths"]["/api/ask"]["post"]
    assert {"200", "400", "413", "422"} <= set(ask_op["responses"])
    props = spec["components"]["schemas"]["AskRequest"]["properties"]
    assert {"question", "top_k", "history", "doc", "year"} == set(props)
    assert props["top_k"]["maximum"] == 20 and props["question"]["maxLength"] == 500
    assert all(p.get("description") for p in props.values())
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_docs_assets_are_local_when_bundled(client):
    pytest.importorskip("swagger_ui_bundle")
    html = client.get("/docs").text
    assert "cdn." not in html and "/docs-assets/swagger-ui-bundle.js" in html
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_chat_page_web_component_and_portal_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    js = client.get("/gradio.js")
    assert js.status_code == 200 and "assets/index-" in js.text
    asset = js.text.split('"./', 1)[1].split('"', 1)[0]
    assert client.get("/" + asset).status_code == 200  # Gradio's web component, served locally
    portal = client.get("/examples/portal.html")
    assert portal.status_code == 200 and "/api/ask" in portal.text


def test_concurrent_requests_all_succeed(client, server):
    questions = [GDP, "新增城镇就业多少人？", "溧阳的房价多少？", "2025年地区生产总值增长目标是多少？"] * 8

    def one(q: str) -> int:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            return c.post("/api/ask", json={"question": q}).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(one, questions))
    assert codes == [200] * len(questions)
    assert_healthy(client)


def test_unexpected_errors_are_500_without_details():
    """In process: an exception inside ``ask`` becomes a bare 500 and the app keeps working."""
    from types import SimpleNamespace

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ui.api import create_router, install_error_handlers

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail /etc/passwd")

    system = SimpleNamespace(index=SimpleNamespace(passages=[1, 2], documents={}, model_id="m"),
                             qa=SimpleNamespace(ask=broken))
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(create_router(system), prefix="/api")
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/ask", json={"question": GDP})
        assert r.status_code == 500 and r.json() == {"error": "internal error"}
        assert "secret" not in r.text
        assert c.get("/api/health").json()["passages"] == 2


def test_batching_encoder_shares_forward_passes(fake_encoder):
    """Concurrent queries come back right (each its own vector) in fewer forward passes."""
    import threading
    import time

    import numpy as np

    from ui.batching import BatchingEncoder

    class Slow:
        def __init__(self, inner):
            self.inner, self.model_id = inner, inner.model_id

        def encode_queries(self, texts):
            time.sleep(0.02)
            if "boom" in texts:
                raise ValueError("boom")
            return self.inner.encode_queries(texts)

    enc = BatchingEncoder(Slow(fake_encoder))
    texts = [f"问题{i}" for i in range(32)]
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        out = list(pool.map(lambda t: enc.encode_queries([t]), texts))
    assert all(np.allclose(o[0], fake_encoder.encode_queries([t])[0]) for o, t in zip(out, texts))
    assert enc.batches < len(texts) and enc.model_id == "fake-bigram-64"
    errors = []
    threads = [threading.Thread(target=lambda t=t: errors.append(_catch(enc.encode_queries, [t])))
               for t in ("boom", "ok")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "boom" in errors  # a failing batch fails its waiters with the error, nobody hangs
    assert enc.encode_queries(["again"]).shape == (1, 64)


def _catch(fn, *args):
    try:
        fn(*args)
    except ValueError as exc:
        return str(exc)
    return None


def test_gradio_client_calls_the_chat(server):
    from gradio_client import Client

    c = Client(server.url + "/", verbose=False)
    box, chat, panel = c.predict(GDP, [], "", api_name="/ask")
    assert box == ""
    answer = chat[1]["content"][0]["text"]
    assert "1650亿元" in answer and "[1]" in answer
    assert "<mark>" in panel and "一、2024年工作回顾" in panel
    box, chat, panel = c.predict("那今年的目标呢？", chat, "", api_name="/ask")
    assert "6%左右" in chat[-2]["content"][0]["text"]

