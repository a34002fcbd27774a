"""Markdown → Slack mrkdwn and splitting at Slack's limits (pure)."""

from __future__ import annotations

import pytest

from adapters.common.pages import close_open_fence, split_pages
from adapters.slack.mrkdwn import escape, from_slack, mentioned_users, to_mrkdwn


@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("**bold** and __bold__", "*bold* and *bold*"),
        ("*italic* and _italic_", "_italic_ and _italic_"),
        ("***both***", "*_both_*"),
        ("~~gone~~", "~gone~"),
        ("[the docs](https://example.com/a_b)", "<https://example.com/a_b|the docs>"),
        ("<https://example.com>", "<https://example.com>"),
        ("![diagram](https://example.com/d.png)", "<https://example.com/d.png|diagram>"),
        ("# Heading", "*Heading*"),
        ("### **Already bold**", "*Already bold*"),
        ("- one\n- two\n  - nested", "• one\n• two\n    • nested"),
        ("1. first\n2) second", "1. first\n2. second"),
        ("- [x] done\n- [ ] todo", "• ☑ done\n• ☐ todo"),
        ("> quoted **words**", "> quoted *words*"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("`a*b*c` and `x<y`", "`a*b*c` and `x&lt;y`"),
        ("2*3*4 and snake_case_name", "2*3*4 and snake_case_name"),
        ("---", "──────────"),
    ],
)
def test_inline_and_line_formatting(markdown: str, mrkdwn: str) -> None:
    assert to_mrkdwn(markdown) == mrkdwn


def test_code_blocks_are_kept_verbatim_except_slack_control_characters() -> None:
    markdown = "Look:\n```python\nif a < b and **c**:\n    print('*hi*')\n```\nafter **bold**"
    assert to_mrkdwn(markdown) == "Look:\n```\nif a &lt; b and **c**:\n    print('*hi*')\n```\nafter *bold*"


def test_an_unclosed_fence_mid_stream_is_closed() -> None:
    assert to_mrkdwn("```\nx = 1") == "```\nx = 1\n```"
    assert close_open_fence("```\nx") == "```\nx\n```"
    assert close_open_fence("plain") == "plain"


def test_tables_become_aligned_code_blocks() -> None:
    assert to_mrkdwn("| a | b |\n|---|:-:|\n| 1 | 2 |") == "```\n| a | b |\n| 1 | 2 |\n```"


def test_escape() -> None:
    assert escape("<@U1> & <!here>") == "&lt;@U1&gt; &amp; &lt;!here&gt;"


def test_split_keeps_short_text_whole() -> None:
    assert split_pages("hello", 100) == ["hello"]
    assert split_pages("", 100) == []


def test_split_prefers_paragraphs_then_lines_then_words() -> None:
    text = ("word " * 30).strip() + "\n\n" + ("more " * 30).strip()
    pieces = split_pages(text, 200)
    assert pieces[0] == ("word " * 30).strip()
    assert all(len(p) <= 200 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_split_inside_a_code_block_closes_and_reopens_the_fence() -> None:
    code = "\n".join(f"line {i}" for i in range(100))
    pieces = split_pages(f"intro\n```\n{code}\n```\noutro", 150)
    assert len(pieces) > 3
    for piece in pieces:
        assert len(piece) <= 150
        assert piece.count("```") % 2 == 0
    joined = "\n".join(pieces).replace("```\n```\n", "")
    assert all(f"line {i}\n" in joined or f"line {i}" in joined for i in range(100))
    assert pieces[-1].endswith("outro")


def test_split_cuts_a_long_word_hard() -> None:
    pieces = split_pages("x" * 250, 100)
    assert [len(p) for p in pieces] == [96, 96, 58]


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("ask <@U0BOB> and <@U0EVE|eve>", "ask @bob and @eve"),
        ("see <#C0GEN|general> <!here> <!subteam^S1|@devs>", "see #general @here @devs"),
        ("<https://example.com|the site> and <https://x.org>", "the site (https://example.com) and https://x.org"),
        ("<mailto:a@b.c|a@b.c>", "a@b.c"),
        ("plain text", "plain text"),
    ],
)
def test_incoming_slack_text_becomes_plain_text(slack: str, plain: str) -> None:
    assert from_slack(slack, {"U0BOB": "bob"}) == plain


def test_mentioned_users() -> None:
    assert mentioned_users("hi <@U0BOB> and <@W0EVE|eve>") == ["U0BOB", "W0EVE"]
