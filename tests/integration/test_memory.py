"""A memory each person controls: /remember, /memory, where facts are used — and leak tests on the wire.

Facts join their owner's own turns only (DMs always, channels after `/memory channels on`); a sensitive fact
reaches local models only; /forget me and retention delete them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot import store_memory
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.retention import purge_expired
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

CHANNEL = SessionKey("console", "local", "general")
DM = SessionKey("console", "local", "D-ann")
EMAIL = "jane.doe@acme-corp.io"
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```\n"
)


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app
    await app.engine.aclose()


async def say(app, text: str, *, user: str = "U1", key: SessionKey = CHANNEL) -> str:
    ctx = CommandContext(key, user, "ann" if user == "U1" else "bob", private=key is DM)
    return (await run_command(app.engine, ctx, text)).text


async def ask(app, text: str, *, user: str = "U1", key: SessionKey = CHANNEL):
    turn = Turn(key, user, "ann" if user == "U1" else "bob", text, private=key is DM)
    return await app.engine.handle(turn, RecordingSink())


def system_prompt(request: dict) -> str:
    return " ".join(str(m.get("content")) for m in request["messages"] if m.get("role") == "system")


async def test_remember_list_and_forget_by_number_and_all(app) -> None:
    assert "I don't remember anything about you yet" in await say(app, "/memory")
    assert "Remembered (#1)." in await say(app, "/remember I prefer metric units")
    assert "Remembered (#2)." in await say(app, "/remember My team is the payments squad")
    listed = await say(app, "/memory")
    assert "1. I prefer metric units" in listed and "2. My team is the payments squad" in listed
    assert "Give a number from 1 to 2" in await say(app, "/memory forget 7")
    assert "forgot fact #1" in await say(app, "/memory forget 1")
    assert "1. My team is the payments squad" in await say(app, "/memory")
    assert "I forgot 1 fact(s)" in await say(app, "/memory forget all")
    assert "Tell me what to remember" in await say(app, "/remember")
    assert "Use /memory" in await say(app, "/memory sideways")


async def test_secrets_are_refused_and_limits_hold(tmp_path, fake_ollama) -> None:
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None, toml="[memory]\nmax_facts = 1\n")
    try:
        refused = await say(app, "/remember my AWS key is AKIA" + "ZQ4RT7WX2LPN8KJD")
        assert "looks like a secret" in refused and "AKIA" not in refused
        assert store_memory.count(app.engine.store, "console", "U1") == 0
        await say(app, "/remember I like tea")
        assert "I already remember 1 facts" in await say(app, "/remember I like coffee too")
    finally:
        await app.engine.aclose()


async def test_facts_are_used_in_dms_and_in_channels_only_after_opting_in(app, fake_ollama) -> None:
    app.engine.settings.routing.default_model = "local"
    await say(app, "/remember I prefer metric units", key=DM)  # facts are per person and platform
    await ask(app, "how far is the moon?", key=DM)
    assert "I prefer metric units" in system_prompt(fake_ollama.chat_requests()[-1])
    await ask(app, "how far is the sun?")  # a channel: not used yet
    assert "metric" not in system_prompt(fake_ollama.chat_requests()[-1])
    assert "I'll use what I remember about you in channels too" in await say(app, "/memory channels on")
    await ask(app, "how far is mars?")
    assert "I prefer metric units" in system_prompt(fake_ollama.chat_requests()[-1])
    await ask(app, "and jupiter?", user="U2")  # someone else in the same channel: never Ann's facts
    assert "metric" not in system_prompt(fake_ollama.chat_requests()[-1])


async def test_a_sensitive_fact_reaches_local_models_only(app, fake_ollama, fake_openai) -> None:
    reply = await say(app, f"/remember my work email is {EMAIL}")
    assert "only local models will see it" in reply and "e-mail address" in reply
    await say(app, "/remember I prefer short answers")
    await say(app, "/memory channels on")
    result = await ask(app, COMPLEX)  # complex and nothing sensitive in the message: the cloud answers
    assert result.route.locality == "cloud"
    cloud_prompt = system_prompt(fake_openai.chat_requests()[-1])
    assert "I prefer short answers" in cloud_prompt and not fake_openai.saw_text(EMAIL)
    await say(app, "/model local")
    await ask(app, "what is my email?")
    assert EMAIL in system_prompt(fake_ollama.chat_requests()[-1])  # a local model may use it
    await say(app, "/model auto")
    await ask(app, COMPLEX + " Again, in more depth.")  # the local answer written from it is local-only
    assert not fake_openai.saw_text(EMAIL)


async def test_someone_elses_facts_never_reach_your_prompt_local_or_cloud(app, fake_ollama, fake_openai) -> None:
    await say(app, "/remember My manager is Priya Raman and I report weekly", user="U2")
    await say(app, "/memory channels on", user="U2")
    await ask(app, COMPLEX)  # Ann, in a channel where Bob opted in: Bob's facts are not hers
    await say(app, "/model local")
    await ask(app, "who is my manager?")
    assert not fake_openai.saw_text("Priya") and not fake_ollama.saw_text("Priya")


async def test_forget_me_and_retention_delete_facts(app) -> None:
    await say(app, "/remember I prefer metric units")
    await say(app, "/remember I like tea", user="U2")
    assert "1 remembered fact(s)" in await say(app, "/forget me")
    assert store_memory.facts(app.engine.store, "console", "U1") == []
    assert len(store_memory.facts(app.engine.store, "console", "U2")) == 1  # only the asker's
    purge_expired(app.engine.store, 1, now=time.time() + 2 * 86400)
    assert store_memory.facts(app.engine.store, "console", "U2") == []


async def test_local_model_down_with_a_sensitive_fact_in_a_dm_is_refused_never_cloud(tmp_path, fake_openai) -> None:
    app = make_app(tmp_path, ollama_host=None, openai_url=fake_openai.base_url)
    try:
        await say(app, f"/remember my work email is {EMAIL}", key=DM)
        result = await ask(app, "what's my email?", key=DM)
        assert result.status == "refused" and fake_openai.chat_requests() == []
    finally:
        await app.engine.aclose()


async def test_a_fact_stored_unflagged_that_carries_a_secret_is_still_stopped_before_the_cloud(
    app, fake_openai
) -> None:
    # As if stored before the detector knew this kind: the prompt guard rescans facts bound for the cloud.
    secret = "AKIA" + "ZQ4RT7WX2LPN8KJD"
    store_memory.add(app.engine.store, "console", "U1", f"my key is {secret}", sensitive=False, kinds=[])
    await say(app, "/memory channels on")
    result = await ask(app, COMPLEX)
    assert result.status == "done" and result.route.locality == "local"
    assert not fake_openai.saw_text(secret)
