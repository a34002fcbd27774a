"""Bad input over HTTP and Socket Mode: signatures, stale requests, malformed payloads, unknown teams, edits."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from adapters.slack.runner import run_slack, slack_configured
from bot.config import load_settings
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.slack_server import BOT_TOKEN, BOT_USER, SIGNING_SECRET, FakeSlack, event_callback, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, SlackBot, write_config

slack_bot = test_slack_harness.slack_bot  # the fixture, shared

http_only = pytest.mark.parametrize("slack_bot", ["http"], indirect=True)
socket_only = pytest.mark.parametrize("slack_bot", ["socket"], indirect=True)


def _mention_body(fake: FakeSlack, text: str = "hello", **event: str) -> dict:
    ts = fake.new_ts()
    return event_callback(
        {
            "type": "app_mention",
            "user": ALICE,
            "text": f"<@{BOT_USER}> {text}",
            "ts": ts,
            "channel": "C0GENERAL",
            "event_ts": ts,
            **event,
        }  # fmt: skip
    )


@http_only
async def test_bad_signature_and_stale_timestamp_get_401_and_no_answer(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    body = json.dumps(_mention_body(fake))
    status, _ = await fake.post_http(slack_bot.url, body, signature="v0=" + "0" * 64)
    assert status == 401
    stale = int(time.time()) - 6 * 60
    status, _ = await fake.post_http(slack_bot.url, body, timestamp=stale, signature=fake.sign(body, stale))
    assert status == 401
    status, _ = await fake.post_http(slack_bot.url, body, signature=fake.sign(body, int(time.time()), "wrong"))
    assert status == 401
    await slack_bot.settled()
    assert not slack_bot.fake_ollama.chat_requests()
    assert not fake.calls_to("chat.postMessage")


@pytest.mark.slow
@http_only
async def test_url_verification_and_ack_before_the_model_answers(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    challenge = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "legacy"})
    status, text = await fake.post_http(slack_bot.url, challenge)
    assert status == 200 and "abc123" in text
    slack_bot.fake_ollama.reply, slack_bot.fake_ollama.token_delay = "slow " * 30, 0.1  # ~3 s answer
    body = _mention_body(fake)
    status, _ = await fake.post_http(slack_bot.url, json.dumps(body))
    assert status == 200
    # Acked before the model work: when the ack arrives, no finished answer exists yet.
    assert not [m for m in fake.thread("C0GENERAL", body["event"]["ts"]) if m.footer]
    await slack_bot.answer("C0GENERAL", body["event"]["ts"])


@http_only
async def test_malformed_http_payloads_do_not_crash_the_adapter(
    slack_bot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake = slack_bot.fake
    for body in ("not json at all", "{", json.dumps([1, 2]), json.dumps({"type": "event_callback"}),
                 json.dumps(event_callback({"type": "app_mention"})),
                 json.dumps(event_callback({"type": "message", "channel": 5, "ts": None, "text": {"x": 1}})),
                 json.dumps(event_callback({"type": "reaction_added", "item": "nope"}))):  # fmt: skip
        status, _ = await fake.post_http(slack_bot.url, body)
        assert status < 500
    status, _ = await fake.post_http(slack_bot.url, "payload=%7Bbroken", form=True)
    assert status < 500
    body = _mention_body(fake, "still alive?")
    await slack_bot.deliver(body)
    await slack_bot.answer("C0GENERAL", body["event"]["ts"])
    assert not [r for r in caplog.records if "Failed to run listener" in r.getMessage()]


@socket_only
async def test_malformed_socket_frames_do_not_crash_the_adapter(
    slack_bot: SlackBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake = slack_bot.fake
    await fake.send_raw_socket("this is not json")
    await fake.send_raw_socket(json.dumps({"type": "events_api", "envelope_id": "e1"}))
    await fake.send_socket("events_api", {"event": {"type": "app_mention"}})
    await fake.send_socket("events_api", event_callback({"type": "message", "channel": "C1"}))
    body = _mention_body(fake, "still alive?")
    await slack_bot.deliver(body)
    await slack_bot.answer("C0GENERAL", body["event"]["ts"])
    assert not [r for r in caplog.records if "Failed to run listener" in r.getMessage()]


async def test_events_from_an_unknown_team_are_ignored(slack_bot: SlackBot) -> None:
    body = _mention_body(slack_bot.fake)
    body["team_id"] = "T0STRANGER"
    await slack_bot.deliver(body)
    await slack_bot.settled()
    assert not slack_bot.fake.calls_to("chat.postMessage")


async def test_edited_and_deleted_messages_are_not_answered_and_do_not_crash(slack_bot: SlackBot) -> None:
    question = await slack_bot.mention("original question")
    await slack_bot.answer("C0GENERAL", question)
    edited = {"type": "message", "subtype": "message_changed", "channel": "C0GENERAL", "ts": "9.1",
              "channel_type": "channel", "message": {"type": "message", "user": ALICE, "text": "changed",
              "ts": question, "thread_ts": question}}  # fmt: skip
    deleted = {"type": "message", "subtype": "message_deleted", "channel": "C0GENERAL", "ts": "9.2",
               "deleted_ts": question, "channel_type": "channel"}  # fmt: skip
    await slack_bot.deliver(event_callback(edited))
    await slack_bot.deliver(event_callback(deleted))
    await slack_bot.message("a follow-up", thread_ts=question)
    await slack_bot.answer("C0GENERAL", question, count=2)
    assert len(slack_bot.fake_ollama.chat_requests()) == 2


async def test_run_slack_runs_until_cancelled_in_http_mode(tmp_path: Path, fake_ollama: FakeOllama) -> None:
    async with FakeSlack() as fake:
        config = write_config(tmp_path, f'[slack]\napi_url = "{fake.base_url}"\nhost = "127.0.0.1"\n')
        env = {"HYBRIDBOT_DATABASE": str(tmp_path / "bot.db"), "OLLAMA_HOST": fake_ollama.host,
               "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}  # fmt: skip
        settings = load_settings(config, env=env)
        assert slack_configured(settings)
        assert not slack_configured(load_settings(config, env={**env, "SLACK_SIGNING_SECRET": ""}))
        from bot.app import build_app

        engine = build_app(settings).engine
        os.environ["PORT"] = "0"
        try:
            task = asyncio.create_task(run_slack(engine, settings))
            await wait_until(lambda: fake.calls_to("auth.test"), what="start-up")
            await asyncio.sleep(0.05)
            assert not task.done()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            del os.environ["PORT"]
            await engine.aclose()


@socket_only
async def test_a_dropped_socket_reconnects_and_answers_again(slack_bot: SlackBot) -> None:
    fake = slack_bot.fake
    await fake.drop_socket()
    await wait_until(lambda: len(fake.calls_to("apps.connections.open")) >= 2 and fake.connected.is_set(),
                     within=15, what="reconnect")  # fmt: skip
    body = _mention_body(fake, "back again?")
    await slack_bot.deliver(body)
    await slack_bot.answer("C0GENERAL", body["event"]["ts"])
