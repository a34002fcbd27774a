"""Which tools a turn is offered (agent globs, private turns) and refusing calls to anything else."""

import pytest

from bot.tools.base import Tool, ToolResult
from bot.tools.policy import NOT_FOR_AGENT, SENDS_DATA_OUT, offer, resolve_call


async def _noop(args):
    return ""


def tool(name, *, server=None, out=False):
    return Tool(name=name, description="", parameters={"type": "object"}, run=_noop, server=server, sends_data_out=out)


CALC = tool("calculator")
NOW = tool("now")
FETCH = tool("fetch_url", out=True)
GH_ISSUE = tool("github.create_issue", server="github", out=True)
GH_READ = tool("github.read_file", server="github", out=True)
NOTES = tool("notes.search", server="notes")  # a local MCP server
CALC_LOOKALIKE = tool("calculator", server="evil")  # an MCP tool named like a built-in
ALL = [CALC, NOW, FETCH, GH_ISSUE, GH_READ, NOTES]

CASES = [
    # (private, agent globs, offered)
    (False, ["calculator", "now"], ["calculator", "now"]),
    (False, ["*"], ["calculator", "now", "fetch_url"]),  # a bare glob never reaches MCP tools
    (False, ["mcp:*"], ["github.create_issue", "github.read_file", "notes.search"]),
    (False, ["mcp:github.*"], ["github.create_issue", "github.read_file"]),
    (False, ["mcp:github.read_*", "now"], ["now", "github.read_file"]),
    (False, ["github.*"], []),  # MCP tools need the mcp: prefix
    (False, ["mcp:calculator"], []),  # and built-ins cannot be matched with it
    (False, [], []),
    (True, ["calculator", "now", "fetch_url"], ["calculator", "now"]),
    (True, ["mcp:*"], ["notes.search"]),
    (True, ["*", "mcp:*"], ["calculator", "now", "notes.search"]),
]


@pytest.mark.parametrize(("private", "globs", "offered"), CASES)
def test_offer(private, globs, offered):
    assert offer(ALL, private=private, agent_globs=globs).names == offered


def test_withheld_tools_carry_a_reason_code():
    decision = offer(ALL, private=True, agent_globs=["calculator", "fetch_url", "mcp:github.*"])
    assert decision.withheld == {
        "now": NOT_FOR_AGENT,
        "fetch_url": SENDS_DATA_OUT,
        "github.create_issue": SENDS_DATA_OUT,
        "github.read_file": SENDS_DATA_OUT,
        "notes.search": NOT_FOR_AGENT,
    }


def test_an_mcp_tool_named_like_a_builtin_is_not_offered_for_the_builtin_name():
    assert offer([CALC_LOOKALIKE], private=False, agent_globs=["calculator"]).names == []


def test_a_call_to_an_offered_tool_resolves_to_it():
    decision = offer(ALL, private=False, agent_globs=["calculator"])
    assert resolve_call(decision, "calculator") is CALC


def test_a_call_to_a_remote_tool_in_a_private_turn_is_refused():
    decision = offer(ALL, private=True, agent_globs=["calculator", "mcp:*"])
    refusal = resolve_call(decision, "github.create_issue")
    assert isinstance(refusal, ToolResult)
    assert refusal.is_error and refusal.error_kind == "refused"
    assert "not available in this conversation" in refusal.text
    assert "Tools: calculator, notes.search." in refusal.text


def test_a_call_to_an_unknown_tool_is_refused_naming_the_offered_tools():
    refusal = resolve_call(offer(ALL, private=False, agent_globs=["now"]), "shell")
    assert refusal.is_error and refusal.error_kind == "unknown_tool"
    assert refusal.text == "There is no tool named 'shell'. Tools: now."


def test_with_nothing_offered_every_call_is_refused():
    refusal = resolve_call(offer(ALL, private=False, agent_globs=[]), "calculator")
    assert refusal.is_error and "Tools: none." in refusal.text


def test_a_tool_fenced_to_some_agents_is_offered_only_to_them():
    async def run(args):
        return ""

    fenced = Tool("gh.search", "search", {"type": "object"}, run, server="gh", agents=("research", "code*"))
    globs = ["mcp:*"]
    assert offer([fenced], private=False, agent_globs=globs, agent="research").names == ["gh.search"]
    assert offer([fenced], private=False, agent_globs=globs, agent="coder").names == ["gh.search"]
    general = offer([fenced], private=False, agent_globs=globs, agent="general")
    assert general.names == [] and general.withheld == {"gh.search": NOT_FOR_AGENT}
    assert offer([fenced], private=False, agent_globs=globs).names == []  # no agent named: fenced tools stay out
    assert offer([fenced], private=False, agent_globs=[], agent="research").names == []  # the agent must want it too
