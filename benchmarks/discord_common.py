"""Shared set-up for the Discord benchmarks: the stand-in, an engine, and the real discord.py client."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from adapters.discord.client import HybridBot  # noqa: E402
from adapters.discord.config import DiscordConfig  # noqa: E402
from adapters.discord.runner import point_at  # noqa: E402
from adapters.discord.sink import DiscordSink  # noqa: E402
from bot.agents import load_agents  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.catalog import Catalog  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.fakes.discord_server import TOKEN, FakeDiscord, wait_for  # noqa: E402
from tests.fakes.ollama_server import FakeOllama  # noqa: E402

__all__ = ["FakeOllama", "connected", "instant_engine", "ollama_engine", "percentile", "wait_for"]

# Benchmarks measure the adapter, so the engine's per-user and per-channel turn limits are off.
NO_LIMITS = "[embedded]\nenabled = false\n[limits]\nenabled = false\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ollama_engine(ollama: FakeOllama) -> Engine:
    """An engine built as production builds it, with only the Ollama stand-in as a model."""
    folder = Path(tempfile.mkdtemp())
    config = folder / "bench.toml"
    config.write_text(NO_LIMITS + "[openai]\nenabled = false\n")
    env = {"OLLAMA_HOST": ollama.host, "HYBRIDBOT_DATABASE": str(folder / "bench.db")}
    return build_app(load_settings(config, env=env)).engine


def instant_engine() -> Engine:
    """An engine whose only model answers at once (tests/fakes/instant.py), to isolate the adapter's cost."""
    from tests.fakes.instant import InstantProvider

    folder = Path(tempfile.mkdtemp())
    config = folder / "bench.toml"
    config.write_text(NO_LIMITS)
    db = str(folder / "bench.db")
    settings = load_settings(config, env={"HYBRIDBOT_DATABASE": db})
    return Engine(settings, Store(db), Catalog([InstantProvider()], health_ttl=3600), load_agents(None))


class FirstText:
    """Records when the engine handed each sink its first text (time.monotonic, like the stand-in's clock)."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}  # sink channel id → time of the first on_text

    def __call__(self, sink: DiscordSink) -> None:
        original = sink.on_text

        async def on_text(delta: str) -> None:
            self.at.setdefault(sink.channel_id, time.monotonic())
            await original(delta)

        sink.on_text = on_text  # type: ignore[method-assign]


@contextlib.asynccontextmanager
async def connected(engine: Engine, cfg: DiscordConfig, channels: int) -> AsyncIterator[tuple[Any, HybridBot, list]]:
    async with FakeDiscord() as fake:
        extra = [fake._channel(f"bench-{i}", 0) for i in range(channels)]
        point_at(fake.api_url, fake.gateway_url)
        bot = HybridBot(engine, cfg)

        async def run() -> None:
            async with bot:
                await bot.start(TOKEN)

        task = asyncio.create_task(run())
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 10)
            yield fake, bot, extra
        finally:
            await bot.close()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await engine.aclose()


def answered(fake: Any, channel_id: str) -> bool:
    messages = fake.bot_messages(channel_id)
    return bool(messages) and "\n-# " in messages[-1]["content"]
