"""kill -9 of the real `hybridbot run` mid-answer, on Slack and Discord (issue 9, item 9).

While answer A streams, message B arrives in the same conversation and waits its turn. The process is
killed with SIGKILL. On restart: A's message is edited in place to end with the interrupted note, B (stored
before its event was marked seen) is answered once although its redelivery is dropped, and 🔁 on A works.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.recovery import INTERRUPTED_NOTE
from tests.fakes.discord_server import FakeDiscord, bot_env, wait_for
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, BOT_USER, FakeSlack, event_callback, wait_until

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

ROOT = Path(__file__).parents[2]
LONG_ANSWER = " ".join(f"word{i}" for i in range(600))


def stored(db: Path, text: str) -> bool:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM messages WHERE content LIKE ?", (f"%{text}%",)).fetchone()[0] > 0


@contextlib.asynccontextmanager
async def hybridbot_run(env: dict[str, str], cwd: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OLLAMA_", "HYBRIDBOT_", "SLACK_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hybridbot_app.cli", "run", env={**base, "PYTHONPATH": str(ROOT), **env}, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def kill_9(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGKILL)
    assert await asyncio.wait_for(proc.wait(), 10) == -signal.SIGKILL


def slow_local_model(ollama: FakeOllama) -> None:
    ollama.reply, ollama.token_delay = LONG_ANSWER, 0.05  # about 30 s of streaming: killed long before the end


def quick_local_model(ollama: FakeOllama) -> None:
    ollama.reply, ollama.token_delay = None, 0.0


@pytest.mark.parametrize("stream_mode", ["update", "native"])
async def test_kill_9_mid_answer_on_slack(
    tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI, stream_mode: str
) -> None:
    config = tmp_path / "hybridbot.toml"
    config.write_text(
        "[embedded]\nenabled = false\n[ops]\nenabled = false\n"
        f'[slack]\nupdate_interval = 0.2\nstream_mode = "{stream_mode}"\n'
    )
    db = tmp_path / "bot.db"
    async with FakeSlack() as slack:
        env = {"HYBRIDBOT_CONFIG": str(config), "HYBRIDBOT_DATABASE": str(db), "OLLAMA_HOST": fake_ollama.host,
               "OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "sk-test", "SLACK_API_URL": slack.base_url,
               "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}  # fmt: skip
        channel, a_ts, b_ts = "C0GENERAL", slack.new_ts(), slack.new_ts()
        a = {"type": "app_mention", "user": "U0ALICE", "text": f"<@{BOT_USER}> tell me a long story", "ts": a_ts,
             "channel": channel, "event_ts": a_ts}  # fmt: skip
        b = {"type": "message", "user": "U0ALICE", "text": "and a second question", "ts": b_ts, "thread_ts": a_ts,
             "channel": channel, "channel_type": "channel", "event_ts": b_ts}  # fmt: skip
        slow_local_model(fake_ollama)
        async with hybridbot_run(env, tmp_path) as first:
            await asyncio.wait_for(slack.connected.wait(), 30)
            await slack.send_socket("events_api", event_callback(a, event_id="EvA"))
            streaming = await wait_until(
                lambda: [m for m in slack.thread(channel, a_ts) if "word3" in m.text], 20, what="A streaming"
            )
            assert streaming[0].streaming == (stream_mode == "native")  # native: still an open chat stream
            await slack.send_socket("events_api", event_callback(b, event_id="EvB"))
            await wait_until(lambda: stored(db, "and a second question"), 10, what="B stored")
            await kill_9(first)
        await wait_until(lambda: not slack.connected.is_set(), 5, what="the socket closed")
        quick_local_model(fake_ollama)
        async with hybridbot_run(env, tmp_path) as second:
            await asyncio.wait_for(slack.connected.wait(), 30)
            await slack.send_socket("events_api", event_callback(b, event_id="EvB"), retry=1)  # Slack retries B
            a_message = streaming[0]
            await wait_until(lambda: INTERRUPTED_NOTE in a_message.text, 20, what="A marked interrupted")
            assert "word3" in a_message.shown and INTERRUPTED_NOTE in a_message.footer  # edited in place

            def answers_to_b():
                return [m for m in slack.thread(channel, a_ts) if m.footer and "and a second question" in m.shown]

            await wait_until(answers_to_b, 20, what="B answered after the restart")
            await asyncio.sleep(1.0)
            assert len(answers_to_b()) == 1  # answered once: the redelivery was recognised
            reaction = {"type": "reaction_added", "user": "U0ALICE", "reaction": "repeat", "item_user": BOT_USER,
                        "item": {"type": "message", "channel": channel, "ts": a_message.ts}, "event_ts": slack.new_ts()}  # fmt: skip
            await slack.send_socket("events_api", event_callback(reaction))

            def answers_to_a():
                return [m for m in slack.thread(channel, a_ts) if m.footer and "tell me a long story" in m.shown]

            await wait_until(answers_to_a, 20, what="🔁 on the interrupted answer")
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), 20) == 0


async def test_kill_9_mid_answer_on_discord(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> None:
    config = tmp_path / "hybridbot.toml"
    config.write_text("[embedded]\nenabled = false\n[ops]\nenabled = false\n[discord]\nguild_ready_timeout = 0.1\n")
    db = tmp_path / "bot.db"
    async with FakeDiscord() as fake:
        env = {**bot_env(tmp_path, fake, fake_ollama, fake_openai), "HYBRIDBOT_CONFIG": str(config)}
        alice = fake.user("alice")
        slow_local_model(fake_ollama)

        def bot_messages(text: str) -> list[dict]:
            return [m for m in fake.messages.values() if m["author"]["id"] == fake.bot["id"] and text in m["content"]]

        async with hybridbot_run(env, tmp_path) as first:
            await wait_for(lambda: fake.connected, 30)
            await fake.say(alice, "tell me a long story", mention_bot=True)
            streaming = (await wait_for(lambda: bot_messages("word3"), 20))[0]
            thread = fake.channels[streaming["channel_id"]]
            b = await fake.say(alice, "and a second question", channel=thread)
            await wait_for(lambda: stored(db, "and a second question"), 10)
            await kill_9(first)
        await wait_for(lambda: not fake.connected, 5)
        quick_local_model(fake_ollama)
        async with hybridbot_run(env, tmp_path) as second:
            await wait_for(lambda: fake.connected, 30)
            await fake.redeliver(b)
            await wait_for(lambda: INTERRUPTED_NOTE in fake.messages[streaming["id"]]["content"], 20)
            assert "word3" in fake.messages[streaming["id"]]["content"]  # edited in place, text kept
            await wait_for(lambda: bot_messages("You said: and a second question"), 20)
            await asyncio.sleep(1.0)
            assert len(bot_messages("You said: and a second question")) == 1
            await fake.react(alice, streaming["id"], "🔁")
            await wait_for(lambda: bot_messages("You said: tell me a long story"), 20)
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), 20) == 0
