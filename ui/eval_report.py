"""Write an evaluation run to a folder: ``metrics.json``, ``report.md`` and PNG plots.

The report puts every retrieval mode side by side (the system's modes and the baselines
measured in the same run), then lists where the modes disagree and the main mode's worst
misses with what was retrieved instead, so a regression can be read, not just counted.
"""
from __future__ import annotations

import json
from pathlib import Path

from qa.evaluate import KS, misses, outcome

PLOTS = {"recall": "recall_at_k.png", "by_type": "by_type.png", "latency": "latency.png"}
OVERALL_ROWS = [(f"recall@{k}", f"recall@{k}") for k in KS] + [
    ("MRR@10", "mrr@10"), ("answer-contains", "answer_contains"), ("median answer chars", "median_answer_chars"),
    ("decline (unanswerable)", "decline"), ("false decline (answerable)", "false_decline"),
    ("latency p50 ms", "latency_p50_ms"), ("latency p95 ms", "latency_p95_ms")]
TYPE_TABLES = (("MRR@10", "mrr@10"), ("recall@5", "recall@5"), ("answer-contains", "answer_contains"),
               ("decline", "decline"))
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
_MARKERS = ("o", "s", "^", "D", "v", "P")
_LINES = ("-", "--", "-.", ":", "-", "--")


