"""The tool loop (bot/tool_loop.py) with in-process scripted models: calls run and their results go back to
the model, limits hold, approvals gate changes, and a sensitive result moves the turn to a local model."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path

from bot.agents import load_agents
from bot.catalog import Catalog
from bot.config import load_settings
from bot.engine import Engine, Turn
from bot.providers.base import ErrorKind, Finish, ProviderError, TextDelta, ToolCall
from bot.session import SessionKey
from bot.store import Store
from bot.store_tools import tool_calls_of_turn
from bot.tools.base import CALL_CONTEXT, Tool
from tests.fakes.instant import ScriptedProvider
from tests.helpers import RecordingSink

KEY = SessionKey("console", "local", "general")
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # a GitHub token's shape: the scanner's "secret"
BASE = "[embedded]\nenabled = false\n[openai]\nenabled = false\n[limits]\nenabled = false\n"
OBJECT = {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}


def make_engine(tmp_path: Path, providers: list, extra: str = "") -> Engine:
    config = tmp_path / "t.toml"
    config.write_text(BASE + extra)
    settings = load_settings(config, env={"HYBRIDBOT_DATABASE": str(tmp_path / "t.db")})
    return Engine(settings, Store(settings.bot.database), Catalog(providers, health_ttl=3600), load_agents(None))


def give_tools(engine: Engine, *tools: Tool, agent: str = "general") -> None:
    for tool in tools:
        engine.tools.add_builtin(tool)
    base = engine.agents.agents[agent]
    engine.agents.agents[agent] = replace(base, tools=(*base.tools, *(t.name for t in tools)))


def call(name: str, **arguments: object) -> list:
    return [ToolCall(f"c-{name}", name, dict(arguments)), Finish("tool_calls")]


def answer(text: str) -> list:
    return [TextDelta(text), Finish("stop")]


def tool_messages(prompt: list) -> list:
    return [m for m in prompt if m.role == "tool"]


async def test_a_call_runs_and_its_fenced_result_goes_back_to_the_model(tmp_path: Path) -> None:
    model = ScriptedProvider("a", steps=[call("calculator", expression="2+3"), answer("It is 5.")])
    engine = make_engine(tmp_path, [model])
    sink = RecordingSink()
    result = await engine.handle(Turn(KEY, "U1", "ann", "what is 2+3?"), sink)
    assert result.status == "done" and result.text == "It is 5."
    [sent] = tool_messages(model.calls[1])
    assert "<tool_result" in sent.content and "2+3 = 5" in sent.content and sent.tool_call_id == "c-calculator"
    assert [m.tool_calls for m in model.calls[1] if m.tool_calls][0][0].name == "calculator"
    assert {t["function"]["name"] for t in model.tools[0]} == {"calculator", "now"}  # general's tools
    assert result.route.tools == 1 and "🔧 1 tool" in result.route.footer
    [stored] = tool_calls_of_turn(engine.store, result.turn_id)
    assert (stored.tool, stored.outcome, stored.result, stored.locality) == ("calculator", "ok", "2+3 = 5", "local")


async def test_parallel_calls_run_concurrently_and_each_knows_whom_it_serves(tmp_path: Path) -> None:
    seen = []

    async def slow(args: dict) -> str:
        seen.append(CALL_CONTEXT.get())
        await asyncio.sleep(0.3)
        return args["x"]

    tool = Tool("slow", "waits", OBJECT, slow)
    steps = [[ToolCall("1", "slow", {"x": "a"}), ToolCall("2", "slow", {"x": "b"}), Finish("tool_calls")]]
    model = ScriptedProvider("a", steps=[*steps, answer("both done")])
    engine = make_engine(tmp_path, [model])
    give_tools(engine, tool)
    started = time.perf_counter()
    result = await engine.handle(Turn(KEY, "U7", "ann", "do both"), RecordingSink())
    assert time.perf_counter() - started < 0.55  # two 0.3 s calls at once, not one after the other
    assert [m.content.split("\n")[1] for m in tool_messages(model.calls[1])] == ["a", "b"]  # in call order
    assert {(c.user_id, c.turn_id, c.platform) for c in seen} == {("U7", result.turn_id, "console")}
    assert CALL_CONTEXT.get() is None  # reset after the calls


async def test_malformed_arguments_and_unknown_tools_become_errors_the_model_sees(tmp_path: Path) -> None:
    bad = [ToolCall("1", "calculator", raw_arguments="{expression: 2+"), ToolCall("2", "launch_rockets")]
    model = ScriptedProvider("a", steps=[[*bad, Finish("tool_calls")], answer("sorry")])
    engine = make_engine(tmp_path, [model])
    result = await engine.handle(Turn(KEY, "U1", "ann", "hi"), RecordingSink())
    assert result.status == "done"
    first, second = tool_messages(model.calls[1])
    assert 'status="error:bad_arguments"' in first.content and "not valid JSON" in first.content
    assert 'status="error:unknown_tool"' in second.content
    outcomes = [c.outcome for c in tool_calls_of_turn(engine.store, result.turn_id)]
    assert outcomes == ["bad_arguments", "unknown_tool"]


async def test_a_private_turn_is_offered_no_tool_that_sends_data_out_and_a_call_to_one_is_refused(
    tmp_path: Path,
) -> None:
    ran = []

    async def post(args: dict) -> str:
        ran.append(args)
        return "sent"

    upload = Tool("upload", "sends data away", OBJECT, post, sends_data_out=True)
    model = ScriptedProvider("a", steps=[call("upload", x="secret plans"), answer("ok")])
    engine = make_engine(tmp_path, [model])
    give_tools(engine, upload)
    result = await engine.handle(Turn(KEY, "U1", "ann", "upload it", private=True), RecordingSink())
    assert "upload" not in {t["function"]["name"] for t in model.tools[0]}
    assert 'status="error:refused"' in tool_messages(model.calls[1])[0].content and not ran
    assert result.status == "done"


async def test_a_tool_that_changes_things_runs_only_after_the_askers_approval(tmp_path: Path) -> None:
    ran = []

    async def delete(args: dict) -> str:
        ran.append(args["x"])
        return "deleted"

    tool = Tool("delete", "deletes", OBJECT, delete, changes_things=True)
    model = ScriptedProvider("a", steps=[call("delete", x="t1"), answer("done")])
    engine = make_engine(tmp_path, [model])
    give_tools(engine, tool)
    await engine.handle(Turn(KEY, "U1", "ann", "delete t1"), RecordingSink())  # a sink that cannot ask
    assert not ran and 'status="error:denied"' in tool_messages(model.calls[1])[0].content

    class ApprovingSink(RecordingSink):
        async def on_approval(self, request) -> None:  # someone else clicks first, then the asker
            assert engine.approvals.decide(request.id, "U2", True) == "not_allowed"
            asyncio.get_running_loop().call_soon(engine.approvals.decide, request.id, "U1", True)

    model.calls.clear()
    result = await engine.handle(Turn(KEY, "U1", "ann", "delete t1 again"), ApprovingSink())
    assert ran == ["t1"] and result.status == "done"


async def test_rounds_are_limited_and_the_last_step_answers_without_running_more(tmp_path: Path) -> None:
    count = []

    async def tick(args: dict) -> str:
        count.append(1)
        return "tick"

    tool = Tool("tick", "ticks", {"type": "object"}, tick)
    model = ScriptedProvider("a", steps=[call("tick")])  # always asks for another call
    engine = make_engine(tmp_path, [model], "[agents]\nmax_tool_rounds = 2\n")
    give_tools(engine, tool)
    result = await engine.handle(Turn(KEY, "U1", "ann", "tick forever"), RecordingSink())
    assert len(count) == 2 and len(model.calls) == 3
    assert any("max_tool_rounds" in n for n in result.notices)
    assert model.calls[2][-1].content.startswith("No more tools")


async def test_the_turns_tool_time_budget_bounds_every_call(tmp_path: Path) -> None:
    async def hang(args: dict) -> str:
        await asyncio.sleep(30)
        return "never"

    tool = Tool("hang", "hangs", {"type": "object"}, hang, timeout=30)
    model = ScriptedProvider("a", steps=[call("hang"), call("hang"), answer("gave up")])
    engine = make_engine(tmp_path, [model], "[tools]\ntime_budget = 0.3\n")
    give_tools(engine, tool)
    started = time.perf_counter()
    result = await engine.handle(Turn(KEY, "U1", "ann", "wait"), RecordingSink())
    assert time.perf_counter() - started < 2
    assert 'status="error:timeout"' in tool_messages(model.calls[1])[0].content
    assert len(model.calls) == 2 and any("time_budget" in n for n in result.notices)  # no second round


async def test_a_sensitive_result_moves_the_rest_of_the_turn_to_a_local_model(tmp_path: Path) -> None:
    async def read_env(args: dict) -> str:
        return f"GITHUB_TOKEN={TOKEN}"

    tool = Tool("read_env", "reads config", {"type": "object"}, read_env)
    cloud = ScriptedProvider("c", locality="cloud", steps=[call("read_env"), answer("cloud never sees it")])
    local = ScriptedProvider("l", steps=[answer("the token is set")])
    engine = make_engine(tmp_path, [local, cloud], '[routing]\ndefault_model = "cloud"\n')
    give_tools(engine, tool)
    result = await engine.handle(Turn(KEY, "U1", "ann", "is the token set?"), RecordingSink())
    assert len(cloud.calls) == 1 and TOKEN not in repr(cloud.calls)
    assert TOKEN in repr(local.calls[0]) and result.text == "the token is set"
    assert result.route.locality == "local" and "tool-result-sensitive" in result.route.reasons
    assert engine.store.conversation(KEY).sticky_private
    assert engine.store.turn(result.turn_id).provider == "l"


async def test_a_sensitive_result_with_no_local_model_stops_the_turn(tmp_path: Path) -> None:
    async def read_env(args: dict) -> str:
        return f"GITHUB_TOKEN={TOKEN}"

    tool = Tool("read_env", "reads config", {"type": "object"}, read_env)
    cloud = ScriptedProvider("c", locality="cloud", steps=[call("read_env"), answer("leaked")])
    engine = make_engine(tmp_path, [cloud])
    give_tools(engine, tool)
    result = await engine.handle(Turn(KEY, "U1", "ann", "is the token set?"), RecordingSink())
    assert result.status == "error" and "no local model" in result.error
    assert len(cloud.calls) == 1 and TOKEN not in repr(cloud.calls)


async def test_a_model_failing_after_tools_ran_ends_the_turn_without_running_them_again(tmp_path: Path) -> None:
    count = []

    async def tick(args: dict) -> str:
        count.append(1)
        return "tick"

    tool = Tool("tick", "ticks", {"type": "object"}, tick)
    model = ScriptedProvider("a", steps=[call("tick")])
    backup = ScriptedProvider("b", steps=[call("tick"), answer("from b")])
    engine = make_engine(tmp_path, [model, backup], '[routing]\nlocal_model = "a:m"\n')
    give_tools(engine, tool)
    original = model.stream_chat

    async def fail_second(*args, **kw):
        if len(model.calls) >= 1:
            model.calls.append(args[1])
            raise ProviderError(ErrorKind.SERVER, "boom", provider="a")
        async for event in original(*args, **kw):
            yield event

    model.stream_chat = fail_second  # type: ignore[method-assign]
    result = await engine.handle(Turn(KEY, "U1", "ann", "tick"), RecordingSink())
    assert result.status == "error" and count == [1] and not backup.calls


async def test_a_model_without_native_tools_uses_the_text_protocol(tmp_path: Path) -> None:
    json_call = '{"tool": "calculator", "arguments": {"expression": "6*7"}}'
    model = ScriptedProvider(
        "a", tools_capable=False, steps=[[TextDelta(json_call[:9]), TextDelta(json_call[9:]), Finish()], answer("42")]
    )
    engine = make_engine(tmp_path, [model])
    sink = RecordingSink()
    result = await engine.handle(Turn(KEY, "U1", "ann", "6 times 7?"), sink)
    assert result.text == "42" and sink.text == "42"  # the JSON call was never shown
    assert model.tools == [None, None]  # no native definitions
    assert "calculator" in model.calls[0][0].content and '"tool"' in model.calls[0][0].content
    assert model.calls[1][-2].role == "assistant" and model.calls[1][-1].role == "user"
    assert "6*7 = 42" in model.calls[1][-1].content


async def test_logs_carry_tool_names_and_timings_never_arguments_or_results(tmp_path: Path, caplog) -> None:
    async def secretive(args: dict) -> str:
        return "RESULT-MARKER-7731"

    tool = Tool("secretive", "returns a marker", OBJECT, secretive)
    model = ScriptedProvider("a", steps=[call("secretive", x="ARGUMENT-MARKER-4410"), answer("ok")])
    engine = make_engine(tmp_path, [model])
    give_tools(engine, tool)
    with caplog.at_level("INFO"):
        await engine.handle(Turn(KEY, "U1", "ann", "go"), RecordingSink())
    assert "secretive" in caplog.text and "seconds=" in caplog.text
    assert "ARGUMENT-MARKER" not in caplog.text and "RESULT-MARKER" not in caplog.text
