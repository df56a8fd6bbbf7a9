"""``report-qa eval``: run a question set through ``ask`` and print (and optionally write) metrics."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from qa.evaluate import load_dataset, predict, score
from ui.config import Settings


def print_metrics(metrics: dict, mode: str) -> None:
    cols = ("recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "answer_contains",
            "median_answer_chars", "decline", "false_decline")
    print(f"\n== mode: {mode}")
    print(f"{'type':<14}{'n':>4} " + " ".join(f"{c:>10}" for c in ("r@1", "r@3", "r@5", "r@10", "mrr", "ans", "med_len", "decl", "f_decl")))
    rows = [("overall", metrics["overall"])] + list(metrics["by_type"].items())
    for name, m in rows:
        cells = []
        for c in cols:
            v = m.get(c)
            cells.append(f"{'-':>10}" if v is None else f"{v:>10.3f}" if isinstance(v, float) else f"{v:>10}")
        print(f"{name:<14}{m['questions']:>4} " + " ".join(cells))


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from ui.runtime import build_system
    rows = load_dataset(args.dataset)
    system = build_system(settings)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    all_metrics = {}
    for mode in modes:
        preds = predict(lambda q: system.qa.ask(q, top_k=10, mode=mode), rows, progress=True)
        metrics = score(rows, {p["id"]: p for p in preds})
        all_metrics[mode] = metrics
        print_metrics(metrics, mode)
        if args.predictions and mode == modes[0]:
            with open(args.predictions, "w", encoding="utf-8") as f:
                for p in preds:
                    f.write(json.dumps({k: p[k] for k in ("id", "passages", "answer", "declined")}, ensure_ascii=False) + "\n")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps(all_metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
