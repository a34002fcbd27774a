"""MCP servers as the bot meets them: configured in TOML, registered on the engine, stopped with it,
listed by /tools with the privacy rule, and secrets handed over from the environment — against real
FastMCP servers (tests/fakes/mcp_server.py) over stdio and streamable HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

import pytest

from bot.commands import CommandContext, run_command
from bot.session import SessionKey
from bot.tools.mcp_client import McpConnection
from bot.tools.mcp_config import McpServerConfig
from bot.tools.runner import run_tool
from tests.helpers import make_app
from tests.integration.test_mcp_servers import FAKE, http_url, stdio_config  # noqa: F401 - fixture

pytestmark = pytest.mark.slow  # real server processes

AGENT = 'name = "helper"\ndescription = "uses tools"\ninstructions = "help"\ntools = ["calculator", "mcp:*"]\n'


def server_toml(name: str, locality: str, tmp_path: Path, extra: str = "") -> str:
    return (
        f'[[mcp.servers]]\nname = "{name}"\ncommand = {json.dumps(sys.executable)}\n'
        f'args = [{json.dumps(FAKE)}, "--state", {json.dumps(str(tmp_path / (name + ".starts")))}]\n'
        f'locality = "{locality}"\ntimeout = 10\n{extra}'
    )


@pytest.fixture
async def app(tmp_path):
    agents = tmp_path / "agents"
    agents.mkdir()
    (agents / "helper.toml").write_text(AGENT)
    toml = f'[bot]\nagents_dir = "{agents}"\ndefault_agent = "helper"\n'
    toml += server_toml("notes", "local", tmp_path) + server_toml("web", "remote", tmp_path)
    app = make_app(tmp_path, ollama_host=None, openai_url=None, toml=toml)
    yield app
    await app.engine.aclose()


def pids(tmp_path: Path, name: str) -> list[int]:
    path = tmp_path / f"{name}.starts"
    return [int(line.split()[1]) for line in path.read_text().splitlines()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_configured_servers_are_engine_tools_started_lazily_and_stopped_with_the_engine(tmp_path, app):
    assert pids(tmp_path, "notes") == []  # building the app starts nothing
    names = {t.name for t in await app.engine.tools.all_tools()}
    assert {"calculator", "notes.echo", "web.echo", "notes.write_note"} <= names
    started = pids(tmp_path, "notes") + pids(tmp_path, "web")
    assert len(started) == 2 and all(alive(p) for p in started)
    await app.engine.aclose()
    assert not any(alive(p) for p in started)  # clean shutdown: no server process outlives the engine


async def test_tools_in_a_dm_withholds_remote_tools_and_says_why(app):
    dm = CommandContext(key=SessionKey("console", "local", "dm-1", None), user_id="u1", private=True)
    text = (await run_command(app.engine, dm, "/tools")).text
    offered, _, withheld = text.partition("Withheld here")
    assert "Tools agent **helper** can use here" in offered
    assert "`notes.echo`" in offered and "`calculator`" in offered and "web." not in offered
    assert "because this is a private conversation, and they send data off this machine" in withheld
    assert "`web.echo`" in withheld and "`notes.echo`" not in withheld
    assert "`notes.write_note` — Store a note" in offered and "✋ asks first" in offered
    assert "`now`" in text and "Not enabled for agent helper" in text  # now is not in the agent's list


async def test_tools_in_a_public_channel_offers_remote_tools_too(app):
    channel = CommandContext(key=SessionKey("console", "local", "general", None), user_id="u1")
    text = (await run_command(app.engine, channel, "/tools")).text
    assert "`web.echo`" in text and "☁ sends data out" in text and "Withheld here" not in text
    assert "gets only 🔒 local tools for that turn" in text


async def test_tools_in_a_local_only_channel_withholds_remote_tools(app):
    channel = CommandContext(key=SessionKey("console", "local", "vault", None), user_id="u1")
    await run_command(app.engine, channel, "/privacy local-only")
    text = (await run_command(app.engine, channel, "/tools")).text
    assert "because this channel is local-only" in text and "`web.echo`" in text.partition("Withheld")[2]


async def test_an_unavailable_server_is_named_in_tools_without_its_reason(tmp_path):
    toml = '[[mcp.servers]]\nname = "gone"\ncommand = "/nonexistent/mcp-server"\ntimeout = 2\n'
    app = make_app(tmp_path, ollama_host=None, openai_url=None, toml=toml)
    try:
        ctx = CommandContext(key=SessionKey("console", "local", "c", None), user_id="u1")
        text = (await run_command(app.engine, ctx, "/tools")).text
    finally:
        await app.engine.aclose()
    assert "MCP server `gone` is unavailable right now" in text and "nonexistent" not in text


async def test_env_from_hands_over_only_the_named_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("HB_TEST_NOTES_TOKEN", "tok-123")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-bots-own")
    config = stdio_config(tmp_path, env={"NOTES_MODE": "test"}, env_from={"NOTES_TOKEN": "HB_TEST_NOTES_TOKEN"})
    connection = McpConnection(config)
    try:
        getenv = {t.name: t for t in await connection.tools()}["fake.getenv"]
        seen = [(await run_tool(getenv, {"name": n})).text for n in ("NOTES_TOKEN", "NOTES_MODE", "OPENAI_API_KEY")]
    finally:
        await connection.close()
    assert seen == ["tok-123", "test", ""]  # the bot's own secrets stay with the bot


async def test_a_variable_env_from_names_but_unset_makes_the_server_unavailable_by_name(tmp_path, monkeypatch):
    monkeypatch.delenv("HB_TEST_MISSING", raising=False)
    connection = McpConnection(stdio_config(tmp_path, env_from={"TOKEN": "HB_TEST_MISSING"}))
    with pytest.raises(Exception, match="environment variable.s. HB_TEST_MISSING not set"):
        await connection.tools()
    await connection.close()
    assert not (tmp_path / "starts").exists()  # never started without its secret


async def test_headers_from_reach_an_http_server(http_url, monkeypatch):  # noqa: F811 - fixture
    monkeypatch.setenv("HB_TEST_MCP_AUTH", "Bearer abc")
    config = McpServerConfig(name="web", url=http_url, timeout=5, headers_from={"Authorization": "HB_TEST_MCP_AUTH"})
    connection = McpConnection(config)
    try:
        header = {t.name: t for t in await connection.tools()}["web.header"]
        assert (await run_tool(header, {"name": "Authorization"})).text == "Bearer abc"
    finally:
        await connection.close()


async def test_a_server_that_starts_but_never_lists_costs_at_most_its_timeout(tmp_path):
    config = stdio_config(tmp_path, timeout=8.0)
    config = config.model_copy(update={"args": [*config.args, "--hang-list"]})
    connection = McpConnection(config)
    started = time.perf_counter()
    with pytest.raises(Exception, match="did not list its tools"):
        await connection.tools()
    took = time.perf_counter() - started
    await connection.close()
    assert took < 8.5  # start-up and listing share the one timeout


async def test_error_and_structured_results(tmp_path):
    connection = McpConnection(stdio_config(tmp_path))
    try:
        tools = {t.name: t for t in await connection.tools()}
        failed = await run_tool(tools["fake.fail"], {})
        structured = await run_tool(tools["fake.structured"], {})
    finally:
        await connection.close()
    assert failed.is_error and "the tool could not do it" in failed.text
    assert json.loads(structured.text) == {"answer": 42}


async def test_concurrent_first_requests_start_one_process(tmp_path):
    connection = McpConnection(stdio_config(tmp_path))
    try:
        lists = await asyncio.gather(*(connection.tools() for _ in range(5)))
    finally:
        await connection.close()
    assert all(t == lists[0] for t in lists) and lists[0]
    assert len((tmp_path / "starts").read_text().splitlines()) == 1  # one process served all five


async def test_tools_on_discord_withholds_remote_tools_in_a_dm(tmp_path, fake_ollama, fake_openai):
    from tests.fakes.discord_server import running_bot
    from tests.integration.test_discord_commands import run

    agents = tmp_path / "agents"
    agents.mkdir()
    (agents / "helper.toml").write_text(AGENT)
    toml = f'[bot]\nagents_dir = "{agents}"\ndefault_agent = "helper"\n'
    toml += server_toml("notes", "local", tmp_path) + server_toml("web", "remote", tmp_path)
    async with running_bot(tmp_path, fake_ollama, fake_openai, extra_toml=toml) as rb:
        alice = rb.fake.user("alice")
        await rb.engine.tools.all_tools()  # start the servers first: the stand-in waits a few seconds for an answer
        in_dm = await run(rb.fake, alice, "tools", channel=rb.fake.dm_channel(alice))
        in_channel = await run(rb.fake, alice, "tools")
    offered, _, withheld = in_dm.partition("Withheld here")
    assert "notes.echo" in offered and "web.echo" not in offered and "web.echo" in withheld
    assert "web.echo" in in_channel and "Withheld here" not in in_channel


async def test_at_debug_no_tool_argument_or_result_is_logged(http_url, tmp_path):  # noqa: F811 - fixture
    import io
    import logging

    from bot import logs

    stream, root = io.StringIO(), logging.getLogger()
    level = root.level
    handler = logs.configure("DEBUG", "json", stream=stream)
    marker = "purple elephant forty two"
    try:
        for config in (McpServerConfig(name="web", url=http_url, timeout=5), stdio_config(tmp_path)):
            connection = McpConnection(config)
            try:
                echo = next(t for t in await connection.tools() if t.name.endswith(".echo"))
                assert (await run_tool(echo, {"text": marker})).text == marker
                if config.transport == "stdio":  # the HTTP server belongs to the fixture
                    await run_tool(next(t for t in await connection.tools() if t.name.endswith(".crash")), {})
            finally:
                await connection.close()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        logs.uninstall_redaction()
    text = stream.getvalue()
    assert "mcp fake: call failed" in text or "mcp fake: connection lost" in text  # DEBUG output was captured
    assert marker not in text


async def test_tools_on_slack_as_a_slash_command_withholds_remote_tools_in_a_dm(tmp_path, fake_ollama, fake_openai):
    from tests.fakes.slack_server import FakeSlack
    from tests.integration.test_slack_harness import start_bot

    agents = tmp_path / "agents"
    agents.mkdir()
    (agents / "helper.toml").write_text(AGENT)
    toml = f'[bot]\nagents_dir = "{agents}"\ndefault_agent = "helper"\n'
    toml += server_toml("notes", "local", tmp_path) + server_toml("web", "remote", tmp_path)
    async with FakeSlack() as fake:
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="http", toml=toml)
        try:
            await bot.engine.tools.all_tools()  # start the servers: the harness waits 5 s for an answer
            in_dm = (await bot.command("tools", "", channel="D0ALICE"))["text"]
            in_channel = (await bot.command("tools", ""))["text"]
            assert bot.ack_seconds < 3
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()
    offered, _, withheld = in_dm.partition("Withheld here")
    assert "notes.echo" in offered and "web.echo" not in offered and "web.echo" in withheld
    assert "web.echo" in in_channel and "Withheld here" not in in_channel
