"""Platform-neutral commands on a real engine (stand-in providers behind it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import CommandContext, parse, resolve_model, run_command
from bot.engine import Turn
from bot.providers.base import ModelInfo
from bot.session import SessionKey
from tests.helpers import RecordingSink, make_app

CHANNEL = SessionKey("slack", "T1", "C1")
THREAD = SessionKey("slack", "T1", "C1", "100.1")
DM = SessionKey("slack", "T1", "D1")


@pytest.fixture
async def engine(tmp_path: Path, fake_ollama, fake_openai):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app.engine
    await app.engine.aclose()


async def cmd(engine, text: str, key: SessionKey = THREAD, user: str = "U1", **kw):
    return await run_command(engine, CommandContext(key, user, user.lower(), **kw), text)


def test_parse() -> None:
    assert parse("/model  cloud   me") == ("model", ["cloud", "me"])
    assert parse("   ") == ("", [])


def test_resolve_model_names_and_suggestions() -> None:
    models = [ModelInfo("ollama", "llama3.2:3b", "local"), ModelInfo("openai", "gpt-4o-mini", "cloud")]
    assert resolve_model("CLOUD", models) == ("cloud", [])
    assert resolve_model("gpt-4o-mini", models) == ("openai:gpt-4o-mini", [])
    assert resolve_model("ollama:llama3.2:3b", models) == ("ollama:llama3.2:3b", [])
    setting, suggestions = resolve_model("gpt4o-mini", models)
    assert setting is None and "gpt-4o-mini" in suggestions


async def test_model_show_lists_models_with_locality_and_source(engine) -> None:
    result = await cmd(engine, "/model")
    assert "Model: **auto** (the default)" in result.text
    assert "🔒 ollama:llama3.2:3b" in result.text and "☁ openai:gpt-4o" in result.text
    assert {c.value for c in result.choices} >= {"auto", "local", "cloud", "openai:gpt-4o-mini"}


async def test_model_layers_and_sources(engine) -> None:
    assert (await cmd(engine, "/model local channel")).announce
    assert "set for this channel" in (await cmd(engine, "/model")).text
    await cmd(engine, "/model cloud")  # here = the thread
    assert "**cloud** (set for this thread)" in (await cmd(engine, "/model")).text
    await cmd(engine, "/model openai:gpt-4o me")
    assert "**openai:gpt-4o** (your personal setting)" in (await cmd(engine, "/model")).text
    assert "**cloud**" in (await cmd(engine, "/model", user="U2")).text  # others keep the thread's
    assert (await cmd(engine, "/model clear me")).text == "Model setting cleared."
    assert "**cloud** (set for this thread)" in (await cmd(engine, "/model")).text


async def test_model_then_question_routes_there(engine, fake_openai) -> None:
    await cmd(engine, "/model openai:gpt-4o")
    result = await engine.handle(Turn(THREAD, "U1", "u1", "hi"), RecordingSink())
    assert (result.route.provider, result.route.model) == ("openai", "gpt-4o")
    assert fake_openai.chat_requests()[-1]["model"] == "gpt-4o"


async def test_unknown_model_suggests_closest(engine) -> None:
    result = await cmd(engine, "/model gpt4o")
    assert not result.ok and "Did you mean" in result.text and "gpt-4o" in result.text


async def test_cloud_model_refused_in_private_conversation(engine) -> None:
    for value in ("cloud", "openai:gpt-4o", "gpt-4o-mini"):
        result = await cmd(engine, f"/model {value}", key=DM, private=True)
        assert not result.ok and "private" in result.text
    assert (await cmd(engine, "/model local", key=DM, private=True)).ok


async def test_cloud_model_refused_in_local_only_channel(engine) -> None:
    await cmd(engine, "/privacy local-only", key=CHANNEL)
    result = await cmd(engine, "/model cloud", key=CHANNEL)
    assert not result.ok


async def test_bad_scope_and_thread_scope_outside_thread(engine) -> None:
    assert "not a scope" in (await cmd(engine, "/model local everywhere")).text
    assert "not a thread" in (await cmd(engine, "/model local thread", key=CHANNEL)).text


async def test_channel_changes_can_be_admin_only(engine) -> None:
    result = await cmd(engine, "/model local channel", can_change_channel=False)
    assert not result.ok and "Only admins" in result.text
    assert (await cmd(engine, "/model local me", can_change_channel=False)).ok
    assert not (await cmd(engine, "/privacy cloud-ok", key=CHANNEL, can_change_channel=False)).ok


async def test_agent_list_switch_show_and_unknown(engine, fake_ollama) -> None:
    listing = await cmd(engine, "/agent")
    assert "Agent: **general**" in listing.text and "math-tutor" in listing.text
    assert (await cmd(engine, "/agent code")).ok
    shown = await cmd(engine, "/agent show code")
    assert "senior software engineer" in shown.text
    unknown = await cmd(engine, "/agent cod")
    assert not unknown.ok and "code" in unknown.text
    await engine.handle(Turn(THREAD, "U1", "u1", "hi"), RecordingSink())
    system = fake_ollama.requests[-1].json["messages"][0]
    assert system["role"] == "system" and "senior software engineer" in system["content"]


async def test_privacy_show_set_and_dm(engine) -> None:
    assert "**standard**" in (await cmd(engine, "/privacy", key=CHANNEL)).text
    result = await cmd(engine, "/privacy cloud-ok", key=CHANNEL)
    assert result.ok and result.announce
    assert "**cloud-ok**" in (await cmd(engine, "/privacy", key=CHANNEL)).text
    assert not (await cmd(engine, "/privacy open", key=CHANNEL)).ok
    dm = await cmd(engine, "/privacy cloud-ok", key=DM, private=True)
    assert not dm.ok and "always local-only" in dm.text


async def test_why_explains_without_revealing(engine) -> None:
    assert "no answer" in (await cmd(engine, "/why")).text
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    await engine.handle(Turn(THREAD, "U1", "u1", f"is this token valid {secret}"), RecordingSink())
    text = (await cmd(engine, "/why")).text
    assert "🔒 local" in text and "secret" in text
    assert secret not in text


async def test_usage_counts_by_model(engine) -> None:
    assert "No answers" in (await cmd(engine, "/usage")).text
    await engine.handle(Turn(THREAD, "U1", "u1", "hi"), RecordingSink())
    await engine.handle(Turn(THREAD, "U2", "u2", "hello"), RecordingSink())
    text = (await cmd(engine, "/usage")).text
    assert "ollama:llama3.2:3b — 2 answer(s)" in text and "You: 1 answer(s)" in text


async def test_reset_forgets_conversation(engine, fake_ollama) -> None:
    await engine.handle(Turn(THREAD, "U1", "u1", "the password hint is pineapple"), RecordingSink())
    assert "forgot 2 message(s)" in (await cmd(engine, "/reset")).text
    await engine.handle(Turn(THREAD, "U1", "u1", "what was the hint?"), RecordingSink())
    assert "pineapple" not in str(fake_ollama.requests[-1].json["messages"])


async def test_feedback_command(engine) -> None:
    assert not (await cmd(engine, "/feedback good")).ok
    result = await engine.handle(Turn(THREAD, "U1", "u1", "hi"), RecordingSink())
    assert (await cmd(engine, "/feedback good")).ok
    assert engine.store.feedback(result.turn_id) == {"U1": 1}
    await cmd(engine, "/feedback clear")
    assert engine.store.feedback(result.turn_id) == {}


async def test_unknown_command_suggests(engine) -> None:
    result = await cmd(engine, "/modle")
    assert not result.ok and "/model" in result.text


async def test_help_lists_every_command(engine) -> None:
    text = (await cmd(engine, "/help")).text
    for name in ("model", "agent", "reset", "privacy", "why", "usage", "feedback"):
        assert f"/{name}" in text
