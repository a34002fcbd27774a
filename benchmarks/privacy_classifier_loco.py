"""Would a learned second opinion generalise better than more rules? Leave-one-corpus-out, development corpora only.

For each held-out development corpus, a character and word n-gram logistic regression is trained on the other
development corpora and OR-ed with the rules at a few probability thresholds. The sealed next-round corpus
(`privacy_unseen_r7.jsonl`) and the clean round-6 test are never read here.

The rules were written while reading these corpora, so their own figures here flatter them: read the classifier's
columns as a lower bound of what it adds on unseen text. Nothing in the bot uses this model yet.

    .venv/bin/python benchmarks/privacy_classifier_loco.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline, make_union  # noqa: E402

from bot import privacy  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
DEVELOPMENT = (
    "privacy_corpus",
    "privacy_holdout",
    "privacy_unseen",
    "privacy_unseen_next",
    "privacy_unseen_r3",
    "privacy_unseen_r4",
    "privacy_unseen_r5",
)
HELD_OUT = ("privacy_unseen_r3", "privacy_unseen_r4", "privacy_unseen_r5", "privacy_unseen", "privacy_unseen_next")
THRESHOLDS = (0.5, 0.7, 0.8, 0.9)


def load(name: str) -> list[dict]:
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def precision_recall(predicted: list[bool], truth: list[bool]) -> tuple[float, float]:
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def model(quick: bool):
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4 if quick else 5), min_df=2, sublinear_tf=True)
    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
    return make_pipeline(make_union(chars, words), LogisticRegression(C=10, max_iter=2000, class_weight="balanced"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one held-out corpus, smaller n-grams (the suite runs it)")
    args = parser.parse_args()
    corpora = {name: load(name) for name in DEVELOPMENT}
    flagged = {
        name: [any(f.confidence >= privacy.SENSITIVE_THRESHOLD for f in privacy.scan(r["text"])) for r in rows]
        for name, rows in corpora.items()
    }
    header = "held out".ljust(22) + "rules P/R".ljust(14) + "".join(f"OR@{t} P/R".ljust(14) for t in THRESHOLDS)
    print(header + "classifier alone P/R")
    for held in HELD_OUT[:1] if args.quick else HELD_OUT:
        train = [r for name in DEVELOPMENT if name != held for r in corpora[name]]
        fitted = model(args.quick).fit([r["text"] for r in train], [r["sensitive"] for r in train])
        rows = corpora[held]
        truth = [r["sensitive"] for r in rows]
        scores = fitted.predict_proba([r["text"] for r in rows])[:, 1]
        cells = [precision_recall(flagged[held], truth)]
        cells += [
            precision_recall([b or s >= t for b, s in zip(flagged[held], scores, strict=True)], truth)
            for t in THRESHOLDS
        ]
        cells.append(precision_recall([s >= 0.5 for s in scores], truth))
        print(held.ljust(22) + "".join(f"{p:.3f}/{r:.3f}".ljust(14) for p, r in cells))


if __name__ == "__main__":
    main()
