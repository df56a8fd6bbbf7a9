"""``report-qa eval``: run a question set through every chosen mode in one run, print and write metrics.

Modes are the system's retrieval modes (``hybrid``, ``dense``, ``bm25``: each question goes
through ``ReportQA.ask(..., mode=...)``, the same path as ``ask`` and the API) and the
baselines of :mod:`qa.baselines` (``paragraph-bm25``). The first mode is the main one: its
predictions are the ones ``--predictions`` writes and its misses the ones the report lists.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import platform
import re
import statistics
import time
from dataclasses import replace
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


def pair_datasets(datasets: list[str], corpus: list[Path]) -> list[tuple[Path, list[Path]]]:
    """Each dataset with the report(s) it is about.

    ``SET.jsonl@REPORT`` names the report explicitly; otherwise a corpus file with the set's own
    name (``sichuan-2026.jsonl`` ↔ ``sichuan-2026.txt``), or the longest one the set's name begins
    with before a ``-`` or ``.`` (``sichuan-2026-r4.jsonl``: another question set for that report),
    is its report; otherwise the whole corpus (an empty list: the index's own corpus or the
    bundled report)."""
    by_stem = {p.stem: p for p in corpus}
    for stem in sorted(by_stem, key=len):
        by_stem.update({name: by_stem[stem] for name in _named_after(stem, datasets)})
    out = []
    for item in datasets:
        name, _, report = item.partition("@") if "@" in item and not Path(item).is_file() else (item, "", "")
        path = Path(name)
        if not path.is_file():
            raise FileNotFoundError(f"dataset {name} not found")
        if report:
            if not Path(report).is_file():
                raise FileNotFoundError(f"report {report} (named for dataset {name}) not found")
            out.append((path, [Path(report)]))
        elif path.stem in by_stem:
            out.append((path, [by_stem[path.stem]]))
        else:
            out.append((path, list(corpus)))
    return out


def _named_after(stem: str, datasets: list[str]) -> list[str]:
    """Names of the datasets (without a ``@REPORT``) that are the report ``stem`` plus a suffix."""
    names = [Path(item).stem for item in datasets if "@" not in item or Path(item).is_file()]
    return [n for n in names if n.startswith(stem + "-") or n.startswith(stem + ".")]


def _index_name(paths: list[Path]) -> str:
    """A stable index name for evaluating on exactly these files."""
    digest = hashlib.sha256("\n".join(sorted(str(p.resolve()) for p in paths)).encode()).hexdigest()[:10]
    stem = paths[0].stem if len(paths) == 1 else f"{len(paths)}-reports"
    return f"eval-{re.sub(r'[^A-Za-z0-9_.-]+', '_', stem)[:40]}-{digest}"


def run_one(system, rows: list[dict], modes: list[str], label: str = "") -> tuple[dict, dict]:
    """Every mode over one question set: (metrics by mode, predictions by mode then id)."""
    all_metrics: dict[str, dict] = {}
    all_predictions: dict[str, dict[str, dict]] = {}
    for mode in modes:
        preds = predict(asker(system, mode, system.settings), rows, progress=f"{(label + ' ') if label else ''}{mode:>14}")
        all_predictions[mode] = {p["id"]: p for p in preds}
        all_metrics[mode] = score(rows, all_predictions[mode])
    return all_metrics, all_predictions


SUMMARY_COLUMNS = (("r@5", "recall@5"), ("mrr", "mrr@10"), ("ans", "answer_contains"),
                   ("f_decl", "false_decline"), ("decl", "decline"), ("med_len", "median_answer_chars"))


def summary_rows(results: list[tuple[str, str, dict]]) -> list[tuple[str, str, dict]]:
    """(dataset, scope, overall metrics) rows plus the mean of each scope."""
    rows = list(results)
    for scope in dict.fromkeys(s for _, s, _ in results):
        subset = [m for _, s, m in results if s == scope]
        if len(subset) > 1:
            mean = {}
            for _, key in SUMMARY_COLUMNS:
                values = [m[key] for m in subset if m.get(key) is not None]
                if values:
                    mean[key] = round(statistics.median(values) if key == "median_answer_chars"
                                      else sum(values) / len(values), 4)
            rows.append(("mean", scope, mean))
    return rows


def print_summary(rows: list[tuple[str, str, dict]], mode: str) -> None:
    print(f"\n== summary (mode {mode}; 'alone' = each report in its own index, 'shared' = all in one, "
          "'named' = the shared index on the questions that name their report's place, "
          "'named-1' = those questions with each report alone)")
    print(f"{'dataset':<28}{'scope':>8} " + " ".join(f"{c:>8}" for c, _ in SUMMARY_COLUMNS))
    for name, scope, m in rows:
        cells = [f"{m[k]:>8.3f}" if isinstance(m.get(k), float) else f"{m.get(k, '-'):>8}" for _, k in SUMMARY_COLUMNS]
        print(f"{name[:28]:<28}{scope:>8} " + " ".join(cells))


def naming_rows(rows: list[dict], documents: dict[str, dict], sources: set[str]) -> list[dict]:
    """The questions that name the place of their own report (so the text alone says which is meant)."""
    from qa.routing import named_places
    mine = {d for d, info in documents.items() if info.get("source") in sources}
    return [r for r in rows if set(named_places(r["question"], documents)) & mine]


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the datasets, run each through each mode, print the tables, write the outputs asked for.

    One dataset: as before. Several: each against its own report alone (paired by name or
    ``SET@REPORT``) and, with ``--scope shared|both``, all against one index of every report."""
    from ui.runtime import build_system, expand_paths, make_encoder
    datasets = args.dataset if isinstance(args.dataset, list) else [args.dataset]
    corpus = expand_paths(settings.corpus) if settings.corpus else []
    pairs = pair_datasets(datasets, corpus)
    loaded = [(path, reports, load_dataset(path)) for path, reports in pairs]
    modes = parse_modes(getattr(args, "modes", None))
    scope = getattr(args, "scope", None) or "alone"
    if scope not in ("alone", "shared", "both"):
        raise ValueError("--scope must be alone, shared or both")
    started = time.perf_counter()
    encoder = make_encoder(settings) if len(loaded) > 1 else None
    every_report = list(dict.fromkeys(p for _, reports, _ in loaded for p in reports)) or corpus
    runs: list[tuple[str, str, object, list[dict], list[Path]]] = []  # (name, scope, system, rows, reports)
    if len(loaded) == 1:
        path, reports, rows = loaded[0]
        if reports:
            settings.corpus = [str(p) for p in reports]
        runs.append((path.stem, "alone", build_system(settings), rows, reports))
    else:
        if scope in ("alone", "both"):
            for path, reports, rows in loaded:
                one = replace(settings, corpus=[str(p) for p in reports] or settings.corpus,
                              index_name=_index_name(reports) if reports else settings.index_name)
                runs.append((path.stem, "alone", build_system(one, encoder=encoder), rows, reports))
        if scope in ("shared", "both"):
            shared = replace(settings, corpus=[str(p) for p in every_report], index_name=_index_name(every_report))
            system = build_system(shared, encoder=encoder)
            runs.extend((path.stem, "shared", system, rows, every_report) for path, _, rows in loaded)
    results = []
    own = {path.stem: reports for path, reports, _ in loaded}
    alone_predictions: dict[str, dict] = {}
    for name, where, system, rows, reports in runs:
        metrics, predictions = run_one(system, rows, modes, label=name if len(runs) > 1 else "")
        if where == "alone":
            alone_predictions[name] = predictions[modes[0]]
        if where == "shared" and own.get(name):
            named = naming_rows(rows, system.index.documents, {p.name for p in own[name]})
            if named:
                results.append((name, "named", score(named, predictions[modes[0]])["overall"]))
                if name in alone_predictions:  # the same questions, each report alone
                    results.append((name, "named-1", score(named, alone_predictions[name])["overall"]))
        for mode in modes:
            if len(runs) == 1 or mode == modes[0]:
                print_metrics(metrics[mode], mode if len(runs) == 1 else f"{mode} · {name} · {where}")
        results.append((name, where, metrics[modes[0]]["overall"]))
        if args.predictions:
            target = Path(args.predictions)
            if len(runs) > 1:
                target = target / f"{name}{'' if where == 'alone' else '.' + where}.jsonl"
            write_predictions(target, list(predictions[modes[0]].values()))
        if args.out:
            from ui.eval_report import write_report
            out = Path(args.out) if len(runs) == 1 else Path(args.out) / f"{name}{'' if where == 'alone' else '.' + where}"
            run = {"dataset": str(loaded[0][0].resolve()) if len(runs) == 1 else name,
                   "scope": where, "reports": [str(p) for p in reports], "questions": len(rows), "modes": modes,
                   "main_mode": modes[0], "model": system.index.model_id, "passages": len(system.index.passages),
                   "documents": len(system.index.documents), "python": platform.python_version(),
                   "machine": platform.platform(),
                   "finished": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                   "seconds": round(time.perf_counter() - started, 1)}
            written = write_report(out, run, metrics, rows, predictions)
            print(f"wrote {', '.join(p.name for p in written)} to {out}")
    if len(runs) > 1:
        rows = summary_rows(results)
        print_summary(rows, modes[0])
        if args.out:
            Path(args.out).mkdir(parents=True, exist_ok=True)
            (Path(args.out) / "summary.json").write_text(json.dumps(
                [{"dataset": n, "scope": s, **m} for n, s, m in rows], ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8")
    return 0
