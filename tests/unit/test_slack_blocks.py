"""Block Kit payloads and per-channel pacing (pure / in-process)."""

from __future__ import annotations

import asyncio

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


class FakeClock:
    """Virtual time: sleeping advances the clock instantly, so pacing is tested without real waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def test_channel_limiter_paces_each_channel_separately() -> None:
    clock = FakeClock()
    limiter = ChannelLimiter(per_second=20, clock=clock, sleep=clock.sleep)  # 20 per 1.1 s window
    served: dict[str, list[float]] = {"C1": [], "C2": []}
    order: list[str] = []

    async def post(channel: str) -> None:
        await limiter.acquire(channel)
        served[channel].append(clock.now)
        order.append(channel)

    await asyncio.gather(*(post("C1") for _ in range(25)), *(post("C2") for _ in range(5)))
    start = 1000.0
    assert served["C1"][:20] == [start] * 20  # the first 20 go at once
    assert all(t >= start + MARGIN for t in served["C1"][20:])  # the rest wait a whole window
    assert len(clock.slept) == 1  # one wait, by C1's 21st post; C2 never waits for C1's queue
    assert order.index("C2") < [i for i, c in enumerate(order) if c == "C1"][20]
    times = served["C1"]  # in any window, at most 20 posts in C1
    assert all(sum(1 for u in times if t <= u < t + MARGIN) <= 20 for t in times)


async def test_unpaced_limiter_never_sleeps() -> None:
    clock = FakeClock()
    unpaced = ChannelLimiter(per_second=0, clock=clock, sleep=clock.sleep)
    await asyncio.gather(*(unpaced.acquire("C1") for _ in range(100)))
    assert clock.slept == []
