"""The routing training pipeline: the generated set stays apart from the unseen set, training runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import routing_eval  # noqa: E402
import routing_train  # noqa: E402
import routing_trainset  # noqa: E402

from bot.routing_features import DENSE_NAMES  # noqa: E402


def test_training_set_never_contains_an_unseen_prompt() -> None:
    # Two-word chat ("thanks!", "why?", "ok cool") is bound to occur in both; nothing longer may.
    unseen = {r["text"].strip().lower() for r in routing_eval.load() if len(r["text"].split()) > 2}
    committed = routing_train.load(routing_train.TRAIN)
    assert len(committed) > 2 * len(unseen)
    assert not unseen & {r["text"].strip().lower() for r in committed}


def test_generated_set_covers_every_language_and_both_labels() -> None:
    rows = routing_trainset.main(["--quick"])
    assert {"en", "de", "fr", "es", "pt", "ja", "zh", "hi"} <= {r["lang"] for r in rows}
    for lang in ("en", "ja", "hi"):
        assert {r["label"] for r in rows if r["lang"] == lang} == {"local", "cloud"}
    follow_ups = [r for r in rows if r.get("prev")]
    assert follow_ups and all(r["prev"]["text"] for r in follow_ups)


def test_generation_is_deterministic() -> None:
    assert routing_trainset.generate(per_template=1) == routing_trainset.generate(per_template=1)


@pytest.mark.slow
def test_quick_training_produces_weights_the_bot_can_load(capsys) -> None:
    weights = routing_train.main(["--quick"])
    assert weights["dense_names"] == list(DENSE_NAMES)
    assert weights["calibration"]["a"] > 0 and len(weights["quantiles"]) == 101
    assert weights["ngram_weights"]
    json.dumps(weights)  # serialisable as shipped
    assert "chosen_C" in capsys.readouterr().out
