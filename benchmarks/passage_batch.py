"""Passages per second of the real model by encoding batch size, against the old default (32).

    .venv/bin/python benchmarks/passage_batch.py [REPORT ...]

Each report's passages (as the indexer cuts them) are encoded at each batch size, the sizes in a
rotating order over ``--rounds`` rounds so warm-up and drift hit every size alike. Prints a
Markdown table and writes ``benchmarks/passage_batch.json``. On the 2-core development machine a
batch of 16 encodes 1.2–1.4x faster than 32 (smaller matrices stay in cache; sentence-transformers
sorts by length, so padding is no cost either way); this is why ``encode_passages`` defaults to 16.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from embeddings.chunking import DEFAULT_MAX_CHARS  # noqa: E402
from embeddings.indexer import analyse  # noqa: E402
from embeddings.loaders import load_document  # noqa: E402
from embeddings.model import Encoder  # noqa: E402
from embeddings.model import default_data_dir  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", nargs="*", type=Path)
    ap.add_argument("--sizes", default="32,16,8")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    reports = args.reports or [SHARED / "liyang-2025-government-work-report.txt",
                               SHARED / "reports" / "zhejiang-2026.txt"]
    texts = [p.index_text for r in reports for p in analyse(load_document(r), DEFAULT_MAX_CHARS)[0]]
    sizes = [int(s) for s in args.sizes.split(",")]
    enc = Encoder(None, default_data_dir())
    enc.warm_up()
    enc.encode_passages(texts[:64], batch_size=sizes[0])  # kernels compiled before any timing
    times: dict[int, list[float]] = {s: [] for s in sizes}
    for r in range(args.rounds):
        for s in sizes[r % len(sizes):] + sizes[:r % len(sizes)]:
            t = time.perf_counter()
            enc.encode_passages(texts, batch_size=s)
            times[s].append(time.perf_counter() - t)
    base = statistics.median(times[sizes[0]])
    rows = [{"batch_size": s, "median_s": round(statistics.median(times[s]), 2),
             "passages_per_s": round(len(texts) / statistics.median(times[s]), 1),
             "speed_vs_first": round(base / statistics.median(times[s]), 2)} for s in sizes]
    print(f"{len(texts)} passages from {len(reports)} report(s), precision {enc.precision}, {args.rounds} rounds\n")
    print("| batch size | median s | passages/s | speed vs " + str(sizes[0]) + " |\n|---|---|---|---|")
    for row in rows:
        print(f"| {row['batch_size']} | {row['median_s']} | {row['passages_per_s']} | {row['speed_vs_first']}x |")
    shown = [str(r.resolve().relative_to(ROOT.parent)) if r.resolve().is_relative_to(ROOT.parent) else str(r)
             for r in reports]
    out = {"passages": len(texts), "reports": shown, "precision": enc.precision, "rows": rows}
    (ROOT / "benchmarks" / "passage_batch.json").write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
