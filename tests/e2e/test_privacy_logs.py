"""Logs never carry content, at any level (issue 9, item 11).

The real `hybridbot run`, Slack (Socket Mode) and Discord at once, at DEBUG: secrets, personal data,
disguised secrets and plain message text go through both platforms, and none of them appears anywhere in
the process's log output. The control run with `bot.log_payloads = true` (documented as unsafe) shows
the same test does see message text when the client libraries are let log bodies.
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.fakes.discord_server import FakeDiscord, bot_env, wait_for
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, BOT_USER, FakeSlack, event_callback, wait_until

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

ROOT = Path(__file__).parents[2]
GITHUB = "ghp_" + "Zq8VxR2mT4kLp9WnB3cY7hJ5dF1gS6aE0uQi"
PLANTED = {
    "secret": f"deploy with {GITHUB} today",
    "aws": "aws_access_key_id = AKIA" + "QYLPMN5HFIQR7XYZ",
    "email": "write to marta.kowalski@northwind-mail.io please",
    "phone": "call me on +44 20 7946 0381",
    "base64 secret": "token: " + base64.b64encode(GITHUB.encode()).decode(),
    "look-alike": "key " + GITHUB.replace("a", "\u0430"),  # Cyrillic а: JSON-escaped on the wire
    "zero-width": "key " + GITHUB[:10] + "\u200b" + GITHUB[10:],
    "plain text": "purple elephant forty two",
}
NEVER = [GITHUB, GITHUB[4:20], "QYLPMN5HFIQR7XYZ", "marta.kowalski", "7946 0381", "purple elephant"]
NEVER += [base64.b64encode(GITHUB.encode()).decode()[:24], GITHUB.replace("a", "\u0430")[4:20]]


def leaks(output: str) -> list[str]:
    """Planted values found in the output, raw or after undoing JSON/Python escapes."""
    views = [output, codecs.decode(output.encode("latin-1", "backslashreplace"), "unicode_escape", "replace")]
    views.append(output.replace("\u200b", "").replace("\\u200b", ""))
    return [value for value in NEVER if any(value in view for view in views)]


@pytest.mark.parametrize("log_payloads", [False, True], ids=["default", "log_payloads-control"])
async def test_debug_logs_of_both_platforms_carry_no_content(
    tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI, log_payloads: bool
) -> None:
    config = tmp_path / "hybridbot.toml"
    config.write_text(
        "[embedded]\nenabled = false\n[ops]\nenabled = false\n[limits]\nenabled = false\n"
        + ("[bot]\nlog_payloads = true\n" if log_payloads else "")
        + "[discord]\nguild_ready_timeout = 0.1\n"
    )
    async with FakeSlack() as slack, FakeDiscord() as discord:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OLLAMA_", "HYBRIDBOT_", "SLACK_"))}
        env |= bot_env(tmp_path, discord, fake_ollama, fake_openai)
        env |= {"PYTHONPATH": str(ROOT), "HYBRIDBOT_CONFIG": str(config), "HYBRIDBOT_LOG_LEVEL": "DEBUG",
                "SLACK_API_URL": slack.base_url, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}  # fmt: skip
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hybridbot_app.cli", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await asyncio.wait_for(slack.connected.wait(), 30)
            await wait_for(lambda: discord.connected, 30)
            alice = discord.user("alice")
            slack.add_user("U0ALICE", "marta.kowalski@northwind-mail.io")  # a display name that is personal data
            for n, text in enumerate(PLANTED.values()):
                ts = slack.new_ts()
                channel = "D0ALICE" if n % 2 else "C0GENERAL"
                event = {"type": "message" if n % 2 else "app_mention", "user": "U0ALICE", "ts": ts,
                         "text": text if n % 2 else f"<@{BOT_USER}> {text}", "channel": channel,
                         "channel_type": "im" if n % 2 else "channel", "event_ts": ts}  # fmt: skip
                await slack.send_socket("events_api", event_callback(event))
                await wait_until(lambda c=channel, t=ts: any(m.footer for m in slack.thread(c, t)
                                                           if m.ts > t), 20, what="the Slack answer")  # fmt: skip
                sent = await discord.say(alice, text, mention_bot=True)
                await wait_for(lambda s=sent: any(m.get("message_reference", {}).get("message_id") == s["id"]
                                                  or m["channel_id"] == s["id"] for m in discord.messages.values()), 20)  # fmt: skip
            await asyncio.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), 30)
    output = err.decode("utf-8", "replace")
    assert output.count("\n") > 50 and "INFO hybridbot.engine" in output  # real output was scanned
    if log_payloads:
        assert " DEBUG hybridbot.slack.bolt" in output and " DEBUG discord" in output
        assert "purple elephant" in output  # the control: with bodies logged, the scan does see content
    else:
        assert leaks(output) == [], leaks(output)
