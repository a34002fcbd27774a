"""MCP servers as tools, against real servers written with the SDK's FastMCP (tests/fakes/mcp_server.py),
over stdio and streamable HTTP: lazy start, namespacing, approvals from annotations, a hung tool, a
crashing server restarted with backoff, tools/list_changed, and servers that never come up."""

import asyncio
import socket
import sys
import time
from pathlib import Path

import pytest

from bot.tools.mcp_client import McpConnection, McpUnavailable
from bot.tools.mcp_config import McpConfig, McpServerConfig
from bot.tools.mcp_manager import McpManager
from bot.tools.runner import run_tool
from bot.tools.untrusted import scan_result

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

FAKE = str(Path(__file__).parents[1] / "fakes" / "mcp_server.py")
TIMEOUT = 8.0  # start-up, list and call: a Python server start took over 5 s at load 7-8 on 2 cores


def stdio_config(tmp_path, **kw) -> McpServerConfig:
    fields = {"name": "fake", "command": sys.executable, "args": [FAKE, "--state", str(tmp_path / "starts")]}
    fields.update({"locality": "local", "timeout": TIMEOUT} | kw)
    return McpServerConfig(**fields)


def starts(tmp_path) -> int:
    path = tmp_path / "starts"
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.fixture
async def stdio(tmp_path):
    connection = McpConnection(stdio_config(tmp_path), backoff_base=0.05)
    yield connection
    await connection.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def http_url():
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, FAKE, "--http", str(port), stderr=asyncio.subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            break
        except OSError:
            await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    await asyncio.wait_for(process.wait(), 10)


async def by_name(connection) -> dict:
    return {t.name: t for t in await connection.tools()}


async def test_a_server_starts_only_when_its_tools_are_first_needed(tmp_path, stdio):
    await asyncio.sleep(0.3)
    assert (stdio.starts, starts(tmp_path)) == (0, 0)
    await stdio.tools()
    assert (stdio.starts, starts(tmp_path)) == (1, 1)


async def test_tools_are_namespaced_and_marked_from_annotations_and_locality(stdio):
    tools = await by_name(stdio)
    assert {"fake.echo", "fake.add", "fake.write_note", "fake.hang"} <= set(tools)
    assert tools["fake.write_note"].changes_things and not tools["fake.echo"].changes_things
    assert not any(t.sends_data_out for t in tools.values())  # locality = "local"
    assert tools["fake.add"].parameters["required"] == ["a", "b"]
    assert all(t.server == "fake" and t.timeout == TIMEOUT for t in tools.values())


async def test_the_allow_list_confirm_list_and_remote_locality_apply(tmp_path):
    config = stdio_config(tmp_path, tools=["echo", "write_*"], confirm=["echo"], locality="remote")
    connection = McpConnection(config)
    try:
        tools = await by_name(connection)
    finally:
        await connection.close()
    assert sorted(tools) == ["fake.echo", "fake.write_note"]
    assert tools["fake.echo"].changes_things and not tools["fake.write_note"].changes_things
    assert all(t.sends_data_out for t in tools.values())


async def test_a_call_runs_on_the_server_and_bad_arguments_never_reach_it(stdio):
    tools = await by_name(stdio)
    assert (await run_tool(tools["fake.add"], '{"a": 2, "b": 40}')).text == "42"
    bad = await run_tool(tools["fake.add"], {"a": "two", "b": 40})
    assert bad.error_kind == "bad_arguments" and "'two' is not of type 'integer'" in bad.text


async def test_a_hung_tool_costs_at_most_the_timeout_and_the_server_keeps_serving(stdio):
    tools = await by_name(stdio)
    started = time.perf_counter()
    result = await run_tool(tools["fake.hang"], {})
    took = time.perf_counter() - started
    assert result.error_kind == "timeout" and TIMEOUT <= took < TIMEOUT + 1
    assert (await run_tool(tools["fake.echo"], {"text": "still here"})).text == "still here"
    assert stdio.starts == 1


async def test_calls_to_one_server_run_concurrently(stdio):
    tools = await by_name(stdio)
    started = time.perf_counter()
    results = await asyncio.gather(
        run_tool(tools["fake.hang"], {"seconds": 0.5}), run_tool(tools["fake.hang"], {"seconds": 0.5})
    )
    assert [r.text for r in results] == ["woke up", "woke up"]
    assert time.perf_counter() - started < 0.95


