"""Discord operations hooks on real discord.py against the stand-in: /readyz readiness and 429s in /metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from adapters.discord.client import HybridBot
from adapters.discord.runner import endpoints, point_at
from bot.app import build_app
from bot.config import load_settings
from bot.ops import OpsServer
from tests.fakes.discord_server import (
    TOKEN,
    FakeDiscord,
    bot_env,
    restored_endpoints,
    running_bot,
    wait_for,
    write_settings,
)
from tests.integration.test_discord_conversations import final

LIMITED = 'hybridbot_upstream_429_total{source="discord"}'


@pytest.fixture(autouse=True)
def _put_discord_endpoints_back():
    with restored_endpoints():
        yield


@pytest.mark.slow
async def test_readiness_follows_ready_the_gateway_and_close(tmp_path, fake_ollama, fake_openai):
    async with FakeDiscord() as fake:
        env = bot_env(tmp_path, fake, fake_ollama, fake_openai)
        settings = load_settings(write_settings(tmp_path), env=env)
        app = build_app(settings)
        point_at(*endpoints(settings, env))
        bot = HybridBot(app.engine, settings.discord)
        readiness = app.engine.readiness
        assert await readiness.run() == {"discord": False}, "registered, but not ready before READY"

        async def run() -> None:
            async with bot:
                await bot.start(TOKEN)

        task = asyncio.create_task(run())
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 5)
            assert await readiness.run() == {"discord": True}

            # The gateway goes away and stays away: discord.py keeps is_ready() true while it retries,
            # so the check must also look at the websocket.
            fake.refuse_gateway = True
            await fake.drop()
            await wait_for(lambda: not bot.connected())
            assert bot.is_ready() and not bot.is_closed()
            assert await readiness.run() == {"discord": False}

            fake.refuse_gateway = False  # back: the session resumes and the bot is ready again
            await wait_for(lambda: fake.resumes == 1 and bot.connected(), within=15)
            assert await readiness.run() == {"discord": True}

            await bot.close()
            assert await readiness.run() == {"discord": False}
        finally:
            await bot.close()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await app.engine.aclose()


async def test_readyz_reports_the_discord_connection(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        ops = OpsServer(rb.engine, host="127.0.0.1", port=0)
        await ops.start()
        try:
            status, body = await ops_get(ops, "/readyz")
            assert status == 200 and '"discord": "connected"' in body, body
            await rb.bot.close()
            status, body = await ops_get(ops, "/readyz")
            assert status == 503 and '"discord": "not connected"' in body, body
        finally:
            await ops.stop()


async def test_429s_from_the_stand_in_are_counted_even_with_discord_logs_silenced(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = "one two three four five six seven eight"
    fake_ollama.token_delay = 0.02
    quiet = logging.getLogger("discord")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # operators often quieten discord.py; the count must not depend on its logs
    try:
        async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
            fake = rb.fake

            def metric() -> float:
                return rb.engine.metrics.value("hybridbot_upstream_429_total", source="discord")

            assert metric() == 0
            fake.inject_429("POST", r"/channels/\d+/messages/\d+/threads$", count=1, retry_after=0.05)
            fake.inject_429("PATCH", r"/channels/\d+/messages/\d+$", count=2, retry_after=0.05)
            await fake.say(fake.user("alice"), "name a cat", mention_bot=True)
            await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
            assert [c.method for c in fake.too_many] == ["POST", "PATCH", "PATCH"], "the stand-in's 429s were not met"
            assert metric() == 3
            assert f"{LIMITED} 3.0" in rb.engine.metrics.render().decode()
    finally:
        quiet.setLevel(level)


async def ops_get(ops: OpsServer, path: str) -> tuple[int, str]:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{ops.port}{path}") as response:
        return response.status, await response.text()
