"""Small API contract points of issue 13: UTF-8 bodies only, JSON media types, HEAD on health."""
from __future__ import annotations

import json

import httpx
import pytest

from ui.api import _utf8_json, is_json_media_type

pytestmark = pytest.mark.slow
BODY = {"question": "去年GDP多少？"}


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_bodies_are_400(client, encoding):
    raw = json.dumps(BODY, ensure_ascii=False).encode(encoding)
    r = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400 and "UTF-8" in r.json()["error"], r.text


def test_utf8_bodies_still_answer(client):
    for raw in (json.dumps(BODY, ensure_ascii=False).encode("utf-8"), json.dumps(BODY).encode("ascii")):
        r = client.post("/api/ask", content=raw, headers={"content-type": "application/json; charset=utf-8"})
        assert r.status_code == 200 and "1650亿元" in r.json()["answer"]


@pytest.mark.parametrize("content_type", ["text/json", "text/plain", "application/x-www-form-urlencoded", ""])
def test_bodies_that_are_not_application_json_are_415(client, content_type):
    r = client.post("/api/ask", content=json.dumps(BODY).encode(), headers={"content-type": content_type})
    assert r.status_code == 415 and set(r.json()) == {"error"}, r.text


def test_head_on_health(client):
    r = client.head("/api/health")
    assert r.status_code == 200 and r.text == ""


def test_media_types_and_encodings_without_a_server():
    assert is_json_media_type("application/json") and is_json_media_type("Application/JSON; charset=utf-8")
    assert is_json_media_type("application/problem+json") and not is_json_media_type("text/json")
    assert _utf8_json(b'{"q') and _utf8_json(b"\xef\xbb\xbf{") and not _utf8_json('{"'.encode("utf-16"))
