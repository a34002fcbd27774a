"""Train the learned difficulty router and write bot/routing_weights.json.

Run from the repo root:  .venv/bin/python benchmarks/routing_train.py [--quick] [--out PATH]
Needs scikit-learn (`pip install -e ".[bench]"`); the bot itself scores in pure Python.

1. Character n-grams (vocabulary: in at least 3 training prompts) and dense features
   (bot/routing_features.py) for benchmarks/data/routing_train.jsonl.
2. Stage 1, no previous turn: out-of-fold probabilities for every prompt, so a follow-up's
   previous turn is scored as the bot would score it (not by a model that saw its label).
3. Stage 2, with the previous-turn features: L2 logistic regression, C chosen by grouped
   cross-validation (folds split by template, so a template's variants never sit on both sides),
   Platt scaling on out-of-fold scores, then a fit on everything.
Never reads benchmarks/data/routing_unseen.jsonl.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.routing_features import DENSE_NAMES, Previous, features  # noqa: E402

TRAIN = ROOT / "benchmarks" / "data" / "routing_train.jsonl"
OUT = ROOT / "bot" / "routing_weights.json"
C_GRID = (0.3, 1.0, 3.0, 10.0)
MIN_DF = 3
THRESHOLD = 0.5  # calibrated: "more likely than not, the local answer is clearly worse"


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def featurise(rows: list[dict], prev_scores: dict[str, float] | None) -> tuple[list[set[str]], np.ndarray]:
    grams, dense = [], []
    for row in rows:
        previous = None
        if prev_scores is not None and row.get("prev"):
            score = prev_scores[row["prev"]["text"]]
            previous = Previous(score=score, cloud=score >= THRESHOLD)
        g, d = features(row["text"], previous)
        grams.append(g)
        dense.append(d)
    return grams, np.array(dense)


def vocabulary(gram_sets: list[set[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for grams in gram_sets:
        for g in grams:
            counts[g] = counts.get(g, 0) + 1
    kept = sorted(g for g, c in counts.items() if c >= MIN_DF)
    return {g: i for i, g in enumerate(kept)}


def matrix(gram_sets: list[set[str]], dense: np.ndarray, vocab: dict[str, int]) -> csr_matrix:
    rows, cols, vals = [], [], []
    for r, grams in enumerate(gram_sets):
        norm = 1 / math.sqrt(len(grams)) if grams else 0.0  # same normalisation as bot/routing_model.py
        for g in grams:
            if g in vocab:
                rows.append(r)
                cols.append(vocab[g])
                vals.append(norm)
    sparse = csr_matrix((vals, (rows, cols)), shape=(len(gram_sets), len(vocab)))
    return hstack([sparse, csr_matrix(dense)]).tocsr()


def oof_raw(x: csr_matrix, y: np.ndarray, groups: np.ndarray, c: float, folds: int) -> np.ndarray:
    model = LogisticRegression(C=c, max_iter=3000)
    return cross_val_predict(model, x, y, groups=groups, cv=GroupKFold(folds), method="decision_function")


def platt(raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    fit = LogisticRegression(C=1e6, max_iter=1000).fit(raw.reshape(-1, 1), y)
    return float(fit.coef_[0][0]), float(fit.intercept_[0])


def calibrated(raw: np.ndarray, ab: tuple[float, float]) -> np.ndarray:
    return 1 / (1 + np.exp(-(ab[0] * raw + ab[1])))


def stage_one(rows: list[dict], y: np.ndarray, groups: np.ndarray, folds: int) -> dict[str, float]:
    """Out-of-fold probabilities of every prompt scored alone: the previous-turn scores."""
    alone = [r for r in rows if not r.get("prev")]
    grams, dense = featurise(alone, None)
    vocab = vocabulary(grams)
    x = matrix(grams, dense, vocab)
    y1 = np.array([r["label"] == "cloud" for r in alone], dtype=int)
    g1 = np.array([r["tpl"] for r in alone])
    raw = oof_raw(x, y1, g1, 1.0, folds)
    ab = platt(raw, y1)
    scores = {r["text"]: float(p) for r, p in zip(alone, calibrated(raw, ab), strict=True)}
    # Previous turns that are not training prompts themselves (hand-written follow-ups): score them
    # with the stage-one model fitted on every prompt (they were never its training data).
    missing = sorted({r["prev"]["text"] for r in rows if r.get("prev")} - scores.keys())
    if missing:
        fitted = LogisticRegression(C=1.0, max_iter=3000).fit(x, y1)
        mg, md = featurise([{"text": t} for t in missing], None)
        probs = calibrated(fitted.decision_function(matrix(mg, md, vocab)), ab)
        scores.update({t: float(p) for t, p in zip(missing, probs, strict=True)})
    return scores


def train(rows: list[dict], folds: int, c_grid: tuple[float, ...] = C_GRID) -> tuple[dict, dict]:
    y = np.array([r["label"] == "cloud" for r in rows], dtype=int)
    groups = np.array([r["tpl"] for r in rows])
    prev_scores = stage_one(rows, y, groups, folds)
    grams, dense = featurise(rows, prev_scores)
    vocab = vocabulary(grams)
    x = matrix(grams, dense, vocab)
    report: dict = {"prompts": len(rows), "vocabulary": len(vocab), "cv": {}}
    best_c, best_loss, best_raw = c_grid[0], math.inf, None
    for c in c_grid:
        raw = oof_raw(x, y, groups, c, folds)
        probs = calibrated(raw, platt(raw, y))
        loss = log_loss(y, probs)
        report["cv"][c] = {
            "log_loss": round(loss, 4),
            "accuracy": round(accuracy_score(y, probs >= THRESHOLD), 4),
            "auc": round(roc_auc_score(y, probs), 4),
        }
        if loss < best_loss:
            best_c, best_loss, best_raw = c, loss, raw
    ab = platt(best_raw, y)
    final = LogisticRegression(C=best_c, max_iter=3000).fit(x, y)
    coef = final.coef_[0]
    inverse = {i: g for g, i in vocab.items()}
    ngram_weights = {inverse[i]: round(float(w), 4) for i, w in enumerate(coef[: len(vocab)]) if abs(w) >= 1e-3}
    oof_probs = calibrated(best_raw, ab)
    weights = {
        "version": 1,
        "trained_on": f"benchmarks/data/routing_train.jsonl ({len(rows)} prompts)",
        "C": best_c,
        "dense_names": list(DENSE_NAMES),
        "dense_weights": [round(float(w), 4) for w in coef[len(vocab) :]],
        "bias": round(float(final.intercept_[0]), 4),
        "calibration": {"a": round(ab[0], 4), "b": round(ab[1], 4)},
        "threshold": THRESHOLD,
        "quantiles": [round(float(q), 4) for q in np.quantile(oof_probs, np.linspace(0, 1, 101))],
        "ngram_weights": dict(sorted(ngram_weights.items())),
    }
    report["chosen_C"] = best_c
    return weights, report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every 6th prompt, 3 folds, one C, nothing written")
    parser.add_argument("--data", type=Path, default=TRAIN)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = load(args.data)
    if args.quick:
        alone = [r for r in rows[::6] if not r.get("prev")]
        keep = {r["text"] for r in alone}
        rows = alone + [r for r in rows if r.get("prev") and r["prev"]["text"] in keep][: len(alone) // 5]
    weights, report = train(rows, folds=3 if args.quick else 5, c_grid=(3.0,) if args.quick else C_GRID)
    print(json.dumps(report, indent=1))
    print(f"n-gram weights shipped: {len(weights['ngram_weights'])}")
    if not args.quick:
        args.out.write_text(json.dumps(weights, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {args.out.relative_to(ROOT)} ({args.out.stat().st_size // 1024} KB)")
    return weights


if __name__ == "__main__":
    main()
