"""`hybridbot run` (hybridbot_app.platforms.run_platforms) starts the ops server beside the Slack adapter (Socket Mode,
stand-ins), and /readyz reports the real Socket Mode connection the adapter registered."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest

from bot.config import load_settings
from hybridbot_app.platforms import PlatformStatus, run_platforms
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, BOT_USER, FakeSlack, Message, event_callback, wait_until


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def fetch(url: str) -> tuple[int, str]:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status, await response.text()
    except aiohttp.ClientConnectionError:
        return 0, ""


async def test_run_serves_health_readiness_and_metrics_beside_slack(tmp_path: Path, fake_ollama: FakeOllama) -> None:
    port = free_port()
    async with FakeSlack() as fake:
        config = tmp_path / "hybridbot.toml"
        config.write_text(
            "[embedded]\nenabled = false\n"
            f'[slack]\napi_url = "{fake.base_url}"\n'
            f'[ops]\nport = {port}\n[bot]\nlog_format = "json"\nmessage_ttl_days = 30\n'
        )
        env = {
            "HYBRIDBOT_DATABASE": str(tmp_path / "bot.db"),
            "OLLAMA_HOST": fake_ollama.host,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
        }
        settings = load_settings(config, env=env)
        run = asyncio.create_task(run_platforms(settings, [PlatformStatus("slack", True, "configured")]))
        base = f"http://127.0.0.1:{port}"
        try:
            await wait_until(fake.connected.is_set, 10, what="socket mode connection")
            ready: list[tuple[int, str]] = []

            async def poll() -> None:
                while True:
                    ready.append(await fetch(base + "/readyz"))
                    if ready[-1][0] == 200:
                        return
                    await asyncio.sleep(0.05)

            await asyncio.wait_for(poll(), 10)
            assert '"slack": "connected"' in ready[-1][1] and '"database": "ok"' in ready[-1][1]
            assert (await fetch(base + "/healthz"))[0] == 200
            status, metrics = await fetch(base + "/metrics")
            assert status == 200 and 'hybridbot_provider_up{locality="local",provider="ollama"} 1.0' in metrics

            # A mention answered while Slack answers one post with 429: the answer arrives, the 429 is counted.
            fake.add_user("U0ALICE", "alice")
            fake.inject_429("chat.postMessage", retry_after=0)
            ts = fake.new_ts()
            text = f"<@{BOT_USER}> hello from slack"
            fake.messages[("C0GENERAL", ts)] = Message("C0GENERAL", ts, text, [], None, user="U0ALICE", bot_id=None)
            event = {"type": "app_mention", "user": "U0ALICE", "text": text, "ts": ts, "channel": "C0GENERAL"}
            await fake.send_socket("events_api", event_callback(event))
            await wait_until(lambda: [m for m in fake.thread("C0GENERAL", ts) if m.footer], 10, what="the answer")
            metrics = (await fetch(base + "/metrics"))[1]
            assert 'hybridbot_upstream_429_total{source="slack"} 1.0' in metrics
            assert (
                'hybridbot_turns_total{locality="local",model="llama3.2:3b",outcome="done",provider="ollama"} 1.0'
                in metrics
            )
        finally:
            run.cancel()
            with pytest.raises(asyncio.CancelledError):
                await run
    assert (await fetch(base + "/healthz"))[0] == 0  # stopped with the adapters
