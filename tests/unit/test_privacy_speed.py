"""bot.privacy's speed devices must not change what it finds.

The scanner skips rules whose hint words or digits are absent (``scanner._plan``), tries word rules
only where one pass over the lowercased text found their words (``scanner._word_starts``), tries anchored
patterns only around their anchor (``scanner._anchored``), validates phone candidates last and
not under a stronger finding, and skips normalisation for ASCII. Each test compares against the
plain way: every rule, ``finditer`` over the whole text, every candidate validated.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import RULES, Finding, scan
from bot.privacy.disguise import disguised_findings
from bot.privacy.examples import is_known_example
from bot.privacy.rules import _ci
from bot.privacy.scanner import MAX_BASE64_DEPTH, _anchored, _decoded_findings, _finding, _resolve_overlaps, _scan

# Pieces that trigger rules, anchors and validators, to build texts from.
PIECES = [
    "@", "://", "Q~", "1Q~", "key", "KEY=", "token ", "Secret: ", "password is ", "pw: ", "my ", "call ",
    "mobile ", "+1 ", "(415) ", "555-2671", "07700 900123", "+44 20 7123 4567", "4526 0181 5908 3012",
    "GB85 LOYD 4878 2606 8707 09", "536-22-1234", "SSN 536 22 1234", "JG 10 37 59 A", "born on 1/2/1990",
    "I live at 17 Willow Lane", "jane.doe@acme-corp.io", "a@b", "https://u:p4ss@db.internal/x",
    "postgres://", "abc1Q~", "Abcdefghijklmnopqrstuvwxyz012345", "ghp_", "AKIA", "sk-", "eyJ", "QUtJQUFBQUFBQUFBQUFBQUFBQUE=", "Zm9vOmJhcg==", "x", "9",
    " ", "\n", ".", "-", "_", "/", ":", "=", '"', "\u212aey", "\u017fecret", "\u0130", "\u200b", "К",
]  # fmt: skip


def _plain_scan(text: str, depth: int = 0) -> list[Finding]:
    """The scanner without its speed devices (the text is ASCII, so normalisation is a no-op)."""
    candidates = []
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            result = rule.validate(m)
            if result is not None:
                candidates.append(_finding(rule, m, result))
    if depth < MAX_BASE64_DEPTH:
        candidates += _decoded_findings(text, depth)
        candidates += disguised_findings(text, text.lower(), depth, _scan)
    return _resolve_overlaps([f for f in candidates if not is_known_example(text[f.start : f.end])])


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_scan_finds_what_the_plain_scan_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    if not text.isascii():
        text = text.encode("ascii", "ignore").decode()
    assert scan(text) == _plain_scan(text)


@pytest.mark.parametrize("rule", [r for r in RULES if r.anchor], ids=lambda r: f"{r.kind}-{r.anchor}")
@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=40))
def test_anchored_matches_are_the_plain_matches(rule, pieces: list[str]) -> None:
    text = "".join(pieces)
    assert [m.span() for m in _anchored(rule, text)] == [m.span() for m in rule.pattern.finditer(text)]


BODY = "Abcdefghijklmnopqrstuvwxyz012345"
ANCHOR_CASES = [
    f"AZURE_CLIENT_SECRET=abc1Q~{BODY} and aQ~1Q~{BODY}x, Q~Q~9Q~{BODY}",
    f"x.y1Q~{BODY}~ {BODY}1Q~ abc1Q~{BODY[:20]}",
    "mail a.b+c@d-e.example.co.uk, @x, a@b@c.io, first@last, " + "z" * 70 + "@long.example.org",
    "see https://u:p@h.io/x, git+ssh://git:t0k3n@github.com/a, ://x, a://b:c@d redis://:pw@cache:6379",
]


@pytest.mark.parametrize("rule", [r for r in RULES if r.anchor], ids=lambda r: f"{r.kind}-{r.anchor}")
@pytest.mark.parametrize("text", ANCHOR_CASES)
def test_anchored_matches_are_the_plain_matches_on_edge_cases(rule, text: str) -> None:
    assert [m.span() for m in _anchored(rule, text)] == [m.span() for m in rule.pattern.finditer(text)]


WORDS = r"key|token|s(?<!\w.)ecret|I(?:'ve|[ ]have)?[ ]+diagnosed|my[ ]+ssn"


@pytest.mark.parametrize(
    "text",
    [
        "KEY token Secret my SSN",
        "\u212aey \u017fecret \u0130've diagnosed \u0131 have diagnosed",  # Kelvin sign, long s, dotted/dotless i
        "monkey tokens asecret I  diagnosed MY   ssn",
        "",
    ],
)
def test_ci_matches_like_a_case_insensitive_pattern(text: str) -> None:
    fast, plain = re.compile(_ci(WORDS), re.X), re.compile(f"(?i)(?:{WORDS})", re.X)
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_phone_under_a_stronger_finding_is_not_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.privacy import personal_rules

    parsed: list[str] = []
    real = personal_rules._parse_phone.__wrapped__
    monkeypatch.setattr(personal_rules, "_parse_phone", lambda c, region: parsed.append(c) or real(c, region))
    findings = scan("pay it to NL33 INGB 9019 0761 10")
    assert [f.kind for f in findings] == ["iban"]
    assert parsed == []
