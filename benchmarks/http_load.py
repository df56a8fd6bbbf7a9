"""HTTP load test of ``POST /api/ask``: N concurrent clients, latency percentiles, throughput, errors.

    python benchmarks/http_load.py                      # starts `report-qa serve` on a free port
    python benchmarks/http_load.py --url http://127.0.0.1:7860 --clients 16 --requests 800
    python benchmarks/http_load.py --unique             # every question new (no query-embedding cache hits)

Without ``--url`` a server subprocess is started (REPORT_QA_DATA_DIR is honoured, so a warm cache
is reused) and stopped at the end. Prints one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

QUESTIONS = ["去年GDP多少？", "2025年地区生产总值增长目标是多少？", "新增城镇就业多少人？", "什么是“2+2+X”产业体系？",
             "溧阳的房价多少？", "一般公共预算收入增长目标是多少？", "研发经费支出占GDP比重是多少？",
             "今年要办哪些民生实事？", "进出口总值是多少？", "城乡居民收入比是多少？", "社会消费品零售总额增长多少？",
             "新增省级三站三中心多少家？"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(extra_args: list[str], timeout: float = 300.0):
    """``report-qa serve`` on a free port; yields its base URL."""
    port = free_port()
    exe = Path(sys.executable).with_name("report-qa")
    cmd = [str(exe) if exe.exists() else "report-qa", "serve", "--port", str(port), *extra_args]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise RuntimeError("server did not become healthy")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def run(url: str, clients: int, requests: int, unique: bool, rate: float | None = None, warmup: int = 20) -> dict:
    """Send ``requests`` asks from ``clients`` threads; latency in ms per request.

    Closed loop by default (each client sends its next request when the last one is answered: the
    maximum throughput). With ``rate``, request *i* is due at ``i / rate`` seconds (open loop) and its
    latency counts from when it was due, so falling behind shows up as latency.
    """
    with httpx.Client(base_url=url, timeout=30) as c:  # warm caches and connections
        for q in QUESTIONS[:warmup]:
            c.post("/api/ask", json={"question": q})
    latencies: list[float] = []
    server_ms: list[float] = []  # took_ms reported by the server: time inside ReportQA.ask
    errors: list[str] = []
    counter = iter(range(requests))
    run_id = f"{time.time_ns() % 1_000_000:06d}"  # new questions on every run
    lock = threading.Lock()

    # clients and their connections are set up before the clock starts (creating an httpx.Client
    # loads CA certificates: tens of ms each, which would otherwise count as latency)
    sessions = [httpx.Client(base_url=url, timeout=30) for _ in range(clients)]
    for c in sessions:
        c.get("/api/health")
    started = 0.0
    go = threading.Barrier(clients + 1)

    def worker(c: httpx.Client) -> None:
        go.wait()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            q = QUESTIONS[i % len(QUESTIONS)]
            if unique:
                q = f"{q}（{run_id}-{i}）"
            t = time.perf_counter()
            if rate:
                due = started + i / rate
                if due > t:
                    time.sleep(due - t)
                t = due
            try:
                r = c.post("/api/ask", json={"question": q, "top_k": 5})
                ok = r.status_code == 200 and "answer" in r.json()
                if ok:
                    with lock:
                        server_ms.append(r.json()["took_ms"])
            except httpx.HTTPError as exc:
                ok, r = False, exc
            ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(ms)
                if not ok:
                    errors.append(str(getattr(r, "status_code", r)))

    threads = [threading.Thread(target=worker, args=(c,)) for c in sessions]
    for t in threads:
        t.start()
    started = time.perf_counter()
    go.wait()
    for t in threads:
        t.join()
    for c in sessions:
        c.close()
    wall = time.perf_counter() - started
    latencies.sort()
    server_ms.sort()

    def pct(p: float, values: list[float] = latencies) -> float:
        return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 1) if values else 0.0

    return {"clients": clients, "requests": len(latencies), "unique_questions": unique, "offered_rps": rate,
            "errors": len(errors), "error_samples": errors[:5], "wall_s": round(wall, 2),
            "throughput_rps": round(len(latencies) / wall, 1), "p50_ms": pct(50), "p95_ms": pct(95),
            "p99_ms": pct(99), "max_ms": round(latencies[-1], 1), "mean_ms": round(statistics.mean(latencies), 1),
            "ask_p50_ms": pct(50, server_ms), "ask_p95_ms": pct(95, server_ms),
            "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=480)
    ap.add_argument("--unique", action="store_true", help="make every question distinct")
    ap.add_argument("--rate", type=float, help="offered load in requests/s (open loop); default: as fast as possible")
    ap.add_argument("serve_args", nargs="*", help="extra arguments for `report-qa serve` (after --)")
    args = ap.parse_args(argv)
    if args.url:
        result = run(args.url, args.clients, args.requests, args.unique, args.rate)
    else:
        with server(args.serve_args) as url:
            result = run(url, args.clients, args.requests, args.unique, args.rate)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
