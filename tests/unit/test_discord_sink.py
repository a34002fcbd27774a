"""The streaming sink against a recording channel (no network): coalescing, statuses, splitting, footers."""

from __future__ import annotations

import asyncio

from adapters.discord.sink import ChannelEditPacer, DiscordSink
from bot.engine import RouteInfo, TurnResult


class Message:
    def __init__(self, channel: Channel, content: str) -> None:
        self.channel, self.content, self.id = channel, content, len(channel.log)

    async def edit(self, *, content: str) -> Message:
        self.channel.log.append(("edit", self.id, content))
        self.content = content
        return self

    async def delete(self) -> None:
        self.channel.log.append(("delete", self.id, ""))


class Channel:
    def __init__(self) -> None:
        self.log: list[tuple[str, int, str]] = []
        self.typing_calls = 0

    async def send(self, content: str, **_: object) -> Message:
        message = Message(self, content)
        self.log.append(("send", message.id, content))
        return message

    def typing(self) -> Channel:
        self.typing_calls += 1
        return self

    def __await__(self):
        return asyncio.sleep(0).__await__()


ROUTE = RouteInfo("ollama", "llama3.2:3b", "local", "general", [])


def sink(channel: Channel, **kwargs) -> DiscordSink:
    return DiscordSink(channel, 1, ChannelEditPacer(0.0), **kwargs)  # type: ignore[arg-type]


async def test_an_instant_answer_is_one_message_with_its_footer():
    channel = Channel()
    s = sink(channel)
    await s.on_status("thinking…")
    for word in ("Hello ", "there."):
        await s.on_text(word)
    await s.on_done(TurnResult("done", "Hello there.", 1, ROUTE))
    assert channel.log == [("send", 0, "Hello there.\n-# 🔒 local · ollama:llama3.2:3b · general")]


async def test_a_quick_turn_never_shows_its_queue_status_but_a_slow_one_does():
    channel = Channel()
    quick = sink(channel, status_delay=0.2)
    await quick.on_status("⏳ 1 ahead of you in this conversation")
    await quick.on_text("fast")
    await quick.on_done(TurnResult("done", "fast", 1, ROUTE))
    assert [entry[2] for entry in channel.log] == ["fast\n-# 🔒 local · ollama:llama3.2:3b · general"]
    slow = sink(channel, status_delay=0.01)
    await slow.on_status("⏳ 1 ahead of you in this conversation")
    await asyncio.sleep(0.05)
    await slow.on_text("late")
    await slow.on_done(TurnResult("done", "late", 2, ROUTE))
    assert channel.log[1][0] == "send" and channel.log[1][2] == "-# ⏳ 1 ahead of you in this conversation"
    assert channel.log[-1][0] == "edit" and channel.log[-1][2].startswith("late\n-# 🔒")


async def test_refusals_and_notes_are_shown_without_a_footer():
    channel = Channel()
    s = sink(channel, notes=["I can't read attachments yet; I answered your text only."])
    await s.on_done(TurnResult("refused", "No local model can answer.", 3, error="No local model can answer."))
    assert (
        channel.log[0][2] == "No local model can answer.\n-# ℹ I can't read attachments yet; I answered your text only."
    )


async def test_streamed_text_past_2000_characters_continues_in_new_messages():
    channel = Channel()
    s = sink(channel)
    for _ in range(50):
        await s.on_text("x" * 99 + "\n")
        await asyncio.sleep(0)
    await s.on_done(TurnResult("done", "", 4, ROUTE))
    finals: dict[int, str] = {}
    for _kind, ident, content in channel.log:
        finals[ident] = content
    assert len(finals) == 3 and all(len(c) <= 2000 for c in finals.values())
    assert "".join(finals.values()).count("x" * 99) == 50 and finals[max(finals)].endswith("general")
