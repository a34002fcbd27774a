"""bot.routing_judge's pure parts: the prompt, reading the verdict, what counts as borderline."""

from __future__ import annotations

import pytest

from bot.difficulty import Assessment
from bot.routing_judge import JUDGE_INSTRUCTIONS, MAX_REQUEST_CHARS, borderline, judge_prompt, parse_verdict


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ("CLOUD", True),
        ("cloud.", True),
        ("Local", False),
        (" LOCAL\n", False),
        ("both local and cloud", None),
        ("I think it is hard", None),
        ("", None),
    ],
)
def test_parse_verdict(answer: str, verdict: bool | None) -> None:
    assert parse_verdict(answer) is verdict


def test_prompt_is_fixed_and_bounded() -> None:
    messages = judge_prompt("x" * 10_000)
    assert messages[0].content == JUDGE_INSTRUCTIONS
    assert len(messages[1].content) < MAX_REQUEST_CHARS + 100


def test_borderline_band_and_escalations() -> None:
    assert borderline(Assessment(0.45, 0.5), 0.1)
    assert not borderline(Assessment(0.2, 0.5), 0.1)
    assert not borderline(Assessment(0.5, 0.5, escalated=True), 0.5)  # the team already spoke
