"""How much does this turn need the cloud? Glue between config, the learned model and the thread (pure).

``assess`` returns the score the router compares with the threshold, and whether the previous
turn raised it (a follow-up) or a 👎/🔁 on a local answer escalated it, so /why can say so.
Privacy is not decided here: bot.router applies it first and a private turn stays local whatever
the score (tests/unit/test_difficulty_privacy.py proves it for any score and history).

``routing.scorer = "heuristic"`` keeps the hand-weighted bot.complexity scorer (no follow-ups).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import complexity
from bot.config import RoutingConfig
from bot.routing_features import SHORT_WORDS, split_request, word_equivalents
from bot.routing_model import Previous, RoutingModel, load_default


@dataclass(frozen=True)
class Assessment:
    score: float  # 0..1; the learned scorer's is a calibrated probability
    threshold: float  # cloud at score >= threshold (when privacy and policy allow)
    inherited: bool = False  # a follow-up that took difficulty from the turn it continues
    escalated: bool = False  # the previous local answer got 👎 or 🔁
    judged: str = ""  # routing judge's verdict: "cloud" | "local" | "timeout" | "unclear" | "" (not asked)


@dataclass(frozen=True)
class PreviousTurn:
    """What the thread knows about the turn before, read from the store by the engine."""

    text: str  # its user message (scored locally; never leaves the machine through this path)
    locality: str  # "local" | "cloud" | "" (not answered)
    disliked: bool  # its answer got 👎, or the user asked for it again with 🔁


def threshold(config: RoutingConfig, model: RoutingModel) -> float:
    if config.scorer == "heuristic":
        return config.complexity_threshold
    if config.target_cloud_share is not None:
        return model.threshold_for_share(config.target_cloud_share)
    if config.threshold is not None:
        return config.threshold
    return model.threshold


def assess(
    text: str,
    config: RoutingConfig,
    previous: PreviousTurn | None = None,
    *,
    history_turns: int = 0,
    model: RoutingModel | None = None,
    calibration: tuple[float, float] | None = None,
) -> Assessment:
    """Score one turn. ``calibration``: this workspace's refit from `hybridbot route tune` (None: shipped)."""
    if config.scorer == "heuristic":
        value = complexity.score(text, history_turns=history_turns).value
        return Assessment(value, config.complexity_threshold)
    model = model or load_default()
    cut = threshold(config, model)
    prior = None
    if previous is not None and previous.text:
        prior = Previous(score=model.probability_alone(previous.text), cloud=previous.locality == "cloud")
    scored = model.score(text, prior, calibration=calibration)
    value = scored.probability
    # Feedback is policy: after 👎/🔁 on a local answer the team has said the local model was not
    # good enough here, so a short follow-up ("try again", "that's wrong") goes up a level.
    disliked_local = previous is not None and previous.disliked and previous.locality == "local"
    short = word_equivalents(split_request(text)[0]) <= SHORT_WORDS
    escalated = value < cut and disliked_local and short
    if escalated:
        value = cut
    return Assessment(value, cut, inherited=scored.inherited and value >= cut and not escalated, escalated=escalated)
