"""`hybridbot console` (a subprocess) with MCP servers in its config: a turn calls a local server's tool,
`/tools` withholds a remote server's tools in a private session, and no server outlives the console."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_console import hybridbot, stand_in_env
from tests.integration.test_mcp_servers import FAKE

pytestmark = pytest.mark.slow  # subprocesses

AGENT = 'name = "helper"\ndescription = "uses tools"\ninstructions = "help"\ntools = ["mcp:*"]\n'


def configure(tmp_path: Path, env: dict[str, str]) -> None:
    agents = tmp_path / "agents"
    agents.mkdir()
    (agents / "helper.toml").write_text(AGENT)
    servers = ""
    for name, locality in (("notes", "local"), ("web", "remote")):
        args = [FAKE, "--state", str(tmp_path / f"{name}.starts"), "--calls", str(tmp_path / f"{name}.calls")]
        servers += (
            f'[[mcp.servers]]\nname = "{name}"\ncommand = {json.dumps(sys.executable)}\n'
            f'args = {json.dumps(args)}\nlocality = "{locality}"\ntimeout = 20\n'
        )
    config = Path(env["HYBRIDBOT_CONFIG"])
    config.write_text(config.read_text() + f'[bot]\nagents_dir = "{agents}"\ndefault_agent = "helper"\n' + servers)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_console_calls_an_mcp_tool_and_stops_the_servers(tmp_path, fake_ollama, fake_openai) -> None:
    def reply(body: dict[str, Any]) -> dict[str, Any] | None:
        if any(m.get("role") == "tool" for m in body["messages"]):
            return None
        return {"name": "notes_echo", "arguments": {"text": "remember the milk"}}

    fake_ollama.tool_call_reply = reply
    fake_ollama.reply = "Noted."
    env = stand_in_env(tmp_path, fake_ollama, fake_openai)
    configure(tmp_path, env)
    stdin = b"note: remember the milk\n/tools\n"
    code, out, err = await hybridbot("console", "--private", stdin=stdin, env=env, cwd=tmp_path, within=120)
    assert code == 0, err
    assert (tmp_path / "notes.calls").read_text() == "remember the milk\n" and "Noted." in out
    offered, _, withheld = out.partition("Withheld here")
    assert "notes.echo" in offered and "web.echo" in withheld and "private conversation" in withheld
    assert not (tmp_path / "web.calls").exists()
    pids = [
        int(line.split()[1]) for n in ("notes", "web") for line in (tmp_path / f"{n}.starts").read_text().splitlines()
    ]
    assert pids and all(gone(pid) for pid in pids)  # the console closed the engine, and the servers with it
    assert "remember the milk" not in err  # logs never carry tool arguments
