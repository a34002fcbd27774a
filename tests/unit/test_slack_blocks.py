"""Block Kit payloads and per-channel pacing (pure / in-process)."""

from __future__ import annotations

import asyncio
import time

from adapters.slack.blocks import answer_blocks, choice_menu, home_view, section, turn_id_from_blocks
from adapters.slack.limits import MARGIN, ChannelLimiter
from bot.commands import Choice


def test_answer_blocks_carry_the_turn_in_the_footer_block_id() -> None:
    blocks = answer_blocks(["hello"], footer="🔒 local · ollama:m · general", notices=["fell back"], turn_id=42)
    assert [b["type"] for b in blocks] == ["section", "context", "actions"]
    assert [e["text"] for e in blocks[1]["elements"]] == ["ℹ fell back", "🔒 local · ollama:m · general"]
    assert turn_id_from_blocks(blocks) == 42
    assert {e["value"] for e in blocks[2]["elements"]} == {"42"}


def test_streaming_and_continued_messages_have_no_footer() -> None:
    assert answer_blocks(["part"], footer=None, turn_id=None) == [section("part")]
    assert turn_id_from_blocks([section("x")]) is None
    assert turn_id_from_blocks(None) is None


def test_blocks_respect_slack_limits() -> None:
    assert len(section("x" * 5000)["text"]["text"]) == 3000
    assert len(answer_blocks(["p"] * 80, footer="f", turn_id=1)) == 50
    assert section("")["text"]["text"] == " "  # Slack rejects empty text


def test_choice_menu_marks_the_current_choice_and_trims_labels() -> None:
    choices = [Choice("auto", "auto"), Choice("ollama:m", "🔒 ollama:m " + "x" * 100, current=True)]
    blocks = choice_menu("model", "Model: *auto*", choices)
    menu = blocks[1]["elements"][0]
    assert menu["action_id"] == "hb_select_model"
    assert menu["initial_option"]["value"] == "ollama:m"
    assert all(len(o["text"]["text"]) <= 75 for o in menu["options"])
    many = choice_menu("agent", "t", [Choice(str(i), str(i)) for i in range(150)])
    assert len(many[1]["elements"][0]["options"]) == 100


def test_home_view() -> None:
    view = home_view(name="hybridbot", defaults=["Model: *auto*"], models=[], usage=["none"])
    assert view["type"] == "home"
    assert "No models are reachable" in str(view)


async def test_channel_limiter_paces_each_channel_separately() -> None:
    limiter = ChannelLimiter(per_second=20)  # 20 per 1.1 s window
    started = time.monotonic()
    await asyncio.gather(*(limiter.acquire("C1") for _ in range(25)), *(limiter.acquire("C2") for _ in range(5)))
    elapsed = time.monotonic() - started
    assert MARGIN * 0.95 <= elapsed < MARGIN + 0.5  # the 21st call in C1 waited a window; C2 never did
    unpaced = ChannelLimiter(per_second=0)
    started = time.monotonic()
    await asyncio.gather(*(unpaced.acquire("C1") for _ in range(100)))
    assert time.monotonic() - started < 0.1
