"""The faster scoring path (bot/routing_model.py, bot/routing_features.py) gives the same scores as the
plain formulas it replaced, on the routing sets' texts (a fifth of the training set) and with and without a previous turn."""

from __future__ import annotations

import json
import math
from pathlib import Path

from bot.routing_features import (
    _CODE_LINE,
    _FENCE,
    _QUOTE,
    NGRAM_SIZES,
    PREVIOUS_FEATURES,
    SAMPLE_HEAD,
    SAMPLE_TAIL,
    Previous,
    cap,
    dense,
    normalise,
    split_request,
)
from bot.routing_model import RoutingModel, load_default

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
PREVIOUS = (None, Previous(score=0.8, cloud=True), Previous(score=0.1), Previous(score=0.55, disliked=True))


def _texts() -> list[str]:
    texts = []
    for name, every in (("routing_unseen.jsonl", 1), ("prompts.jsonl", 1), ("routing_train.jsonl", 5)):
        with (DATA / name).open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        texts += [row.get("text") or row.get("prompt", "") for row in rows[::every]]
    return [t for t in texts if t] + ["", " ", "```\ncode only\n```", "x" * 20_000 + " why?"]


def _reference_split_request(text: str) -> tuple[str, int, int]:
    """split_request as it was: every line searched twice."""
    fences = _FENCE.findall(text)
    fenced_lines = sum(block.count("\n") + 1 for block in fences)
    rest = _QUOTE.sub(" ", _FENCE.sub(" ⟦code⟧ ", text))
    lines = rest.split("\n")
    pasted = [ln for ln in lines if _CODE_LINE.search(ln)] if len(lines) > 2 else []
    if pasted:
        rest = "\n".join(ln for ln in lines if not _CODE_LINE.search(ln))
    return rest.strip(), fenced_lines + len(pasted), len(fences)


def _reference_raw_parts(model: RoutingModel, text: str, previous: Previous | None) -> tuple[float, float]:
    """The formulas as they were before the speed pass (generators, dict.get per gram)."""
    sample = text if len(text) <= SAMPLE_HEAD + SAMPLE_TAIL else text[:SAMPLE_HEAD] + "\n" + text[-SAMPLE_TAIL:]
    request, pasted, fences = _reference_split_request(sample)
    assert split_request(sample) == (request, pasted, fences)
    capped = cap(request)
    normalised = normalise(capped)
    grams: set[str] = set()
    for n in NGRAM_SIZES:
        grams.update(normalised[i : i + n] for i in range(len(normalised) - n + 1))
    grams.discard("  ")
    values = dense(text, request, capped, pasted, fences, previous)
    norm = 1 / math.sqrt(len(grams)) if grams else 0.0
    alone = model.bias + norm * sum(model.ngram_weights.get(g, 0.0) for g in grams)
    split = len(values) - PREVIOUS_FEATURES
    alone += sum(w * x for w, x in zip(model.dense_weights[:split], values[:split], strict=True))
    added = sum(w * x for w, x in zip(model.dense_weights[split:], values[split:], strict=True))
    return alone, added


def test_scores_match_the_plain_formulas() -> None:
    model = load_default()
    texts = _texts()
    assert len(texts) > 1500
    worst = 0.0
    for text in texts:
        for previous in PREVIOUS:
            fast = RoutingModel.raw_parts(model, text, previous)
            slow = _reference_raw_parts(model, text, previous)
            worst = max(worst, abs(fast[0] - slow[0]), abs(fast[1] - slow[1]))
            p_fast = model.calibrate(sum(fast))
            assert abs(p_fast - model.calibrate(sum(slow))) <= 1e-9, text
    assert worst <= 1e-9  # measured: 0.0 (the same additions in the same order)
