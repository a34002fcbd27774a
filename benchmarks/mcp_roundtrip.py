"""MCP stdio round trip to a trivial tool, after start-up (goal: p50 ≤ 5 ms), and what a hung tool costs.

A real FastMCP server (tests/fakes/mcp_server.py) runs as a subprocess. Per run, the same ``echo``
call is timed three ways, in the same process and order-alternated so noise hits all alike:
  - sdk:    the SDK's ``Client.call_tool`` alone (the baseline),
  - conn:   ``McpConnection.call`` (our connection layer),
  - runner: ``run_tool`` on the namespaced Tool (schema validation, timeout, cap: what a turn pays).
Then a ``hang`` call with a short server timeout shows that a hung tool costs its timeout, and a
server that never answers the handshake (listed through ``McpManager``, as a turn lists tools) shows
that a hung server costs its timeout too.

    .venv/bin/python benchmarks/mcp_roundtrip.py            # 5 runs x 500 calls
    .venv/bin/python benchmarks/mcp_roundtrip.py --quick    # 1 run x 30 calls (the test suite runs this)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.tools.mcp_client import McpConnection  # noqa: E402
from bot.tools.mcp_config import McpConfig, McpServerConfig  # noqa: E402
from bot.tools.mcp_manager import McpManager  # noqa: E402
from bot.tools.runner import run_tool  # noqa: E402

FAKE = str(Path(__file__).resolve().parents[1] / "tests" / "fakes" / "mcp_server.py")
GOAL_P50_MS = 5.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def one_run(calls: int, hang_timeout: float) -> dict[str, float]:
    config = McpServerConfig(name="bench", command=sys.executable, args=[FAKE], locality="local", timeout=30)
    connection = McpConnection(config)
    try:
        tools = {t.name: t for t in await connection.tools()}
        client = await connection._ensure_started()  # the same SDK client, for the baseline
        echo = tools["bench.echo"]
        for _ in range(20):  # warm-up
            await connection.call("echo", {"text": "hi"})
        timings: dict[str, list[float]] = {"sdk": [], "conn": [], "runner": []}
        ways = {
            "sdk": lambda: client.call_tool("echo", {"text": "hi"}),
            "conn": lambda: connection.call("echo", {"text": "hi"}),
            "runner": lambda: run_tool(echo, {"text": "hi"}),
        }
        for i in range(calls):
            order = list(ways) if i % 2 == 0 else list(reversed(ways))
            for way in order:
                t0 = time.perf_counter()
                await ways[way]()
                timings[way].append(time.perf_counter() - t0)
        cpu0 = time.process_time()
        for _ in range(calls):
            await run_tool(echo, {"text": "hi"})
        client_cpu = (time.process_time() - cpu0) / calls
        hang_tool = tools["bench.hang"]
        short = type(hang_tool)(**{**hang_tool.__dict__, "timeout": hang_timeout})
        t0 = time.perf_counter()
        hung = await run_tool(short, {})
        hang_cost = time.perf_counter() - t0
        assert hung.error_kind == "timeout", hung
    finally:
        await connection.close()
    result = {f"{way}_p50": percentile(ts, 0.5) * 1000 for way, ts in timings.items()}
    result |= {f"{way}_p99": percentile(ts, 0.99) * 1000 for way, ts in timings.items()}
    result["hang_cost"] = hang_cost
    result["client_cpu"] = client_cpu * 1000
    return result


async def hung_server_cost(limit: float) -> float:
    """What listing tools costs when one server never answers the handshake."""
    never = McpServerConfig(name="hung", command=sys.executable, args=["-c", "import time; time.sleep(600)"])
    manager = McpManager(McpConfig(servers=[never.model_copy(update={"timeout": limit})]))
    t0 = time.perf_counter()
    tools = await manager.list_tools()
    cost = time.perf_counter() - t0
    assert tools == [] and "hung" in manager.unavailable
    await manager.aclose()
    return cost


def summary(runs: list[dict[str, float]], key: str) -> str:
    values = [r[key] for r in runs]
    return f"{statistics.median(values):.3f} (min {min(values):.3f}, max {max(values):.3f})"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 run x 30 calls, a short hang timeout")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the hung server's expected "did not start" warnings
    runs_n, calls, hang_timeout = (1, 30, 0.3) if args.quick else (args.runs, args.calls, 1.0)
    runs = [await one_run(calls, hang_timeout) for _ in range(runs_n)]
    server_costs = [await hung_server_cost(hang_timeout) for _ in range(runs_n)]
    print(
        f"MCP stdio round trip to a trivial tool, {runs_n} run(s) x {calls} calls each; ms, median of runs (min, max)"
    )
    for way in ("sdk", "conn", "runner"):
        print(f"  {way:<7} p50 {summary(runs, f'{way}_p50')}   p99 {summary(runs, f'{way}_p99')}")
    ratios = [r["runner_p50"] / r["sdk_p50"] for r in runs]
    print(
        f"  runner/sdk p50 ratio, same run: {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})"
    )
    print(
        f"  this process's CPU per call through run_tool: {summary(runs, 'client_cpu')} "
        "(the rest of the wall time is the server process and waiting for a core)"
    )
    worst = max(r["runner_p50"] for r in runs)
    print(
        f"  goal p50 ≤ {GOAL_P50_MS} ms through run_tool: {'met' if worst <= GOAL_P50_MS else 'NOT met'} (worst run {worst:.3f})"
    )
    costs = [r["hang_cost"] for r in runs]
    print(f"  a hung tool with timeout {hang_timeout:g} s cost {min(costs):.3f}-{max(costs):.3f} s")
    print(
        f"  a server that never answers, timeout {hang_timeout:g} s, cost the tool listing "
        f"{min(server_costs):.3f}-{max(server_costs):.3f} s"
    )


if __name__ == "__main__":
    asyncio.run(main())
