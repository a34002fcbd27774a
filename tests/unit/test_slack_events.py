"""Slack's event rules, as tables: which team, well formed or not, how private a conversation is, what a reaction asks."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.common.reactions import Action
from adapters.slack import events


@pytest.mark.parametrize(
    ("channel", "channel_type", "kind"),
    [
        ("D1", None, events.DM),
        ("C1", "im", events.DM),
        ("G1", None, events.PRIVATE),
        ("C1", "group", events.PRIVATE),
        ("C1", "mpim", events.PRIVATE),
        ("C1", "channel", events.PUBLIC),
        ("C1", None, ""),  # an app_mention: a C… id alone is not evidence, Slack is asked
        ("G1", "channel", events.PRIVATE),
    ],
)
def test_what_a_conversation_is(channel: str, channel_type: str | None, kind: str) -> None:
    assert events.kind_by_type(channel, channel_type) == kind


@pytest.mark.parametrize(
    ("team", "enterprise", "own", "allowed", "expected"),
    [
        ("T1", None, "T1", [], True),
        ("T2", None, "T1", [], False),
        ("T2", None, "T1", ["T2"], True),
        ("T2", "E1", "T1", ["E1"], True),
        (None, None, "T1", [], False),  # no team: fail closed
        ("T1", None, "", [], False),  # own team not known yet: fail closed
    ],
)
def test_which_teams_are_served(team, enterprise, own, allowed, expected) -> None:  # noqa: ANN001
    assert events.team_allowed(team, enterprise, own_team=own, allowed=allowed) is expected


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"type": "event_callback", "event": {"type": "message"}}, ""),
        ({"type": "event_callback", "event": "notadict"}, "event is not an object"),
        ({"type": "event_callback", "event": {}}, "event has no type"),
        ({"type": "url_verification"}, ""),
    ],
)
def test_malformed_events(body: dict[str, Any], problem: str) -> None:
    assert events.malformed(body) == problem


def _reaction(name: str, user: str = "U1", item_type: str = "message") -> dict[str, Any]:
    return {"reaction": name, "user": user, "item": {"type": item_type, "channel": "C1", "ts": "1.1"}}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_reaction("+1"), Action.GOOD),
        (_reaction("+1::skin-tone-3"), Action.GOOD),
        (_reaction("thumbsdown"), Action.BAD),
        (_reaction("repeat"), Action.REGENERATE),
        (_reaction("octagonal_sign"), Action.STOP),
        (_reaction("x"), Action.STOP),
        (_reaction("tada"), None),
        (_reaction("+1", user="UBOT"), None),  # the bot's own
        (_reaction("+1", item_type="file"), None),
        ({"reaction": "+1", "user": "U1"}, None),  # no item
    ],
)
def test_what_a_reaction_asks(event: dict[str, Any], expected: Action | None) -> None:
    assert events.reaction_action(event, "UBOT") is expected
