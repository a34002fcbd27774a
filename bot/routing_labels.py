"""Feedback as routing labels, and per-workspace calibration from them (pure, no I/O).

A 👎 or 🔁 on an answer a *local* model gave says "this needed the cloud"; a 👍 on one says "local
was fine". Answers from the cloud say nothing about whether local would have done, so they give
no label. A label keeps the router's raw score for the turn and the kinds of cue that fired —
never the text, unless the operator sets ``routing.keep_prompts_for_training``.

``fit_calibration`` refits the Platt scaling (two numbers) on a workspace's labels, pulled
towards the shipped calibration so a handful of labels cannot swing it far.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.routing_cues import CUE_NAMES
from bot.routing_features import DENSE_NAMES, features
from bot.routing_model import RoutingModel

FEEDBACK_SOURCES = {-1: "thumbs-down", 1: "thumbs-up"}
CALIBRATION_KEY = "routing.calibration"  # settings key; scope from calibration_scope()


def calibration_scope(workspace: str) -> str:
    return f"routing-workspace:{workspace}"


@dataclass(frozen=True)
class RoutingLabel:
    turn_id: int
    workspace: str  # the turn's workspace id (as in budgets and /usage)
    label: str  # "cloud" (local was not good enough) | "local" (local was fine)
    source: str  # "thumbs-down" | "thumbs-up" | "regenerate"
    raw: float  # the router's raw (uncalibrated) score of the turn, scored alone
    cues: tuple[str, ...]  # cue groups that fired: kinds, not words
    text: str | None = None  # only with routing.keep_prompts_for_training


def label_for(locality: str, source: str) -> str | None:
    """The label a reaction on an answer gives, or None (cloud answers teach nothing here)."""
    if locality != "local":
        return None
    return {"thumbs-down": "cloud", "regenerate": "cloud", "thumbs-up": "local"}.get(source)


def describe(text: str, model: RoutingModel) -> tuple[float, tuple[str, ...]]:
    """(raw score alone, cue groups that fired) for a turn's user message."""
    _, dense = features(text)
    start = DENSE_NAMES.index(f"cue:{CUE_NAMES[0]}")
    fired = tuple(name for name, value in zip(CUE_NAMES, dense[start:], strict=False) if value)
    return model.raw_parts(text)[0], fired


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def log_loss(pairs: list[tuple[float, bool]], calibration: tuple[float, float]) -> float:
    a, b = calibration
    eps = 1e-6
    total = 0.0
    for raw, positive in pairs:
        p = min(max(_sigmoid(a * raw + b), eps), 1 - eps)
        total -= math.log(p if positive else 1 - p)
    return total / len(pairs) if pairs else float("nan")


def fit_calibration(
    pairs: list[tuple[float, bool]], prior: tuple[float, float], *, strength: float = 5.0, steps: int = 50
) -> tuple[float, float]:
    """Platt scaling by Newton's method, L2-penalised towards ``prior`` (``strength`` pseudo-labels)."""
    a, b = prior
    # The slope multiplies raw scores of magnitude ~5: weigh its pull by their spread, so that
    # ``strength`` pseudo-labels hold both numbers equally.
    pull_a = strength * max(1.0, sum(raw * raw for raw, _ in pairs) / len(pairs)) if pairs else strength
    for _ in range(steps):
        ga, gb = pull_a * (a - prior[0]), strength * (b - prior[1])
        haa, hbb = pull_a, strength
        hab = 0.0
        for raw, positive in pairs:
            p = _sigmoid(a * raw + b)
            err, w = p - float(positive), p * (1 - p)
            ga += err * raw
            gb += err
            haa += w * raw * raw
            hab += w * raw
            hbb += w
        det = haa * hbb - hab * hab
        if det <= 1e-12:
            break
        da, db = (hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det
        a, b = a - da, b - db
        if abs(da) + abs(db) < 1e-9:
            break
    return a, b
