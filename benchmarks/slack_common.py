"""Shared set-up for the Slack benchmarks: the stand-in, the adapter in HTTP mode, signed mentions."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.slack.app import SlackAdapter  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from tests.fakes.ollama_server import FakeOllama  # noqa: E402
from tests.fakes.slack_server import BOT_TOKEN, BOT_USER, SIGNING_SECRET, FakeSlack, event_callback  # noqa: E402

__all__ = ["FakeOllama", "FakeSlack", "finished", "percentile", "slack_settings", "start_adapter"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def slack_settings(
    fake: FakeSlack, ollama: FakeOllama | None = None, *, openai_url: str | None = None, **slack: Any
) -> Settings:
    """Production settings in HTTP mode pointed at the stand-ins (production slack defaults unless given).

    With `openai_url`, every turn goes to the OpenAI stand-in (model "gpt-4o-mini") and Ollama is off.
    """
    folder = Path(tempfile.mkdtemp())
    lines = [f'api_url = "{fake.base_url}"', "port = 0", 'host = "127.0.0.1"']
    lines += [f"{k} = {json.dumps(v)}" for k, v in slack.items()]
    if openai_url:
        models = '[openai]\nmodels = ["gpt-4o-mini"]\n[ollama]\nenabled = false\n'
        models += '[routing]\ndefault_model = "openai:gpt-4o-mini"\n'
    else:
        models = "[openai]\nenabled = false\n"
    config = folder / "bench.toml"
    # One user sends every mention: the engine's per-user turn limits (bot/ratelimit.py) are off for benchmarks.
    config.write_text(
        "[embedded]\nenabled = false\n[limits]\nenabled = false\n" + models + "[slack]\n" + "\n".join(lines) + "\n"
    )
    env = {"HYBRIDBOT_DATABASE": str(folder / "bench.db"), "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "OLLAMA_HOST": ollama.host if ollama else "http://127.0.0.1:9"}  # fmt: skip
    if openai_url:
        env |= {"OPENAI_BASE_URL": openai_url, "OPENAI_API_KEY": "sk-bench"}
    return load_settings(config, env=env)


async def start_adapter(settings: Settings, engine: Engine | None = None) -> SlackAdapter:
    adapter = SlackAdapter(engine or build_app(settings).engine, settings)
    await adapter.start()
    return adapter


async def mention(fake: FakeSlack, url: str, channel: str, text: str) -> str:
    ts = fake.new_ts()
    event = {"type": "app_mention", "user": "U0ALICE", "text": f"<@{BOT_USER}> {text}", "ts": ts,
             "channel": channel, "event_ts": ts}  # fmt: skip
    status, _ = await fake.post_http(url, json.dumps(event_callback(event)))
    assert status == 200, status
    return ts


def finished(fake: FakeSlack) -> int:
    """Answers with their footer (the final edit) in the stand-in."""
    return sum(
        1 for m in fake.messages.values() if m.user == BOT_USER and any(b.get("type") == "context" for b in m.blocks)
    )


async def wait_for(predicate: Any, within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark did not finish")
        await asyncio.sleep(0.01)
