"""Time from the model's first token to the first visible text in Slack, with 1 and 50 concurrent threads.

The Ollama stand-in notes when it starts streaming each answer (its first token leaves then); the Slack
stand-in notes when the first chat.postMessage (or chat.startStream) of that thread arrives. Production settings (first text
after 40 ms, edits once a second, one new message per second per channel); the 50 threads are in 50
channels, as Slack paces new messages per channel. Goal: ≤ 150 ms at 1, ≤ 500 ms at 50 (p95).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from typing import Any

from _instant import quick_flag
from slack_common import FakeOllama, FakeSlack, finished, mention, percentile, slack_settings, start_adapter, wait_for


async def run(threads: int) -> list[float]:
    token_at: dict[str, float] = {}

    def reply(body: dict[str, Any]) -> str:
        text = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
        token_at[re.findall(r"q\d+", text)[-1]] = time.perf_counter()
        return " ".join(f"token{i}" for i in range(30))

    async with FakeSlack() as fake, FakeOllama() as ollama:
        ollama.reply, ollama.token_delay = reply, 0.02
        adapter = await start_adapter(slack_settings(fake, ollama))
        url = f"http://127.0.0.1:{adapter.port}/slack/events"
        try:
            asked = await asyncio.gather(*(mention(fake, url, f"C{i:03d}", f"q{i}") for i in range(threads)))
            await wait_for(lambda: finished(fake) >= threads)
        finally:
            await adapter.stop()
            await adapter.bot.engine.aclose()
        first_post = {}
        for call in fake.calls:  # the answer's first message: posted, or a native stream started
            if call.method in ("chat.postMessage", "chat.startStream"):
                first_post.setdefault(call.args.get("thread_ts"), call.at)
        return [(first_post[ts] - token_at[f"q{i}"]) * 1000 for i, ts in enumerate(asked)]


async def main(quick: bool) -> None:
    await run(1)  # warm-up
    for threads, goal in ((1, 150), (5 if quick else 50, 500)):
        ms = await run(threads)
        print(f"slack first token → first text, {threads:>2} thread(s): median {statistics.median(ms):.0f} ms, "
              f"p95 {percentile(ms, 0.95):.0f} ms, max {max(ms):.0f} ms (goal ≤ {goal} ms)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
