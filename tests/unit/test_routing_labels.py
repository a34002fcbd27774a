"""bot.routing_labels: which reactions are labels, and the per-workspace calibration refit."""

from __future__ import annotations

import math
import random

import pytest

from bot.routing_labels import describe, fit_calibration, label_for, log_loss
from bot.routing_model import load_default


@pytest.mark.parametrize(
    ("locality", "source", "label"),
    [
        ("local", "thumbs-down", "cloud"),
        ("local", "regenerate", "cloud"),
        ("local", "thumbs-up", "local"),
        ("cloud", "thumbs-down", None),  # a weak cloud answer says nothing about the local model
        ("cloud", "thumbs-up", None),
        ("local", "", None),
    ],
)
def test_label_for(locality: str, source: str, label: str | None) -> None:
    assert label_for(locality, source) == label


def test_describe_gives_a_score_and_cue_kinds_not_words() -> None:
    raw, cues = describe("can you prove that the sum of two odd numbers is even?", load_default())
    assert isinstance(raw, float) and "prove" in cues
    assert all(" " not in c for c in cues)


def _synthetic(a: float, b: float, n: int, seed: int = 3) -> list[tuple[float, bool]]:
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        raw = rng.uniform(-6, 6)
        pairs.append((raw, rng.random() < 1 / (1 + math.exp(-(a * raw + b)))))
    return pairs


def test_refit_moves_towards_the_workspace_and_lowers_its_loss() -> None:
    pairs = _synthetic(0.8, 1.5, 2000)  # this team wants the cloud more often than the shipped fit says
    prior = (1.0, 0.0)
    a, b = fit_calibration(pairs, prior)
    assert a == pytest.approx(0.8, abs=0.15) and b == pytest.approx(1.5, abs=0.3)
    assert log_loss(pairs, (a, b)) < log_loss(pairs, prior)


def test_few_labels_barely_move_the_calibration() -> None:
    a, b = fit_calibration(_synthetic(0.8, 3.0, 4), (1.0, 0.0))
    assert abs(a - 1.0) < 0.5 and abs(b) < 1.0
    assert fit_calibration([], (1.2, -0.3)) == (1.2, -0.3)
