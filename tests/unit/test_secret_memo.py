"""The cloud rescan's memo (bot/turn_prompt.py): the same verdicts as scanning, fewer scans."""

from __future__ import annotations

import pytest

from bot import privacy, turn_prompt
from bot.providers.base import ChatMessage
from bot.turn_prompt import SecretMemo, carries_secret

TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
TEXTS = [
    "what is the capital of France?",
    f"my token is {TOKEN}",
    "call me at +44 20 7946 0958",  # personal, not a secret: the rescan is about secrets
    "AKIA" + "IOSFODNN7EXAMPLE is in the docs",
    "password: hunter2hunter2",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
    "",
    "ann",
]


def _scanned(text: str) -> bool:
    return any(f.category == "secret" and f.confidence >= 0.5 for f in privacy.scan(text))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = privacy.scan

    def scan(text: str):  # noqa: ANN202
        seen.append(text)
        return real(text)

    monkeypatch.setattr(turn_prompt, "_SCANNED", SecretMemo())
    monkeypatch.setattr(privacy, "scan", scan)
    return seen


def test_verdicts_match_a_fresh_scan_and_each_text_is_scanned_once(counted: list[str]) -> None:
    expected = [_scanned(t) for t in TEXTS]
    counted.clear()
    for _ in range(3):
        assert [carries_secret([ChatMessage("user", t)]) for t in TEXTS] == expected
    assert sorted(counted) == sorted(t for t in TEXTS if t)  # once each, on the first round only
    assert any(expected) and not all(expected)


def test_a_changed_text_is_scanned_again(counted: list[str]) -> None:
    history = [ChatMessage("system", "You are helpful."), ChatMessage("user", "the deploy key is below", name="ann")]
    assert not carries_secret(history)
    edited = [history[0], ChatMessage("user", f"the deploy key is below {TOKEN}", name="ann")]
    assert carries_secret(edited)
    renamed = [history[0], ChatMessage("user", "the deploy key is below", name=TOKEN)]
    assert carries_secret(renamed)
    assert counted.count("You are helpful.") == 1


def test_the_memo_keeps_within_its_budget() -> None:
    memo = SecretMemo(max_chars=800)
    texts = [f"message number {i} " + "x" * 80 for i in range(40)]
    for text in texts:
        assert memo.has_secret(text) is False
    assert memo.chars <= 800 and len(memo._verdicts) < 40
    assert texts[-1] in memo and texts[0] not in memo
    huge = TOKEN + " " + "y" * 200
    assert memo.has_secret(huge) is True  # over max_chars // 8: answered, not kept
    assert huge not in memo


def test_the_memo_holds_digests_not_message_text() -> None:
    memo = SecretMemo()
    assert memo.has_secret(f"deploy with {TOKEN}") is True
    assert f"deploy with {TOKEN}" in memo
    assert all(isinstance(key, bytes) and len(key) == 16 for key in memo._verdicts)  # no text kept in memory
