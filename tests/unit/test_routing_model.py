"""bot.routing_model / bot.routing_features: the shipped weights score requests, not surface form."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.routing_features import DENSE_NAMES, Previous, features, split_request, word_equivalents
from bot.routing_model import WEIGHTS, RoutingModel, load_default

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

HARD_MATHS = "how many trailing zeros does 300! have?"
RENAME = "rename `n` to `count` please\n```python\nn = len(rows)\nprint(n)\n```"


@pytest.fixture(scope="module")
def model() -> RoutingModel:
    return load_default()


def test_weights_match_the_feature_extractor(model: RoutingModel) -> None:
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert data["dense_names"] == list(DENSE_NAMES)
    assert len(model.dense_weights) == len(DENSE_NAMES)
    assert 0 < model.threshold < 1 and list(model.quantiles) == sorted(model.quantiles)
    assert WEIGHTS.stat().st_size < 600_000  # small enough to ship in the package


def test_mismatched_weights_are_refused() -> None:
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    data["dense_names"] = data["dense_names"][:-1]
    with pytest.raises(ValueError, match="retrain"):
        RoutingModel.from_json(data)


@pytest.mark.parametrize(
    ("easy", "hard"),
    [
        ("thanks, that worked", HARD_MATHS),
        ("what's the capital of Italy?", "is 8633 a prime number?"),
        (
            RENAME,
            "find the race condition in this and fix it\n```go\nvar n int\nfunc inc() { go func() { n++ }() }\n```",
        ),
        ("「ありがとう」を英語で", "サイコロを4個振って合計が12になる確率は？"),
        ("bhai kal meeting kitne baje hai", "50 factorial ke end mein kitne zero hote hain?"),
        ("Wie spät ist es in Rom?", "Ist eine mündliche Kündigung in Deutschland rechtlich wirksam?"),
    ],
)
def test_hard_scores_above_easy_in_any_language(model: RoutingModel, easy: str, hard: str) -> None:
    assert model.probability(hard) > model.threshold > model.probability(easy)


def test_a_code_block_alone_does_not_make_a_request_hard(model: RoutingModel) -> None:
    assert model.probability(RENAME) < model.threshold
    request, pasted, fences = split_request(RENAME)
    assert "len(rows)" not in request and pasted >= 2 and fences == 1


def test_words_inside_a_paste_are_not_the_request() -> None:
    text = "fix the typos only:\n> we need to analyse the trade-offs and prove the theorem step by step"
    request, _, _ = split_request(text)
    assert "theorem" not in request


def test_follow_up_inherits_from_the_turn_it_continues(model: RoutingModel) -> None:
    hard = Previous(score=model.probability("prove that there are infinitely many primes of the form 4k+3"), cloud=True)
    easy = Previous(score=model.probability("what's the capital of Peru and of Chile?"), cloud=False)
    follow_up = "and the second one?"
    assert model.probability(follow_up, hard) > model.threshold > model.probability(follow_up, easy)
    assert model.score(follow_up, hard).inherited
    assert model.probability("thanks!", hard) < model.threshold  # a thank-you is not a hard turn


def test_previous_given_as_text_is_scored_like_the_bot_scores_it(model: RoutingModel) -> None:
    text = "expected number of coin flips until three heads in a row?"
    by_text = model.probability("and for four?", Previous(text=text))
    score = model.probability_alone(text)
    by_score = model.probability("and for four?", Previous(score=score, cloud=score >= model.threshold))
    assert by_text == by_score


def test_word_equivalents_count_cjk_characters_as_half_words() -> None:
    assert word_equivalents("two words") == 2
    assert word_equivalents("確率は") == 1.5
    long = "word " * 5000
    assert word_equivalents(long) == pytest.approx(5000, rel=0.01)  # extrapolated past 2,000 chars


def test_target_share_maps_to_a_threshold(model: RoutingModel) -> None:
    low, mid, high = (model.threshold_for_share(s) for s in (0.2, 0.5, 0.8))
    assert high <= mid <= low
    assert model.share_at(mid) == pytest.approx(0.5, abs=0.02)


def test_features_are_bounded_for_a_huge_paste(model: RoutingModel) -> None:
    grams, dense = features("summarise this\n" + "lorem ipsum dolor " * 20_000)
    assert len(grams) < 2000 and len(dense) == len(DENSE_NAMES)
    assert 0.0 <= model.probability("x" * 100_000) <= 1.0


def test_speed_benchmark_quick_mode_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import routing_speed

    p99s = routing_speed.main(["--quick"])
    assert len(p99s) == 2 and all(p > 0 for p in p99s)
    assert "wall p99 over 2 runs" in capsys.readouterr().out
