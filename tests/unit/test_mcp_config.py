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


def test_secrets_come_from_the_environment_by_name():
    s = McpServerConfig(name="gh", command="gh-mcp", env={"MODE": "ro"}, env_from={"GITHUB_TOKEN": "HB_GH_TOKEN"})
    environ = {"HB_GH_TOKEN": "ghp-x", "OPENAI_API_KEY": "sk-bot"}
    assert s.process_env(environ) == {"MODE": "ro", "GITHUB_TOKEN": "ghp-x"}
    assert s.missing_variables(environ) == [] and s.missing_variables({}) == ["HB_GH_TOKEN"]
    web = McpServerConfig(name="web", url="https://h/mcp", headers_from={"Authorization": "HB_WEB_AUTH"})
    assert web.http_headers({"HB_WEB_AUTH": "Bearer y"}) == {"Authorization": "Bearer y"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"env": {"GITHUB_TOKEN": "ghp-x"}}, "looks like a secret.*env_from = { GITHUB_TOKEN = "),
        ({"env": {"DB_PASSWORD": "x"}}, "looks like a secret"),
        ({"env_from": {"TOKEN": "not a name"}}, "must name an environment variable"),
        ({"headers_from": {"Authorization": "X"}}, "headers_from only applies to a url"),
    ],
)
def test_secret_mistakes_name_the_fix(fields, message):
    with pytest.raises(ValidationError, match=message):
        McpServerConfig(name="x", command="a", **fields)


def test_env_from_does_not_apply_to_a_url():
    with pytest.raises(ValidationError, match="only apply to a command"):
        McpServerConfig(name="x", url="http://h/mcp", env_from={"A": "B"})


def test_mcp_servers_are_a_validated_settings_section(tmp_path):
    from bot.config import ConfigError, load_settings

    path = tmp_path / "bot.toml"
    path.write_text('[[mcp.servers]]\nname = "notes"\ncommand = "notes-mcp"\nlocality = "local"\n')
    assert [s.name for s in load_settings(path, env={}).mcp.servers] == ["notes"]
    path.write_text('[[mcp.servers]]\nname = "notes"\ncommand = "notes-mcp"\ntols = ["*"]\n')
    with pytest.raises(ConfigError, match=r"'mcp.servers\[0\].tols' is not a setting. Did you mean 'tools'\?"):
        load_settings(path, env={})
    path.write_text('[[mcp.servers]]\nname = "notes"\n')
    with pytest.raises(ConfigError, match="mcp.servers\\[0\\].*set either command"):
        load_settings(path, env={})