async def test_a_crashing_server_is_an_error_result_then_restarted(tmp_path, stdio):
    tools = await by_name(stdio)
    crashed = await run_tool(tools["fake.crash"], {})
    assert crashed.is_error and "fake" in crashed.text
    await asyncio.sleep(0.1)  # past the first backoff (0.05 s)
    assert (await run_tool(tools["fake.echo"], {"text": "back"})).text == "back"
    assert (stdio.starts, starts(tmp_path)) == (2, 2)


async def test_restarts_wait_for_a_backoff_that_doubles(tmp_path):
    now = [1000.0]
    connection = McpConnection(stdio_config(tmp_path), clock=lambda: now[0], backoff_base=10)
    try:
        tools = await by_name(connection)
        await run_tool(tools["fake.crash"], {})
        refused = await run_tool(tools["fake.echo"], {"text": "x"})
        assert refused.is_error and "tried again in 10 s" in refused.text
        assert starts(tmp_path) == 1  # no restart while backing off
        now[0] += 10
        await run_tool(tools["fake.crash"], {})  # restarts, then crashes again
        assert starts(tmp_path) == 2
        assert "tried again in 20 s" in (await run_tool(tools["fake.echo"], {"text": "x"})).text
        now[0] += 20
        assert (await run_tool(tools["fake.echo"], {"text": "x"})).text == "x"
        assert connection.failures == 0  # an answered call resets the backoff
    finally:
        await connection.close()


async def test_the_tool_list_is_cached_and_refreshed_on_list_changed(stdio):
    first = await stdio.tools()
    assert await stdio.tools() is first  # cached: no second tools/list
    assert "fake.added" not in {t.name for t in first}
    tools = await by_name(stdio)
    assert (await run_tool(tools["fake.grow"], {})).text == "grew"
    await asyncio.sleep(0.2)  # the notification arrives on its own
    refreshed = await by_name(stdio)
    assert "fake.added" in refreshed
    assert (await run_tool(refreshed["fake.added"], {})).text == "I was added"


async def test_a_sensitive_result_from_a_server_is_flagged(stdio):
    result = await run_tool((await by_name(stdio))["fake.secret"], {})
    assert scan_result(result).sensitive


async def test_a_server_that_exits_at_once_is_unavailable_with_the_reason():
    config = McpServerConfig(name="dead", command=sys.executable, args=["-c", "import sys; sys.exit(1)"], timeout=5)
    connection = McpConnection(config)
    started = time.perf_counter()
    with pytest.raises(McpUnavailable, match="'dead' could not start"):
        await connection.tools()
    assert time.perf_counter() - started < 5
    await connection.close()


async def test_a_server_that_never_answers_costs_at_most_its_timeout(tmp_path):
    hung = McpServerConfig(name="hung", command=sys.executable, args=["-c", "import time; time.sleep(60)"], timeout=1.0)
    alone = McpManager(McpConfig(servers=[hung]))
    started = time.perf_counter()
    assert (await alone.tools_for("general"))[1] == {
        "hung": "MCP server 'hung' could not start: did not start within 1 s"
    }
    assert time.perf_counter() - started < 1.5
    await alone.close()  # the SDK's shutdown (stdin closed, SIGTERM) is not part of the turn's cost
    # beside a working server, the working one still serves its tools
    manager = McpManager(McpConfig(servers=[hung, stdio_config(tmp_path)]))
    try:
        tools, unavailable = await manager.tools_for("general")
    finally:
        await manager.close()
    assert "fake.echo" in {t.name for t in tools} and list(unavailable) == ["hung"]


async def test_servers_are_offered_only_to_their_agents(tmp_path):
    manager = McpManager(McpConfig(servers=[stdio_config(tmp_path, agents=["research"])]))
    try:
        assert await manager.tools_for("general") == ([], {})
        assert starts(tmp_path) == 0  # not even started for an agent it does not serve
        tools, _ = await manager.tools_for("research")
        assert tools
    finally:
        await manager.close()


async def test_over_streamable_http(http_url):
    connection = McpConnection(McpServerConfig(name="web", url=http_url, timeout=TIMEOUT))
    try:
        tools = await by_name(connection)
        assert all(t.sends_data_out for t in tools.values())  # remote by default
        assert (await run_tool(tools["web.echo"], {"text": "over http"})).text == "over http"
        started = time.perf_counter()
        assert (await run_tool(tools["web.hang"], {})).error_kind == "timeout"
        assert time.perf_counter() - started < TIMEOUT + 1
        assert (await run_tool(tools["web.grow"], {})).text == "grew"
        await asyncio.sleep(0.2)
        assert "web.added" in await by_name(connection)
    finally:
        await connection.close()


