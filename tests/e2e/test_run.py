"""`hybridbot run` as users start it: a subprocess connecting to the Slack stand-in in Socket Mode."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, BOT_USER, FakeSlack, event_callback, wait_until

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

ROOT = Path(__file__).parents[2]


async def test_run_answers_a_slack_mention_and_stops_on_sigterm(
    tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> None:
    config = tmp_path / "hybridbot.toml"
    config.write_text("[embedded]\nenabled = false\n")
    async with FakeSlack() as slack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OLLAMA_", "HYBRIDBOT_", "SLACK_"))}
        env |= {
            "PYTHONPATH": str(ROOT),
            "HYBRIDBOT_CONFIG": str(config),
            "HYBRIDBOT_DATABASE": str(tmp_path / "bot.db"),
            "OLLAMA_HOST": fake_ollama.host,
            "OPENAI_BASE_URL": fake_openai.base_url,
            "OPENAI_API_KEY": "sk-test",
            "SLACK_API_URL": slack.base_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hybridbot_app.cli", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await asyncio.wait_for(slack.connected.wait(), 30)
            ts = slack.new_ts()
            event = {"type": "app_mention", "user": "U0ALICE", "text": f"<@{BOT_USER}> hello from slack", "ts": ts,
                     "channel": "C0GENERAL", "event_ts": ts}  # fmt: skip
            await slack.send_socket("events_api", event_callback(event))

            def answered():
                return [m for m in slack.thread("C0GENERAL", ts) if m.footer]

            answer = (await wait_until(answered, 30, what="an answer in the thread"))[0]
            assert "hello from slack" in answer.shown and "🔒 local" in answer.footer
            assert fake_openai.chat_requests() == []
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 20)
            _, err = await proc.communicate()
            assert code == 0, err.decode()
            assert "slack: configured (Socket Mode)" in err.decode()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
