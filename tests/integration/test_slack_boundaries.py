"""Where Slack content may go and whose requests count: private conversations by default (fail closed), the
workspace boundary, malformed and oversized requests. Real slack-bolt/slack-sdk against the stand-ins.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.fakes.slack_server import BOT_USER, FakeSlack, event_callback, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared
http_only = pytest.mark.parametrize("slack_bot", ["http"], indirect=True)

COMPLEX = "Plan the launch in detail: compare three strategies, then write a step-by-step schedule"


def _mention(fake: FakeSlack, text: str, channel: str = "C0GENERAL", **body: object) -> dict:
    ts = fake.new_ts()
    event = {"type": "app_mention", "user": ALICE, "text": f"<@{BOT_USER}> {text}", "ts": ts, "channel": channel,
             "event_ts": ts}  # fmt: skip
    return {**event_callback(event), **body}


# --- private conversations (issue 9, item 3) --------------------------------------------------


async def _asked_in(slack_bot: SlackBot, channel: str, text: str = COMPLEX) -> str:
    ts = await slack_bot.mention(text, channel=channel)
    return (await slack_bot.answer(channel, ts)).footer


async def test_private_channels_group_dms_and_g_channels_stay_local_by_default(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    fake = slack_bot.fake
    fake.private_channels.add("C0PRIVATE")  # today's private channels have C… ids: only conversations.info knows
    fake.group_dms.add("C0GROUPDM")
    for channel in ("C0PRIVATE", "C0GROUPDM", "G0LEGACY"):
        assert "🔒 local" in await _asked_in(slack_bot, channel)
    assert "☁ cloud" in await _asked_in(slack_bot, "C0OPEN")
    assert len(slack_bot.fake_openai.chat_requests()) == 1  # only the public channel's turn


async def test_a_failed_conversations_info_is_private_and_asked_again(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "cloud"
    slack_bot.fake.errors["conversations.info"] = "missing_scope"
    assert "🔒 local" in await _asked_in(slack_bot, "C0UNKNOWN")
    assert not slack_bot.fake_openai.chat_requests()
    del slack_bot.fake.errors["conversations.info"]  # the failure was not cached: Slack is asked again
    assert "☁ cloud" in await _asked_in(slack_bot, "C0UNKNOWN")


async def test_the_operator_may_opt_a_private_channel_out_but_never_a_dm(slack_bot: SlackBot) -> None:
    settings = slack_bot.engine.settings
    settings.routing.default_model = "cloud"
    settings.slack.private_channels_opt_out = ["C0PRIVATE", "D0ALICE"]
    slack_bot.fake.private_channels.add("C0PRIVATE")
    assert "☁ cloud" in await _asked_in(slack_bot, "C0PRIVATE")
    question = await slack_bot.message(COMPLEX, channel="D0ALICE")
    assert "🔒 local" in (await slack_bot.answer("D0ALICE", question)).footer


async def test_channel_privacy_is_looked_up_once_within_the_expiry(slack_bot: SlackBot) -> None:
    for _ in range(3):
        await _asked_in(slack_bot, "C0CACHED", "hello")
    assert len([c for c in slack_bot.fake.calls_to("conversations.info") if c.args.get("channel") == "C0CACHED"]) == 1
    slack_bot.adapter.bot.private_channels.ttl = 0  # expired: asked again
    await _asked_in(slack_bot, "C0CACHED", "hello")
    assert len([c for c in slack_bot.fake.calls_to("conversations.info") if c.args.get("channel") == "C0CACHED"]) == 2


# --- the workspace boundary (issue 9, item 7) -------------------------------------------------


async def test_events_from_another_team_are_ignored_whatever_their_flags(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    foreign = _mention(fake, "from afar", team_id="T0FOREIGN", is_enterprise_install=True, enterprise_id="E0ORG")
    no_team = _mention(fake, "from nowhere")
    del no_team["team_id"]
    for body in (foreign, no_team):
        await slack_bot.deliver(body)
    await slack_bot.settled()
    assert not fake.calls_to("chat.postMessage") and not slack_bot.fake_ollama.chat_requests()


async def test_enterprise_grid_teams_are_answered_only_through_the_allow_list(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    slack_bot.engine.settings.slack.allowed_team_ids = ["E0ORG"]
    body = _mention(fake, "from our org", team_id="T0SISTER", enterprise_id="E0ORG", is_enterprise_install=True)
    await slack_bot.deliver(body)
    await slack_bot.answer("C0GENERAL", body["event"]["ts"])


# --- malformed and oversized requests (issue 9, items 12 and 13) ------------------------------


@http_only
async def test_an_event_that_is_not_an_object_is_a_400_not_a_500(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    for event in ("notadict", 5, None, ["a"], {"no": "type"}):
        body = {**event_callback({"type": "message"}), "event": event}
        status, text = await fake.post_http(slack_bot.url, json.dumps(body))
        assert status == 400, (event, status, text)
    body = _mention(fake, "still fine")
    assert await slack_bot.deliver(body) == 200
    await slack_bot.answer("C0GENERAL", body["event"]["ts"])


@http_only
async def test_an_oversized_message_is_answered_with_the_size_message_on_slack(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    body = _mention(fake, "x" * 1_500_000)  # over aiohttp's 1 MiB default, under the adapter's read limit
    status, _ = await fake.post_http(slack_bot.url, json.dumps(body))
    assert status == 200
    thread = body["event"]["ts"]
    said = await wait_until(lambda: [m.shown for m in fake.thread("C0GENERAL", thread) if "20,000" in m.shown], 10)
    assert "limit is 20,000" in said[0]
    assert not slack_bot.fake_ollama.chat_requests()
    huge = _mention(fake, "y" * 9_000_000)
    status, _ = await fake.post_http(slack_bot.url, json.dumps(huge))
    assert status == 413


# --- HTTP-mode set-up as it really happens (issue 15, item 7) ------------------------------------


async def test_url_verification_is_answered_before_the_app_is_installed(tmp_path, fake_ollama) -> None:  # noqa: ANN001
    """Slack checks the Request URL when it is saved: there is no bot token yet, only the signing secret."""
    from adapters.slack.app import SlackAdapter
    from adapters.slack.runner import slack_configured
    from bot.app import build_app
    from bot.config import load_settings
    from hybridbot_app.platforms import platform_status
    from tests.fakes.slack_server import SIGNING_SECRET
    from tests.integration.test_slack_harness import write_config

    async with FakeSlack() as fake:
        toml = f'[slack]\napi_url = "{fake.base_url}"\nport = 0\nhost = "127.0.0.1"\n'
        env = {"HYBRIDBOT_DATABASE": str(tmp_path / "b.db"), "OLLAMA_HOST": fake_ollama.host,
               "SLACK_SIGNING_SECRET": SIGNING_SECRET}  # fmt: skip
        settings = load_settings(write_config(tmp_path, toml), env=env)
        assert slack_configured(settings)
        assert "URL verification only" in platform_status(settings)[0].state
        app = build_app(settings)
        adapter = SlackAdapter(app.engine, settings)
        await adapter.start()
        try:
            url = f"http://127.0.0.1:{adapter.port}/slack/events"
            challenge = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "legacy"})
            status, text = await fake.post_http(url, challenge)
            assert status == 200 and json.loads(text) == {"challenge": "c-123"}
            status, _ = await fake.post_http(url, challenge, signature="v0=" + "0" * 64)
            assert status == 401
            status, _ = await fake.post_http(url, json.dumps(_mention(fake, "too early")))
            assert status == 200
            await asyncio.sleep(0.2)
            assert not fake.calls  # nothing called Slack: there is no token to call it with
        finally:
            await adapter.stop()
            await app.engine.aclose()
