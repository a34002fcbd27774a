"""The answer step (bot/turn_stream.py) with in-process providers: the model step's events, the fallback
loop, the privacy guard and a user's stop, each proved directly rather than through a platform."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import bot.turn_stream
from bot.agents import load_agents
from bot.catalog import Catalog
from bot.config import load_settings
from bot.engine import Engine, Turn
from bot.providers.base import ChatMessage, ErrorKind, Finish, ProviderError, TextDelta, ToolCall, Usage
from bot.providers.guarded import REPETITION
from bot.session import SessionKey
from bot.turn_prompt import PrivacyGuardError, carries_secret
from bot.turn_stream import StepOutput, TurnContext, model_step
from tests.fakes.instant import ScriptedProvider
from tests.helpers import RecordingSink

KEY = SessionKey("console", "local", "general")
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # a GitHub token's shape: the scanner's "secret"
BASE = "[embedded]\nenabled = false\n[openai]\nenabled = false\n[limits]\nenabled = false\n"


def make_engine(tmp_path: Path, providers: list, routing: str = "") -> Engine:
    config = tmp_path / "t.toml"
    config.write_text(BASE + ("[routing]\n" + routing if routing else ""))
    settings = load_settings(config, env={"HYBRIDBOT_DATABASE": str(tmp_path / "t.db")})
    from bot.store import Store

    return Engine(settings, Store(settings.bot.database), Catalog(providers, health_ttl=3600), load_agents(None))


class FirstTextSink(RecordingSink):
    """Records like RecordingSink, and says when the first text arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.first_text = asyncio.Event()

    async def on_text(self, delta: str) -> None:
        await super().on_text(delta)
        self.first_text.set()


async def events(*items):
    for item in items:
        yield item


async def test_a_model_step_shows_text_and_collects_tool_calls_and_usage() -> None:
    sink = RecordingSink()
    ctx = TurnContext(Turn(KEY, "U1", "ann", "hi"), None, None, 1, [], sink, 0.0, None)  # type: ignore[arg-type]
    out = StepOutput()
    call = ToolCall("c1", "calculator", {"expression": "2+2"})
    await model_step(events(TextDelta("a"), call, TextDelta("b"), Usage(3, 2), Finish("tool_calls")), ctx, out)
    assert (sink.text, out.text, out.tool_calls, out.usage) == ("ab", "ab", [call], Usage(3, 2))
    assert out.first_token_ms is not None and not out.repeated


async def test_a_model_step_stops_at_finish_and_notes_a_repetition_cut() -> None:
    sink = RecordingSink()
    ctx = TurnContext(Turn(KEY, "U1", "ann", "hi"), None, None, 1, [], sink, 0.0, None)  # type: ignore[arg-type]
    out = StepOutput()
    await model_step(events(TextDelta("la la"), Finish(REPETITION), TextDelta("never shown")), ctx, out)
    assert out.repeated and sink.text == "la la"


async def test_a_model_failing_before_any_text_falls_back_to_another(tmp_path: Path) -> None:
    first = ScriptedProvider("a", fail=ProviderError(ErrorKind.UNREACHABLE, "refused"))
    second = ScriptedProvider("b", events=[TextDelta("from b"), Finish("stop")])
    engine = make_engine(tmp_path, [first, second], 'local_model = "a:m"\n')
    sink = RecordingSink()
    result = await engine.handle(Turn(KEY, "U1", "ann", "hello there"), sink)
    assert result.status == "done" and result.text == "from b" and result.route.provider == "b"
    assert first.calls and len(second.calls) == 1  # a was tried (and retried per its policy) first
    assert "a:m (unreachable) was unavailable, so another model answered." in result.notices
    assert any("trying another model" in s for s in sink.statuses)
    await engine.aclose()


async def test_a_failure_that_is_not_retryable_does_not_fall_back(tmp_path: Path) -> None:
    first = ScriptedProvider("a", fail=ProviderError(ErrorKind.AUTH, "bad key"))
    second = ScriptedProvider("b")
    engine = make_engine(tmp_path, [first, second], 'local_model = "a:m"\n')
    result = await engine.handle(Turn(KEY, "U1", "ann", "hello there"), RecordingSink())
    assert result.status == "error" and second.calls == []
    assert engine.store.turn(result.turn_id).status == "error"
    await engine.aclose()


async def test_the_privacy_guard_sends_the_turn_to_a_local_model_instead(tmp_path, monkeypatch) -> None:
    cloud = ScriptedProvider("c", locality="cloud", events=[TextDelta("cloud"), Finish("stop")])
    local = ScriptedProvider("a", events=[TextDelta("local"), Finish("stop")])
    engine = make_engine(tmp_path, [cloud, local], 'prefer_local = false\ncloud_model = "c:m"\nscorer = "heuristic"\n')
    real, stopped = bot.turn_stream.build_prompt, []

    def guarded(engine, conv, model, agent, place, grounding=None):
        if model.locality == "cloud":
            stopped.append(model.ref)
            raise PrivacyGuardError  # as if the rescan found a secret the router had not seen
        return real(engine, conv, model, agent, place, grounding)

    monkeypatch.setattr(bot.turn_stream, "build_prompt", guarded)
    result = await engine.handle(
        Turn(KEY, "U1", "ann", "explain quantum field theory in depth please"), RecordingSink()
    )
    assert stopped == ["c:m"]  # the router chose the cloud model first: the guard really stood in its way
    assert result.status == "done" and result.text == "local" and cloud.calls == []
    await engine.aclose()


def test_the_cloud_rescan_finds_a_secret_in_content_or_a_speaker_name() -> None:
    assert carries_secret([ChatMessage("user", f"my token is {TOKEN}")])
    assert carries_secret([ChatMessage("user", "hello", name=TOKEN)])
    assert not carries_secret([ChatMessage("user", "what is the capital of France?", name="ann")])


async def test_a_users_stop_ends_the_turn_cancelled_and_keeps_the_partial_answer(tmp_path: Path) -> None:
    hold = asyncio.Event()
    slow = ScriptedProvider("a", events=[TextDelta("partial"), TextDelta(" rest"), Finish("stop")], hold=hold)
    engine = make_engine(tmp_path, [slow])
    sink = FirstTextSink()
    task = asyncio.create_task(engine.handle(Turn(KEY, "U1", "ann", "tell me a story"), sink))
    await sink.first_text.wait()
    assert engine.cancel(KEY)
    result = await task
    assert result.status == "cancelled" and result.text == "partial"
    assert engine.store.turn(result.turn_id).status == "cancelled"
    await engine.aclose()


async def test_a_shutdown_cancellation_is_not_taken_for_a_users_stop(tmp_path: Path) -> None:
    hold = asyncio.Event()
    slow = ScriptedProvider("a", events=[TextDelta("partial"), Finish("stop")], hold=hold)
    engine = make_engine(tmp_path, [slow])
    sink = FirstTextSink()
    task = asyncio.create_task(engine.handle(Turn(KEY, "U1", "ann", "tell me a story"), sink))
    await sink.first_text.wait()
    task.cancel()  # not engine.cancel: the adapter is shutting down
    with pytest.raises(asyncio.CancelledError):
        await task
    await engine.aclose()
