"""[[mcp.servers]] entries: strict validation with messages naming the fix, globs, default confirm."""

import pytest
from pydantic import ValidationError

from bot.tools.mcp_config import McpConfig, McpServerConfig


def test_a_stdio_server_with_defaults():
    s = McpServerConfig(name="notes", command="notes-mcp", args=["--db", "x"])
    assert (s.transport, s.locality, s.timeout, s.agents, s.tools, s.confirm) == (
        "stdio",
        "remote",
        30.0,
        ["*"],
        ["*"],
        None,
    )


def test_an_http_server():
    assert McpServerConfig(name="gh", url="https://mcp.example.com/mcp", locality="remote").transport == "http"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "x"}, "set either command"),
        ({"name": "x", "command": "a", "url": "http://h/mcp"}, "not both or neither"),
        ({"name": "x", "url": "http://h/mcp", "args": ["-v"]}, "only apply to a command"),
        ({"name": "git.hub", "command": "a"}, "String should match pattern"),
        ({"name": "x", "url": "ftp://h"}, "String should match pattern"),
        ({"name": "x", "command": "a", "locality": "lan"}, "'local' or 'remote'"),
        ({"name": "x", "command": "a", "timeout": 0}, "greater than 0"),
        ({"name": "x", "command": "a", "tols": ["*"]}, "Extra inputs are not permitted"),
    ],
)
def test_mistakes_are_reported_with_the_fix(fields, message):
    with pytest.raises(ValidationError, match=message):
        McpServerConfig(**fields)


def test_server_names_must_be_unique():
    with pytest.raises(ValidationError, match="repeated: a"):
        McpConfig(servers=[{"name": "a", "command": "x"}, {"name": "a", "url": "http://h/mcp"}])


def test_agent_and_tool_globs():
    s = McpServerConfig(name="gh", command="x", agents=["research", "code*"], tools=["read_*", "search"])
    assert [s.serves_agent(a) for a in ("research", "coder", "general")] == [True, True, False]
    assert [s.allows_tool(t) for t in ("read_file", "search", "delete_repo")] == [True, True, False]


def test_confirm_defaults_to_every_tool_not_annotated_read_only():
    s = McpServerConfig(name="gh", command="x")
    assert s.needs_confirm("create_issue", read_only=False) and not s.needs_confirm("read_file", read_only=True)


def test_an_explicit_confirm_list_replaces_the_annotations():
    s = McpServerConfig(name="gh", command="x", confirm=["delete_*"])
    assert s.needs_confirm("delete_repo", read_only=True)
    assert not s.needs_confirm("create_issue", read_only=False)
