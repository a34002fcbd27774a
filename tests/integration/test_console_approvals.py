"""Approvals in the console: the real `Console` reading a y/N answer from a pipe, with a real engine.

The engine's `Approvals.ask` is driven with the console's own sink (as the tool loop does with `ctx.sink`).
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from adapters.console.app import Console
from bot.session import SessionKey
from bot.store_approvals import ApprovalLog
from bot.tools.approvals import ApprovalRequest, new_request
from tests.helpers import make_app

KEY = SessionKey("console", "local", "console")


@pytest.fixture
def pipe() -> Iterator[tuple[TextIO, int]]:
    """A real pipe as stdin (what `hybridbot console < file` reads) and its write end."""
    read, write = os.pipe()
    stdin = open(read, encoding="utf-8")  # noqa: SIM115
    try:
        yield stdin, write
    finally:
        stdin.close()
        os.close(write)


def request_for(console: Console, *, timeout: float = 30.0) -> ApprovalRequest:
    store = console.engine.store
    conv = store.conversation(KEY)
    message = store.add_message(conv.id, "user", "delete task 3", author_id="you")
    turn = store.create_turn(conv.id, message, user_id="you", workspace="local")
    return new_request(turn_id=turn, key=KEY, asker="you", tool="tasks.delete", summary="task 3", timeout=timeout)


async def test_typing_y_approves_and_anything_else_denies(tmp_path: Path, pipe: tuple[TextIO, int]) -> None:
    stdin, write = pipe
    out = io.StringIO()
    console = Console(make_app(tmp_path, ollama_host=None, openai_url=None).engine, stdin=stdin, stdout=out)
    approvals = console.engine.approvals
    os.write(write, b"y\n")
    decision = await approvals.ask(request_for(console), console.sink)
    assert decision.approved and decision.by == "you"
    os.write(write, b"no thanks\n")
    second = request_for(console)
    assert (await approvals.ask(second, console.sink)).outcome == "denied"
    await approvals.settled()
    shown = out.getvalue()
    assert "🔐 you asked me to run tasks.delete: task 3" in shown and "Approve? [y/N]" in shown
    assert "✅ Approved by you" in shown and "❌ Denied by you" in shown
    assert [r.outcome for r in approvals.of_turn(second.turn_id)] == ["denied"]


async def test_no_answer_in_time_denies_and_the_late_line_goes_to_the_next_prompt(
    tmp_path: Path, pipe: tuple[TextIO, int]
) -> None:
    stdin, write = pipe
    out = io.StringIO()
    console = Console(make_app(tmp_path, ollama_host=None, openai_url=None).engine, stdin=stdin, stdout=out)
    decision = await console.engine.approvals.ask(request_for(console, timeout=0.3), console.sink)
    assert decision.outcome == "timeout"
    await console.engine.approvals.settled()
    assert "⌛ No answer in time — not run" in out.getvalue()
    os.write(write, b"what time is it?\n")
    assert await asyncio.wait_for(console._read_line(), 5) == "what time is it?"  # not swallowed by the question


async def test_a_question_left_by_the_last_session_is_noted_at_start(tmp_path: Path, pipe: tuple[TextIO, int]) -> None:
    stdin, write = pipe
    first = Console(make_app(tmp_path, ollama_host=None, openai_url=None).engine, stdin=stdin, stdout=io.StringIO())
    left = request_for(first)
    ApprovalLog(first.engine.store).open(left)  # asked, then the process died
    out = io.StringIO()
    second = Console(make_app(tmp_path, ollama_host=None, openai_url=None).engine, stdin=stdin, stdout=out)
    os.write(write, b"/quit\n")
    assert await asyncio.wait_for(second.run(), 10) == 0
    assert "expired with a restart of the bot — nothing was run. Ask me again. (tasks.delete)" in out.getvalue()
    assert [r.outcome for r in second.engine.approvals.of_turn(left.turn_id)] == ["interrupted"]
