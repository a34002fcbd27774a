"""bot.difficulty: thresholds from config, follow-ups, feedback escalation, the heuristic fallback."""

from __future__ import annotations

import pytest

from bot import complexity
from bot.config import RoutingConfig
from bot.difficulty import PreviousTurn, assess, threshold
from bot.routing_model import load_default

HARD = "how many ways can 9 people sit at a round table if two of them refuse to sit together?"
EASY = "what's the capital of Peru?"


def test_threshold_default_explicit_and_target_share() -> None:
    model = load_default()
    assert threshold(RoutingConfig(), model) == model.threshold
    assert threshold(RoutingConfig(threshold=0.7), model) == 0.7
    low_share, high_share = (threshold(RoutingConfig(target_cloud_share=s), model) for s in (0.2, 0.7))
    assert low_share > high_share
    assert threshold(RoutingConfig(scorer="heuristic", complexity_threshold=0.4), model) == 0.4


def test_threshold_and_target_share_are_exclusive() -> None:
    with pytest.raises(ValueError, match="either threshold or target_cloud_share"):
        RoutingConfig(threshold=0.5, target_cloud_share=0.3)


def test_hard_and_easy() -> None:
    config = RoutingConfig()
    hard, easy = assess(HARD, config), assess(EASY, config)
    assert hard.score >= hard.threshold > easy.score
    assert not hard.inherited and not easy.escalated


def test_follow_up_inherits_only_from_a_hard_turn() -> None:
    config = RoutingConfig()
    after_hard = assess("and the second one?", config, PreviousTurn(HARD, "cloud", False))
    after_easy = assess("and of Chile?", config, PreviousTurn(EASY, "local", False))
    assert after_hard.score >= after_hard.threshold and after_hard.inherited
    assert after_easy.score < after_easy.threshold and not after_easy.inherited


def test_dislike_escalates_a_short_follow_up_of_a_local_answer_only() -> None:
    config = RoutingConfig()
    disliked = assess("try again", config, PreviousTurn(EASY, "local", True))
    assert disliked.escalated and disliked.score == disliked.threshold
    liked = assess("try again", config, PreviousTurn(EASY, "local", False))
    assert not liked.escalated
    cloud_disliked = assess("thanks", config, PreviousTurn(EASY, "cloud", True))
    assert not cloud_disliked.escalated  # the cloud already answered: nothing stronger to go to
    long_new_topic = "unrelated: " + "please reformat the attached list of names into a table " * 3
    assert not assess(long_new_topic, config, PreviousTurn(EASY, "local", True)).escalated


def test_heuristic_scorer_is_the_old_one() -> None:
    config = RoutingConfig(scorer="heuristic")
    assert assess(HARD, config, history_turns=3).score == complexity.score(HARD, history_turns=3).value
