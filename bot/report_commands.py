"""/why and /usage: what happened to the last turn, and what the workspace used."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from bot.attachment_why import attachment_lines
from bot.command_types import CommandContext, CommandResult
from bot.knowledge.grounding import sources_notice
from bot.model_commands import LOCALITY_MARK
from bot.privacy import KIND_LABELS
from bot.router import explain
from bot.store_tools import tool_calls_of_turn
from bot.tool_words import tool_lines

if TYPE_CHECKING:
    from bot.engine import Engine


async def why_command(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    conv = engine.store.conversation(ctx.key, private=ctx.private)
    turn = engine.store.last_turn(conv.id, answered_only=False)
    if turn is None:
        return CommandResult("There is no answer in this conversation yet.")
    if not turn.provider or (turn.status in ("refused", "error") and turn.answer_message_id is None):
        reasons = "\n".join(f"- {r}" for r in explain(turn.reasons)) or "- (no route was chosen)"
        files = "\n".join(attachment_lines(engine.store, turn))
        return CommandResult(
            f"The last message was not answered ({turn.status}).\n{reasons}\n{turn.error}\n{files}".strip()
        )
    badge = "🔒 local" if turn.locality == "local" else "☁ cloud"
    lines = [
        f"The last answer came from {badge} **{turn.provider}:{turn.model}** with agent **{turn.agent}**, because:"
    ]
    lines += [f"- {r}" for r in explain(turn.reasons)]
    if turn.finding_kinds:
        kinds = ", ".join(KIND_LABELS.get(k, k.replace("_", " ")) for k in turn.finding_kinds)
        lines.append(f"Detected in the message (not shown): {kinds}.")
    lines += tool_lines(tool_calls_of_turn(engine.store, turn.id))
    lines += engine.approvals.why_lines(turn.id)  # tools that asked for approval, and how each ended
    lines += attachment_lines(engine.store, turn)
    if turn.latency_ms:
        lines.append(f"Took {turn.latency_ms / 1000:.1f} s; {turn.prompt_tokens}+{turn.completion_tokens} tokens.")
    if sources := engine.knowledge.sources_of_turn(turn.id):
        lines.append(sources_notice(sources))
    return CommandResult("\n".join(lines))


async def usage_command(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    since = time.time() - 30 * 86400
    rows = engine.store.usage(workspace=ctx.key.workspace, since=since)
    mine = engine.store.usage(workspace=ctx.key.workspace, since=since, user_id=ctx.user_id)
    if not rows:
        return CommandResult("No answers in the last 30 days yet.")
    lines = ["Last 30 days in this workspace:"]
    for r in rows:
        mark = LOCALITY_MARK.get(r["locality"], "")
        lines.append(
            f"- {mark} {r['provider']}:{r['model']} — {r['turns']} answer(s),"
            f" {r['prompt_tokens'] or 0:,} in / {r['completion_tokens'] or 0:,} out tokens"
        )
    lines.append(f"You: {sum(r['turns'] for r in mine)} answer(s).")
    routing = engine.settings.routing
    if routing.monthly_cloud_token_budget or routing.monthly_cloud_budget:
        lines.append(engine.budget_state(ctx.key.workspace).describe())
    return CommandResult("\n".join(lines))
