"""The Slack test harness (the bot as production builds it, against the Slack, Ollama and OpenAI stand-ins),
plus tests of the Slack stand-in itself. Other test_slack_* modules import `slack_bot` from here.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import SlackAdapter
from bot.app import build_app
from bot.config import load_settings
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER,
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    Message,
    block_action,
    command_form,
    event_callback,
    wait_until,
)

ALICE, BOB = "U0ALICE", "U0BOB"


class SlackBot:
    """The whole bot (engine + Slack adapter) in Socket Mode or HTTP mode, and ways to talk to it."""

    def __init__(
        self, fake: FakeSlack, adapter: SlackAdapter, mode: str, ollama: FakeOllama, openai: FakeOpenAI | None
    ) -> None:
        self.fake, self.adapter, self.mode = fake, adapter, mode
        self.fake_ollama, self.fake_openai = ollama, openai
        self.engine = adapter.bot.engine

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.port}/slack/events"

    async def deliver(self, body: dict[str, Any], *, retry: int = 0, envelope_id: str = "") -> int:
        """An Events API payload, through the socket or as a signed HTTP POST; returns the HTTP status."""
        if self.mode == "socket":
            await self.fake.send_socket("events_api", body, retry=retry, envelope_id=envelope_id)
            return 200
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        status, _ = await self.fake.post_http(self.url, json.dumps(body), headers=headers)
        return status

    def _user_message(self, channel: str, text: str, user: str, thread_ts: str | None) -> Message:
        msg = Message(channel, self.fake.new_ts(), text, [], thread_ts, user=user, bot_id=None)
        self.fake.messages[(channel, msg.ts)] = msg
        return msg

    def channel_type(self, channel: str) -> str:
        """What Slack puts in message events: "channel" only for public channels."""
        if channel.startswith("D"):
            return "im"
        if channel in self.fake.group_dms:
            return "mpim"
        return "group" if channel.startswith("G") or channel in self.fake.private_channels else "channel"

    async def mention(
        self, text: str, *, channel: str = "C0GENERAL", user: str = ALICE, thread_ts: str | None = None
    ) -> str:
        """@bot in a channel: Slack sends app_mention and message.channels for the same message."""
        msg = self._user_message(channel, f"<@{BOT_USER}> {text}".strip(), user, thread_ts)
        event = {"type": "app_mention", "user": user, "text": msg.text, "ts": msg.ts, "channel": channel,
                 "event_ts": msg.ts}  # fmt: skip
        if thread_ts:
            event["thread_ts"] = thread_ts
        await self.deliver(event_callback(event))
        await self.deliver(event_callback({**event, "type": "message", "channel_type": self.channel_type(channel)}))
        return msg.ts

    async def message(
        self, text: str, *, channel: str = "C0GENERAL", user: str = ALICE, thread_ts: str | None = None, **extra: Any
    ) -> str:
        channel_type = self.channel_type(channel)
        msg = self._user_message(channel, text, user, thread_ts)
        event = {"type": "message", "user": user, "text": text, "ts": msg.ts, "channel": channel,
                 "channel_type": channel_type, "event_ts": msg.ts, **extra}  # fmt: skip
        if thread_ts:
            event["thread_ts"] = thread_ts
        await self.deliver(event_callback(event))
        return msg.ts

    async def command(self, name: str, text: str = "", *, channel: str = "C0GENERAL", user: str = ALICE) -> dict:
        """A slash command; returns the ephemeral answer posted to its response_url."""
        before = len(self.fake.responses)
        form = command_form(self.fake, name, text, channel=channel, user=user)
        started = time.monotonic()
        if self.mode == "socket":
            envelope = await self.fake.send_socket("slash_commands", form)
            await wait_until(lambda: envelope in self.fake.acks, what="command ack")
        else:
            status, _ = await self.fake.post_http(self.url, urllib.parse.urlencode(form), form=True)
            assert status == 200
        self.ack_seconds = time.monotonic() - started
        return await wait_until(lambda: self.fake.responses[before:] and self.fake.responses[before], what="respond")

    async def settled(self) -> None:
        """A marker instead of a sleep: /help goes through the same app after the events a test delivered; once
        its answer is back, those events were handled (a listener that ignores an event decides before any wait)."""
        await self.command("help")

    async def action(self, action: dict[str, Any], *, channel: str = "C0GENERAL", user: str = ALICE) -> None:
        payload = block_action(self.fake, action, channel=channel, user=user)
        if self.mode == "socket":
            await self.fake.send_socket("interactive", payload)
        else:
            body = urllib.parse.urlencode({"payload": json.dumps(payload)})
            status, _ = await self.fake.post_http(self.url, body, form=True)
            assert status == 200

    async def action_payload(self, payload: dict[str, Any]) -> None:
        """A whole interactive payload (e.g. tests.fakes.slack_server.button_click), delivered as Slack does."""
        if self.mode == "socket":
            await self.fake.send_socket("interactive", payload)
        else:
            body = urllib.parse.urlencode({"payload": json.dumps(payload)})
            status, _ = await self.fake.post_http(self.url, body, form=True)
            assert status == 200

    async def react(self, name: str, channel: str, ts: str, *, user: str = ALICE, added: bool = True) -> None:
        event = {"type": "reaction_added" if added else "reaction_removed", "user": user, "reaction": name,
                 "item_user": BOT_USER, "item": {"type": "message", "channel": channel, "ts": ts},
                 "event_ts": str(time.time())}  # fmt: skip
        await self.deliver(event_callback(event))

    async def answer(self, channel: str, thread_ts: str | None, count: int = 1, wait: float = 5.0) -> Message:
        """The bot's `count`-th finished answer in a thread (finished: it has its footer)."""

        def done() -> Message | None:
            finished = [m for m in self.fake.thread(channel, thread_ts) if m.footer]
            return finished[count - 1] if len(finished) >= count else None

        return await wait_until(done, wait, what=f"answer #{count} in {channel}/{thread_ts}")


