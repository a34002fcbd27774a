"""Same findings from two checkouts' detectors: every corpus message, 4 KB windows, split pairs.

Run from the repo root:
  .venv/bin/python benchmarks/privacy_equivalence.py --compare-root DIR [--quick]

A speed change to ``bot/privacy`` must not change what is found. Each checkout's detector runs in a
subprocess of its own (two versions of one package cannot share a process) over the same texts:
every message of every privacy corpus in ``benchmarks/data``, the corpora joined into ~4 KB windows,
a generated chat export (as ``privacy_scan_export.py`` writes it) and each message scanned with the
one before it (``scan_with_previous``). Every finding (kind, start, end, confidence) and every
``borderline`` verdict is compared; the script prints the number of texts and differences and exits
1 on any difference. Without --compare-root the current checkout is compared with itself (a
determinism check; --quick does that on one corpus).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"

_CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from bot.privacy import scanner
texts, pairs = json.load(sys.stdin)
out = []
for t in texts:
    fs = scanner.scan(t)
    out.append([[f.kind, f.start, f.end, round(f.confidence, 6)] for f in fs] + [scanner.borderline(t, fs)])
for prev, t in pairs:
    out.append([[f.kind, f.start, f.end, round(f.confidence, 6)] for f in scanner.scan_with_previous(t, prev)])
json.dump(out, sys.stdout)
"""


def corpus_texts(quick: bool) -> list[str]:
    paths = [p for p in sorted(DATA.glob("privacy_*.jsonl")) if "r7" not in p.name]  # round 7 is sealed
    if quick:
        paths = paths[:1]
    return [json.loads(line)["text"] for p in paths for line in p.open(encoding="utf-8") if line.strip()]


def windows(texts: list[str], size: int = 4096) -> list[str]:
    out, current = [], ""
    for t in texts:
        current += t + "\n"
        if len(current) >= size:
            out.append(current)
            current = ""
    return out


def export_texts(n: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from privacy_scan_export import ORDINARY  # noqa: PLC0415 - a sibling script, not a package

    rng = random.Random(11)
    return [
        rng.choice(ORDINARY).format(n=rng.randint(1000, 99999), m=rng.randint(1, 59), ts="2024-11-03T08:15:22Z")
        for _ in range(n)
    ]


def findings(root: Path, texts: list[str], pairs: list[tuple[str, str]]) -> list:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root)],
        input=json.dumps([texts, pairs]),
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare-root", type=Path, help="the other checkout (default: this one)")
    parser.add_argument("--quick", action="store_true", help="one corpus, no export (the test suite runs this)")
    args = parser.parse_args()
    messages = corpus_texts(args.quick)
    texts = messages + windows(messages) + ([] if args.quick else export_texts(3000))
    pairs = list(zip(messages, messages[1:], strict=False))
    ours = findings(ROOT, texts, pairs)
    theirs = findings((args.compare_root or ROOT).resolve(), texts, pairs)
    labels = [("text", t) for t in texts] + [("pair", p[1]) for p in pairs]
    diffs = [(label, a, b) for label, a, b in zip(labels, ours, theirs, strict=True) if a != b]
    print(f"compared {len(texts)} texts and {len(pairs)} split pairs: {len(diffs)} differences")
    for (what, text), a, b in diffs[:20]:
        print(f"  {what} {text[:60]!r}\n    here:  {a}\n    there: {b}")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
