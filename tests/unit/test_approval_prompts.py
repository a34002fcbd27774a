"""What the approval prompts say and carry, per platform (pure: texts, Block Kit, Discord components)."""

from __future__ import annotations

import pytest

from adapters.discord.approvals import TEMPLATE, buttons, prompt_text
from adapters.slack.approval_prompt import APPROVE, DENY, closed_blocks, prompt_blocks
from bot.session import SessionKey
from bot.tools.approval_texts import duration, outcome_line, why_lines
from bot.tools.approval_types import ApprovalRecord
from bot.tools.approvals import new_request
from tests.fakes.discord_server import component_problem
from tests.fakes.slack_rules import block_problem

KEY = SessionKey("slack", "T1", "C1", "1.1")


def request(summary: str = "task 3", tool: str = "tasks.delete"):  # noqa: ANN201
    return new_request(turn_id=1, key=KEY, asker="U1", tool=tool, summary=summary, timeout=300)


@pytest.mark.parametrize(
    ("seconds", "text"), [(300, "5 min"), (90, "90 s"), (0.5, "0.5 s"), (7200, "2 h"), (150, "2 min")]
)
def test_durations_read_naturally(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_every_outcome_says_whether_the_tool_ran() -> None:
    assert outcome_line("approved", "U2") == "✅ Approved by U2 — running it."
    for outcome in ("denied", "timeout", "cancelled", "interrupted", "unavailable"):
        line = outcome_line(outcome, "U2")
        assert "not run" in line or "nothing was run" in line, outcome


def test_why_names_no_one() -> None:
    def record(outcome: str, by: str) -> ApprovalRecord:
        return ApprovalRecord("a" * 32, 1, KEY, "U1", "tasks.delete", "task 3", outcome, by, "", 0.0, 300.0, 1.0)

    lines = why_lines([record("approved", "U1"), record("denied", "U9"), record("timeout", "")])
    assert lines == [
        "🔐 tasks.delete: approved by the asker",
        "🔐 tasks.delete: denied by an admin",
        "🔐 tasks.delete: timeout",
    ]


def test_slack_prompt_is_valid_block_kit_with_the_id_in_each_button_and_no_injected_markup() -> None:
    asked = request(summary="<!channel> *bold* <https://evil|click> " + "<" * 5000)
    blocks = prompt_blocks(asked, wait=300)
    assert block_problem(blocks) == ""
    buttons_ = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons_] == [(APPROVE, asked.id), (DENY, asked.id)]
    title = blocks[0]["text"]["text"]
    assert "<!channel>" not in title and "&lt;!channel&gt;" in title and "<https://evil" not in title
    assert title.startswith("🔐 <@U1> asked me to run tasks.delete:")
    assert title.endswith("No answer within 5 min means no._") and "…" in title  # the summary is cut, not the rule
    assert not title.replace("&lt;", "").replace("&gt;", "").count("&")  # no half escapes
    closed = closed_blocks(asked, outcome_line("denied", "U1"))
    assert block_problem(closed) == "" and not [b for b in closed if b["type"] == "actions"]


async def test_discord_buttons_fit_discords_limits_and_the_text_carries_no_mentions() -> None:
    import re

    asked = request(summary="@everyone **now** <@123456789012345678> " + "x" * 5000)
    view = buttons(asked.id)
    rows = view.to_components()
    assert component_problem(rows) == ""
    ids = [c["custom_id"] for row in rows for c in row["components"]]
    assert all(len(i) <= 100 and re.fullmatch(TEMPLATE, i) for i in ids) and len(set(ids)) == 2
    text = prompt_text(asked, "rule")
    assert len(text) <= 2000 and text.endswith("\n*rule*")  # a long summary is cut, never the rule
    assert "@everyone" not in text and "<@123456789012345678>" not in text and "**now**" not in text
