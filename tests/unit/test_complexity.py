"""bot.complexity: ordering, range, reported signals, and accuracy on the labelled prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.complexity import DEFAULT_THRESHOLD, SIGNALS, ComplexityScore, score

PROMPTS = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "prompts.jsonl"

GREETING = "hey, how's it going?"
CODE_QUESTION = "what does this print?\n```python\nprint(sorted({3, 1, 2}))\n```"
MULTI_STEP_ANALYSIS = (
    "Compare PostgreSQL and MongoDB for our event store and analyze the trade-offs:\n"
    "1. write throughput at 10k events per second\n"
    "2. schema evolution\n"
    "3. operational cost\n"
    "Then recommend one and explain why."
)
TRACEBACK = (
    "worker crashes, why?\n"
    "Traceback (most recent call last):\n"
    '  File "/app/worker.py", line 88, in process\n'
    "    total = sum(i['amount'] for i in items)\n"
    "KeyError: 'amount'\n"
)


def test_ordering_greeting_code_question_multi_step_analysis() -> None:
    greeting, code, analysis = (score(t).value for t in (GREETING, CODE_QUESTION, MULTI_STEP_ANALYSIS))
    assert greeting < code < analysis
    assert greeting < 0.1
    assert analysis >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("text", "expected_signal"),
    [
        (GREETING, "small_talk"),
        ("what's the capital of Australia?", "short_question"),
        (CODE_QUESTION, "code"),
        (TRACEBACK, "stack_trace"),
        ("Prove that the square root of 2 is irrational.", "math"),
        ("Evaluate \\int_0^1 x^2 dx", "math"),
        ("1. read the CSV\n2. clean it\n3. train a model", "multi_step"),
        ("explain step by step how DNS resolution works", "multi_step"),
        ("what are the pros and cons of Kafka vs RabbitMQ?", "analysis"),
        ("Draft a post-mortem for yesterday's outage", "long_form"),
        ("x" * 1500, "length"),
    ],
)
def test_signal_is_reported(text: str, expected_signal: str) -> None:
    assert expected_signal in score(text).signals


def test_context_and_depth_raise_the_score() -> None:
    text = "can you summarize the main points?"
    base = score(text)
    deep = score(text, history_turns=20, context_chars=64_000)
    assert deep.value > base.value
    assert {"long_context", "depth"} <= set(deep.signals)
    assert "long_context" not in base.signals and "depth" not in base.signals


SIMPLE = [
    "hi!",
    "thanks, that worked!",
    "what's the capital of Australia?",
    "convert 30 celsius to fahrenheit",
    "how do I exit vim?",
    "what does `git stash` do?",
    "why is the sky blue?",
    "translate 'good luck' into Spanish",
    "write a haiku about autumn",
]
COMPLEX = [
    TRACEBACK,
    MULTI_STEP_ANALYSIS,
    "Prove that every tree with n nodes has exactly n-1 edges.",
    "Design a rate limiter that works across 12 stateless instances and degrades gracefully if Redis "
    "is down. Describe the data structures and failure modes.",
    "Write a Python function that parses ISO 8601 durations into seconds, handles invalid input, "
    "and include pytest tests for the edge cases.",
    "Write a 1000-word blog post explaining vector databases to backend engineers.",
]


@pytest.mark.parametrize("text", SIMPLE)
def test_simple_prompts_stay_local(text: str) -> None:
    assert score(text).value < DEFAULT_THRESHOLD


@pytest.mark.parametrize("text", COMPLEX)
def test_complex_prompts_suggest_cloud(text: str) -> None:
    assert score(text).value >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    "text",
    ["", " ", "?", "a" * 100_000, "```" * 50, "\n" * 1000, "1. 2. 3.", "🙂" * 300, "$$ \\int $$"],
)
@pytest.mark.parametrize(("turns", "context"), [(0, 0), (-5, -1), (1000, 10_000_000)])
def test_value_in_unit_interval(text: str, turns: int, context: int) -> None:
    result = score(text, history_turns=turns, context_chars=context)
    assert isinstance(result, ComplexityScore)
    assert 0.0 <= result.value <= 1.0
    assert set(result.signals) <= SIGNALS.keys()


def test_signal_table_is_documented() -> None:
    import bot.complexity as module

    for name, signal in SIGNALS.items():
        assert signal.description
        assert 0.0 < signal.weight <= 1.0
        assert f"``{name}``" in (module.__doc__ or "")


def test_accuracy_on_labelled_prompts_at_default_threshold() -> None:
    with PROMPTS.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    assert len(rows) >= 80
    correct = sum((score(r["text"]).value >= DEFAULT_THRESHOLD) == (r["label"] == "complex") for r in rows)
    assert correct / len(rows) >= 0.8, f"accuracy {correct / len(rows):.3f}"
