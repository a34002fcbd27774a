"""The `remember` tool: a model (Ollama stand-in) proposes "remember that?", the real tool loop asks the person,
and only an approval stores the fact — scanned exactly like /remember. Denial and timeout store nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot import store_memory
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from bot.tools.approval_types import ApprovalRequest
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

DM = SessionKey("console", "local", "D-ann")
FACT = "I prefer metric units"


class DecidingSink(RecordingSink):
    """Shows approval prompts like an adapter does, and clicks (or not) as the person would."""

    def __init__(self, engine: Any, answer: bool | None, by: str = "U1") -> None:
        super().__init__()
        self.engine, self.answer, self.by = engine, answer, by
        self.asked: list[ApprovalRequest] = []

    async def on_approval(self, request: ApprovalRequest) -> str:
        self.asked.append(request)
        if self.answer is not None:
            loop = asyncio.get_running_loop()
            loop.call_soon(self.engine.approvals.decide, request.id, self.by, self.answer)
        return "prompt-1"


def model_remembers(ollama: FakeOllama, fact: str) -> None:
    def reply(body: dict[str, Any]) -> dict[str, Any] | None:
        if any(m.get("role") == "tool" for m in body["messages"]):
            return None
        return {"name": "remember", "arguments": {"fact": fact}}

    ollama.tool_call_reply = reply
    ollama.reply = "Done."


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    toml = '[bot]\ndefault_agent = "assistant"\n[tools]\napproval_timeout = 0.5\n'
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=toml)
    yield app
    await app.engine.aclose()


async def turn(app, sink: DecidingSink, text: str = "remember that I prefer metric units") -> None:  # noqa: ANN001
    await app.engine.handle(Turn(DM, "U1", "ann", text, private=True), sink)


def tool_result(ollama: FakeOllama) -> str:
    return next(m for m in ollama.chat_requests()[-1]["messages"] if m["role"] == "tool")["content"]


async def test_approved_fact_is_stored_and_listed(app, fake_ollama: FakeOllama) -> None:
    model_remembers(fake_ollama, FACT)
    sink = DecidingSink(app.engine, True)
    await turn(app, sink)
    assert sink.asked and sink.asked[0].tool == "remember" and FACT in sink.asked[0].summary
    facts = store_memory.facts(app.engine.store, "console", "U1")
    assert [f.text for f in facts] == [FACT]
    assert "Remembered (#1)." in tool_result(fake_ollama)
    listed = await run_command(app.engine, CommandContext(DM, "U1", private=True), "/memory")
    assert f"1. {FACT}" in listed.text


async def test_denied_or_timed_out_stores_nothing_and_the_model_is_told(app, fake_ollama: FakeOllama) -> None:
    model_remembers(fake_ollama, FACT)
    await turn(app, DecidingSink(app.engine, False))
    assert store_memory.facts(app.engine.store, "console", "U1") == []
    assert "not run" in tool_result(fake_ollama) and "denied" in tool_result(fake_ollama)
    await turn(app, DecidingSink(app.engine, None))  # nobody answers within tools.approval_timeout
    assert store_memory.facts(app.engine.store, "console", "U1") == []
    assert "not run" in tool_result(fake_ollama)


async def test_someone_elses_click_does_not_store_it(app, fake_ollama: FakeOllama) -> None:
    model_remembers(fake_ollama, FACT)
    await turn(app, DecidingSink(app.engine, True, by="U2"))  # not the asker, not an admin: times out
    assert store_memory.facts(app.engine.store, "console", "U1") == []
    assert store_memory.facts(app.engine.store, "console", "U2") == []


async def test_the_fact_is_scanned_like_remember(app, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> None:
    model_remembers(fake_ollama, "my GitHub token is ghp_R8mK2vXq9LzT4nB7wY3cF6hJ1dS5aP0eQuGi")
    await turn(app, DecidingSink(app.engine, True))
    assert store_memory.facts(app.engine.store, "console", "U1") == []  # secrets are never remembered
    assert "Not remembered" in tool_result(fake_ollama) and "secret" in tool_result(fake_ollama)
    model_remembers(fake_ollama, "my e-mail is jane.doe@acme-corp.io")
    await turn(app, DecidingSink(app.engine, True))
    [fact] = store_memory.facts(app.engine.store, "console", "U1")
    assert fact.sensitive and "only local models will see it" in tool_result(fake_ollama)
    assert fake_openai.chat_requests() == []  # a DM: all of it stayed local
