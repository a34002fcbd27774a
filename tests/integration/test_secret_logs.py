"""Secrets never logged: the whole bot (Slack adapter in Socket Mode, engine, real clients) at DEBUG,
with platform tokens in the environment and secrets pasted into messages; every captured line is scanned."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import logs
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.helpers import API_KEY, RecordingSink, make_app
from tests.integration.test_slack_harness import start_bot

PLANTED = {
    "aws": "AKIA" + "QYLPMN5HFIQR7XYZ",
    "github": "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789AB",
    "openai": "sk-proj-" + "abcdefghijklmnopqrstuvwxyz0123456789",
    "slack pasted": "xoxb-" + "1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "password": "hunter2-is-my-" + "password",
}
TOKENS = [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, API_KEY]
MARKER = "purple elephant forty two"  # ordinary message text: may appear at DEBUG, never at INFO or above


@pytest.fixture
def captured(caplog) -> Iterator[io.StringIO]:
    """Our JSON handler at DEBUG (as `hybridbot run` configures it) plus pytest's own capture."""
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = logs.configure("DEBUG", "json", secrets=TOKENS, stream=stream)
    for name in ("slack_bolt", "slack_sdk", "hybridbot", "aiohttp"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)
    logs.uninstall_redaction()
    logs.bind_turn(None)


def messages_with_secrets() -> list[str]:
    return [
        f"my AWS key is {PLANTED['aws']} please check it, {MARKER}",
        f"deploy with token {PLANTED['github']} and {PLANTED['openai']}",
        f"the bot token is {PLANTED['slack pasted']}; also password: {PLANTED['password']}",
        f"our Slack app token is {APP_TOKEN} and the signing secret {SIGNING_SECRET}",
    ]


def assert_clean(stream: io.StringIO, caplog: pytest.LogCaptureFixture) -> list[dict]:
    outputs = {"ours": stream.getvalue(), "pytest": caplog.text}
    assert len(outputs["ours"]) > 2000, "the scan needs real DEBUG output to mean anything"
    for where, text in outputs.items():
        for secret in [*PLANTED.values(), *TOKENS]:
            assert secret not in text, f"{secret[:8]}… logged ({where})"
    lines = [json.loads(line) for line in outputs["ours"].splitlines() if line.startswith("{")]
    for line in lines:
        if line["level"] != "DEBUG":
            assert MARKER not in json.dumps(line, ensure_ascii=False), line
    return lines


async def test_slack_bot_at_debug_logs_no_secret(tmp_path: Path, fake_ollama, fake_openai, captured, caplog) -> None:
    async with FakeSlack() as fake:
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="socket")
        try:
            bot.engine.limits.enabled = False
            for text in messages_with_secrets():
                ts = await bot.mention(text)
                await bot.answer("C0GENERAL", ts)
            dm = await bot.message(f"private: {PLANTED['aws']}", channel="D0ALICE")
            await bot.answer("D0ALICE", dm)
            assert dm
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()
    lines = assert_clean(captured, caplog)
    assert any(line["logger"].startswith("slack") for line in lines)  # the library's DEBUG lines were scanned
    assert any("turn_id" in line for line in lines)


async def test_engine_failures_and_commands_at_debug_log_no_secret(
    tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI, captured, caplog
) -> None:
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    engine = app.engine
    key = SessionKey("slack", "T1", "C1")
    try:
        fake_openai.fail_all("status", status=401)
        await run_command(engine, CommandContext(key, "U1"), "/model cloud")
        for text in messages_with_secrets():
            await engine.handle(Turn(key, "U1", "ann", text), RecordingSink())
        fake_ollama.fail_all("reset")
        await engine.handle(Turn(key, "U1", "ann", f"again {PLANTED['github']}"), RecordingSink())
    finally:
        await engine.aclose()
    lines = assert_clean(captured, caplog)
    # Every engine line that names a turn carries that turn's id as a field, as do the lines after it.
    named = [line for line in lines if line["logger"] == "hybridbot.engine" and line["message"].startswith("turn ")]
    assert len(named) >= 5
    for line in named:
        assert line["message"].split()[1].rstrip(":") == str(line["turn_id"]), line
