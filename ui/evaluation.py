"""``report-qa eval``: run a question set through every chosen mode in one run, print and write metrics.

Modes are the system's retrieval modes (``hybrid``, ``dense``, ``bm25``: each question goes
through ``ReportQA.ask(..., mode=...)``, the same path as ``ask`` and the API) and the
baselines of :mod:`qa.baselines` (``paragraph-bm25``). The first mode is the main one: its
predictions are the ones ``--predictions`` writes and its misses the ones the report lists.
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import time
from pathlib import Path
from typing import Callable

from qa.baselines import BASELINES, PARAGRAPH_BM25, ParagraphBM25
from qa.evaluate import load_dataset, predict, score
from qa.retrieve import MODES
from ui.config import Settings

DEFAULT_MODES = ("hybrid", "dense", "bm25", PARAGRAPH_BM25)
"""The system's mode first (the figures the README quotes), then each leg alone and the baseline."""
PREDICTION_KEYS = ("id", "passages", "answer", "declined")


def print_metrics(metrics: dict, mode: str) -> None:
    cols = ("recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "answer_contains",
            "median_answer_chars", "decline", "false_decline", "latency_p50_ms")
    print(f"\n== mode: {mode}")
    print(f"{'type':<14}{'n':>4} " + " ".join(f"{c:>10}" for c in ("r@1", "r@3", "r@5", "r@10", "mrr", "ans",
                                                                     "med_len", "decl", "f_decl", "p50_ms")))
    rows = [("overall", metrics["overall"])] + list(metrics["by_type"].items())
    for name, m in rows:
        cells = []
        for c in cols:
            v = m.get(c)
            cells.append(f"{'-':>10}" if v is None else f"{v:>10.3f}" if isinstance(v, float) else f"{v:>10}")
        print(f"{name:<14}{m['questions']:>4} " + " ".join(cells))


def parse_modes(text: str | None) -> list[str]:
    """The comma-separated modes, checked; ``None``/empty means :data:`DEFAULT_MODES`."""
    modes = [m.strip() for m in (text or "").split(",") if m.strip()] or list(DEFAULT_MODES)
    known = MODES + BASELINES
    unknown = [m for m in modes if m not in known]
    if unknown:
        raise ValueError(f"unknown mode {unknown[0]!r} in --modes; expected some of {', '.join(known)}")
    return list(dict.fromkeys(modes))


def asker(system, mode: str, settings: Settings) -> Callable[[str], object]:
    """The ``ask`` function of one mode: the real pipeline, or a baseline over the same documents."""
    if mode in MODES:
        system.qa.clear_cache()  # each mode pays for its own query encoding, as a new question would
        return lambda q: system.qa.ask(q, top_k=10, mode=mode)
    if mode == PARAGRAPH_BM25:
        from ui.runtime import corpus_paths, load_documents
        docs, _ = load_documents(corpus_paths(settings), lambda msg: None)
        baseline = ParagraphBM25((d.source, d.text) for d in docs)
        return lambda q: baseline.ask(q, top_k=10)
    raise ValueError(f"unknown mode {mode!r}")


def write_predictions(path: str | Path, predictions: list[dict]) -> None:
    """One prediction per line in the shared predictions format."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for p in predictions:
            f.write(json.dumps({k: p[k] for k in PREDICTION_KEYS}, ensure_ascii=False) + "\n")


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the dataset, run it through each mode, print the tables, write the outputs asked for."""
    from ui.runtime import build_system
    rows = load_dataset(args.dataset)
    modes = parse_modes(getattr(args, "modes", None))
    started = time.perf_counter()
    system = build_system(settings)
    all_metrics: dict[str, dict] = {}
    all_predictions: dict[str, dict[str, dict]] = {}
    for mode in modes:
        preds = predict(asker(system, mode, system.settings), rows, progress=f"{mode:>14}")
        all_predictions[mode] = {p["id"]: p for p in preds}
        all_metrics[mode] = score(rows, all_predictions[mode])
        print_metrics(all_metrics[mode], mode)
        if args.predictions and mode == modes[0]:
            write_predictions(args.predictions, preds)
    if args.out:
        from ui.eval_report import write_report
        run = {"dataset": str(Path(args.dataset).resolve()), "questions": len(rows), "modes": modes,
               "main_mode": modes[0], "model": system.index.model_id, "passages": len(system.index.passages),
               "documents": len(system.index.documents), "python": platform.python_version(),
               "machine": platform.platform(),
               "finished": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
               "seconds": round(time.perf_counter() - started, 1)}
        written = write_report(args.out, run, all_metrics, rows, all_predictions)
        print(f"\nwrote {', '.join(p.name for p in written)} to {Path(args.out)}")
    return 0
