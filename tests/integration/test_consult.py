"""The coordinator agent consults other agents (`ask_agent`), each consultation routed by the privacy rules:
in a channel the research agent may answer from the cloud; in a DM every consultation stays local, and the
cloud stand-in receives nothing. Consultations are limited per turn and never nest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.engine import Turn
from bot.session import SessionKey
from bot.store_tools import tool_calls_of_turn
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

CHANNEL = SessionKey("slack", "T1", "C1", "1700000000.000100")
DM = SessionKey("slack", "T1", "D1", None)
TOML = '[bot]\ndefault_agent = "coordinator"\n[limits]\nenabled = false\n'
ASK = {"name": "ask_agent", "arguments": {"name": "research", "question": "Compare SQLite and PostgreSQL."}}


def ask_once(body: dict[str, Any]) -> dict[str, Any] | None:
    return None if any(m.get("role") == "tool" for m in body["messages"]) else ASK


async def test_in_a_channel_the_research_agent_answers_from_the_cloud(
    tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI
):
    fake_ollama.tool_call_reply = ask_once
    fake_ollama.reply = "Research says: it depends."
    fake_openai.reply = "PostgreSQL scales further; SQLite is simpler."
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=TOML)
    result = await app.engine.handle(Turn(CHANNEL, "U1", "ann", "Which database should we use?"), RecordingSink())
    assert result.status == "done" and result.route.agent == "coordinator"
    [consulted] = fake_openai.chat_requests()
    assert consulted["messages"][-1]["content"] == "Compare SQLite and PostgreSQL."
    assert "research assistant" in consulted["messages"][0]["content"]  # the research agent's instructions
    assert "Which database" not in json.dumps(consulted)  # only the question: no history
    assert "tools" not in consulted  # the consulted agent gets no tools: consultations never nest
    tool = next(m for m in fake_ollama.chat_requests()[1]["messages"] if m["role"] == "tool")
    assert "research (cloud) answered: PostgreSQL scales further" in tool["content"]
    await app.engine.aclose()


async def test_in_a_dm_every_consultation_stays_local(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    fake_ollama.tool_call_reply = ask_once
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=TOML)
    result = await app.engine.handle(Turn(DM, "U1", "ann", "Which database?", private=True), RecordingSink())
    assert result.status == "done"
    assert fake_openai.chat_requests() == []
    tool = next(m for m in fake_ollama.chat_requests()[-1]["messages"] if m["role"] == "tool")
    assert "research (local) answered" in tool["content"]
    await app.engine.aclose()


async def test_consultations_are_limited_per_turn(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    fake_ollama.tool_call_reply = lambda body: ASK if body.get("tools") else None  # asks on every step
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None, toml=TOML)
    result = await app.engine.handle(Turn(CHANNEL, "U1", "ann", "Which database?"), RecordingSink())
    outcomes = [c.outcome for c in tool_calls_of_turn(app.engine.store, result.turn_id)]
    assert outcomes[:3] == ["ok", "ok", "ok"] and set(outcomes[3:]) == {"failed"}
    await app.engine.aclose()
