"""Resilience and entry points: gateway drops resume, production start-up, command sync, rate limits."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import pytest

import adapters.discord.runner as runner
from adapters.discord.commands import commands_manifest
from adapters.discord.runner import DiscordStartError, discord_configured, endpoints, run_discord, sync_commands
from bot.app import build_app
from bot.config import load_settings
from tests.fakes.discord_server import (
    FakeDiscord,
    bot_env,
    restored_endpoints,
    running_bot,
    wait_for,
    write_settings,
)
from tests.integration.test_discord_conversations import final

MANIFEST = Path(__file__).resolve().parents[2] / "manifests" / "discord-commands.json"


@pytest.fixture(autouse=True)
def _put_discord_endpoints_back():
    with restored_endpoints():
        yield


async def test_dropped_gateway_resumes_and_the_bot_keeps_answering(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        assert await rb.engine.readiness.run() == {"discord": True}
        await fake.drop()
        await fake.say(alice, "sent while the bot was away", mention_bot=True)  # replayed on RESUME
        await wait_for(lambda: fake.resumes == 1 and fake.connected)
        assert fake.identifies == 1, "the session was resumed, not re-identified"
        answer = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        assert "sent while the bot was away" in answer
        await fake.drop(code=1006)
        await wait_for(lambda: fake.resumes == 2 and fake.connected)
        await fake.say(alice, "and after the second drop", mention_bot=True)
        await wait_for(lambda: len(fake.threads()) == 2 and final(fake, fake.threads()[1]["id"]))
        assert await rb.engine.readiness.run() == {"discord": True}
        await rb.bot.close()
        assert await rb.engine.readiness.run() == {"discord": False}


async def test_redelivered_mention_is_answered_once(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        question = await fake.say(fake.user("alice"), "only once please", mention_bot=True)
        await fake.redeliver(question)
        await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        await fake.redeliver(question)
        await fake.say(fake.user("bob"), "a later question", mention_bot=True)
        await wait_for(lambda: len(fake.threads()) == 2 and final(fake, fake.threads()[1]["id"]))
        assert len(fake_ollama.chat_requests()) == 2
        assert len(fake.calls_to("POST", r"/channels/\d+/messages/\d+/threads")) == 2


async def test_run_discord_reads_urls_from_the_environment_and_stops_when_cancelled(
    tmp_path, fake_ollama, fake_openai, monkeypatch
):
    async with FakeDiscord() as fake:
        env = bot_env(tmp_path, fake, fake_ollama, fake_openai)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = load_settings(write_settings(tmp_path), env=env)
        assert discord_configured(settings)
        app = build_app(settings)
        task = asyncio.create_task(run_discord(app.engine, settings))
        try:
            await wait_for(lambda: fake.connected and fake.calls_to("PUT", r"/applications/\d+/commands"))
            intents = next(f["d"]["intents"] for f in fake.frames_in if f["op"] == 2)
            assert intents & (1 << 15), "the Message Content intent is requested"
            await fake.say(fake.user("alice"), "hi", mention_bot=True)
            await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        finally:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await app.engine.aclose()
        assert not fake.connected


async def test_run_discord_waits_for_an_unreachable_discord(tmp_path, fake_ollama, fake_openai, monkeypatch):
    monkeypatch.setattr(runner, "START_RETRY", 0.05)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeDiscord()
    fake.port = port  # its URLs, before it listens
    env = bot_env(tmp_path, fake, fake_ollama, fake_openai)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(write_settings(tmp_path), env=env)
    app = build_app(settings)
    task = asyncio.create_task(run_discord(app.engine, settings))
    await asyncio.sleep(0.3)  # a few refused connections
    assert not task.done()
    await fake.start(port)
    try:
        await wait_for(lambda: fake.connected)
        assert fake.identifies == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await fake.stop()
        await app.engine.aclose()


async def test_bad_token_gives_a_clear_error(tmp_path, fake_ollama, fake_openai, monkeypatch):
    async with FakeDiscord() as fake:
        env = {**bot_env(tmp_path, fake, fake_ollama, fake_openai), "DISCORD_TOKEN": "wrong"}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = load_settings(write_settings(tmp_path), env=env)
        app = build_app(settings)
        with pytest.raises(DiscordStartError, match="rejected DISCORD_TOKEN"):
            await asyncio.wait_for(run_discord(app.engine, settings), 5)
        with pytest.raises(DiscordStartError, match="rejected DISCORD_TOKEN"):
            await sync_commands(settings)
        await app.engine.aclose()
        assert not discord_configured(load_settings(write_settings(tmp_path), env={}))


async def test_missing_message_content_intent_gives_the_portal_hint(tmp_path, fake_ollama, fake_openai, monkeypatch):
    async with FakeDiscord() as fake:
        fake.privileged_intents = 0  # the Message Content switch is off in the Developer Portal
        env = bot_env(tmp_path, fake, fake_ollama, fake_openai)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = load_settings(write_settings(tmp_path), env=env)
        app = build_app(settings)
        with pytest.raises(DiscordStartError, match="Message Content Intent"):
            await asyncio.wait_for(run_discord(app.engine, settings), 5)
        await app.engine.aclose()


def test_endpoints_come_from_the_environment_then_the_config(tmp_path):
    settings = load_settings(write_settings(tmp_path, {"api_url": "https://proxy.example/api/v10/"}), env={})
    assert endpoints(settings, {}) == ("https://proxy.example/api/v10", "wss://gateway.discord.gg/")
    env = {"DISCORD_API_URL": "http://127.0.0.1:9/api/v10", "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gw"}
    assert endpoints(settings, env) == ("http://127.0.0.1:9/api/v10", "ws://127.0.0.1:9/gw")
    with pytest.raises(DiscordStartError, match="DISCORD_GATEWAY_URL"):
        endpoints(settings, {"DISCORD_GATEWAY_URL": "https://not-a-websocket"})


async def test_sync_command_registers_what_the_manifest_says(tmp_path, fake_ollama, fake_openai, monkeypatch):
    async with FakeDiscord() as fake:
        env = bot_env(tmp_path, fake, fake_ollama, fake_openai)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = load_settings(write_settings(tmp_path), env=env)
        summary = await sync_commands(settings)
        assert summary.startswith(f"Synced {len(json.loads(commands_manifest()))} command(s) globally")
        assert "/model" in summary and "/forget" in summary
        sent = sorted(fake.commands["global"], key=lambda c: c["name"])
        sent = [{k: v for k, v in c.items() if k not in ("id", "application_id", "version")} for c in sent]
        assert sent == json.loads(commands_manifest())
        assert not fake.calls_to("GET", r"/gateway.*"), "sync does not need the gateway"
        guilds = load_settings(write_settings(tmp_path, {"command_guilds": [fake.guild_id]}), env=env)
        assert "to 1 guild(s)" in await sync_commands(guilds)
        assert sorted(c["name"] for c in fake.commands[fake.guild_id]) == [c["name"] for c in sent]


def test_manifest_file_matches_the_command_definitions():
    assert MANIFEST.exists(), "run: python -m adapters.discord.commands > manifests/discord-commands.json"
    assert MANIFEST.read_text() == commands_manifest()


@pytest.mark.slow
async def test_emulated_rate_limits_are_respected_in_a_burst(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = " ".join(f"w{i}" for i in range(30))
    fake_ollama.token_delay = 0.005
    async with running_bot(tmp_path, fake_ollama, fake_openai, discord={"edit_interval": 0.05}) as rb:
        fake = rb.fake
        fake.rate_limits, fake.bucket_size, fake.bucket_window = True, 5, 0.5
        users = [fake.user(f"user{i}") for i in range(6)]
        for user in users:
            await fake.say(user, f"question from {user['username']}", mention_bot=True)
        await wait_for(lambda: len(fake.threads()) == 6, 10)
        await wait_for(lambda: all(final(fake, t["id"]) for t in fake.threads()), 15)
        for thread in fake.threads():
            assert final(fake, thread["id"]).startswith(fake_ollama.reply)
        assert fake.too_many == [], "discord.py should wait out emptied buckets instead of meeting 429s"
        opened = [c.at for c in fake.calls_to("POST", r"/channels/\d+/messages/\d+/threads")]
        assert opened[5] - opened[0] >= 0.45, "the sixth thread in a 5-per-window bucket waited for the window"
