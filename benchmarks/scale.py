"""A province's portal on one machine: hybrid search and /api/ask at 3.7k to 1M passages.

    .venv/bin/python benchmarks/scale.py                       # everything (about 20 minutes on 2 busy cores)
    .venv/bin/python benchmarks/scale.py --sizes 3700,20000 --skip startup,encoding,ann
    REPORT_QA_DATA_DIR=/tmp/rqa .venv/bin/python benchmarks/scale.py --milvus-sizes 3700,20000,150000

Passages are synthetic but made of the real reports' sentences (../shared/corpus/reports/ and the
bundled report, segmented by jieba once), so BM25 sees real words with real frequencies; vectors
are random unit vectors (no structure: the worst case for approximate search), and every question
(the dev and extra sets' questions, so real words) gets a "planted" vector at cosine 0.6 to one
random passage, which exact search ranks first. Sections, each measured in this run:

- search: hybrid search without the encoder (``Retriever.search``: dense + BM25 + fusion), per
  size, for the in-process store (FAISS + qa/lexical.py) and the Milvus store (Milvus Lite), and
  the BM25 leg alone against ``rank_bm25`` (the baseline) on the same words;
- ask: the whole ``ask`` in process and ``POST /api/ask`` (the API's router under uvicorn, over
  loopback HTTP), with the real model encoding each question (ONNX Runtime, as ``serve`` does);
- ann: the dense leg at 1M: exact search against binary codes with exact re-ranking (FAISS
  ``IndexLSH`` + ``IndexRefineFlat``), planted recall and recall@10 against exact search;
- startup: a new process serving 150,000 passages (about 940 synthetic report files): time to ready
  and resident memory, first start (words segmented and cached) and second start (cached);
- encoding: passages per second of the real model in one process and in two, and what 150,000
  passages cost (estimated from the sample: nothing like 150k is encoded here).

Writes ``benchmarks/scale.json`` and prints Markdown tables (the figures in docs/scale.md).
"""
from __future__ import annotations

import argparse
import gc
import http.client
import json
import multiprocessing as mp
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import embeddings.model  # noqa: E402,F401 - thread settings before torch, as the app does
from embeddings.chunking import Passage  # noqa: E402
from embeddings.store import Index  # noqa: E402

SHARED = ROOT.parent / "shared"
DIM = 384
PLANTED_COSINE = 0.6
PER_DOC = 160  # passages per synthetic report, as the real ones average
TARGETS = {"search_p50_ms": 10.0, "ask_p50_ms": 40.0, "start_s": 15.0, "rss_gb": 3.0,
           "search_1m_p50_ms": 60.0, "recall_1m": 0.95}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 3) if values else float("nan")


