"""Privacy detection on the project's labelled chat messages: this detector vs two baselines, same run.

Run from the repo root:
  .venv/bin/python benchmarks/privacy_detection.py [--corpus PATH ...] [--compare-root DIR] [--runs N] [--clock thread] [--quick]

Detectors:
  hybridbot       bot.privacy (a message is flagged when is_sensitive(scan(text)))
  hybridbot@DIR   the same detector from another checkout (--compare-root, e.g. a worktree of main);
                  both hybridbot rows run in a fresh subprocess each, on the same messages
  substring       flags any message containing password, secret, token, key or credential
  detect-secrets  Yelp's detect-secrets with its default plugins and filters, fed each message as the
                  lines of a file (pip install detect-secrets, or the project's `bench` extra)

Several corpora are reported in one run (default: the tuning corpus and the five unseen ones).

Quality is message-level: precision, recall and F1 overall, and per category on the subset of
messages labelled with that category plus every negative message (so each category's precision
counts the false alarms a user would see). Speed, p50/p99 of each text's best of 3 (min–max over --runs):
  msg ms      milliseconds per message of ≤ 256 bytes, each scanned on its own (fixed per-call cost)
  4KB ms/KB   milliseconds per KB on 4 KB windows of consecutive messages, as a chat export is read
Then the same two figures on ordinary chat generated as privacy_scan_export.py does (the issue's goals
are stated for it), this checkout and --compare-root alternating run by run.
Goals (issues 5 and 10): recall ≥ 0.98 secrets, ≥ 0.95 personal, precision ≥ 0.95; p99 ≤ 0.15 ms per
short message and ≤ 0.5 ms/KB on 4 KB windows. --quick: the tuning corpus, one run (the test suite).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import privacy  # noqa: E402

CORPUS = ROOT / "benchmarks" / "data" / "privacy_corpus.jsonl"
UNSEEN = ROOT / "benchmarks" / "data" / "privacy_unseen.jsonl"
UNSEEN_NEXT = ROOT / "benchmarks" / "data" / "privacy_unseen_next.jsonl"
UNSEEN_R3 = ROOT / "benchmarks" / "data" / "privacy_unseen_r3.jsonl"  # round 3: written first, tuned on since
UNSEEN_R4 = ROOT / "benchmarks" / "data" / "privacy_unseen_r4.jsonl"  # round 4: written first, tuned on since
UNSEEN_R5 = ROOT / "benchmarks" / "data" / "privacy_unseen_r5.jsonl"  # round 5: scored once, then a development set
# round 6: written blind (by someone who had not read the rules), scored before and after round 5's rules; not
# tuned on. privacy_unseen_r7.jsonl is sealed for the next round: not scored here, not to be read.
UNSEEN_R6 = ROOT / "benchmarks" / "data" / "privacy_unseen_r6.jsonl"
BASELINE_WORDS = ("password", "secret", "token", "key", "credential")
WINDOW_BYTES = 4096
# (clock, its name in the time module): wall time by default; --clock thread measures the scanning
# thread's CPU time, which a machine shared with other jobs inflates far less.
CLOCK: list = [time.perf_counter, "perf_counter"]


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def categories(row: dict) -> set[str]:
    return {"personal" if k in privacy.PERSONAL_KINDS else "secret" for k in row["kinds"]}


# --- detectors: text -> flagged ---------------------------------------------------------------


def hybridbot(text: str) -> bool:
    return privacy.is_sensitive(privacy.scan(text))


def substring(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in BASELINE_WORDS)


def detect_secrets_detector() -> Callable[[str], bool] | None:
    try:
        from detect_secrets.core.scan import _process_line_based_plugins
        from detect_secrets.settings import default_settings
    except ImportError:
        return None

    def detect(text: str) -> bool:
        # The same pipeline `detect-secrets scan` runs on each file, minus reading it from disk.
        with default_settings():
            lines = list(enumerate(text.splitlines() or [""], start=1))
            return any(True for _ in _process_line_based_plugins(lines, filename="message.txt"))

    return detect


# --- quality ------------------------------------------------------------------------------------


def prf(rows: list[dict], flags: list[bool]) -> tuple[float, float, float, int, int]:
    tp = sum(f and r["sensitive"] for r, f in zip(rows, flags, strict=True))
    fp = sum(f and not r["sensitive"] for r, f in zip(rows, flags, strict=True))
    fn = sum(not f and r["sensitive"] for r, f in zip(rows, flags, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, fp, fn


def quality(rows: list[dict], flags: list[bool]) -> dict[str, tuple[float, float, float, int, int]]:
    out = {"overall": prf(rows, flags)}
    for category in ("secret", "personal"):
        subset = [(r, f) for r, f in zip(rows, flags, strict=True) if not r["sensitive"] or category in categories(r)]
        out[category] = prf([r for r, _ in subset], [f for _, f in subset])
    return out


# --- speed --------------------------------------------------------------------------------------


def _time_once(detect: Callable[[str], bool], text: str, reset: Callable[[], None]) -> float:
    reset()
    start = CLOCK[0]()
    detect(text)
    return CLOCK[0]() - start


def ms_per_kb(detect: Callable[[str], bool], texts: list[str], reset: Callable[[], None], repeat: int) -> list[float]:
    values = []
    for text in texts:
        best = min(_time_once(detect, text, reset) for _ in range(repeat))
        values.append(best * 1000 / (len(text.encode("utf-8")) / 1024))
    return values


def windows(rows: list[dict]) -> list[str]:
    out, current = [], ""
    for row in rows * 4:  # enough text for a few dozen windows
        current += row["text"] + "\n"
        if len(current.encode("utf-8")) >= WINDOW_BYTES:
            out.append(current)
            current = ""
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- report -------------------------------------------------------------------------------------


def per_kind_recall(rows: list[dict], verbose: bool) -> None:
    total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for row in rows:
        findings = privacy.scan(row["text"])
        kinds = {f.kind for f in findings if f.confidence >= privacy.SENSITIVE_THRESHOLD}
        for kind in row["kinds"]:
            total[kind] += 1
            found[kind] += kind in kinds
        if verbose and (privacy.is_sensitive(findings) != row["sensitive"] or set(row["kinds"]) - kinds):
            print(f"  MISS expected={row['kinds']} found={sorted(kinds)}: {row['text'][:90]!r}")
    print("hybridbot recall per kind (the kind itself was found):")
    line = []
    for kind in sorted(total, key=lambda k: (k in privacy.PERSONAL_KINDS, k)):
        line.append(f"{kind} {found[kind]}/{total[kind]}")
    for i in range(0, len(line), 6):
        print("  " + " · ".join(line[i : i + 6]))


_COMPARE_CODE = """
import json, sys, time
from bot import privacy
texts, timed, runs = json.load(sys.stdin)
flags = [privacy.is_sensitive(privacy.scan(t)) for t in texts]
times = []
for _ in range(runs):
    run = []
    for t in timed:
        best = float("inf")
        for _ in range(3):  # best of 3: a busy machine's preemptions are not the detector's cost
            privacy.clear_caches()
            start = time.CLOCK()
            privacy.scan(t)
            best = min(best, time.CLOCK() - start)
        run.append(best)
    times.append(run)
