"""Stored tool calls (bot/store_tools.py): kept for /why and audit, gone with retention, /reset and /forget me;
and the words users read about them (/why, /agent show)."""

from __future__ import annotations

import time
from pathlib import Path

from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.providers.base import Finish, TextDelta, ToolCall
from bot.retention import forget_user, purge_expired
from bot.session import SessionKey
from bot.store import Store
from bot.store_tools import ToolCallRecord, export_tool_calls, record_tool_calls, tool_calls_of_turn
from tests.fakes.instant import ScriptedProvider
from tests.helpers import RecordingSink
from tests.unit.test_tool_loop import make_engine

KEY = SessionKey("slack", "T1", "C1", None)


def stored(store: Store, user: str = "U1", *, platform: str = "slack") -> int:
    conv = store.conversation(SessionKey(platform, "T1", "C1", None))
    message = store.add_message(conv.id, "user", "hi", author_id=user)
    turn = store.create_turn(conv.id, message, user_id=user, workspace="T1")
    record = ToolCallRecord(turn, 1, "calculator", "local", '{"expression": "1+1"}', "2", "ok", 0.01, False)
    record_tool_calls(store, conv.id, user, [record])
    return turn


def test_tool_calls_are_kept_per_turn_and_exported_per_person() -> None:
    store = Store(":memory:")
    turn = stored(store)
    [record] = tool_calls_of_turn(store, turn)
    assert (record.tool, record.arguments, record.result) == ("calculator", '{"expression": "1+1"}', "2")
    assert export_tool_calls(store, "slack", "U1")[0]["arguments"] == '{"expression": "1+1"}'
    assert export_tool_calls(store, "discord", "U1") == []


def test_retention_forget_and_reset_remove_tool_calls() -> None:
    store = Store(":memory:")
    mine, theirs, elsewhere = stored(store), stored(store, "U2"), stored(store, platform="discord")
    forget_user(store, "slack", "U1")
    assert not tool_calls_of_turn(store, mine) and tool_calls_of_turn(store, theirs)
    assert tool_calls_of_turn(store, elsewhere)  # user ids are per platform
    purge_expired(store, 1, now=time.time() + 2 * 86400)
    assert not tool_calls_of_turn(store, theirs)
    again = stored(store, "U3")
    store.reset_conversation(store.conversation(KEY).id)
    assert not tool_calls_of_turn(store, again)


async def test_why_lists_the_tools_and_agent_show_lists_an_agents_tools(tmp_path: Path) -> None:
    steps = [[ToolCall("c1", "calculator", {"expression": "3*3"}), Finish("tool_calls")], [TextDelta("9"), Finish()]]
    engine = make_engine(tmp_path, [ScriptedProvider("a", steps=steps)])
    await engine.handle(Turn(KEY, "U1", "ann", "3*3?"), RecordingSink())
    why = await run_command(engine, CommandContext(KEY, "U1"), "/why")
    assert "Tools called (1)" in why.text and "calculator — 🔒 stays on this machine; ok" in why.text
    assert "3*3" not in why.text  # arguments are not shown
    shown = await run_command(engine, CommandContext(KEY, "U1"), "/agent show assistant")
    assert "calculator (local)" in shown.text and "now (local)" in shown.text
    assert "tasks" in shown.text
    research = await run_command(engine, CommandContext(KEY, "U1"), "/agent show research")
    assert "fetch_url (not available)" in research.text  # off unless tools.fetch_url.enabled
