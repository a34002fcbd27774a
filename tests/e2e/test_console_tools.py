"""The console (`hybridbot console` as a subprocess) with a tool-using local model: footer and /why."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_console import hybridbot, stand_in_env

pytestmark = pytest.mark.slow  # a subprocess start: see pyproject's markers


async def test_console_turn_runs_a_tool_and_why_lists_it(tmp_path, fake_ollama, fake_openai) -> None:
    def reply(body: dict[str, Any]) -> dict[str, Any] | None:
        if any(m.get("role") == "tool" for m in body["messages"]):
            return None
        return {"name": "calculator", "arguments": {"expression": "19*21"}}

    fake_ollama.tool_call_reply = reply
    fake_ollama.reply = "19 times 21 is 399."
    env = stand_in_env(tmp_path, fake_ollama, fake_openai)
    code, out, err = await hybridbot("console", stdin=b"what is 19*21?\n/why\n", env=env, cwd=tmp_path)
    assert code == 0, err
    assert "19 times 21 is 399." in out and "🔧 1 tool" in out
    assert "Tools called (1)" in out and "calculator" in out and "stays on this machine" in out
    assert "19*21" not in err  # logs carry tool names and timings, never arguments
