"""Least privilege that still works: every Web API method and event the Slack adapter uses maps to a documented
scope the manifest requests, and the manifest requests nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.doctor import scope_findings
from adapters.slack.manifest import (
    BOT_EVENTS,
    CONVERSATION_SCOPES,
    EVENT_SCOPES,
    FEATURE_SCOPES,
    METHOD_SCOPES,
    SCOPES,
    manifest,
)
from tests.fakes import slack_rules

ADAPTER = Path(__file__).resolve().parents[2] / "adapters" / "slack"
_SDK_CALL = re.compile(r"client\.([a-z]+(?:_[a-zA-Z]+)+)\(")
_LITERAL = re.compile(r"\"((?:chat|assistant|conversations|users|views|reactions|auth|apps|team)\.[A-Za-z.]+)\"")


def methods_called() -> set[str]:
    """Web API methods named in the adapter's code: slack_sdk calls (client.chat_update) and literal names."""
    found: set[str] = set()
    for path in ADAPTER.glob("*.py"):
        text = path.read_text()
        for name in _SDK_CALL.findall(text):
            if hasattr(AsyncWebClient, name) and name not in ("api_call",):
                found.add(name.replace("_", "."))
        found.update(_LITERAL.findall(text))
    return found


def test_the_scan_finds_the_methods_it_should() -> None:
    called = methods_called()
    assert {"chat.update", "conversations.info", "users.info", "assistant.threads.setSuggestedPrompts"} <= called


def test_every_method_the_code_calls_has_a_documented_scope_the_manifest_requests() -> None:
    granted = set(manifest(False)["oauth_config"]["scopes"]["bot"])
    for method in methods_called():
        assert method in METHOD_SCOPES or method in CONVERSATION_SCOPES, f"{method}: add it to METHOD_SCOPES"
        if method in CONVERSATION_SCOPES:
            assert set(CONVERSATION_SCOPES[method]) <= granted, method
        elif METHOD_SCOPES[method]:
            assert set(METHOD_SCOPES[method]) & granted, method


def test_the_adapters_map_agrees_with_slacks_reference_as_the_stand_in_has_it() -> None:
    for method, scopes in METHOD_SCOPES.items():
        assert set(scopes) == set(slack_rules.METHOD_SCOPES.get(method, ())), method
    assert {"mpim:read", "groups:read", "channels:read"} <= set(CONVERSATION_SCOPES["conversations.info"])


def test_every_event_has_its_scope_and_the_manifest_asks_for_nothing_unused() -> None:
    data = manifest(True)
    assert tuple(data["settings"]["event_subscriptions"]["bot_events"]) == BOT_EVENTS
    requested = set(data["oauth_config"]["scopes"]["bot"])
    for event in BOT_EVENTS:
        assert set(EVENT_SCOPES[event]) <= requested, event
    used = {s for m in methods_called() for s in (METHOD_SCOPES.get(m) or CONVERSATION_SCOPES.get(m) or ())[:1]}
    used |= {s for m in methods_called() for s in CONVERSATION_SCOPES.get(m, ())}
    used |= {s for group in (*EVENT_SCOPES.values(), *FEATURE_SCOPES.values()) for s in group}
    assert requested == used == set(SCOPES)
    assert "mpim:read" in requested and "reactions:write" not in requested  # group DMs looked up; no reactions added


def test_doctor_names_missing_scopes_and_what_to_do() -> None:
    ok, line = scope_findings(set(SCOPES) - {"mpim:read"})[0]
    assert not ok and "mpim:read" in line and "reinstall" in line
    assert scope_findings(set(SCOPES))[0][0]
    notes = scope_findings({*SCOPES, "reactions:write"})
    assert notes[-1][0] and "reactions:write" in notes[-1][1]
