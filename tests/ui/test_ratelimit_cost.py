"""The rate limit weighs requests by what they cost (issue 13), in process with a fake clock."""
from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ui.ratelimit import Rate, RateLimit, TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def app_with(clock: Clock, work: dict) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RateLimit, rate=Rate(10, 60), clock=clock, cost_unit=0.25)

    @app.post("/api/ask")
    def ask() -> dict:
        clock.now += work["seconds"]  # the request takes this long to answer
        return {"answer": "ok"}

    return app


def test_cheap_requests_spend_one_token_each():
    clock, work = Clock(), {"seconds": 0.02}
    with TestClient(app_with(clock, work), client=("203.0.113.1", 1)) as c:
        assert [c.post("/api/ask").status_code for _ in range(11)] == [200] * 10 + [429]


def test_costly_requests_spend_more_and_the_client_waits_longer():
    clock, work = Clock(), {"seconds": 1.0}  # 4 cost units: 1 token + 3 more
    with TestClient(app_with(clock, work), client=("203.0.113.2", 1)) as c:
        codes = [c.post("/api/ask").status_code for _ in range(6)]
        assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
    with TestClient(app_with(clock, {"seconds": 0.02}), client=("203.0.113.3", 1)) as other:
        assert other.post("/api/ask").status_code == 200  # another client is not affected


def test_charge_is_bounded_below():
    clock = Clock()
    buckets = TokenBuckets(Rate(4, 60), clock=clock)  # a token every 15 s
    buckets.take("a")
    buckets.charge("a", 1000)
    assert buckets.take("a") == pytest.approx(75.0)  # from -4 back to 1 token: 5 x 15 s, not 1000 x 15 s
