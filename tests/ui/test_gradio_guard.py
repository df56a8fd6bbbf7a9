"""The Gradio chat route is no weaker than the JSON API (issue 13), on the real ``report-qa serve``.

Malformed calls get a 4xx ``{"error": ...}`` and no traceback in the server's log; history limits
hold on every call route; every upload-like route is refused; no page publishes Gradio's exact
version; and a well-formed call through each route, gradio_client included, still answers.
"""
from __future__ import annotations

import json

import gradio
import httpx
import pytest

pytestmark = pytest.mark.slow

GDP = "去年GDP多少？"


def msg(role: str, text: str) -> dict:
    return {"role": role, "content": [{"type": "text", "text": text}]}


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def fn_index(client, api_name: str) -> int:
    config = client.get("/config").json()
    return next(d["id"] for d in config["dependencies"] if d.get("api_name") == api_name)


def post(client, path: str, body) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    return client.post(path, content=raw, headers={"content-type": "application/json"})


MALFORMED = {
    "run/ask with 3 values": ("/gradio_api/run/ask", {"data": [GDP, [], ""]}),
    "run/ask with 5 values": ("/gradio_api/run/ask", {"data": [GDP, [], {}, "", 1]}),
    "unknown dropdown value": ("/gradio_api/run/ask", {"data": [GDP, [], {}, "../../etc/passwd"]}),
    "fn_index 999 on run/ask": ("/gradio_api/run/ask", {"data": [GDP, [], {}, ""], "fn_index": 999}),
    "fn_index of another handler": ("/gradio_api/run/ask", {"data": [{}], "fn_index": 0}),
    "fn_index 999 on queue/join": ("/gradio_api/queue/join", {"data": [GDP, [], None, ""], "fn_index": 999,
                                                              "session_hash": "s1"}),
    "fn_index a string": ("/gradio_api/queue/join", {"data": [], "fn_index": "1", "session_hash": "s1"}),
    "call/v2 with {}": ("/gradio_api/call/v2/ask", {}),
    "call/v2 with an unknown parameter": ("/gradio_api/call/v2/ask", {"message": GDP, "chat": [], "x": 1}),
    "unknown api name": ("/gradio_api/run/nothing", {"data": []}),
    "data not a list": ("/gradio_api/run/ask", {"data": {"a": 1}}),
    "body not an object": ("/gradio_api/run/ask", [1, 2]),
    "body not JSON": ("/gradio_api/run/ask", b"{nope"),
    "question not a string": ("/gradio_api/run/ask", {"data": [{"x": 1}, [], {}, ""]}),
    "chat not a list": ("/gradio_api/run/ask", {"data": [GDP, "chat", {}, ""]}),
    "message content a string": ("/gradio_api/run/ask", {"data": [GDP, [{"role": "user", "content": "x"}], {}, ""]}),
    "state a list": ("/gradio_api/run/ask", {"data": [GDP, [], [1, 2], ""]}),
    "batched": ("/gradio_api/run/ask", {"data": [[GDP], [[]], [{}], [""]], "batched": True}),
    "300,000-character earlier message": ("/gradio_api/run/ask",
                                          {"data": ["那今年的目标呢？", [msg("user", "问" * 300_000)], {}, ""]}),
    "4,001-character earlier question": ("/gradio_api/call/ask",
                                         {"data": ["那今年的目标呢？", [msg("user", "问" * 4001), msg("assistant", "答")], ""]}),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_gradio_calls_get_a_4xx_without_a_traceback(client, server, case):
    path, body = MALFORMED[case]
    before = server.log_tail(10**7).count("Traceback")
    r = post(client, path, body)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert isinstance(r.json().get("error"), str) and "Traceback" not in r.text
    assert server.log_tail(10**7).count("Traceback") == before, server.log_tail()


def test_a_like_with_malformed_event_data_gets_a_4xx(client, server):
    like = next(d["id"] for d in client.get("/config").json()["dependencies"]
                if any(t[1] == "like" for t in d.get("targets", [])))
    r = post(client, "/gradio_api/queue/join", {"data": [None], "fn_index": like, "session_hash": "s2",
                                                "event_data": {"liked": "x" * 40}})
    assert r.status_code == 422, r.text


@pytest.mark.parametrize("path", ["/gradio_api/process_recording", "/gradio_api/upload", "/gradio_api/stream/abc",
                                  "/gradio_api/component_server", "/gradio_api/vibe-edit", "/gradio_api/reset"])
def test_every_upload_like_route_is_refused(client, path):
    r = client.post(path, files={"files": ("note.html", b"<script>alert(1)</script>", "text/html")})
    assert r.status_code == 404, (path, r.status_code, r.text[:200])
    assert "<script>" not in r.text


def test_no_page_publishes_gradios_version(client):
    for path in ("/", "/config", "/gradio_api/openapi.json", "/gradio_api/info"):
        r = client.get(path)
        assert gradio.__version__ not in r.text, path
    assert client.get("/config").json()["version"] == gradio.__version__.split(".")[0]


def test_well_formed_calls_still_answer_on_every_route(client):
    r = post(client, "/gradio_api/run/ask", {"data": [GDP, [], {}, ""]})
    assert r.status_code == 200 and "1650亿元" in json.dumps(r.json()["data"][1], ensure_ascii=False)
    history = [msg("user", GDP), msg("assistant", "全年地区生产总值突破1650亿元[1]")]
    for path, data in (("/gradio_api/call/ask", ["那今年的目标呢？", history, ""]),
                       ("/gradio_api/call/ask", ["那今年的目标呢？", history, None, ""])):
        r = post(client, path, {"data": data})
        assert r.status_code == 200, r.text
        events = client.get(f"{path}/{r.json()['event_id']}").text
        assert "event: complete" in events and "6%" in events, events[-500:]
    r = post(client, "/gradio_api/call/v2/ask", {"message": GDP, "chat": []})
    assert r.status_code == 200 and r.json()["event_id"]


def test_gradio_client_still_works(server):
    from gradio_client import Client

    c = Client(server.url + "/", verbose=False)
    _, chat, _ = c.predict(GDP, [], "", api_name="/ask")
    assert "1650亿元" in json.dumps(chat, ensure_ascii=False)
    _, chat, _ = c.predict("那今年的目标呢？", chat, "", api_name="/ask")
    assert "6%" in json.dumps(chat[-2:], ensure_ascii=False)


def test_gradios_own_errors_carry_an_error_key(client):
    r = client.post("/gradio_api/queue/join", json={"data": [], "fn_index": 0})  # no session_hash
    assert r.status_code == 400 and isinstance(r.json()["error"], str)
    r = client.get("/gradio_api/file=/etc/passwd")  # Gradio answers this itself
    assert r.status_code == 403 and "root:" not in r.text
    assert r.json()["error"] == r.json()["detail"] and isinstance(r.json()["error"], str)
    r = client.get("/gradio_api/upload_progress")  # FastAPI's validation error inside Gradio
    assert r.status_code == 422 and r.json()["error"] == "query.upload_id: Field required"
