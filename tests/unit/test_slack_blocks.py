"""Block Kit payloads and per-channel pacing (pure / in-process)."""

from __future__ import annotations

import asyncio
import contextlib

from adapters.slack.blocks import answer_blocks, choice_menu, home_view, section
from adapters.slack.limits import MARGIN, ChannelPostPacer
from bot.commands import Choice
from tests.helpers import turn_id_from_blocks


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
    limiter = ChannelPostPacer(per_second=20, clock=clock, sleep=clock.sleep)  # 20 per 1.1 s window
    served: dict[str, list[float]] = {"C1": [], "C2": []}
    order: list[str] = []

    async def post(channel: str) -> None:
        async with limiter.post(channel):
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
    unpaced = ChannelPostPacer(per_second=0, clock=clock, sleep=clock.sleep)

    async def post() -> None:
        async with unpaced.post("C1"):
            pass

    await asyncio.gather(*(post() for _ in range(100)))
    assert clock.slept == []


async def test_a_post_counts_until_a_window_after_slack_answered_it() -> None:
    """A slow post (queued, busy loop) may reach Slack late: the next one waits a window after its answer."""
    clock = FakeClock()
    limiter = ChannelPostPacer(per_second=1, clock=clock, sleep=clock.sleep)
    let_through: list[float] = []

    async def slow_post() -> None:
        async with limiter.post("C1"):
            let_through.append(clock.now)
            clock.now += 0.8  # the request took 0.8 s: it may have arrived at Slack any time until then

    await asyncio.gather(slow_post(), slow_post(), slow_post())
    assert let_through[1] - let_through[0] >= 0.8 + MARGIN  # not MARGIN after the first was let through
    assert let_through[2] - let_through[1] >= 0.8 + MARGIN


async def test_a_post_in_flight_holds_its_place_even_if_it_fails() -> None:
    clock = FakeClock()
    limiter = ChannelPostPacer(per_second=1, clock=clock, sleep=clock.sleep)
    with contextlib.suppress(RuntimeError):
        async with limiter.post("C1"):
            raise RuntimeError("network")  # it may have reached Slack all the same
    start = clock.now
    async with limiter.post("C1"):
        assert clock.now >= start + MARGIN
