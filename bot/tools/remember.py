"""The ``remember`` tool: an agent proposes "remember that?" and the person approves before anything is stored.

It changes things (``changes_things``), so the tool loop asks the person first (bot/tools/approvals.py); a
denial or a timeout stores nothing. Whose memory: always the person the call serves (``CALL_CONTEXT``), never
an argument. The fact goes through exactly what `/remember` does (bot/memory_commands.py): the same limits,
secrets refused, personal data stored 🔒 for local models only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.command_types import CommandContext
from bot.session import SessionKey
from bot.tools.base import CALL_CONTEXT, Tool

if TYPE_CHECKING:
    from bot.engine import Engine

DESCRIPTION = (
    "Remember one fact about the person you are talking to, for their later conversations (e.g. a preference "
    "they stated). Only when they ask you to remember something, or agree when you ask 'remember that?'. "
    "They are asked to approve before it is stored. Never for secrets or for facts about other people."
)


def make_remember_tool(engine: Engine) -> Tool:
    limit = engine.settings.memory.max_fact_chars

    async def run(args: dict[str, Any]) -> str:
        call = CALL_CONTEXT.get()
        if call is None or not call.user_id:
            raise ValueError("a fact belongs to a person, and this call has none")
        from bot.memory_commands import HANDLERS  # here: memory_commands imports bot.commands, which imports it

        key = SessionKey(call.platform, call.workspace, call.channel)
        ctx = CommandContext(key, call.user_id, private=call.private, tz=call.tz)
        result = await HANDLERS["remember"](engine, ctx, [str(args["fact"]).strip()])
        return result.text if result.ok else f"Not remembered: {result.text}"

    return Tool(
        name="remember",
        description=DESCRIPTION,
        parameters={
            "type": "object",
            "properties": {"fact": {"type": "string", "minLength": 1, "maxLength": limit, "description": "the fact"}},
            "required": ["fact"],
        },
        run=run,
        changes_things=True,  # the person approves each one
        timeout=5.0,
    )
