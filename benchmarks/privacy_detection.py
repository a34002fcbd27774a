"""Privacy detection on the project's labelled chat messages: this detector vs two baselines, same run.

Run from the repo root:  .venv/bin/python benchmarks/privacy_detection.py [--verbose] [--corpus PATH]

Detectors:
  hybridbot       bot.privacy (a message is flagged when is_sensitive(scan(text)))
  substring       flags any message containing password, secret, token, key or credential
  detect-secrets  Yelp's detect-secrets with its default plugins and filters, fed each message as the
                  lines of a file (pip install detect-secrets, or the project's `bench` extra)

Quality is message-level: precision, recall and F1 overall, and per category on the subset of
messages labelled with that category plus every negative message (so each category's precision
counts the false alarms a user would see). Speed is time per KB of UTF-8 text, p50/p99:
  per message  each message scanned on its own (short messages carry fixed per-call cost)
  per 4 KB     4 KB windows of consecutive messages, as `hybridbot scan` reads a chat export
Goals (issue 5): recall ≥ 0.98 secrets, ≥ 0.95 personal, precision ≥ 0.95, p99 ≤ 0.5 ms/KB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import privacy  # noqa: E402

CORPUS = ROOT / "benchmarks" / "data" / "privacy_corpus.jsonl"
BASELINE_WORDS = ("password", "secret", "token", "key", "credential")
WINDOW_BYTES = 4096


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
    start = time.perf_counter()
    detect(text)
    return time.perf_counter() - start


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="list the detector's misses")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="timing: best of N per text")
    parser.add_argument("--quick", action="store_true", help="accepted for the test suite: this run is already quick")
    args = parser.parse_args()
    rows = load(args.corpus)
    n_secret = sum("secret" in categories(r) for r in rows)
    n_personal = sum("personal" in categories(r) for r in rows)
    print(
        f"corpus: {len(rows)} messages — {sum(r['sensitive'] for r in rows)} sensitive "
        f"({n_secret} with secrets, {n_personal} with personal data), {sum(not r['sensitive'] for r in rows)} not"
    )
    detectors: dict[str, tuple[Callable[[str], bool] | None, Callable[[], None]]] = {
        "hybridbot": (hybridbot, privacy.clear_caches),  # no memoised validation carried between timings
        "substring": (substring, lambda: None),
        "detect-secrets": (detect_secrets_detector(), lambda: None),
    }
    texts = [r["text"] for r in rows]
    chunks = windows(rows)
    header = (
        f"{'detector':<15} {'P':>5} {'R':>5} {'F1':>5} {'FP':>3} {'FN':>3} | {'secret P/R/F1':>17} | "
        f"{'personal P/R/F1':>17} | {'ms/KB msg p50/p99':>17} | {'ms/KB 4KB p50/p99':>17}"
    )
    print(header)
    print("-" * len(header))
    for name, (detect, reset) in detectors.items():
        if detect is None:
            print(f"{name:<15} not installed (pip install detect-secrets)")
            continue
        flags = [detect(t) for t in texts]
        q = quality(rows, flags)
        per_msg = ms_per_kb(detect, texts, reset, args.repeat)
        per_win = ms_per_kb(detect, chunks, reset, args.repeat)
        p, r, f1, fp, fn = q["overall"]
        cells = [f"{name:<15} {p:5.3f} {r:5.3f} {f1:5.3f} {fp:3d} {fn:3d}"]
        for category in ("secret", "personal"):
            cp, cr, cf, _, _ = q[category]
            cells.append(f"{cp:.3f}/{cr:.3f}/{cf:.3f}")
        cells.append(f"{pct(per_msg, 0.5):7.3f}/{pct(per_msg, 0.99):7.3f}  ")
        cells.append(f"{pct(per_win, 0.5):7.3f}/{pct(per_win, 0.99):7.3f}")
        print(" | ".join(cells))
    print(
        f"(per message: median {statistics.median(len(t.encode()) for t in texts)} bytes; {len(chunks)} windows of ≥4 KB)"
    )
    per_kind_recall(rows, args.verbose)


if __name__ == "__main__":
    main()
