"""Cost of the built-in tools' own work: task calls on a real SQLite store, due-date parsing, and fetch_url
against a stand-in web server on 127.0.0.1 (HTTP round trip, streaming, trafilatura extraction).

Prints p50/p95 in milliseconds per call (wall), and the one-off cost of dateparser's first non-English
parse (it loads 20 languages' data once per process). The machine is shared: compare ratios within a run.
Run: .venv/bin/python benchmarks/builtin_tools.py [--quick]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from _instant import percentile, quick_flag

from bot.config import FetchUrlConfig
from bot.store import Store
from bot.tasks_logic import parse_due
from bot.tools.base import CALL_CONTEXT, CallContext
from bot.tools.fetch_url import UrlFetcher, make_fetch_url_tool
from bot.tools.runner import run_tool
from bot.tools.tasks import make_task_tools
from tests.fakes.web_server import FakeWeb, allow_only, article_html, lookup_table

NOW = dt.datetime(2026, 12, 3, 18, 30, tzinfo=dt.UTC)


async def timed(n: int, call: Callable[[int], Awaitable[object]]) -> list[float]:
    times = []
    for i in range(n):
        started = time.perf_counter()
        await call(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    print(f"{name:<38} p50 {percentile(times, 0.5):7.2f} ms   p95 {percentile(times, 0.95):7.2f} ms   (n={len(times)})")


async def task_calls(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        tools = {t.name: t for t in make_task_tools(store, "Europe/Paris", clock=lambda: NOW)}
        token = CALL_CONTEXT.set(CallContext("bench", "w", "c", "U1", 1, private=False))
        try:
            report(
                "tasks_add (no due date)", await timed(n, lambda i: run_tool(tools["tasks_add"], {"title": f"t{i}"}))
            )
            due = {"title": "call", "due": "tomorrow 5pm"}
            report("tasks_add (due 'tomorrow 5pm')", await timed(n, lambda i: run_tool(tools["tasks_add"], due)))
            report(f"tasks_list ({2 * n} open tasks)", await timed(n, lambda i: run_tool(tools["tasks_list"], {})))
            done = await timed(n, lambda i: run_tool(tools["tasks_complete"], {"task": i + 1}))
            report("tasks_complete", done)
        finally:
            CALL_CONTEXT.reset(token)
            store.close()


def first_other_language() -> None:
    started = time.perf_counter()
    parse_due("24 décembre", "Europe/Paris", NOW)
    first = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    parse_due("3 janvier", "Europe/Paris", NOW)
    print(f"first non-English due date: {first:.0f} ms once, then {(time.perf_counter() - started) * 1000:.1f} ms")


async def fetches(n: int) -> None:
    async with FakeWeb() as web:
        web.page("/tides", article_html())
        web.page("/notes.txt", "line\n" * 200, "text/plain")
        config = FetchUrlConfig(enabled=True)
        fetcher = UrlFetcher(config, check=allow_only("127.0.0.1"), lookup=lookup_table({"news.test": "127.0.0.1"}))
        tool = make_fetch_url_tool(config, fetcher)
        article, text = web.url("/tides", "news.test"), web.url("/notes.txt", "news.test")
        await run_tool(tool, {"url": article})  # imports trafilatura once
        report("fetch_url (plain text page)", await timed(n, lambda i: run_tool(tool, {"url": text})))
        report("fetch_url (article, extraction)", await timed(n, lambda i: run_tool(tool, {"url": article})))


async def main(quick: bool) -> None:
    n = 20 if quick else 300
    first_other_language()
    await task_calls(n)
    await fetches(n // 2)


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
