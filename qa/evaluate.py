"""Score the system on a JSONL question set, with the metrics of the shared eval README.

Matching is lenient: NFKC, whitespace removed, lower case, ``^[n]`` markers removed and the
OCR variants 全漂助/漂即办/全漂为民 folded to their 溧 spellings, on both sides.
"""
from __future__ import annotations

import json
import re
import statistics
import unicodedata
from pathlib import Path
from typing import Callable, Iterable

KS = (1, 3, 5, 10)
OCR_FOLDS = (("全漂助", "全溧助"), ("漂即办", "溧即办"), ("全漂为民", "全溧为民"))
TYPES = ("number", "target", "definition", "fact", "plan", "synonym", "multi", "unanswerable")


class DatasetError(ValueError):
    """A question set line is malformed; the message gives the line number."""


def lenient(text: str) -> str:
    """The form answers and evidence are compared in."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\^\[\d+\]", "", re.sub(r"\s+", "", text)).lower()
    for bad, good in OCR_FOLDS:
        text = text.replace(bad, good)
    return text


def load_dataset(path: str | Path) -> list[dict]:
    """Questions from a JSONL file, validated line by line."""
    rows, seen = [], set()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read the dataset ({exc})") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        problem = _problem(row)
        if problem:
            raise DatasetError(f"{path}:{n}: {problem}")
        if row["id"] in seen:
            raise DatasetError(f"{path}:{n}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        rows.append(row)
    if not rows:
        raise DatasetError(f"{path}: no questions")
    return rows


def _problem(row: object) -> str:
    if not isinstance(row, dict):
        return "each line must be a JSON object"
    for key, kind in (("id", str), ("question", str)):
        if not isinstance(row.get(key), kind) or not row.get(key).strip():
            return f"field {key!r} must be a non-empty string"
    for key in ("answers", "evidence"):
        value = row.setdefault(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"field {key!r} must be a list of strings"
    row.setdefault("type", "unanswerable" if row.get("answerable") is False else "fact")
    if not isinstance(row["type"], str):
        return "field 'type' must be a string"
    row.setdefault("answerable", row["type"] != "unanswerable")
    if not isinstance(row["answerable"], bool):
        return "field 'answerable' must be true or false"
    if row["answerable"] and not row["evidence"] and not row["answers"]:
        return "an answerable question needs 'answers' or 'evidence'"
    return ""


def evidence_rank(evidence: list[str], passages: list[str], k: int = 10) -> int | None:
    """Smallest rank by which every evidence string is inside some passage, or None."""
    ev = [lenient(e) for e in evidence]
    texts = [lenient(p) for p in passages[:k]]
    for r in range(1, len(texts) + 1):
        if all(any(e in t for t in texts[:r]) for e in ev):
            return r
    return None


def answer_contains(answers: list[str], answer: str) -> bool:
    """True when ``answer`` contains every expected string (leniently), as the README defines it."""
    text = lenient(answer)
    return all(lenient(a) in text for a in answers)


def score(rows: list[dict], predictions: dict[str, dict]) -> dict:
    """Metrics overall and per type for ``predictions`` keyed by question id."""
    def block(subset: list[dict]) -> dict:
        answerable = [r for r in subset if r["answerable"]]
        unanswerable = [r for r in subset if not r["answerable"]]
        out: dict = {"questions": len(subset)}
        if answerable:
            ranks = [evidence_rank(r["evidence"], predictions[r["id"]]["passages"]) if r["evidence"] else None
                     for r in answerable]
            with_ev = [rk for r, rk in zip(answerable, ranks) if r["evidence"]]
            for k in KS:
                out[f"recall@{k}"] = _mean([rk is not None and rk <= k for rk in with_ev])
            out["mrr@10"] = _mean([1 / rk if rk else 0.0 for rk in with_ev])
            out["answer_contains"] = _mean([answer_contains(r["answers"], predictions[r["id"]]["answer"])
                                            for r in answerable])
            out["median_answer_chars"] = statistics.median(len(predictions[r["id"]]["answer"]) for r in answerable)
            out["false_decline"] = _mean([predictions[r["id"]]["declined"] for r in answerable])
        if unanswerable:
            out["decline"] = _mean([predictions[r["id"]]["declined"] for r in unanswerable])
        took = [predictions[r["id"]].get("took_ms") for r in subset if predictions[r["id"]].get("took_ms") is not None]
        if took:
            out["latency_p50_ms"] = percentile(took, 50)
            out["latency_p95_ms"] = percentile(took, 95)
        return out

    missing = [r["id"] for r in rows if r["id"] not in predictions]
    if missing:
        raise ValueError(f"no prediction for {len(missing)} question(s), e.g. {missing[0]}")
    types = sorted({r["type"] for r in rows}, key=lambda t: (TYPES.index(t) if t in TYPES else 99, t))
    return {"overall": block(rows), "by_type": {t: block([r for r in rows if r["type"] == t]) for t in types}}


def _mean(values: list) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile with linear interpolation between closest ranks (numpy's default)."""
    s = sorted(values)
    i = (len(s) - 1) * q / 100
    lo, hi = int(i), min(int(i) + 1, len(s) - 1)
    return round(s[lo] + (s[hi] - s[lo]) * (i - lo), 3)




