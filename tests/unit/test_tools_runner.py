"""The tool runner: arguments validated against the schema, timeout and output cap, concurrency."""

import asyncio
import time

import pytest

from bot.tools.base import Tool
from bot.tools.runner import run_tool, run_tools

SCHEMA = {
    "type": "object",
    "properties": {"n": {"type": "integer", "minimum": 0}, "word": {"type": "string"}},
    "required": ["n"],
    "additionalProperties": False,
}


def make_tool(run, **kw) -> Tool:
    return Tool(name="t", description="test tool", parameters=SCHEMA, run=run, **kw)


async def echo(args):
    return f"n={args['n']}"


@pytest.mark.parametrize("raw", ['{"n": 3}', {"n": 3}])
async def test_arguments_as_json_string_or_object_run_the_tool(raw):
    result = await run_tool(make_tool(echo), raw)
    assert (result.text, result.is_error) == ("n=3", False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"n": ', "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({"n": "three"}, "n: 'three' is not of type 'integer'"),
        ({"n": -1}, "n: -1 is less than the minimum of 0"),
        ({}, "'n' is a required property"),
        ({"n": 1, "extra": True}, "Additional properties are not allowed"),
    ],
)
async def test_invalid_arguments_become_an_error_result_and_the_tool_never_runs(raw, expected):
    ran = []

    async def record(args):
        ran.append(args)
        return "ran"

    result = await run_tool(make_tool(record), raw)
    assert result.is_error and result.error_kind == "bad_arguments"
    assert expected in result.text and "Call it again" in result.text
    assert ran == []


async def test_a_tool_with_a_broken_schema_is_an_error_not_a_crash():
    tool = Tool(name="b", description="", parameters={"type": "nonsense"}, run=echo)
    result = await run_tool(tool, {})
    assert result.error_kind == "bad_arguments" and "schema is invalid" in result.text


async def test_a_hanging_tool_costs_its_timeout_and_returns_a_timeout_error():
    async def hang(args):
        await asyncio.sleep(60)
        return "never"

    started = time.perf_counter()
    result = await run_tool(make_tool(hang, timeout=0.2), {"n": 1})
    took = time.perf_counter() - started
    assert result.error_kind == "timeout" and "0.2 s" in result.text
    assert 0.2 <= took < 1.0


async def test_a_failing_tool_becomes_an_error_result_with_its_message():
    async def boom(args):
        raise RuntimeError("disk full")

    result = await run_tool(make_tool(boom), {"n": 1})
    assert result.error_kind == "failed" and result.text == "t failed: disk full"


async def test_output_over_the_cap_is_cut_and_says_so():
    async def long(args):
        return "x" * 1000

    result = await run_tool(make_tool(long, output_cap=100), {"n": 1})
    assert result.truncated and result.text.startswith("x" * 100)
    assert result.text.endswith("[output cut at 100 of 1000 characters]")
    assert len(result.text) < 150


async def test_parallel_calls_run_concurrently_and_keep_their_order():
    async def slow(args):
        await asyncio.sleep(0.3)
        return f"n={args['n']}"

    tool = make_tool(slow)
    started = time.perf_counter()
    results = await run_tools([(tool, {"n": i}) for i in range(5)])
    took = time.perf_counter() - started
    assert [r.text for r in results] == [f"n={i}" for i in range(5)]
    assert took < 1.0  # one after another would take 1.5 s


async def test_one_bad_call_among_parallel_calls_does_not_spoil_the_others():
    results = await run_tools([(make_tool(echo), {"n": 1}), (make_tool(echo), "{oops"), (make_tool(echo), {"n": 2})])
    assert [r.is_error for r in results] == [False, True, False]