async def test_an_unreachable_http_server_is_unavailable_within_its_timeout():
    connection = McpConnection(McpServerConfig(name="gone", url=f"http://127.0.0.1:{_free_port()}/mcp", timeout=1))
    started = time.perf_counter()
    with pytest.raises(McpUnavailable, match="'gone'"):
        await connection.tools()
    assert time.perf_counter() - started < 2
    await connection.close()


async def test_a_private_turn_never_sends_text_to_a_remote_server(tmp_path):
    """Leak test: a remote server's tools are not offered in a private turn, a call to one anyway is
    refused, and the server never receives the private text; a local server still serves the turn."""
    from bot.tools.policy import offer, resolve_call

    calls = tmp_path / "remote-calls"
    remote = stdio_config(tmp_path, name="remote", locality="remote", timeout=15)
    remote = remote.model_copy(update={"args": [*remote.args, "--calls", str(calls)]})
    manager = McpManager(McpConfig(servers=[remote, stdio_config(tmp_path, name="local", timeout=15)]))
    secret = "my password is Tr0ub4dor&3x"
    try:
        tools, unavailable = await manager.tools_for("general")
        assert unavailable == {}
        turn = offer(tools, private=True, agent_globs=["mcp:*"])
        assert not any(name.startswith("remote.") for name in turn.names)
        assert "local.echo" in turn.names
        refused = resolve_call(turn, "remote.echo")
        assert refused.is_error and refused.error_kind == "refused"
        served = resolve_call(turn, "local.echo")
        assert (await run_tool(served, {"text": secret})).text == secret
        public = offer(tools, private=False, agent_globs=["mcp:*"])
        assert (await run_tool(resolve_call(public, "remote.echo"), {"text": "public text"})).text == "public text"
    finally:
        await manager.close()
    assert calls.read_text() == "public text\n"  # the remote server saw only the public call


async def test_the_sdk_read_timeout_is_a_timeout_not_a_dead_server(stdio):
    """Called directly (no runner limit), a hung call ends at the server timeout as a TimeoutError,
    and the server is not restarted for it."""
    await stdio.tools()
    started = time.perf_counter()
    with pytest.raises(TimeoutError, match="fake.hang did not answer within 8 s"):
        await stdio.call("hang", {})
    assert time.perf_counter() - started < TIMEOUT + 1
    assert (stdio.failures, await stdio.call("echo", {"text": "ok"}), stdio.starts) == (0, "ok", 1)


async def test_after_a_failure_listings_do_not_wait_for_the_restart(tmp_path):
    """A server that never answers costs the first listing its timeout; later listings (one per turn)
    return at once while the restart runs in the background, and the tools come back when it answers."""
    flag = tmp_path / "answer"
    waits = f"import os, sys, time\nwhile not os.path.exists({str(flag)!r}): time.sleep(0.05)\nos.execv(sys.executable, [sys.executable, {FAKE!r}])"
    config = McpServerConfig(name="slow", command=sys.executable, args=["-c", waits], locality="local", timeout=TIMEOUT)
    connection = McpConnection(config, backoff_base=0.05)
    try:
        started = time.perf_counter()
        with pytest.raises(McpUnavailable, match="did not start within 8 s"):
            await connection.tools()
        assert time.perf_counter() - started < TIMEOUT + 0.5
        await asyncio.sleep(0.1)  # past the backoff
        for _ in range(3):
            started = time.perf_counter()
            with pytest.raises(McpUnavailable, match="not available"):
                await connection.tools()
            assert time.perf_counter() - started < 0.1  # a turn does not wait
            await asyncio.sleep(0.05)
        flag.write_text("now")
        deadline, tools = time.monotonic() + 40, []
        while time.monotonic() < deadline:
            try:
                tools = await connection.tools()
                break
            except McpUnavailable:
                await asyncio.sleep(0.2)
        assert "slow.echo" in {t.name for t in tools}
        assert (await run_tool({t.name: t for t in tools}["slow.echo"], {"text": "back"})).text == "back"
    finally:
        await connection.close()
