"""Evaluate bot.privacy on the labelled corpus: quality and speed.

Run from the repo root:  .venv/bin/python benchmarks/privacy_eval.py [--verbose]

Prints message-level precision, recall and false-positive rate (a message counts as flagged
when ``is_sensitive(scan(text))``), recall per expected kind, and scan throughput.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.privacy import SENSITIVE_THRESHOLD, is_sensitive, scan  # noqa: E402

CORPUS = ROOT / "benchmarks" / "data" / "privacy_corpus.jsonl"


def load(path: Path = CORPUS) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(rows: list[dict], verbose: bool = False) -> dict[str, float]:
    tp = fp = tn = fn = 0
    kind_total: Counter[str] = Counter()
    kind_found: Counter[str] = Counter()
    for row in rows:
        findings = scan(row["text"])
        flagged = is_sensitive(findings)
        found_kinds = {f.kind for f in findings if f.confidence >= SENSITIVE_THRESHOLD}
        for kind in row["kinds"]:
            kind_total[kind] += 1
            kind_found[kind] += kind in found_kinds
        if row["sensitive"]:
            tp += flagged
            fn += not flagged
        else:
            fp += flagged
            tn += not flagged
        if verbose and (flagged != row["sensitive"] or set(row["kinds"]) - found_kinds):
            print(f"  MISS expected={row['kinds']} found={sorted(found_kinds)}: {row['text'][:90]!r}")

    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    print(f"messages: {len(rows)} ({tp + fn} sensitive, {fp + tn} not)")
    print(f"precision: {precision:.3f}   recall: {recall:.3f}   false-positive rate: {fpr:.3f}")
    print(f"confusion: TP={tp} FP={fp} TN={tn} FN={fn}")
    print("per-kind recall:")
    for kind in sorted(kind_total):
        print(f"  {kind:<16} {kind_found[kind]}/{kind_total[kind]}  {kind_found[kind] / kind_total[kind]:.2f}")
    return {"precision": precision, "recall": recall, "fpr": fpr}


def throughput(rows: list[dict], seconds: float = 1.0) -> None:
    texts = [row["text"] for row in rows]
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    runs, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for t in texts:
            scan(t)
        runs += 1
    per_msg_us = elapsed / (runs * len(texts)) * 1e6
    print(f"throughput (corpus): {nbytes * runs / elapsed / 1e6:.2f} MB/s, {per_msg_us:.1f} µs/message")

    # Ordinary prose with numbers and near-miss words: the common case the bot sees.
    para = (
        "Hi team, quick update on the release. We shipped 2.4.1 on 2024-03-12 and latency dropped "
        "35% after the cache change. Key points: the token budget is 4096 and order #12345678 was "
        "refunded. Reset your password in the portal if needed. See commit "
        "9fceb02d0ae598e95dc970b74767f19372d61af8. Thanks!\n"
    )
    text = (para * 40)[:10_240]
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        scan(text)
        n += 1
    print(f"throughput (10 KB prose): {len(text) * n / elapsed / 1e6:.2f} MB/s, {elapsed / n * 1e3:.2f} ms/scan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list misclassified messages")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--quick", action="store_true", help="accepted for the test suite: this run is already quick")
    args = parser.parse_args()
    rows = load(args.corpus)
    evaluate(rows, verbose=args.verbose)
    throughput(rows)


if __name__ == "__main__":
    main()