def stats(ms: list[float]) -> dict:
    return {"p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "n": len(ms)}


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def machine() -> dict:
    import faiss
    import scipy
    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version(), "faiss": faiss.__version__, "scipy": scipy.__version__,
            "load_average_at_start": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


# --- corpus ----------------------------------------------------------------------------------------------

def report_files() -> list[Path]:
    files = sorted((SHARED / "corpus" / "reports").glob("*.txt"))
    bundled = SHARED / "corpus" / "liyang-2025-government-work-report.txt"
    return files + ([bundled] if bundled.exists() else [])


def real_sentences() -> tuple[list[tuple[str, str, tuple[str, ...]]], int]:
    """(sentence, section, jieba words) of every sentence of the real reports, and their passage count."""
    from embeddings.indexer import passages_of
    from embeddings.loaders import load_document
    from qa.text import tokenize
    out, passages = [], 0
    for f in report_files():
        for p in passages_of(load_document(f)):
            passages += 1
            for s in re.findall(r"[^。！？]+[。！？]?", p.text):
                if len(s) >= 8:
                    out.append((s, p.section, tuple(tokenize(s))))
    return out, passages


def synthetic(n: int, sentences: list, rng: np.random.Generator) -> tuple[list[Passage], dict, dict]:
    """``n`` passages of two or three real sentences each (median about 110 characters), in reports of
    :data:`PER_DOC` passages; their words (no jieba needed) and the reports' metadata."""
    passages, words, docs = [], {}, {}
    picks = rng.integers(0, len(sentences), size=(n, 3))
    for j in range(n):
        doc = f"synthetic-{j // PER_DOC:05d}.txt"
        if doc not in docs:
            year = 2020 + (j // PER_DOC) % 7
            docs[doc] = {"source": doc, "title": f"{year}年政府工作报告", "year": year}
        text, toks, section = "", [], sentences[picks[j, 0]][1]
        for n, i in enumerate(picks[j]):
            s, _, t = sentences[i]
            if n >= 2 and len(text) + len(s) > 120:  # two sentences at least: passages seldom repeat
                break
            text += s
            toks.extend(t)
        if text in words:  # a repeated pair: one more sentence makes it new (copies are ranked once anyway)
            s, _, t = sentences[int(rng.integers(len(sentences)))]
            text += s
            toks.extend(t)
        passages.append(Passage(doc_id=doc, text=text, section=section, start=0, end=len(text), index_text=text))
        words[text] = toks
    return passages, words, docs


def unit_rows(rng: np.random.Generator, n: int, chunk: int = 100_000) -> np.ndarray:
    out = np.empty((n, DIM), np.float32)
    for s in range(0, n, chunk):
        block = rng.standard_normal((min(chunk, n - s), DIM), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[s:s + len(block)] = block
    return out


def planted(rng: np.random.Generator, vectors: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    rows = rng.choice(len(vectors), size=count, replace=False)
    noise = rng.standard_normal((count, DIM), dtype=np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    q = vectors[rows] + np.sqrt(1 / PLANTED_COSINE**2 - 1) * noise
    return q / np.linalg.norm(q, axis=1, keepdims=True), rows


def questions() -> list[str]:
    out = []
    for path in [SHARED / "eval" / "dev.jsonl", *sorted((ROOT / "data" / "eval").glob("extra*.jsonl"))]:
        if path.exists():
            out += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(out))  # a question asked in two sets is one question (one planted vector)


class PlantedEncoder:
    """Query 'encoder' of the search section: each question's planted vector (no model)."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts])


# --- search ------------------------------------------------------------------------------------------------

def search_section(size: int, sentences: list, asked: list[str], stores: list[str], rng: np.random.Generator,
                   baseline_queries: int, milvus_queries: int) -> dict:
    from qa.lexical import BM25
    from qa.query import prepare
    from qa.retrieve import Retriever
    from qa.text import tokenize
    out: dict = {"passages": size}
    t = time.perf_counter()
    passages, words, docs = synthetic(size, sentences, rng)
    vectors = unit_rows(rng, size)
    queries = [prepare(q, 2025) for q in asked]
    qvecs, targets = planted(rng, vectors, len(queries))
    table = {}
    for q, v in zip(queries, qvecs):
        for part in [q.search_text] + [p + q.search_text[len(q.text):] for p in q.parts]:
            table[part] = v
    out["corpus_s"] = round(time.perf_counter() - t, 2)
    lookup = lambda text: words.get(text) or tokenize(text)  # noqa: E731 - passages' words are known
    # BM25 leg alone, and rank_bm25 (the baseline) on the same words
    token_lists = [tokenize(q.search_text) for q in queries]
    t = time.perf_counter()
    bm25 = BM25([words[p.index_text] or ["∅"] for p in passages])
    out["bm25_build_s"] = round(time.perf_counter() - t, 2)
    ms = []
    for toks in token_lists:
        t = time.perf_counter()
        bm25.top_k(toks, 50)
        ms.append((time.perf_counter() - t) * 1000)
    out["bm25_leg"] = stats(ms)
    if baseline_queries:
        from rank_bm25 import BM25Okapi
        ref = BM25Okapi([words[p.index_text] or ["∅"] for p in passages])
        ms, same = [], 0
        for toks in token_lists[:baseline_queries]:
            t = time.perf_counter()
            scores = ref.get_scores(toks)
            top = np.argsort(-scores)[:50]
            ms.append((time.perf_counter() - t) * 1000)
            want = [float(x) for x in scores[top] if x > 0]
            same += want == [s for _, s in bm25.top_k(toks, 50)]
        out["rank_bm25_leg"] = stats(ms)
        out["rank_bm25_same_top50_scores"] = f"{same}/{len(ms)}"
        del ref
    del bm25
    gc.collect()
    for store in stores:
        t = time.perf_counter()
        if store.startswith("faiss"):
            index = Index(passages=passages, vectors=vectors, model_id="synthetic", chunker_version="synthetic",
                          documents=docs, faiss_index=dense_index(vectors, store.partition("-")[2] or "flat"))
        else:
            index = milvus_index(passages, vectors, docs, words, size)
        built = time.perf_counter() - t
        retriever = Retriever(index, PlantedEncoder(table), tokenizer=lookup)
        t = time.perf_counter()
        retriever.warm_up()
        warm = time.perf_counter() - t
        ms, found = [], 0
        timed = len(queries) if store != "milvus" else milvus_queries
        for q, target in list(zip(queries, targets))[:timed]:
            t = time.perf_counter()
            retriever.search(q, k=10, mode="hybrid")
            ms.append((time.perf_counter() - t) * 1000)
            found += int(target) in [r for r, _ in index.search(table[q.search_text], 10)]
        found_share = found / timed
        row = {"store_build_s": round(built, 2), "warm_up_s": round(warm, 2), "hybrid_search": stats(ms),
               "dense_planted_recall@10": round(found_share, 4), "dense_index": type(getattr(index, "faiss_index", None) or index).__name__}
        out[store] = row
        log(f"search {size:,} {store}: p50 {row['hybrid_search']['p50_ms']} ms (build {built:.1f} s)")
        if store == "milvus":
            import shutil
            index.client.drop_collection(index.collection)
            index.close()
            shutil.rmtree(Path(index.target).parent, ignore_errors=True)
        del index, retriever
        gc.collect()
    out["rss_mb"] = round(rss_mb()[0])
    return out


def dense_index(vectors: np.ndarray, kind: str):
    """The product's FAISS index of that kind (embeddings/vector_index.py): ``flat`` (exact) or
    ``binary`` (binary codes, the best 500 x k re-ranked exactly; the automatic choice from 100,000)."""
    from embeddings import vector_index
    return vector_index.build(vectors, kind)


def milvus_index(passages: list[Passage], vectors: np.ndarray, docs: dict, words: dict, size: int):
    """The synthetic passages in a Milvus Lite collection, as ensure_milvus_index writes them."""
    from embeddings import milvus_store as ms
    path = Path(tempfile.mkdtemp(prefix="scale-milvus-")) / "bench.db"  # removed by search_section
    client = ms.connect(str(path))
    col, meta = ms.collection_names(f"bench{size}")
    schema, params = ms._schema(client, DIM, server=False)
    client.create_collection(col, schema=schema, index_params=params, consistency_level="Strong")
    schema, params = ms._meta_schema(client)
    client.create_collection(meta, schema=schema, index_params=params, consistency_level="Strong")
    rows, pks = [], []
    t = time.perf_counter()
    for i, (p, v) in enumerate(zip(passages, vectors)):
        row = ms._passage_row(p, p.doc_id, "v1", i, docs[p.doc_id]["year"], v, words[p.index_text] or ["∅"])
        pks.append(row["pk"])
        rows.append(row)
        if len(rows) == 2000:
            client.insert(col, rows)
            rows = []
    if rows:
        client.insert(col, rows)
    client.flush(col)  # sealed, indexed segments, as ensure_milvus_index leaves them
    log(f"milvus: {size:,} rows inserted and flushed in {time.perf_counter() - t:.1f} s")
    header = {"model_id": "synthetic", "dim": DIM, "chunker": "synthetic", "learned": []}
    client.upsert(meta, [{"doc_id": ms.INDEX_ROW, "info": json.dumps(header), "terms": "[]", "v": [0.0, 0.0]}])
    return ms.MilvusIndex(client=client, collection=col, passages=passages, pks=pks, model_id="synthetic",
                          chunker_version="synthetic", dim=DIM, documents=docs, target=str(path))


# --- ask: the real model encodes each question -----------------------------------------------------------------

def ask_section(size: int, sentences: list, asked: list[str], encoder, rng: np.random.Generator, http_n: int) -> list[dict]:
    """Whole answers over ``size`` passages: exact dense search, and from 100,000 passages also
    binary codes with exact re-ranking (the only kind measured at 1M: exact search there is slow)."""
    from qa.pipeline import ReportQA
    from qa.text import tokenize
    passages, words, docs = synthetic(size, sentences, rng)
    vectors = unit_rows(rng, size)
    kinds = ["binary"] if size >= 500_000 else ["flat", "binary"] if size >= 100_000 else ["flat"]
    rows = []
    for kind in kinds:
        index = Index(passages=passages, vectors=vectors, model_id=encoder.model_id,
                      chunker_version="synthetic", documents=docs, faiss_index=dense_index(vectors, kind))
        qa = ReportQA(index, encoder, tokenizer=lambda text: words.get(text) or tokenize(text))
        t = time.perf_counter()
        qa.warm_up()
        out: dict = {"passages": size, "dense_index": kind, "warm_up_s": round(time.perf_counter() - t, 2)}
        ms = []
        for q in asked:
            qa.clear_cache()
            t = time.perf_counter()
            qa.ask(q, top_k=5)
            ms.append((time.perf_counter() - t) * 1000)
        out["ask_in_process"] = stats(ms)
        out["api_ask_http"] = http_ask(index, encoder, qa, asked[:http_n]) if http_n else {}
        out["rss_mb"] = round(rss_mb()[0])
        log(f"ask {size:,} {kind}: in process p50 {out['ask_in_process']['p50_ms']} ms, "
            f"/api/ask p50 {out['api_ask_http'].get('p50_ms')} ms")
        rows.append(out)
        del index, qa
        gc.collect()
    return rows


def http_ask(index, encoder, qa, asked: list[str]) -> dict:
    """POST /api/ask through the API's own router under uvicorn on 127.0.0.1, one question at a time."""
    import socket

    import uvicorn
    from fastapi import FastAPI

    from ui.api import create_router, install_error_handlers
    from ui.config import Settings
    from ui.runtime import System
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(create_router(System(Settings(), encoder, index, qa, [])), prefix="/api")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    ms = []
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for q in asked:
            qa.clear_cache()
            body = json.dumps({"question": q, "top_k": 5}, ensure_ascii=False).encode("utf-8")
            t = time.perf_counter()
            conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            ms.append((time.perf_counter() - t) * 1000)
            if resp.status != 200:
                raise RuntimeError(f"/api/ask answered {resp.status}")
        conn.close()
    finally:
        server.should_exit = True
        thread.join(10)
    return stats(ms)


# --- ann: the dense leg at 1M -----------------------------------------------------------------------------------

def ann_section(sizes: list[int], encoder, rng: np.random.Generator) -> dict:
    """The dense leg on e5 vectors: the real reports' passages and the questions encoded by the real
    model, padded to ``size`` with e5-like distractors (two real passages mixed, plus noise, so they
    sit in the same narrow cone: mean cosine about 0.89); recall@10 of ``binary`` against exact."""
    from embeddings import vector_index
    from embeddings.indexer import passages_of
    from embeddings.loaders import load_document
    texts = [p.index_text for f in report_files() for p in passages_of(load_document(f))]
    t = time.perf_counter()
    real = encoder.encode_passages(texts, batch_size=32)
    out: dict = {"real_passages": len(texts), "encode_s": round(time.perf_counter() - t, 1)}
    queries = encoder.encode_queries(questions())
    out["mean_cosine_between_passages"] = round(float(np.mean(real[:500] @ real[500:1000].T)), 3)
    for size in sizes:
        extra = size - len(real)
        a, c = rng.integers(0, len(real), extra), rng.integers(0, len(real), extra)
        x = np.empty((size, DIM), np.float32)
        x[: len(real)] = real
        for s in range(0, extra, 100_000):
            e = min(extra, s + 100_000)
            block = real[a[s:e]] + real[c[s:e]] + 0.05 * rng.standard_normal((e - s, DIM), dtype=np.float32)
            x[len(real) + s: len(real) + e] = block / np.linalg.norm(block, axis=1, keepdims=True)
        row: dict = {}
        for kind in ("flat", "binary"):
            t = time.perf_counter()
            index = vector_index.build(x, kind)
            build = time.perf_counter() - t
            ms, found = [], []
            for q in queries:
                t = time.perf_counter()
                found.append(vector_index.search(index, q, 10)[1][0])
                ms.append((time.perf_counter() - t) * 1000)
            row[kind] = {**stats(ms), "build_s": round(build, 1), "ids": found}
            del index
            gc.collect()
        exact = row["flat"].pop("ids")
        got = row["binary"].pop("ids")
        row["binary"]["recall@10_vs_exact"] = round(float(np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact)])), 4)
        row["binary"]["top1_same"] = round(float(np.mean([g[0] == e[0] for g, e in zip(got, exact)])), 4)
        out[str(size)] = row
        log(f"ann {size:,} e5-like: {row}")
        del x
        gc.collect()
    return out


# --- start-up at 150k: a new process, real model, synthetic report files -----------------------------------------

START_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from ui.config import Settings
from ui.runtime import build_system, make_encoder
from qa.pipeline import ReportQA
settings = Settings.from_env()
t = time.perf_counter(); encoder = make_encoder(settings); model_s = time.perf_counter() - t
msgs = []
t = time.perf_counter(); system = build_system(settings, encoder=encoder, log=msgs.append); index_s = time.perf_counter() - t
ready = time.perf_counter() - t0
system.qa.ask("去年地区生产总值增长多少？")
t = time.perf_counter()
ReportQA(system.index, encoder, token_cache=settings.data_dir / "words" / f"{settings.index_name}.npz").warm_up()
qa_s = time.perf_counter() - t
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
print(json.dumps({"ready_s": round(ready, 2), "model_s": round(model_s, 2), "documents_index_and_qa_s": round(index_s, 2),
                  "of_which_qa_warm_up_s": round(qa_s, 2), "passages": len(system.index.passages),
                  "rss_mb": int(status["VmRSS"].split()[0]) // 1024, "peak_rss_mb": int(status["VmHWM"].split()[0]) // 1024,
                  "log": msgs[-2:]}, ensure_ascii=False))
"""


def write_reports(folder: Path, sentences: list, reports: int, rng: np.random.Generator) -> None:
    """Report files of real sentences under numbered parts, about PER_DOC passages each."""
    folder.mkdir(parents=True, exist_ok=True)
    for r in range(reports):
        year = 2020 + r % 7
        lines = [f"{year}年政府工作报告（第{r}号）", "", f"{year}年1月{1 + r % 28}日", ""]
        picks = iter(rng.integers(0, len(sentences), size=PER_DOC * 3))
        for part in ("一", "二", "三", "四"):
            lines += [f"{part}、第{part}部分工作", ""]
            for _ in range(PER_DOC // 5 + 1):  # about PER_DOC passages in all
                lines += ["".join(sentences[next(picks)][0] for _ in range(2)), ""]
        (folder / f"report-{r:04d}.txt").write_text("\n".join(lines), encoding="utf-8")


class RandomEncoder:
    """Passage vectors for the start-up section: random, under the real model's id (so the real
    server accepts the index); encoding 150k passages for real would take most of an hour."""

    dim = DIM

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.rng = np.random.default_rng(1)

    def encode_passages(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        return unit_rows(self.rng, len(texts))


def startup_section(passages: int, sentences: list, data_dir: Path, rng: np.random.Generator) -> dict:
    from embeddings.indexer import ensure_index
    from ui.config import Settings
    from ui.runtime import expand_paths, load_documents
    work = Path(tempfile.mkdtemp(prefix="scale-start-"))
    folder = work / "reports"
    write_reports(folder, sentences, max(1, passages // PER_DOC), rng)
    name = f"scale-{passages}"
    settings = Settings(data_dir=data_dir, index_name=name, corpus=[str(folder)])
    docs, _ = load_documents(expand_paths(settings.corpus), lambda m: None)
    t = time.perf_counter()
    index = ensure_index(docs, RandomEncoder(settings.model), settings.index_dir, log=lambda m: None)
    out: dict = {"reports": len(docs), "passages": len(index.passages), "index_build_s_random_vectors": round(time.perf_counter() - t, 1)}
    del index, docs
    gc.collect()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REPORT_QA_DATA_DIR": str(data_dir), "REPORT_QA_INDEX": name,
           "REPORT_QA_CORPUS": str(folder), "REPORT_QA_QUERY_BACKEND": "onnx"}
    try:
        for run in ("first start (words segmented, cache written)", "second start (all cached)"):
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", START_CHILD], env=env, cwd=str(ROOT), capture_output=True,
                                  text=True, timeout=1200)
            if done.returncode:
                raise RuntimeError(done.stderr[-1500:])
            row = json.loads(done.stdout.strip().splitlines()[-1])
            row["process_wall_s"] = round(time.perf_counter() - t, 1)
            out[run] = row
            log(f"startup {passages:,}: {run}: ready {row['ready_s']} s, RSS {row['rss_mb']} MB (peak {row['peak_rss_mb']})")
    finally:  # only what this section made: the report files, the index and its word cache
        import shutil
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(settings.index_dir, ignore_errors=True)
        (data_dir / "words" / f"{name}.npz").unlink(missing_ok=True)
    return out


# --- encoding throughput -------------------------------------------------------------------------------------------

def _encode_worker(args: tuple) -> float:
    data_dir, texts, threads = args
    import torch
    torch.set_num_threads(threads)
    from embeddings.model import Encoder
    enc = Encoder(None, data_dir, query_backend="torch")
    enc.warm_up()
    enc.encode_passages(texts[:8])
    t = time.perf_counter()
    enc.encode_passages(texts)
    return time.perf_counter() - t


def encoding_section(data_dir: Path, sentences: list, sample: int, target: int) -> dict:
    """Passages/s of one process using both cores, and of two one-thread processes side by side."""
    rng = np.random.default_rng(5)
    texts = [p.index_text for p in synthetic(sample * 2, sentences, rng)[0]]
    out: dict = {"sample": sample, "cores": os.cpu_count()}
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        secs = pool.map(_encode_worker, [(data_dir, texts[:sample], os.cpu_count() or 1)])[0]
    out["one_process_per_s"] = round(sample / secs, 1)
    with ctx.Pool(2) as pool:
        secs = pool.map(_encode_worker, [(data_dir, texts[:sample], 1), (data_dir, texts[sample:], 1)])
    out["two_processes_per_s"] = round(2 * sample / max(secs), 1)
    per_core = out["two_processes_per_s"] / 2
    out[f"estimate_{target}_minutes"] = {
        "1 process, 2 cores": round(target / out["one_process_per_s"] / 60, 1),
        "2 processes, 1 core each": round(target / out["two_processes_per_s"] / 60, 1),
        **{f"{n} cores (N processes, linear from the per-core rate)": round(target / (per_core * n) / 60, 1)
           for n in (8, 32)}}
    log(f"encoding: {out}")
    return out


# --- tables ------------------------------------------------------------------------------------------------------

def merge(parts: list[dict]) -> dict:
    """Results of several runs (e.g. the Milvus sizes apart from the rest) as one, sizes in order."""
    out: dict = {"machine": [p.get("machine") for p in parts]}
    for p in parts:
        for key, value in p.items():
            if key == "machine":
                continue
            if isinstance(value, list):
                out[key] = sorted(out.get(key, []) + value, key=lambda r: r.get("passages", 0))
            else:
                out.setdefault(key, value)
    return out


def render(results: dict) -> str:
    """Markdown tables of a result file."""
    lines = []

    def table(header: list[str], rows: list[list]) -> None:
        lines.extend(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)])
        lines.extend("| " + " | ".join(str(c) for c in row) + " |" for row in rows)
        lines.append("")

    def ms(d: dict | None) -> str:
        return f"{d['p50_ms']:.2f} / {d['p95_ms']:.2f}" if d and d.get("n") else "–"

    if results.get("search"):
        lines.append("Hybrid search without the encoder (p50 / p95 ms) and the BM25 leg alone:")
        table(["passages", "in-process hybrid, exact dense", "dense index", "planted recall@10", "in-process hybrid, binary dense",
               "Milvus Lite hybrid", "BM25 leg (qa/lexical.py)", "rank_bm25 (baseline)", "same top-50"],
              [[f"{r['passages']:,}", ms(r.get("faiss", {}).get("hybrid_search")), r.get("faiss", {}).get("dense_index", ""),
                r.get("faiss", {}).get("dense_planted_recall@10", ""),
                ms(r.get("faiss-binary", {}).get("hybrid_search")) + (f" (recall {r['faiss-binary']['dense_planted_recall@10']})" if "faiss-binary" in r else ""),
                ms(r.get("milvus", {}).get("hybrid_search")), ms(r.get("bm25_leg")), ms(r.get("rank_bm25_leg")),
                r.get("rank_bm25_same_top50_scores", "–")] for r in results["search"]])
    if results.get("ask"):
        lines.append("Whole answers, the real model encoding each new question (p50 / p95 ms):")
        table(["passages", "dense index", "ask in process", "POST /api/ask (HTTP)", "warm-up s", "RSS MB"],
              [[f"{r['passages']:,}", r.get("dense_index", ""), ms(r.get("ask_in_process")), ms(r.get("api_ask_http")),
                r.get("warm_up_s"), r.get("rss_mb")] for r in results["ask"]])
    if results.get("ann"):
        a = results["ann"]
        lines.append(f"Dense leg alone on e5 vectors ({a['real_passages']:,} real passages encoded, padded with e5-like "
                     f"vectors; mean cosine {a['mean_cosine_between_passages']}; the real questions; one query, one thread):")
        table(["vectors", "exact p50 / p95 ms", "binary p50 / p95 ms", "binary recall@10 vs exact", "same top-1", "build exact / binary"],
              [[f"{int(k):,}", ms(v["flat"]), ms(v["binary"]), v["binary"]["recall@10_vs_exact"], v["binary"]["top1_same"],
                f"{v['flat']['build_s']} s / {v['binary']['build_s']} s"] for k, v in a.items() if k.isdigit()])
    if results.get("startup"):
        st = results["startup"]
        lines.append(f"Start-up serving {st['passages']:,} passages from {st['reports']} report files (new process, real model):")
        table(["run", "ready s", "model s", "documents, index, QA warm-up s", "of which QA warm-up s", "RSS MB", "peak RSS MB"],
              [[k, v["ready_s"], v.get("model_s", "–"), v.get("documents_index_and_qa_s", "–"),
                v.get("of_which_qa_warm_up_s", "–"), v["rss_mb"], v["peak_rss_mb"]] for k, v in st.items() if isinstance(v, dict)])
    if results.get("encoding"):
        e = results["encoding"]
        lines.append(f"Encoding passages with the real model (sample of {e['sample']}):")
        table(["setup", "passages/s", "150,000 passages"],
              [["1 process, all cores", e["one_process_per_s"], f"{e['estimate_150000_minutes']['1 process, 2 cores']} min"],
               ["2 processes, 1 core each", e["two_processes_per_s"],
                f"{e['estimate_150000_minutes']['2 processes, 1 core each']} min"]]
              + [[k, "", f"{v} min"] for k, v in e["estimate_150000_minutes"].items() if "N processes" in k])
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="3700,20000,150000,1000000")
    ap.add_argument("--milvus-sizes", default="3700,20000,150000")
    ap.add_argument("--ask-sizes", default="3700,20000,150000,1000000")
    ap.add_argument("--http", type=int, default=60, help="questions sent over HTTP per size")
    ap.add_argument("--milvus-queries", type=int, default=100, help="questions timed on the Milvus store")
    ap.add_argument("--baseline-queries", type=int, default=20, help="questions timed on rank_bm25 (slow)")
    ap.add_argument("--ann-sizes", default="150000,1000000", help="e5-like corpus sizes for the dense-leg recall")
    ap.add_argument("--start-passages", type=int, default=150_000)
    ap.add_argument("--encode-sample", type=int, default=96)
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: search, ask, ann, startup, encoding")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "scale.json"))
    ap.add_argument("--render", nargs="+", metavar="JSON", help="only print the tables of these result files (merged)")
    args = ap.parse_args(argv)
    if args.render:
        merged = merge([json.loads(Path(f).read_text(encoding="utf-8")) for f in args.render])
        if args.out and len(args.render) > 1:
            Path(args.out).write_text(json.dumps(merged, ensure_ascii=False, indent=1), encoding="utf-8")
        print(render(merged))
        return 0
    skip = set(filter(None, args.skip.split(",")))
    data_dir = Path(os.environ.get("REPORT_QA_DATA_DIR") or Path.home() / ".cache" / "report-qa")
    results: dict = {"machine": machine(), "targets": TARGETS}
    out_path = Path(args.out)

    def save() -> None:
        out_path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")

    t = time.perf_counter()
    sentences, real = real_sentences()
    results["corpus"] = {"reports": len(report_files()), "real_passages": real, "sentences": len(sentences),
                         "segment_s": round(time.perf_counter() - t, 1)}
    asked = questions()
    log(f"corpus: {results['corpus']}, {len(asked)} questions")
    rng = np.random.default_rng(0)
    if "search" not in skip:
        results["search"] = []
        milvus = {int(s) for s in args.milvus_sizes.split(",") if s}
        for size in [int(s) for s in args.sizes.split(",") if s]:
            stores = ["faiss"] + (["faiss-binary"] if size >= 100_000 else []) + (["milvus"] if size in milvus else [])
            results["search"].append(search_section(size, sentences, asked, stores, rng,
                                                    args.baseline_queries if size <= 200_000 else 0, args.milvus_queries))
            save()
    encoder = None
    if not {"ann", "ask"} <= skip:
        from ui.config import Settings
        from ui.runtime import make_encoder
        encoder = make_encoder(Settings(data_dir=data_dir, query_backend="onnx"))
    if "ann" not in skip:
        results["ann"] = ann_section([int(s) for s in args.ann_sizes.split(",") if s], encoder, rng)
        save()
    if "ask" not in skip:
        results["ask"] = []
        for size in [int(s) for s in args.ask_sizes.split(",") if s]:
            results["ask"].extend(ask_section(size, sentences, asked, encoder, rng, args.http))
            save()
            gc.collect()
        del encoder
    if "encoding" not in skip:
        results["encoding"] = encoding_section(data_dir, sentences, args.encode_sample, 150_000)
        save()
    if "startup" not in skip:
        results["startup"] = startup_section(args.start_passages, sentences, data_dir, rng)
        save()
    results["machine"]["load_average_at_end"] = os.getloadavg()
    save()
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
