"""Evaluate bot.complexity on the labelled prompt set.

Run from the repo root:  .venv/bin/python benchmarks/complexity_eval.py [--verbose]

For thresholds 0.3 .. 0.8 prints the accuracy (a prompt is predicted "complex" when its score
is >= the threshold) and the share of prompts that would go to the cloud. ``--verbose`` lists
the prompts misclassified at the default threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.complexity import DEFAULT_THRESHOLD, score  # noqa: E402

PROMPTS = ROOT / "benchmarks" / "data" / "prompts.jsonl"
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def load(path: Path = PROMPTS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list misclassified prompts")
    parser.add_argument("--prompts", type=Path, default=PROMPTS)
    parser.add_argument("--quick", action="store_true", help="accepted for the test suite: this run is already quick")
    args = parser.parse_args()

    rows = load(args.prompts)
    start = time.perf_counter()
    scored = [(row, score(row["text"])) for row in rows]
    elapsed = time.perf_counter() - start
    n_complex = sum(row["label"] == "complex" for row in rows)
    print(f"prompts: {len(rows)} ({n_complex} complex, {len(rows) - n_complex} simple)")
    print(f"{'threshold':>9}  {'accuracy':>8}  {'to cloud':>8}  {'precision':>9}  {'recall':>6}")
    for threshold in THRESHOLDS:
        tp = sum(s.value >= threshold and r["label"] == "complex" for r, s in scored)
        predicted = sum(s.value >= threshold for _, s in scored)
        correct = sum((s.value >= threshold) == (r["label"] == "complex") for r, s in scored)
        precision = tp / predicted if predicted else 1.0
        recall = tp / n_complex if n_complex else 1.0
        marker = "  <- default" if threshold == DEFAULT_THRESHOLD else ""
        print(
            f"{threshold:>9.1f}  {correct / len(rows):>8.3f}  {predicted / len(rows):>8.1%}"
            f"  {precision:>9.3f}  {recall:>6.3f}{marker}"
        )
    print(f"speed: {elapsed / len(rows) * 1e6:.0f} µs/prompt")

    if args.verbose:
        for row, s in scored:
            if (s.value >= DEFAULT_THRESHOLD) != (row["label"] == "complex"):
                print(f"  MISS {row['label']:<7} {s.value:.2f} {','.join(s.signals)}: {row['text'][:80]!r}")


if __name__ == "__main__":
    main()