def write_config(tmp_path: Path, toml: str) -> Path:
    path = tmp_path / "hybridbot.toml"
    path.write_text("[embedded]\nenabled = false\n[catalog]\nhealth_ttl = 0\n" + toml)
    return path


async def start_bot(
    tmp_path: Path, fake: FakeSlack, ollama: FakeOllama, openai: FakeOpenAI | None, *, mode: str, toml: str = ""
) -> SlackBot:
    slack = f'[slack]\napi_url = "{fake.base_url}"\nport = 0\nhost = "127.0.0.1"\nupdate_interval = 0.05\nchannel_rate = 50\n'
    if "[slack]" in toml:
        toml, slack = toml.replace("[slack]\n", slack), ""
    env = {"HYBRIDBOT_DATABASE": str(tmp_path / "bot.db"), "OLLAMA_HOST": ollama.host, "SLACK_BOT_TOKEN": BOT_TOKEN}
    if openai is not None:
        env |= {"OPENAI_BASE_URL": openai.base_url, "OPENAI_API_KEY": "sk-test"}
    env |= {"SLACK_APP_TOKEN": APP_TOKEN} if mode == "socket" else {"SLACK_SIGNING_SECRET": SIGNING_SECRET}
    settings = load_settings(write_config(tmp_path, slack + toml), env=env)
    adapter = SlackAdapter(build_app(settings).engine, settings)
    fake.minute = 1.0  # the stand-in's rate tiers and the bot's budget run on a 1-second "minute"
    adapter.bot.budget.minute = fake.minute
    await adapter.start()
    if mode == "socket":
        await wait_until(fake.connected.is_set, what="socket mode connection")
    fake.add_user(ALICE, "alice")
    fake.add_user(BOB, "bob")
    return SlackBot(fake, adapter, mode, ollama, openai)


@pytest.fixture(params=["socket", "http"])
async def slack_bot(
    request: pytest.FixtureRequest, tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
) -> AsyncIterator[SlackBot]:
    async with FakeSlack() as fake:
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode=request.param)
        try:
            yield bot
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()


# --- the stand-in itself ----------------------------------------------------------------


async def test_stand_in_serves_the_real_web_client_and_answers_429_with_retry_after() -> None:
    async with FakeSlack() as fake:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url)
        auth = await client.auth_test()
        assert (auth["user_id"], auth["team_id"]) == (BOT_USER, TEAM)
        fake.inject_429("chat.postMessage", retry_after=0)
        from slack_sdk.errors import SlackApiError

        with pytest.raises(SlackApiError) as error:
            await client.chat_postMessage(channel="C1", text="hi")
        assert error.value.response.status_code == 429
        assert error.value.response.headers["Retry-After"] == "0"
        posted = await client.chat_postMessage(channel="C1", text="hi")
        assert fake.messages[("C1", posted["ts"])].text == "hi"


async def test_stand_in_signs_like_slack() -> None:
    from slack_sdk.signature import SignatureVerifier

    body, stamp = '{"a":1}', int(time.time())
    verifier = SignatureVerifier(SIGNING_SECRET)
    assert verifier.is_valid(body, stamp, FakeSlack.sign(body, stamp))
    assert not verifier.is_valid(body, stamp, FakeSlack.sign(body, stamp, "other-secret"))
