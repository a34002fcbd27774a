"""Evaluate difficulty routers on the unseen routing set, with baselines in the same run.

Run from the repo root:  .venv/bin/python benchmarks/routing_eval.py [--quick] [--misses ROUTER]

Routers compared (higher score = more likely to need the cloud):
* ``old-scorer``: bot.complexity's hand-weighted score, cloud at >= 0.6 (before issue 16);
* ``length``: message length in characters, cloud at >= 80 (a baseline from the literature);
* ``random``: a uniform random score, cloud at >= 0.55 (mean over 20 seeds);
* ``learned``: bot.routing_model's calibrated probability at the shipped threshold (when present).

Prints overall accuracy, cloud recall, share sent to the cloud, ROC AUC, recall at <= 50 %
to the cloud and the area between the cost-quality curve and random routing, then the slices
issue 16 asks for (non-English, short hard prompts, per language, per category). The unseen set
(benchmarks/data/routing_unseen.jsonl) was written before the learned router and is never
used to train or tune it. ``--quick`` scores every 4th prompt (the test suite runs it).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from routing_metrics import cost_quality_curve, recall_at_share, summarise  # noqa: E402

from bot import complexity  # noqa: E402

UNSEEN = ROOT / "benchmarks" / "data" / "routing_unseen.jsonl"
SHORT_CHARS = 120
Scorer = Callable[[dict], float]


def load(path: Path = UNSEEN) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def old_scorer(row: dict) -> float:
    return complexity.score(row["text"], history_turns=1 if row.get("prev") else 0).value


def length_scorer(row: dict) -> float:
    return float(len(row["text"]))


def routers(seed: int = 0) -> dict[str, tuple[Scorer, float]]:
    rng = random.Random(seed)
    found: dict[str, tuple[Scorer, float]] = {
        "old-scorer": (old_scorer, complexity.DEFAULT_THRESHOLD),
        "length": (length_scorer, 80.0),
        "random": (lambda _row: rng.random(), 0.55),
    }
    learned = _learned_router()
    if learned is not None:
        found["learned"] = learned
    return found


def _learned_router() -> tuple[Scorer, float] | None:
    try:
        from bot import routing_model
    except ImportError:
        return None
    model = routing_model.load_default()

    def score(row: dict) -> float:
        prev = row.get("prev")
        previous = routing_model.Previous(text=prev["text"]) if prev else None
        return model.probability(row["text"], previous=previous)

    return score, model.threshold


def _line(name: str, rows: list[dict], scores: list[float], threshold: float) -> str:
    positives = [r["label"] == "cloud" for r in rows]
    s = summarise(scores, [x >= threshold for x in scores], positives)
    at_half = recall_at_share(scores, positives, 0.5)
    return (
        f"| {name} | {s.accuracy:.3f} | {s.cloud_recall:.3f} | {s.cloud_share:.1%} | {s.auc:.3f} "
        f"| {at_half:.3f} | {s.area_over_random:+.3f} |"
    )


def _slice_table(title: str, rows: list[dict], scored: dict[str, list[float]], thresholds: dict[str, float]) -> None:
    print(f"\n{title} (n={len(rows)}, cloud {sum(r['label'] == 'cloud' for r in rows)})")
    print("| router | accuracy | cloud recall | to cloud | ROC AUC | recall at ≤50 % | area over random |")
    print("|---|---|---|---|---|---|---|")
    for name, scores in scored.items():
        print(_line(name, rows, scores, thresholds[name]))


def _groups(rows: list[dict], key: Callable[[dict], str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(key(row), []).append(i)
    return dict(sorted(groups.items()))


def _per_group(rows: list[dict], scored: dict[str, list[float]], thresholds: dict[str, float], key, title) -> None:
    names = list(scored)
    print(f"\n{title}: accuracy / ROC AUC")
    print("| group | n | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for group, idx in _groups(rows, key).items():
        cells = []
        for name in names:
            scores = [scored[name][i] for i in idx]
            s = summarise(scores, [x >= thresholds[name] for x in scores], [rows[i]["label"] == "cloud" for i in idx])
            auc = "—" if s.auc != s.auc else f"{s.auc:.2f}"  # NaN when a group has one label only
            cells.append(f"{s.accuracy:.2f} / {auc}")
        print(f"| {group} | {len(idx)} | " + " | ".join(cells) + " |")


def _curves(rows: list[dict], scored: dict[str, list[float]]) -> None:
    positives = [r["label"] == "cloud" for r in rows]
    print("\ncost-quality curve: share of cloud-needing prompts served at a given share sent to the cloud")
    shares = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
    print("| router | " + " | ".join(f"{x:.0%}" for x in shares) + " |")
    print("|---|" + "---|" * len(shares))
    for name, scores in scored.items():
        points = cost_quality_curve(scores, positives)
        print(f"| {name} | " + " | ".join(f"{_interpolate(points, x):.2f}" for x in shares) + " |")


def _interpolate(points: list[tuple[float, float]], x: float) -> float:
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def _random_mean(rows: list[dict], seeds: int) -> list[float]:
    """Average the random router's decisions over seeds by scoring with the mean rank."""
    totals = [0.0] * len(rows)
    for seed in range(seeds):
        rng = random.Random(seed)
        for i in range(len(rows)):
            totals[i] += rng.random()
    return [t / seeds for t in totals]


