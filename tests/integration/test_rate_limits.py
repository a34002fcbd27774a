"""Per-user and per-channel limits in the engine, with the real providers against the stand-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("slack", "T1", "C1")


class Clock:
    now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama):
    app = make_app(
        tmp_path,
        ollama_host=fake_ollama.host,
        openai_url=None,
        toml='[limits]\nuser = ["3/minute", "5/hour"]\nchannel = ["4/minute"]\n',
    )
    app.engine.limits.clock = Clock()
    yield app
    await app.engine.aclose()


def stored(app) -> list[str]:
    return [r[0] for r in app.engine.store.conn.execute("SELECT content FROM messages WHERE role='user' ORDER BY id")]


async def test_over_the_limit_gets_a_clear_answer_and_nothing_reaches_a_model(app, fake_ollama) -> None:
    for i in range(3):
        assert (await app.engine.handle(Turn(KEY, "U1", "ann", f"q{i}"), RecordingSink())).status == "done"
    calls = len(fake_ollama.chat_requests())
    sink = RecordingSink()
    result = await app.engine.handle(Turn(KEY, "U1", "ann", "one more"), sink)
    assert result.status == "rejected" and sink.results == [result]
    assert "limit of 3 messages per minute" in result.text and "Try again in 60 s" in result.text
    assert len(fake_ollama.chat_requests()) == calls  # no model call
    assert stored(app) == ["q0", "q1", "q2"]  # not stored
    assert app.engine.store.unfinished_turns() == []
    assert app.engine.metrics.value("hybridbot_turns_rejected_total", reason="rate_limited") == 1


async def test_a_minute_later_the_user_is_answered_again_until_the_hour_tier(app) -> None:
    clock = app.engine.limits.clock
    for i in range(3):
        await app.engine.handle(Turn(KEY, "U1", "ann", f"q{i}"), RecordingSink())
    clock.now += 61
    assert (await app.engine.handle(Turn(KEY, "U1", "ann", "q3"), RecordingSink())).status == "done"
    assert (await app.engine.handle(Turn(KEY, "U1", "ann", "q4"), RecordingSink())).status == "done"
    result = await app.engine.handle(Turn(KEY, "U1", "ann", "q5"), RecordingSink())
    assert result.status == "rejected" and "5 messages per hour" in result.text and "Try again in 59 min" in result.text


async def test_channel_limit_applies_across_users(app) -> None:
    for i, user in enumerate(["U1", "U1", "U2", "U3"]):
        assert (await app.engine.handle(Turn(KEY, user, user, f"q{i}"), RecordingSink())).status == "done"
    result = await app.engine.handle(Turn(KEY, "U4", "dee", "me too"), RecordingSink())
    assert result.status == "rejected" and result.text.startswith("⏳ This channel has reached the limit of 4")
    other = SessionKey("slack", "T1", "C2")
    assert (await app.engine.handle(Turn(other, "U4", "dee", "elsewhere"), RecordingSink())).status == "done"


async def test_redeliveries_and_empty_messages_do_not_use_up_the_limit(app) -> None:
    for _ in range(5):
        await app.engine.handle(Turn(KEY, "U1", "ann", "hi", event_id="Ev1"), RecordingSink())
        await app.engine.handle(Turn(KEY, "U1", "ann", "   "), RecordingSink())
    assert (await app.engine.handle(Turn(KEY, "U1", "ann", "second"), RecordingSink())).status == "done"
    assert stored(app) == ["hi", "second"]


async def test_console_is_not_limited_by_default(app) -> None:
    console = SessionKey("console", "local", "console")
    for i in range(6):
        assert (await app.engine.handle(Turn(console, "you", "you", f"q{i}"), RecordingSink())).status == "done"
