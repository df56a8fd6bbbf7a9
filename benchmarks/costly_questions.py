"""What a costly question costs, against a normal one measured in the same run (issue 13).

    REPORT_QA_DATA_DIR=/tmp/rqa .venv/bin/python benchmarks/costly_questions.py [--seconds 15]

In process, over the real model and the index of the bundled report (built if missing), answer
cache off, every question new: normal questions, 499 random CJK characters, 499 characters of
common words, and a follow-up with a 4,000-character earlier message. Then one "normal user"
thread asks normal questions while 8 threads ask random 499-character ones, as 8 hostile clients
of one server would. Prints a Markdown table (p50/p95 ms and the ratio to a normal question) and
writes ``costly_questions.json`` beside this script.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ui.config import Settings  # noqa: E402
from ui.runtime import build_system  # noqa: E402

NORMAL = ["去年GDP多少？", "新增城镇就业多少人？", "今年要新增几个托班？", "一般公共预算收入增长多少？",
          "什么是“2+2+X”产业体系？", "那今年的目标呢？", "粮食产量多少？", "去年规上工业增加值增长多少"]
COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the concurrent part")
    parser.add_argument("--rounds", type=int, default=12, help="questions per kind in the sequential part")
    args = parser.parse_args()
    system = build_system(Settings.from_env(query_backend="onnx"), log=lambda m: None)
    qa = system.qa
    qa._answer_cache = 0  # every question is answered
    rng = random.Random(time.time_ns())
    noise = lambda n: "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(n))  # noqa: E731
    kinds = {
        "normal question": lambda i: (NORMAL[i % len(NORMAL)] + noise(1), None),
        "499 random CJK characters": lambda i: (noise(499), None),
        "499 characters of common words": lambda i: ("".join(rng.choice(COMMON) for _ in range(499)), None),
        "follow-up, 4,000-character earlier message": lambda i: (
            "那今年的目标呢？", [{"role": "user", "content": noise(4000)}, {"role": "assistant", "content": "好"}]),
    }
    qa.ask("去年GDP多少？")
    rows = {}
    for kind, make in kinds.items():
        times = []
        for i in range(args.rounds):
            question, history = make(i)
            qa.clear_cache()
            started = time.perf_counter()
            qa.ask(question, history=history)
            times.append((time.perf_counter() - started) * 1000)
        rows[kind] = {"p50_ms": statistics.median(times), "p95_ms": percentile(times, 0.95)}
    base = rows["normal question"]["p50_ms"]
    for row in rows.values():
        row["ratio_p50"] = row["p50_ms"] / base

    def user(kind: str, out: list[float], stop: float) -> None:
        i = 0
        while time.monotonic() < stop:
            question, history = kinds[kind](i)
            started = time.perf_counter()
            qa.ask(question, history=history)
            out.append((time.perf_counter() - started) * 1000)
            i += 1

    concurrent = {}
    for hostile in (0, 8):
        normal_times: list[float] = []
        stop = time.monotonic() + args.seconds
        threads = [threading.Thread(target=user, args=("normal question", normal_times, stop))]
        threads += [threading.Thread(target=user, args=("499 random CJK characters", [], stop)) for _ in range(hostile)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        concurrent[hostile] = {"p50_ms": statistics.median(normal_times), "p95_ms": percentile(normal_times, 0.95),
                               "questions": len(normal_times)}

    print("| question | p50 ms | p95 ms | p50 / normal |\n|---|---|---|---|")
    for kind, row in rows.items():
        print(f"| {kind} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} | {row['ratio_p50']:.1f}× |")
    print("\n| a normal user's questions | p50 ms | p95 ms |\n|---|---|---|")
    for hostile, row in concurrent.items():
        print(f"| beside {hostile} clients asking 499 random characters | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} |")
    out = Path(__file__).with_name("costly_questions.json")
    out.write_text(json.dumps({"sequential": rows, "normal_user_beside_hostile_clients": concurrent,
                               "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, indent=1),
                   encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