def evaluate(rows: list[dict], *, random_seeds: int) -> tuple[dict[str, list[float]], dict[str, float], float]:
    scored: dict[str, list[float]] = {}
    thresholds: dict[str, float] = {}
    timing = 0.0
    for name, (scorer, threshold) in routers().items():
        t0 = time.perf_counter()
        scored[name] = [scorer(r) for r in rows]
        if name == "learned":
            timing = (time.perf_counter() - t0) / len(rows)
        thresholds[name] = threshold
    if random_seeds > 1:  # one seed's luck should not decide the baseline's figures
        scored["random"] = _random_mean(rows, random_seeds)
        thresholds["random"] = sorted(scored["random"])[int(len(rows) * 0.55)]
    return scored, thresholds, timing


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every 4th prompt (for the test suite)")
    parser.add_argument("--data", type=Path, default=UNSEEN)
    parser.add_argument("--misses", metavar="ROUTER", help="list the prompts this router gets wrong")
    args = parser.parse_args(argv)

    rows = load(args.data)
    if args.quick:
        rows = rows[::4]
    scored, thresholds, per_prompt = evaluate(rows, random_seeds=1 if args.quick else 20)
    n_cloud = sum(r["label"] == "cloud" for r in rows)
    print(f"unseen set: {len(rows)} prompts, {n_cloud} need the cloud ({n_cloud / len(rows):.0%})")
    _slice_table("all prompts", rows, scored, thresholds)
    non_en = [i for i, r in enumerate(rows) if r["lang"] != "en"]
    _slice_table(
        "non-English", [rows[i] for i in non_en], {k: [v[i] for i in non_en] for k, v in scored.items()}, thresholds
    )
    short = [i for i, r in enumerate(rows) if len(r["text"]) < SHORT_CHARS]
    _slice_table(
        f"short prompts (< {SHORT_CHARS} chars)",
        [rows[i] for i in short],
        {k: [v[i] for i in short] for k, v in scored.items()},
        thresholds,
    )
    _per_group(rows, scored, thresholds, lambda r: r["lang"], "per language")
    _per_group(rows, scored, thresholds, lambda r: r["cat"], "per category")
    _curves(rows, scored)
    if per_prompt:
        print(f"\nlearned router: {per_prompt * 1e6:.0f} µs/prompt mean in this run (see routing_speed.py for p99)")
    if args.misses:
        _print_misses(rows, scored[args.misses], thresholds[args.misses])
    return scored


def _print_misses(rows: list[dict], scores: list[float], threshold: float) -> None:
    print()
    for row, score in zip(rows, scores, strict=True):
        if (score >= threshold) != (row["label"] == "cloud"):
            print(f"MISS {row['label']:<5} {score:8.3f} [{row['lang']}/{row['cat']}] {row['text'][:90]!r}")


if __name__ == "__main__":
    main()
