"""The manifests match what the adapter handles: every manifest event/command is handled, and vice versa."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp

from adapters.slack.manifest import manifest, manifest_text
from adapters.slack.runner import manifest_text as runner_manifest_text
from tests.fakes.slack_server import command_form, event_callback
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared

ROOT = Path(__file__).resolve().parents[2]


def _bolt_name(event: str) -> str:
    return "message" if event.startswith("message.") else event  # message.im etc. all arrive as "message"


@pytest.mark.parametrize(("http", "path"), [(False, "slack-app.yml"), (True, "slack-app-http.yml")])
def test_manifest_files_are_the_generated_manifests(http: bool, path: str) -> None:
    assert (ROOT / "manifests" / path).read_text() == manifest_text(http) == runner_manifest_text(http)
    data = manifest(http)
    assert data["settings"]["socket_mode_enabled"] is not http
    if http:
        assert data["settings"]["event_subscriptions"]["request_url"].endswith("/slack/events")
        assert all(c["url"].endswith("/slack/events") for c in data["features"]["slash_commands"])


def test_code_registers_exactly_the_manifests_events_and_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record what the adapter registers with Bolt while it is built, and compare both ways."""
    from adapters.slack import conversations, reactions, slash, surfaces
    from adapters.slack.app import SlackBot as State

    events: set[str] = set()
    commands: set[str] = set()
    real_event, real_command = AsyncApp.event, AsyncApp.command

    def record_event(self: AsyncApp, event: Any, *args: Any, **kwargs: Any) -> Any:
        events.add(str(event))
        return real_event(self, event, *args, **kwargs)

    def record_command(self: AsyncApp, command: Any, *args: Any, **kwargs: Any) -> Any:
        commands.add(str(command))
        return real_command(self, command, *args, **kwargs)

    monkeypatch.setattr(AsyncApp, "event", record_event)
    monkeypatch.setattr(AsyncApp, "command", record_command)
    app = AsyncApp(signing_secret="x", token="xoxb-x")
    state = State.__new__(State)
    for module in (conversations, reactions, slash, surfaces):
        module.register(app, state)
    data = manifest(False)
    assert events == {_bolt_name(e) for e in data["settings"]["event_subscriptions"]["bot_events"]}
    assert commands == {c["command"] for c in data["features"]["slash_commands"]}


@pytest.mark.parametrize("slack_bot", ["http"], indirect=True)
async def test_every_manifest_event_and_command_is_handled(slack_bot: SlackBot) -> None:
    """Bolt answers 404 to a request no listener matches; each manifest entry must get 200."""
    fake, data = slack_bot.fake, manifest(True)
    for name in data["settings"]["event_subscriptions"]["bot_events"]:
        kind = _bolt_name(name)
        event: dict[str, Any] = {"type": kind, "user": ALICE, "ts": fake.new_ts(), "event_ts": "1.0"}
        if kind == "message":
            event |= {"channel": "D0ALICE" if name == "message.im" else "C0X", "text": "hi",
                      "channel_type": name.split(".")[1].rstrip("s")}  # fmt: skip
        status, text = await fake.post_http(slack_bot.url, json.dumps(event_callback(event)))
        assert status == 200, f"{name} unhandled: {text}"
    for command in data["features"]["slash_commands"]:
        form = command_form(fake, command["command"].lstrip("/"), "", channel="C0X", user=ALICE)
        status, text = await fake.post_http(slack_bot.url, urllib.parse.urlencode(form), form=True)
        assert status == 200, f"{command['command']} unhandled: {text}"
    status, _ = await fake.post_http(slack_bot.url, urllib.parse.urlencode(
        command_form(fake, "notacommand", "", channel="C0X", user=ALICE)), form=True)  # fmt: skip
    assert status == 404  # the check above can fail
