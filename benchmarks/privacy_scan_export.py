"""`hybridbot scan` on a generated chat export: throughput and peak RSS (goal: ≥ 5 MB/s, RSS flat).

Run from the repo root:  .venv/bin/python benchmarks/privacy_scan_export.py [--mb 50] [--runs 3] [--quick]

Writes a JSONL export of ordinary chat (``{"id": …, "user": …, "ts": …, "text": …}``, about 1 message
in 20 from the labelled corpus, so findings are written too) to a temporary file, runs the real CLI
(`python -m hybridbot_app.cli scan FILE`) on it, and reports MB/s and the child's peak RSS. The same is done
on an export a tenth the size: a streamed scan has the same peak RSS on both. --quick: 2 MB, 1 run.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "data" / "privacy_corpus.jsonl"

ORDINARY = [
    "morning all, standup moved to 10:15 today",
    "can someone review PR #{n}? it's the retry logic for the payments worker",
    "deploy {n} went out, latency p99 back to {m} ms",
    "lunch? the thai place on the corner has a {m}% discount this week",
    "I think the flaky test is test_checkout_{n}, it fails about 1 in {m} runs",
    "Reminder: the all-hands is on Thursday at 16:00 CET, agenda in the doc",
    "Kann jemand meinen PR reviewen? Ticket {n}, es geht um die Caching-Schicht.",
    "merci pour le café ☕ on se voit à la rétro de {m}h",
    "¿alguien tiene el enlace a la reunión de las {m}:30?",
    "bom dia pessoal! build {n} está verde de novo 🎉",
    "de build is weer groen, {m} tests toegevoegd",
    "qualcuno sa come si configura il proxy su npm? versione {m}.2",
    "kal ki meeting {m} baje shift ho gayi hai, sabko bata dena",
    "[{ts}] INFO worker-{m} processed {n} jobs in {m}.{m}s",
    "ERROR {ts} timeout after 30000 ms calling /api/v2/orders/{n} (attempt {m}/5)",
    "the token budget for the summariser is {n}, should we raise it?",
    "Reset your password in the portal if the SSO login loops",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed the race, thanks!",
    "order #{n} was refunded, customer notified",
    "Q3 numbers: {n} signups, {m}00 paid, churn 2.{m}%",
    "```python\nfor i in range({m}):\n    result = compute(i, cache=True)\n```",
    "ok thx 🙏",
    "lol the demo gods were kind today",
    "who's on call this weekend? I swapped with Priya for the {m}th",
]


def make_export(path: Path, megabytes: float, seed: int = 7) -> int:
    rng = random.Random(seed)
    sensitive = [json.loads(line)["text"] for line in CORPUS.open(encoding="utf-8") if '"sensitive": true' in line]
    target, written, n = int(megabytes * 1_000_000), 0, 0
    with path.open("w", encoding="utf-8") as fh:
        while written < target:
            if rng.random() < 0.05:
                text = rng.choice(sensitive)
            else:
                text = rng.choice(ORDINARY).format(
                    n=rng.randint(1000, 99999), m=rng.randint(1, 59), ts="2024-11-03T08:15:22Z"
                )
            line = json.dumps({"id": n, "user": f"U{rng.randint(1, 400):04d}", "ts": 1699000000 + n, "text": text})
            fh.write(line + "\n")
            written += len(line) + 1
            n += 1
    return written


def scan_once(path: Path) -> tuple[float, float]:
    """Seconds and the child's peak RSS in MB for one `hybridbot scan` of the file."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "hybridbot_app.cli", "scan", str(path)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the large export")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2 MB, one run (the test suite runs this)")
    args = parser.parse_args()
    if args.quick:
        args.mb, args.runs = 2.0, 1
    with tempfile.TemporaryDirectory() as tmp:
        small, large = Path(tmp) / "small.jsonl", Path(tmp) / "large.jsonl"
        small_bytes = make_export(small, args.mb / 10)
        large_bytes = make_export(large, args.mb)
        _, small_rss = scan_once(small)  # RUSAGE_CHILDREN's peak only grows: the small file goes first
        rates, rss = [], 0.0
        for _ in range(args.runs):
            seconds, rss = scan_once(large)
            rates.append(large_bytes / seconds / 1e6)
    print(f"export: {large_bytes / 1e6:.1f} MB JSONL; {args.runs} run(s)")
    print(f"throughput: {min(rates):.2f}–{max(rates):.2f} MB/s (goal ≥ 5 MB/s)")
    print(f"peak RSS: {small_rss:.1f} MB on {small_bytes / 1e6:.1f} MB, ≤ {rss:.1f} MB on {large_bytes / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
