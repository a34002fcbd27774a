"""Time the learned router's pure-Python scoring per message (issue 16 goal: p99 <= 0.5 ms).

Run from the repo root:  .venv/bin/python benchmarks/routing_speed.py [--quick]

Scores every prompt of the unseen and training sets (and follow-ups with their previous turn's
score, as the bot passes it) several times; prints p50/p99/max per run and the min-max of p99
over runs, since the machine is shared and noisy. Also times a 50 KB paste (bounded by design).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.routing_model import Previous, load_default  # noqa: E402

DATA = [ROOT / "benchmarks" / "data" / "routing_unseen.jsonl", ROOT / "benchmarks" / "data" / "routing_train.jsonl"]


def messages(limit: int | None) -> list[tuple[str, Previous | None]]:
    out: list[tuple[str, Previous | None]] = []
    for path in DATA:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                previous = Previous(score=0.7, cloud=True) if row.get("prev") else None
                out.append((row["text"], previous))
    return out[:limit] if limit else out


def run_once(items: list[tuple[str, Previous | None]]) -> list[float]:
    model = load_default()
    timings = []
    gc.disable()
    try:
        for text, previous in items:
            start = time.perf_counter()
            model.probability(text, previous)
            timings.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return sorted(timings)


def main(argv: list[str] | None = None) -> list[float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 messages, 2 runs (for the test suite)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    items = messages(200 if args.quick else None)
    runs = 2 if args.quick else args.runs
    load_default()  # loading the weights is a one-off at start-up, not part of a turn
    p99s = []
    for run in range(runs):
        t = run_once(items)
        p50, p99 = t[len(t) // 2], t[min(len(t) - 1, int(len(t) * 0.99))]
        p99s.append(p99)
        print(
            f"run {run + 1}: {len(t)} messages  p50 {p50 * 1e3:.3f} ms  p99 {p99 * 1e3:.3f} ms  max {t[-1] * 1e3:.3f} ms"
        )
    print(
        f"p99 over {runs} runs: {min(p99s) * 1e3:.3f}-{max(p99s) * 1e3:.3f} ms (median {sorted(p99s)[runs // 2] * 1e3:.3f})"
    )
    paste = "please summarise this log\n" + "2024-05-01 10:00:00 INFO worker started job 42 ok\n" * 1000
    start = time.perf_counter()
    load_default().probability(paste)
    print(f"one {len(paste) // 1024} KB paste: {(time.perf_counter() - start) * 1e3:.2f} ms")
    return p99s


if __name__ == "__main__":
    main()