def write_report(out: str | Path, run: dict, metrics: dict[str, dict], rows: list[dict],
                 predictions: dict[str, dict[str, dict]], worst: int = 10) -> list[Path]:
    """Write metrics.json, report.md and the plots into ``out``; returns the paths written.

    ``metrics`` and ``predictions`` are keyed by mode (first = main mode); predictions then by
    question id, in the shared predictions format plus ``took_ms``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "metrics.json", out / "report.md"] + [out / name for name in PLOTS.values()]
    paths[0].write_text(json.dumps({"run": run, "modes": metrics}, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
    plot_recall(metrics, out / PLOTS["recall"])
    plot_by_type(metrics, out / PLOTS["by_type"])
    plot_latency({m: [p["took_ms"] for p in preds.values() if p.get("took_ms") is not None]
                  for m, preds in predictions.items()}, out / PLOTS["latency"])
    paths[1].write_text(render_markdown(run, metrics, rows, predictions, worst), encoding="utf-8")
    return paths


def _fmt(value: object, key: str = "") -> str:
    if value is None:
        return "–"
    if key.startswith("latency") or key == "median_answer_chars":
        return f"{value:.1f}" if isinstance(value, float) else str(value)
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _cell(text: str, limit: int = 0) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text[:limit] + "…" if limit and len(text) > limit else text


def _table(header: list[str], body: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"] + \
        ["| " + " | ".join(r) + " |" for r in body]


def render_markdown(run: dict, metrics: dict[str, dict], rows: list[dict],
                    predictions: dict[str, dict[str, dict]], worst: int = 10) -> str:
    """The human-readable report of one evaluation run."""
    modes = list(metrics)
    main = modes[0]
    lines = [f"# Evaluation: {Path(str(run.get('dataset', ''))).name}", ""]
    lines += [f"- {k}: {_cell(v)}" for k, v in run.items() if not isinstance(v, (dict, list))]
    lines += ["", f"Main mode: **{main}**. Modes are run in the same process on the same questions; the "
              "system's modes go through `ReportQA.ask(question, top_k=10, mode=…)`, the baselines through "
              "their own `ask`. Latency is per question, warm, with the query-embedding cache cleared "
              "before each mode.", "", "## Overall", ""]
    lines += _table(["metric"] + modes, [[name] + [_fmt(metrics[m]["overall"].get(key), key) for m in modes]
                                         for name, key in OVERALL_ROWS])
    lines += ["", f"![recall@k per mode]({PLOTS['recall']})", ""]
    if len(modes) > 1:
        lines += [f"### {main} against the other modes", ""]
        body = []
        for m in modes[1:]:
            a, b = metrics[main]["overall"], metrics[m]["overall"]
            row = [m]
            for key in ("recall@1", "recall@5", "mrr@10", "answer_contains", "latency_p50_ms"):
                x, y = a.get(key), b.get(key)
                if x is None or y is None:
                    row.append("–")
                elif key.startswith("latency"):
                    row.append(f"{x / y:.1f}×" if y else "–")
                else:
                    row.append(f"{x - y:+.3f}")
            body.append(row)
        lines += _table(["vs mode", "Δ recall@1", "Δ recall@5", "Δ MRR@10", "Δ answer-contains",
                         "latency p50 ratio"], body)
        lines += ["", f"Δ = {main} minus the other mode (positive: {main} is better); the latency ratio is "
                  f"{main}'s p50 over the other's.", ""]
    lines += ["## By question type", ""]
    types = list(metrics[main]["by_type"])
    for name, key in TYPE_TABLES:
        if not any(metrics[m]["by_type"][t].get(key) is not None for m in modes for t in types):
            continue
        lines += [f"### {name}", ""]
        lines += _table(["type", "n"] + modes,
                        [[t, str(metrics[main]["by_type"][t]["questions"])]
                         + [_fmt(metrics[m]["by_type"][t].get(key), key) for m in modes]
                         for t in types if any(metrics[m]["by_type"][t].get(key) is not None for m in modes)])
        lines.append("")
    lines += [f"![per-type recall@5 and answer-contains per mode]({PLOTS['by_type']})", "",
              f"![latency per mode]({PLOTS['latency']})", ""]
    lines += _disagreements(rows, predictions)
    lines += [f"## Worst misses ({main})", ""]
    worst_rows = misses(rows, predictions[main], worst)
    if not worst_rows:
        lines += ["None: every question was answered from rank-1 evidence.", ""]
    for i, w in enumerate(worst_rows, start=1):
        lines += [f"### {i}. {w['id']} ({w['type']}): {_cell(w['question'])}", "",
                  f"- problems: {'; '.join(w['problems'])}",
                  f"- expected evidence: {' / '.join('`' + _cell(e) + '`' for e in w['evidence']) or '–'}",
                  f"- expected answer contains: {' / '.join('`' + _cell(a) + '`' for a in w['answers']) or '–'}",
                  f"- answer given{' (declined)' if w['declined'] else ''}: {_cell(w['answer'], 300)}",
                  "- retrieved instead (top 3):"]
        lines += [f"  {r}. {_cell(t, 220)}" for r, t in enumerate(w["top3"], start=1)] or ["  (nothing)"]
        lines.append("")
    return "\n".join(lines)


def _disagreements(rows: list[dict], predictions: dict[str, dict[str, dict]]) -> list[str]:
    """Questions where the modes' evidence ranks or answer correctness differ."""
    modes = list(predictions)
    if len(modes) < 2:
        return []
    worse, better = [], []
    for r in rows:
        outs = [outcome(r, predictions[m][r["id"]]) for m in modes]
        ranks = [o["rank"] for o in outs]
        correct = [o["correct"] for o in outs]
        if len(set(ranks)) == 1 and len(set(correct)) == 1:
            continue
        cells = [("–" if o["rank"] is None and r["answerable"] else str(o["rank"] or "")) +
                 (" ✓" if o["correct"] else " ✗") for o in outs]
        row = [r["id"], r["type"], _cell(r["question"], 40)] + cells
        main = outs[0]
        beaten = any((o["correct"] and not main["correct"]) or
                     (o["rank"] is not None and (main["rank"] is None or o["rank"] < main["rank"])) for o in outs[1:])
        (worse if beaten else better).append(row)
    lines = ["## Where the modes disagree", "",
             "Evidence rank (– = not in the top 10; blank for unanswerable) and whether the answer holds "
             "(✓: contains every expected string, or declined an unanswerable question).", ""]
    header = ["id", "type", "question"] + modes
    for title, body in ((f"Another mode ranks or answers better than {modes[0]}", worse),
                        (f"{modes[0]} ranks or answers at least as well as every other mode", better)):
        lines += [f"### {title} ({len(body)})", ""]
        lines += (_table(header, body) if body else ["None."]) + [""]
    return lines


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot_recall(metrics: dict[str, dict], path: Path) -> Path:
    """recall@k against k, one line per mode."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
    for i, (mode, m) in enumerate(metrics.items()):
        ys = [m["overall"].get(f"recall@{k}") for k in KS]
        if all(y is None for y in ys):
            continue
        ax.plot(KS, [y if y is not None else float("nan") for y in ys], label=mode,
                marker=_MARKERS[i % len(_MARKERS)], linestyle=_LINES[i % len(_LINES)],
                color=_COLOURS[i % len(_COLOURS)], linewidth=2.4 if i == 0 else 1.5, markersize=7 if i == 0 else 5,
                zorder=3 if i == 0 else 2)
    ax.set_xscale("log")
    ax.set_xticks(KS, [str(k) for k in KS])
    ax.minorticks_off()
    ax.set_xlabel("k (passages retrieved)")
    ax.set_ylabel("recall@k (answerable questions)")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title("recall@k per retrieval mode")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_by_type(metrics: dict[str, dict], path: Path) -> Path:
    """Grouped bars per question type: recall@5, and answer-contains (decline for unanswerable)."""
    plt = _pyplot()
    modes = list(metrics)
    types = list(next(iter(metrics.values()))["by_type"])
    answerable = [t for t in types if any(metrics[m]["by_type"][t].get("recall@5") is not None for m in modes)]
    panels = [("recall@5 by question type", answerable, lambda t: "recall@5", "recall@5"),
              ("answer-contains by question type (unanswerable: decline rate)", types,
               lambda t: "decline" if t not in answerable else "answer_contains", "share of questions")]
    fig, axes = plt.subplots(2, 1, figsize=(9, 7), dpi=110)
    width = 0.8 / max(len(modes), 1)
    for ax, (title, ts, key, ylabel) in zip(axes, panels):
        for i, mode in enumerate(modes):
            ys = [metrics[mode]["by_type"][t].get(key(t)) for t in ts]
            xs = [x + (i - (len(modes) - 1) / 2) * width for x in range(len(ts))]
            ax.bar(xs, [y or 0 for y in ys], width, label=mode if ax is axes[0] else None,
                   color=_COLOURS[i % len(_COLOURS)])
            for x, y in zip(xs, ys):  # a zero bar is invisible: say so
                if not y:
                    ax.text(x, 0.01, "0" if y == 0 else "n/a", ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(ts)), [f"{t}\n(n={metrics[modes[0]]['by_type'][t]['questions']})" for t in ts])
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
    fig.legend(loc="upper center", ncol=len(modes), fontsize="small", title="retrieval mode")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_latency(latencies: dict[str, list[float]], path: Path) -> Path:
    """Histogram of per-question latency per mode on a log axis, medians marked."""
    import numpy as np
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=110)
    values = [v for vs in latencies.values() for v in vs if v > 0]
    lo, hi = (min(values), max(values)) if values else (0.1, 1.0)
    bins = np.geomspace(max(lo, 1e-3) / 1.05, hi * 1.05 if hi > lo else lo * 2 + 1e-3, 40)
    for i, (mode, vs) in enumerate(latencies.items()):
        vs = [v for v in vs if v > 0]
        if not vs:
            continue
        colour = _COLOURS[i % len(_COLOURS)]
        ax.hist(vs, bins=bins, histtype="step", linewidth=1.8, color=colour,
                label=f"{mode} (p50 {np.median(vs):.1f} ms)")
        ax.axvline(float(np.median(vs)), color=colour, linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("latency per question, ms (log scale)")
    ax.set_ylabel("questions")
    ax.set_title("Per-question latency per mode (warm, in process; dashed: median)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