def predict(ask: Callable[[str], object], rows: Iterable[dict], k: int = 10,
            progress: bool | str = False, prefetch: Callable[[list[str]], object] | None = None) -> list[dict]:
    """Predictions (the shared predictions format plus ``took_ms`` and, for a decline, its ``reason``)
    for each question via ``ask``.

    ``progress``: show a tqdm bar (a string is its label); ``prefetch``: given every question first
    (the QA system encodes them in batches, so the run is faster).
    """
    rows = list(rows)
    if prefetch is not None:
        prefetch([r["question"] for r in rows])
    if progress:
        from tqdm import tqdm
        rows = tqdm(rows, desc=progress if isinstance(progress, str) else "questions", unit="q")
    out = []
    for r in rows:
        a = ask(r["question"])
        out.append({"id": r["id"], "passages": [c.text for c in a.citations[:k]], "answer": a.answer,
                    "declined": a.declined, "reason": a.reason, "took_ms": round(a.took_ms, 3)})
    return out


def outcome(row: dict, prediction: dict) -> dict:
    """How one question went: evidence rank, whether the answer holds, and what was wrong, in words."""
    rank = evidence_rank(row["evidence"], prediction["passages"]) if row["answerable"] and row["evidence"] else None
    problems = []
    if row["answerable"]:
        if row["evidence"] and rank is None:
            problems.append("evidence not in the top 10")
        elif rank and rank > max(1, len(row["evidence"])):  # n evidence strings may need n passages
            problems.append(f"evidence complete only at rank {rank}")
        if prediction["declined"]:
            problems.append("declined an answerable question")
        missing = [a for a in row["answers"] if lenient(a) not in lenient(prediction["answer"])]
        if missing and not prediction["declined"]:
            problems.append("answer lacks " + "、".join(f"“{a}”" for a in missing))
        correct = not missing
    else:
        correct = bool(prediction["declined"])
        if not correct:
            problems.append("answered an unanswerable question")
    return {"rank": rank, "correct": correct, "problems": problems}


def misses(rows: list[dict], predictions: dict[str, dict], n: int = 10) -> list[dict]:
    """The ``n`` worst questions, worst first, with what was retrieved and answered instead.

    Order: evidence missing from the top 10, then wrong or declined answers, then answered
    unanswerables, then evidence found late (deeper ranks first).
    """
    found = []
    for r in rows:
        p = predictions[r["id"]]
        o = outcome(r, p)
        if not o["problems"]:
            continue
        severity = (0 if r["answerable"] and r["evidence"] and o["rank"] is None else
                    1 if r["answerable"] and not o["correct"] else
                    2 if not r["answerable"] else 3)
        found.append((severity, -(o["rank"] or 0), r["id"], {
            "id": r["id"], "type": r["type"], "question": r["question"], "evidence": r["evidence"],
            "answers": r["answers"], "rank": o["rank"], "problems": o["problems"], "answer": p["answer"],
            "declined": p["declined"], "top3": p["passages"][:3]}))
    found.sort(key=lambda t: t[:3])
    return [t[3] for t in found[:n]]