print(json.dumps([flags, times]))
"""


def _run_detector(root: Path, texts: list[str], timed: list[str], runs: int) -> tuple[list[bool], list[list[float]]]:
    python = root / ".venv" / "bin" / "python"
    proc = subprocess.run(
        [str(python if python.exists() else sys.executable), "-c", _COMPARE_CODE.replace("CLOCK", CLOCK[1])],
        input=json.dumps([texts, timed, runs]),
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    )
    flags, times = json.loads(proc.stdout)
    return flags, times


def compare_detector(root: Path, rows: list[dict], runs: int) -> tuple[list[bool], str]:
    """Flags and timing of the detector of another checkout, in a subprocess (two versions of one
    package cannot share a process)."""
    short = [r["text"] for r in rows if len(r["text"].encode()) <= 256]
    chunks = windows(rows)
    flags, times = _run_detector(root, [r["text"] for r in rows], short + chunks, runs)
    sizes = [len(t.encode()) / 1024 for t in chunks]
    msg = [[s * 1000 for s in run[: len(short)]] for run in times]
    win = [[s * 1000 / kb for s, kb in zip(run[len(short) :], sizes, strict=True)] for run in times]
    return flags, _spans(msg, win)


def _spans(msg: list[list[float]], win: list[list[float]]) -> str:
    def span(values: list[float]) -> str:
        return f"{min(values):.3f}" if len(values) == 1 else f"{min(values):.3f}–{max(values):.3f}"

    p50, p99 = [pct(r, 0.5) for r in msg], [pct(r, 0.99) for r in msg]
    w50, w99 = [pct(r, 0.5) for r in win], [pct(r, 0.99) for r in win]
    return f"{span(p50)}/{span(p99)} | {span(w50)}/{span(w99)}"


def timing(detect: Callable[[str], bool], reset: Callable[[], None], rows: list[dict], runs: int) -> str:
    short = [r["text"] for r in rows if len(r["text"].encode()) <= 256]
    chunks = windows(rows)
    msg = [[min(_time_once(detect, t, reset) for _ in range(3)) * 1000 for t in short] for _ in range(runs)]
    win = [ms_per_kb(detect, chunks, reset, 3) for _ in range(runs)]
    return _spans(msg, win)


def report(path: Path, rows: list[dict], detectors: dict, runs: int, compare: Path | None) -> None:
    n_secret = sum("secret" in categories(r) for r in rows)
    n_personal = sum("personal" in categories(r) for r in rows)
    print(
        f"\n{path.name}: {len(rows)} messages — {sum(r['sensitive'] for r in rows)} sensitive "
        f"({n_secret} with secrets, {n_personal} with personal data), {sum(not r['sensitive'] for r in rows)} not"
    )
    header = (
        f"{'detector':<16} {'P':>5} {'R':>5} {'F1':>5} {'FP':>3} {'FN':>3} | {'secret P/R':>11} | "
        f"{'personal P/R':>12} | msg ms p50/p99 | 4KB ms/KB p50/p99"
    )
    print(header)
    print("-" * len(header))
    texts = [r["text"] for r in rows]
    rows_out: list[tuple[str, list[bool], str]] = []
    for name, (detect, reset) in detectors.items():
        if detect is None:
            print(f"{name:<16} not installed (pip install detect-secrets)")
            continue
        if name == "hybridbot":  # timed in a fresh process, exactly as --compare-root is (no shared heap or GC)
            rows_out.append((name, *compare_detector(ROOT, rows, runs)))
            continue
        rows_out.append((name, [detect(t) for t in texts], timing(detect, reset, rows, runs)))
    if compare is not None:
        rows_out.insert(1, (f"hybridbot@{compare.name}", *compare_detector(compare, rows, runs)))
    for name, flags, speed in rows_out:
        q = quality(rows, flags)
        p, r, f1, fp, fn = q["overall"]
        cells = [f"{name:<16} {p:5.3f} {r:5.3f} {f1:5.3f} {fp:3d} {fn:3d}"]
        for category in ("secret", "personal"):
            cp, cr, _, _, _ = q[category]
            cells.append(f"{cp:.3f}/{cr:.3f}")
        cells.append(speed)
        print(" | ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list the detector's misses (tuning corpus only!)")
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="repeatable; default: tuning, unseen, next-round, round-3, -4, -5 and -6 corpora",
    )
    parser.add_argument("--compare-root", type=Path, help="another checkout whose detector to score in the same run")
    parser.add_argument("--runs", type=int, default=3, help="timing runs (figures are min–max)")
    parser.add_argument("--quick", action="store_true", help="tuning corpus, one run (the test suite runs this)")
    parser.add_argument("--clock", choices=("wall", "thread"), default="wall", help="thread: CPU time of the scan")
    args = parser.parse_args()
    if args.clock == "thread":
        CLOCK[:] = [time.thread_time, "thread_time"]
    corpora = args.corpus or (
        [CORPUS] if args.quick else [CORPUS, UNSEEN, UNSEEN_NEXT, UNSEEN_R3, UNSEEN_R4, UNSEEN_R5, UNSEEN_R6]
    )
    runs = 1 if args.quick else args.runs
    detectors: dict[str, tuple[Callable[[str], bool] | None, Callable[[], None]]] = {
        "hybridbot": (hybridbot, privacy.clear_caches),  # no memoised validation carried between timings
        "substring": (substring, lambda: None),
        "detect-secrets": (detect_secrets_detector(), lambda: None),
    }
    for path in corpora:
        rows = load(path)
        report(path, rows, detectors, runs, args.compare_root)
        per_kind_recall(rows, args.verbose)
    chat_speed([ROOT] + ([args.compare_root] if args.compare_root else []), runs, 20 if args.quick else 60)


def chat_messages(n: int, seed: int) -> list[str]:
    """Ordinary chat as ``privacy_scan_export.py`` generates it (1 message in 20 from the corpus)."""
    from privacy_scan_export import ORDINARY

    rng = random.Random(seed)
    sensitive = [row["text"] for row in load(CORPUS) if row["sensitive"]]
    return [
        rng.choice(sensitive)
        if rng.random() < 0.05
        else rng.choice(ORDINARY).format(n=rng.randint(1000, 99999), m=rng.randint(1, 59), ts="2024-11-03T08:15:22Z")
        for _ in range(n)
    ]


def chat_speed(roots: list[Path], runs: int, n_windows: int) -> None:
    """The issue's goals on ordinary chat: 4 KB windows (and single messages) of generated chat, each
    checkout in its own process, the checkouts alternating run by run."""
    short = chat_messages(2000, seed=11)
    chunks = windows([{"text": t} for t in chat_messages(n_windows * 40, seed=12)])[:n_windows]
    times: dict[Path, list[list[float]]] = {root: [] for root in roots}
    for _ in range(runs):
        for root in roots:
            times[root] += _run_detector(root, [], short + chunks, 1)[1]
    sizes = [len(t.encode()) / 1024 for t in chunks]
    print(f"\nordinary chat: {len(short)} messages, {len(chunks)} 4 KB windows ({runs} run(s), alternating)")
    print(f"{'detector':<24} msg ms p50/p99 | 4KB ms/KB p50/p99")
    for root in roots:
        msg = [[s * 1000 for s in run[: len(short)]] for run in times[root]]
        win = [[s * 1000 / kb for s, kb in zip(run[len(short) :], sizes, strict=True)] for run in times[root]]
        name = "hybridbot" if root == ROOT else f"hybridbot@{root.name}"
        print(f"{name:<24} {_spans(msg, win)}")


if __name__ == "__main__":
    main()
