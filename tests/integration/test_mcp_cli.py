"""`hybridbot mcp list|tools|call` against a real FastMCP server over stdio (tests/fakes/mcp_server.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from hybridbot_app import mcp_cli
from hybridbot_app.cli import main
from tests.integration.test_mcp_servers import FAKE

pytestmark = pytest.mark.slow  # real server processes


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "bot.toml"
    path.write_text(
        f'[bot]\ndatabase = "{tmp_path / "bot.db"}"\n'
        f'[[mcp.servers]]\nname = "notes"\ncommand = {json.dumps(sys.executable)}\n'
        f'args = [{json.dumps(FAKE)}, "--calls", {json.dumps(str(tmp_path / "calls"))}]\n'
        'locality = "local"\ntimeout = 10\ntools = ["echo", "add", "write_note"]\n'
        '[[mcp.servers]]\nname = "gone"\ncommand = "/nonexistent/mcp-server"\ntimeout = 2\n'
    )
    return str(path)


def test_list_shows_transport_locality_and_status(config, capsys):
    assert main(["--config", config, "mcp", "list"]) == 1  # one server is down: non-zero for scripts
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["SERVER", "TRANSPORT", "LOCALITY", "AGENTS", "STATUS"]
    assert out[1].split()[:5] == ["notes", "stdio", "local", "*", "running"] and "3 tool(s)" in out[1]
    assert out[2].split()[:5] == ["gone", "stdio", "remote", "*", "unavailable:"] and "No such file" in out[2]


def test_tools_are_namespaced_with_read_only_and_confirm(config, capsys):
    assert main(["--config", config, "mcp", "tools", "notes"]) == 0
    rows = {line.split()[0]: line.split()[1:4] for line in capsys.readouterr().out.splitlines()[1:]}
    assert rows == {"notes.echo": ["yes", "no", "local"], "notes.add": ["yes", "no", "local"],
                    "notes.write_note": ["no", "yes", "local"]}  # fmt: skip


def test_call_prints_the_result(config, capsys, tmp_path):
    assert main(["--config", config, "mcp", "call", "notes.echo", '{"text": "hello"}']) == 0
    assert capsys.readouterr().out == "hello\n"
    assert (tmp_path / "calls").read_text() == "hello\n"


def test_call_with_bad_arguments_is_an_error_the_server_never_sees(config, capsys, tmp_path):
    assert main(["--config", config, "mcp", "call", "notes.add", '{"a": "two", "b": 1}']) == 1
    assert "'two' is not of type 'integer'" in capsys.readouterr().out
    assert main(["--config", config, "mcp", "call", "notes.echo", "{not json"]) == 2
    assert "the arguments are not JSON" in capsys.readouterr().out
    assert main(["--config", config, "mcp", "call", "notes.hang", "{}"]) == 2  # not in the allow list
    assert "Tools: notes.echo, notes.add, notes.write_note" in capsys.readouterr().out
    assert not (tmp_path / "calls").exists()


def test_a_tool_that_changes_things_asks_first_unless_yes(config, capsys, monkeypatch):
    questions = []
    monkeypatch.setattr(mcp_cli, "input", lambda q: questions.append(q) or "n", raising=False)
    assert main(["--config", config, "mcp", "call", "notes.write_note", '{"text": "abc"}']) == 1
    assert "Not run." in capsys.readouterr().out and "may change things" in questions[0]
    monkeypatch.setattr(mcp_cli, "input", lambda q: "y", raising=False)
    assert main(["--config", config, "mcp", "call", "notes.write_note", '{"text": "abc"}']) == 0
    assert "stored 3 characters" in capsys.readouterr().out
    monkeypatch.setattr(mcp_cli, "input", lambda q: pytest.fail("asked despite --yes"), raising=False)
    assert main(["--config", config, "mcp", "call", "notes.write_note", '{"text": "abcd"}', "--yes"]) == 0


def test_unknown_server_and_no_servers(config, capsys, tmp_path):
    assert main(["--config", config, "mcp", "call", "nope.echo"]) == 2
    assert "no MCP server named 'nope'. Servers: notes, gone." in capsys.readouterr().out
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert main(["--config", str(empty), "mcp", "list"]) == 2
    assert "add [[mcp.servers]] entries" in capsys.readouterr().out


def test_doctor_checks_each_server_without_starting_it(config, capsys, tmp_path, monkeypatch):
    path = tmp_path / "doctor.toml"
    path.write_text(
        Path(config).read_text() + '[[mcp.servers]]\nname = "gh"\nurl = "https://mcp.example.com/mcp"\n'
        'headers_from = { Authorization = "HB_TEST_UNSET_AUTH" }\n[embedded]\nenabled = false\n'
    )
    monkeypatch.delenv("HB_TEST_UNSET_AUTH", raising=False)
    main(["--config", str(path), "doctor"])
    out = capsys.readouterr().out
    assert "✔ mcp server notes (stdio, local): configured" in out
    assert "✖ mcp server gone (stdio, remote): program '/nonexistent/mcp-server' not found" in out
    assert "✖ mcp server gh (http, remote): environment variable(s) HB_TEST_UNSET_AUTH not set" in out
    assert not (tmp_path / "calls").exists()
