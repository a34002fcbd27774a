"""MCP tools in real turns: the engine (tool loop) calls tools of real FastMCP servers configured in TOML,
with the model stand-ins speaking OpenAI and Ollama tool calling. Leak tests assert on the wire: a private
turn never offers or calls a remote server's tool and the server never receives the text; a sensitive
result from a server never reaches the cloud."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from bot.engine import Turn
from bot.session import SessionKey
from bot.store_tools import tool_calls_of_turn
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app
from tests.integration.test_mcp_servers import FAKE
from tests.integration.test_tool_privacy import calls_once

pytestmark = pytest.mark.slow  # real server processes

CHANNEL = SessionKey("slack", "T1", "C1", "1700000000.000100")
DM = SessionKey("slack", "T1", "D1", None)
AGENT = 'name = "helper"\ndescription = "uses tools"\ninstructions = "help"\ntools = ["calculator", "mcp:*"]\n'
PRIVATE_TEXT = "my diary: I am moving to Lisbon in May"


def server(name: str, locality: str, tmp_path: Path) -> str:
    calls = json.dumps(str(tmp_path / f"{name}.calls"))
    return (
        f'[[mcp.servers]]\nname = "{name}"\ncommand = {json.dumps(sys.executable)}\n'
        f'args = [{json.dumps(FAKE)}, "--calls", {calls}]\nlocality = "{locality}"\ntimeout = 15\n'
    )


@pytest.fixture
async def app(tmp_path, fake_openai: FakeOpenAI, fake_ollama: FakeOllama):
    agents = tmp_path / "agents"
    agents.mkdir()
    (agents / "helper.toml").write_text(AGENT)
    toml = (
        f'[bot]\nagents_dir = "{agents}"\ndefault_agent = "helper"\n[routing]\ndefault_model = "cloud"\n'
        "[limits]\nenabled = false\n[tools]\napproval_timeout = 1\n"
        + server("notes", "local", tmp_path)
        + server("web", "remote", tmp_path)
    )
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=toml)
    yield app
    await app.engine.aclose()


def received(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.calls"
    return path.read_text() if path.exists() else ""


async def test_a_cloud_turn_calls_an_mcp_tool_and_answers_with_its_result(tmp_path, app, fake_openai):
    fake_openai.tool_call_reply = calls_once("notes_echo", {"text": "release 4.2 ships friday"})
    result = await app.engine.handle(Turn(CHANNEL, "U1", "ann", "note the release date"), RecordingSink())
    assert result.status == "done" and result.route.locality == "cloud"
    assert received(tmp_path, "notes") == "release 4.2 ships friday\n"  # the server ran it
    first, second = fake_openai.chat_requests()
    assert {"notes_echo", "web_echo", "calculator"} <= {t["function"]["name"] for t in first["tools"]}
    tool_message = next(m for m in second["messages"] if m["role"] == "tool")
    assert "release 4.2 ships friday" in tool_message["content"]  # the result went back to the model
    [call] = tool_calls_of_turn(app.engine.store, result.turn_id)
    assert (call.tool, call.outcome, call.locality) == ("notes.echo", "ok", "local")


async def test_a_private_turn_never_offers_or_calls_a_remote_mcp_tool(tmp_path, app, fake_openai, fake_ollama):
    fake_ollama.tool_call_reply = calls_once("web_echo", {"text": PRIVATE_TEXT})  # the model asks anyway
    result = await app.engine.handle(Turn(DM, "U1", "ann", f"save {PRIVATE_TEXT}", private=True), RecordingSink())
    assert result.status == "done" and result.route.locality == "local"
    assert fake_openai.chat_requests() == []
    offered = {t["function"]["name"] for t in fake_ollama.chat_requests()[0]["tools"]}
    assert "notes_echo" in offered and not any(name.startswith("web_") for name in offered)
    assert received(tmp_path, "web") == ""  # the remote server never saw the private text
    [call] = tool_calls_of_turn(app.engine.store, result.turn_id)
    # not offered, so its wire name maps to no tool: refused as unknown, never run
    assert (call.tool, call.outcome) == ("web_echo", "unknown_tool")


async def test_a_private_turn_uses_a_local_mcp_server(tmp_path, app, fake_openai, fake_ollama):
    fake_ollama.tool_call_reply = calls_once("notes_echo", {"text": PRIVATE_TEXT})
    result = await app.engine.handle(Turn(DM, "U1", "ann", f"save {PRIVATE_TEXT}", private=True), RecordingSink())
    assert result.status == "done" and result.route.locality == "local"
    assert received(tmp_path, "notes") == PRIVATE_TEXT + "\n" and fake_openai.chat_requests() == []


async def test_a_sensitive_mcp_result_never_reaches_the_cloud(tmp_path, app, fake_openai, fake_ollama):
    fake_openai.tool_call_reply = calls_once("notes_secret")
    fake_ollama.reply = "The deploy key is in the config."
    result = await app.engine.handle(Turn(CHANNEL, "U1", "ann", "what is the deploy key?"), RecordingSink())
    assert result.status == "done" and result.route.locality == "local"
    assert not fake_openai.saw_text("AKIAZ7QW3RTY5UIO2PLM") and fake_ollama.saw_text("AKIAZ7QW3RTY5UIO2PLM")
    assert len(fake_openai.chat_requests()) == 1  # only the first step, before the result existed


class ApprovingSink(RecordingSink):
    """A sink that shows approval prompts; the asker (or someone else) answers each at once."""

    def __init__(self, engine, decider: str, approve: bool) -> None:
        super().__init__()
        self.engine, self.decider, self.approve, self.asked = engine, decider, approve, []

    async def on_approval(self, request) -> None:
        self.asked.append(request.tool)
        asyncio.get_running_loop().call_soon(self.engine.approvals.decide, request.id, self.decider, self.approve)


async def test_an_mcp_tool_not_annotated_read_only_runs_only_after_the_askers_approval(tmp_path, app, fake_openai):
    fake_openai.tool_call_reply = calls_once("notes_write_note", {"text": "ship it"})
    no_ui = await app.engine.handle(Turn(CHANNEL, "U1", "ann", "write a note"), RecordingSink())
    assert no_ui.status == "done" and received(tmp_path, "notes") == ""  # no way to ask: not run
    other = ApprovingSink(app.engine, decider="U2", approve=True)
    await app.engine.handle(Turn(CHANNEL, "U1", "ann", "write a note"), other)
    assert other.asked == ["notes.write_note"] and received(tmp_path, "notes") == ""  # someone else can't approve
    asker = ApprovingSink(app.engine, decider="U1", approve=True)
    result = await app.engine.handle(Turn(CHANNEL, "U1", "ann", "write a note"), asker)
    assert asker.asked == ["notes.write_note"] and received(tmp_path, "notes") == "note: ship it\n"
    assert [c.outcome for c in tool_calls_of_turn(app.engine.store, result.turn_id)] == ["ok"]
