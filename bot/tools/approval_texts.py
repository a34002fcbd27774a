"""What people read about approvals: the prompt, its outcome line, replies to clicks, /why lines. Pure.

Texts are platform-neutral; `who` turns a user id into the platform's mention (Slack `<@U…>`, Discord
`<@…>`, the console's plain name), so adapters never rebuild these sentences.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.tools.approval_types import (
    APPROVED,
    CANCELLED,
    DENIED,
    INTERRUPTED,
    PENDING,
    TIMED_OUT,
    UNAVAILABLE,
    ApprovalRecord,
    ApprovalRequest,
)

Who = Callable[[str], str]


def _plain(user_id: str) -> str:
    return user_id


def duration(seconds: float) -> str:
    """300 → "5 min", 90 → "90 s", 7200 → "2 h"."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)} h"
    if seconds >= 120:
        return f"{round(seconds / 60)} min"
    return f"{seconds:g} s"


def prompt_title(request: ApprovalRequest, who: Who = _plain) -> str:
    return f"🔐 {who(request.asker)} asked me to run {request.tool}: {request.summary}"


def prompt_rule(request: ApprovalRequest, who: Who = _plain, *, wait: float) -> str:
    return f"Only {who(request.asker)} or an admin can decide. No answer within {duration(wait)} means no."


def outcome_line(outcome: str, by: str | None, who: Who = _plain, *, wait: float = 0.0) -> str:
    """The line that replaces the buttons once the request is closed."""
    decider = who(by) if by else "someone"
    if outcome == APPROVED:
        return f"✅ Approved by {decider} — running it."
    if outcome == DENIED:
        return f"❌ Denied by {decider} — not run."
    if outcome == TIMED_OUT:
        within = f" within {duration(wait)}" if wait else " in time"
        return f"⌛ No answer{within} — not run. Ask me again if you still want it."
    if outcome == CANCELLED:
        return "🛑 The answer was stopped before anyone decided — not run."
    if outcome == INTERRUPTED:
        return "♻ This request expired with a restart of the bot — nothing was run. Ask me again."
    if outcome == UNAVAILABLE:
        return "⚠ I couldn't ask for approval here — not run."
    return f"Closed ({outcome})."


ALREADY_DECIDED = "This request was already decided a moment ago."
UNKNOWN = "I don't know this request any more (it may have been deleted with /forget me) — nothing was run."


def not_allowed_reply(asker: str, who: Who = _plain) -> str:
    return f"Only {who(asker)} (who asked) or an admin can decide this request — your click changed nothing."


def click_reply(record: ApprovalRecord | None, who: Who = _plain) -> str:
    """The private reply to a click on a request that is no longer waiting."""
    if record is None:
        return UNKNOWN
    if record.outcome == TIMED_OUT:
        wait = duration(max(0.0, record.expires_at - record.created_at))
        return f"This request expired (no answer within {wait}) and was denied — nothing was run. Ask me again."
    if record.outcome == INTERRUPTED:
        return "This request expired with a restart of the bot — nothing was run. Ask me again."
    if record.outcome in (APPROVED, DENIED):
        by = who(record.decided_by) if record.decided_by else "someone"
        return f"This request was already {record.outcome} by {by}."
    if record.outcome == PENDING:  # pending in the store, unknown to this process: its turn is gone
        return "This request is no longer waiting — nothing was run. Ask me again."
    return f"This request is closed ({record.outcome}) — nothing was run."


def why_lines(records: list[ApprovalRecord]) -> list[str]:
    """For /why: each approval the turn asked for and how it ended (no ids: /why may be read by others)."""
    lines = []
    for r in records:
        by = "" if not r.decided_by else " by the asker" if r.decided_by == r.asker else " by an admin"
        lines.append(f"🔐 {r.tool}: {r.outcome}{by}")
    return lines
