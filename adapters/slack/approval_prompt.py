"""The approval prompt in a Slack thread: Block Kit with Approve / Deny buttons, edited to its outcome.

Each button's `value` is the approval id (bot/tools/approvals.py); clicks arrive as `block_actions`
(adapters/slack/approvals.py). The prompt's reference is "channel:ts", stored with the request so a
restart can edit it. Blocks are built here (pure); `show` and `show_outcome` are the two Web API calls.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import section
from adapters.slack.mrkdwn import escape
from bot.tools.approval_texts import outcome_line, prompt_rule, prompt_title
from bot.tools.approval_types import ApprovalDecision, ApprovalRequest

APPROVE = "hb_approve"
DENY = "hb_deny"
BLOCK_PREFIX = "hb_approval_"  # + approval id: the actions block of a prompt


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


SUMMARY_MAX = 2400  # escaped characters of the summary; the section (3,000) keeps room for the rule line


def _safe(request: ApprovalRequest) -> ApprovalRequest:
    """The tool name and summary come from a model's call: shown as text, never as Slack markup."""
    return dataclasses.replace(request, tool=_cut(escape(request.tool), 200), summary=_cut(escape(request.summary)))


def _cut(text: str, limit: int = SUMMARY_MAX) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    entity = cut.rfind("&", len(cut) - 5)
    if entity != -1 and ";" not in cut[entity:]:
        cut = cut[:entity]  # never half an escape such as "&am"
    return cut + "…"


def prompt_blocks(request: ApprovalRequest, *, wait: float) -> list[dict[str, Any]]:
    """The question and its rule in one section (no context block: a context line marks an answer's
    footer), then the two buttons."""

    def button(label: str, action: str, style: str) -> dict[str, Any]:
        return {
            "type": "button",
            "action_id": action,
            "value": request.id,
            "style": style,
            "text": {"type": "plain_text", "text": label},
        }

    shown = _safe(request)
    return [
        section(f"{prompt_title(shown, mention)}\n_{prompt_rule(shown, mention, wait=wait)}_"),
        {
            "type": "actions",
            "block_id": f"{BLOCK_PREFIX}{request.id}",
            "elements": [button("Approve", APPROVE, "primary"), button("Deny", DENY, "danger")],
        },
    ]


def closed_blocks(request: ApprovalRequest, line: str) -> list[dict[str, Any]]:
    return [section(f"{prompt_title(_safe(request), mention)}\n{line}")]


def fallback(request: ApprovalRequest) -> str:
    """The notification text (no markup: it is shown as-is in notifications)."""
    return f"Approval needed: {request.tool}"[:3000]


def parse_ref(ref: str) -> tuple[str, str] | None:
    channel, _, ts = ref.partition(":")
    return (channel, ts) if channel and ts else None


async def show(client: AsyncWebClient, channel: str, thread_ts: str | None, request: ApprovalRequest) -> str:
    wait = max(1.0, round(request.expires_at - time.time()))
    response = await client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,  # None: a top-level conversation
        text=fallback(request),
        blocks=prompt_blocks(request, wait=wait),
    )
    return f"{channel}:{response['ts']}"


async def show_outcome(client: AsyncWebClient, ref: str, request: ApprovalRequest, decision: ApprovalDecision) -> None:
    where = parse_ref(ref)
    if where is None:
        return
    line = outcome_line(decision.outcome, decision.by, mention)
    await client.chat_update(
        channel=where[0],
        ts=where[1],
        text=f"{fallback(request)} — {decision.outcome}",
        blocks=closed_blocks(request, line),
    )


class SlackPrompts:
    """The approval prompts one reply sink shows: posted in its thread, edited to their outcome.

    `pace` runs a new message through the channel's posting pace; `before_edit` waits for the workspace's
    edit budget. Both are optional, so any Slack sink can hold one (two hook lines: `on_approval`,
    `on_approval_closed`)."""

    def __init__(
        self,
        client: AsyncWebClient,
        channel: str,
        thread_ts: str | None,
        *,
        pace: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]] | None = None,
        before_edit: Callable[[], Awaitable[Any]] | None = None,
    ) -> None:
        self.client, self.channel, self.thread_ts = client, channel, thread_ts
        self.pace, self.before_edit = pace, before_edit
        self.shown: dict[str, str] = {}  # approval id → "channel:ts"

    async def show(self, request: ApprovalRequest) -> str:
        def post() -> Awaitable[str]:
            return show(self.client, self.channel, self.thread_ts, request)

        ref = await (self.pace(post) if self.pace is not None else post())
        self.shown[request.id] = ref
        return ref

    async def close(self, request: ApprovalRequest, decision: ApprovalDecision) -> None:
        ref = self.shown.pop(request.id, "")
        if not ref:
            return
        if self.before_edit is not None:
            await self.before_edit()
        await show_outcome(self.client, ref, request, decision)
