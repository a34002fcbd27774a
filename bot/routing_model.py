"""The learned difficulty router at run time: pure-Python scoring of shipped weights.

``probability(text, previous=...)`` is the calibrated chance that a ~3B local model would answer
this turn clearly worse than a frontier cloud model. The weights (bot/routing_weights.json) come
from benchmarks/routing_train.py: a logistic regression over the features in
bot/routing_features.py, then Platt scaling fitted on out-of-fold scores. No scikit-learn here.

Feedback (👎/🔁) is policy, not a weight: bot/difficulty.py applies it on top of this score.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import operator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from bot.routing_features import DENSE_NAMES, PREVIOUS_FEATURES, Previous, features

WEIGHTS = Path(__file__).with_name("routing_weights.json")

__all__ = ["Previous", "RoutingModel", "Scored", "load_default"]


@dataclass(frozen=True)
class Scored:
    probability: float
    inherited: bool  # the previous turn raised this score by 0.1 or more (a follow-up)


@dataclass(frozen=True)
class RoutingModel:
    ngram_weights: dict[str, float]
    dense_weights: tuple[float, ...]
    bias: float
    calibration: tuple[float, float]  # Platt: p = sigmoid(a * raw + b)
    threshold: float  # default decision threshold on the calibrated probability
    quantiles: tuple[float, ...]  # calibrated scores at 0 %, 1 %, ..., 100 % of the training set
    # Raw scores of recent texts scored alone: the next turn's "previous turn" costs nothing.
    _alone: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: dict) -> RoutingModel:
        if tuple(data["dense_names"]) != DENSE_NAMES:
            raise ValueError("routing weights do not match bot/routing_features.py: retrain them")
        return cls(
            ngram_weights=data["ngram_weights"],
            dense_weights=tuple(data["dense_weights"]),
            bias=data["bias"],
            calibration=(data["calibration"]["a"], data["calibration"]["b"]),
            threshold=data["threshold"],
            quantiles=tuple(data["quantiles"]),
        )

    def raw_parts(self, text: str, previous: Previous | None = None) -> tuple[float, float]:
        """(raw score of the text alone, what the previous-turn features add to it).

        The sums run in C (`map`) in the same order as a plain loop would: the same floats, bit for bit."""
        grams, dense = features(text, previous)
        norm = 1 / math.sqrt(len(grams)) if grams else 0.0
        alone = self.bias + norm * sum(map(self.ngram_weights.get, grams, itertools.repeat(0.0)))
        split = len(dense) - PREVIOUS_FEATURES
        if len(dense) != len(self.dense_weights):
            raise ValueError("routing weights do not match bot/routing_features.py: retrain them")
        alone += sum(map(operator.mul, self.dense_weights[:split], dense[:split]))
        added = sum(map(operator.mul, self.dense_weights[split:], dense[split:])) if previous is not None else 0.0
        if len(self._alone) >= 256:
            self._alone.pop(next(iter(self._alone)))
        self._alone[text] = alone
        return alone, added

    def raw(self, text: str, previous: Previous | None = None) -> float:
        return sum(self.raw_parts(text, previous))

    def calibrate(self, raw: float, calibration: tuple[float, float] | None = None) -> float:
        a, b = calibration or self.calibration
        z = a * raw + b
        return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))

    def resolve(self, previous: Previous | None) -> Previous | None:
        """Score a previous turn given as text (offline evaluation); the bot passes its stored score."""
        if previous is None or previous.score is not None or not previous.text:
            return previous
        score = self.probability_alone(previous.text)
        return replace(previous, score=score, cloud=previous.cloud or score >= self.threshold)

    def probability_alone(self, text: str) -> float:
        """The text's probability without a previous turn (cached for the turn that follows it)."""
        alone = self._alone.get(text)
        return self.calibrate(alone if alone is not None else self.raw_parts(text)[0])

    def score(
        self, text: str, previous: Previous | None = None, *, calibration: tuple[float, float] | None = None
    ) -> Scored:
        alone, added = self.raw_parts(text, self.resolve(previous))
        p = self.calibrate(alone + added, calibration)
        return Scored(round(p, 4), p - self.calibrate(alone, calibration) >= 0.1)

    def probability(self, text: str, previous: Previous | None = None) -> float:
        return self.score(text, previous).probability

    def threshold_for_share(self, share: float) -> float:
        """The threshold that sends about ``share`` of turns to the cloud (training-set mix)."""
        share = min(max(share, 0.0), 1.0)
        index = min(len(self.quantiles) - 1, max(0, round((1 - share) * (len(self.quantiles) - 1))))
        return self.quantiles[index]

    def share_at(self, threshold: float) -> float:
        """Share of training-set turns at or above ``threshold`` (for messages and docs)."""
        return 1 - bisect.bisect_left(self.quantiles, threshold) / (len(self.quantiles) - 1)


@lru_cache(maxsize=1)
def load_default() -> RoutingModel:
    with WEIGHTS.open(encoding="utf-8") as fh:
        return RoutingModel.from_json(json.load(fh))
