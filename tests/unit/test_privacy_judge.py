"""bot/privacy_judge.py and privacy.borderline: which messages get a second opinion, and what a verdict may change."""

from __future__ import annotations

import pytest

from bot import privacy
from bot.marks import classify
from bot.privacy_judge import apply_verdict, judge_prompt, parse_verdict
from bot.router import privacy_reasons


class Conv:
    private = False
    sticky_private = False


@pytest.mark.parametrize(
    "text",
    [
        "the password is the name of our first dog",  # a context word, no value
        "my salary went up this year",
        "write to support@acme-corp.io",  # findings below the threshold: a role mailbox,
        "Kate was born on 3 May 1990",  # a named person's birth date told as a fact,
        "AB123456C is the part",  # a NINO-shaped part number
    ],
)
def test_borderline_messages(text: str) -> None:
    assert privacy.borderline(text)


@pytest.mark.parametrize(
    "text",
    ["lgtm, ship it", "the build is green again", "my password is Tr0ub4dor&3x"],  # the last one: already sensitive
)
def test_not_borderline(text: str) -> None:
    assert not privacy.borderline(text)


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [("OK", "ok"), ("Personal.", "personal"), (" SECRET", "secret"), ("", "secret"), ("OK or SECRET", "secret")],
)
def test_verdicts_and_anything_unclear_fails_closed(answer: str, verdict: str) -> None:
    assert parse_verdict(answer) == verdict
    assert parse_verdict(None) == "secret"


@pytest.mark.parametrize("level", ["standard", "cloud-ok", "redact"])
def test_a_verdict_only_makes_a_message_more_private(level: str) -> None:
    seen = classify("the password is the name of our first dog", level, Conv())
    assert not seen.request.sensitive
    assert apply_verdict(seen, "ok", level) == seen
    secret = apply_verdict(seen, "secret", level)
    assert secret.request.sensitive and secret.request.secret and secret.keep_local == (level != "redact")
    assert privacy_reasons(secret.request) and secret.marks["sensitive"]
    personal = apply_verdict(seen, "personal", level)
    assert personal.request.sensitive and personal.marks["sensitive"] == (level != "cloud-ok")  # as the rules mark it
    # cloud-ok lets personal data go to the cloud (its own rule); at redact there is no span to replace
    assert bool(privacy_reasons(personal.request)) == (level != "cloud-ok")
    assert personal.local_only == (level == "redact")


def test_the_prompt_is_fixed_and_bounded() -> None:
    messages = judge_prompt("x" * 10_000)
    assert len(messages) == 2 and len(messages[1].content) < 2_100
