"""Pure Discord rendering: 2,000-character splitting with code fences, footers, mentions, thread names."""

from __future__ import annotations

import pytest

from adapters.common.pages import open_fence
from adapters.discord.render import (
    MESSAGE_LIMIT,
    final_text,
    split_message,
    strip_mentions,
    thread_name,
)


def test_short_text_is_one_message_and_blank_is_none():
    assert split_message("hello") == ["hello"]
    assert split_message("   \n ") == []


def test_prose_breaks_between_lines_within_the_limit():
    text = "\n".join(f"Line {i}: " + "x" * 90 for i in range(60))
    parts = split_message(text)
    assert len(parts) == 4 and all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert "\n".join(parts) == text, "nothing is lost or added at line breaks"


def test_code_block_is_closed_and_reopened_with_its_language():
    code = "".join(f"x_{i} = {i} * 2  # some arithmetic\n" for i in range(150))
    text = f"Intro\n```python\n{code}```\nOutro"
    parts = split_message(text)
    assert len(parts) >= 3 and all(len(p) <= MESSAGE_LIMIT for p in parts)
    for part in parts:
        assert not open_fence(part), f"unbalanced fence in {part[:40]!r}…"
    assert all(p.startswith("```python\n") for p in parts[1:])
    body = "".join(p.removeprefix("```python\n").removesuffix("\n```") + "\n" for p in parts)
    assert body.count("x_") == 150 and body.endswith("```\nOutro\n")


def test_tilde_and_longer_fences_are_tracked():
    text = "~~~\n" + "a line of code\n" * 200 + "~~~\nafter"
    parts = split_message(text)
    assert parts[0].endswith("\n~~~") and parts[1].startswith("~~~\n")
    assert not open_fence(parts[-1])


def test_a_line_longer_than_the_limit_is_cut_at_spaces():
    text = " ".join(["word"] * 1200)  # 5,999 characters, one line
    parts = split_message(text)
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert "".join(parts) == text


@pytest.mark.parametrize("limit", [50, 120, 500])
def test_every_limit_is_respected_with_code(limit):
    text = "para\n```js\n" + "let a = 1;\n" * 80 + "```\n" + "tail " * 40
    assert all(len(p) <= limit for p in split_message(text, limit))


def test_final_text_adds_notes_and_subtext_footer_and_closes_an_open_fence():
    text = final_text("```py\nprint(1)", extra=["⚠️ cut short"], footer="🔒 local · ollama:m · general")
    assert text == "```py\nprint(1)\n```\n⚠️ cut short\n-# 🔒 local · ollama:m · general"
    assert final_text("", extra=["Refused."], footer=None) == "Refused."


def test_mentions():
    assert strip_mentions("<@42> hi <@!7> and <@9>", 42, {7: "Bob"}) == "hi @Bob and @someone"


def test_thread_names_come_from_the_first_line():
    assert thread_name("  \n**Why** is the sky blue?\nmore", "fallback") == "Why is the sky blue?"
    assert thread_name("```", "Alice and hybridbot") == "Alice and hybridbot"
    long = thread_name("a" * 300, "x")
    assert len(long) == 100 and long.endswith("…")


def test_thread_names_never_carry_secrets_or_personal_data():
    key = "AKIA" + "QZ7XK4PL2MNB6RTY"
    named = thread_name(f"why does {key} fail for jane.doe@acme.io?", "neutral")
    assert key not in named and "jane.doe" not in named and "[REDACTED:" in named
    assert thread_name(f"  {key} ", "A question for hybridbot") == "A question for hybridbot"
    assert thread_name("password: hunter2", "neutral") != "password: hunter2"
