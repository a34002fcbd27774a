"""A 20-page PDF shared in Slack: extraction time, and how long after the model's first token is possible the
first text is visible.

The PDF (20 pages of report-like text, ~60,000 characters) is written here, by hand (tests/fakes/documents.py).
Measured, each over several runs in this process:
- extraction alone: pypdf through bot/documents, in-process (what `attachments.extract_timeout` bounds);
- the whole file step: download from the Slack stand-in with the bot token, extract, cut to the size budget,
  scan for private data (bot/attachment_ingest.py);
- end to end through slack-bolt: the event arrives → the Ollama stand-in receives the prompt (the model's first
  token is possible from then: everything before is ours) → the first chat.postMessage of the answer reaches the
  Slack stand-in (first visible text). Goal: first visible text ≤ 2 s after the event.

Run: .venv/bin/python benchmarks/attachment_pdf.py [--quick]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

from _instant import quick_flag
from slack_common import FakeOllama, FakeSlack, finished, slack_settings, start_adapter, wait_for

from bot.attachment_ingest import prepare
from bot.attachments import Attachment
from bot.config import AttachmentsConfig
from bot.documents import extract
from bot.session import SessionKey
from bot.turns import Turn
from tests.fakes.documents import make_pdf
from tests.fakes.slack_server import BOT_USER, event_callback

PAGES = 20
SENTENCE = (
    "The regional team reviewed quarterly figures for logistics, staffing and supplier contracts, and agreed "
    "to revisit the forecast after the audit."
)


def report_pdf(pages: int = PAGES) -> bytes:
    body = []
    for page in range(1, pages + 1):
        lines = [f"Section {page}: operations review"] + [f"{page}.{n} {SENTENCE}" for n in range(1, 23)]
        body.append("\n".join(lines))
    return make_pdf(body, title="Operations review")


def ms(seconds: float) -> float:
    return seconds * 1000


def extraction_runs(pdf: bytes, runs: int) -> tuple[list[float], int]:
    times, chars = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        chars = extract(pdf, "review.pdf", "application/pdf").chars
        times.append(ms(time.perf_counter() - started))
    return times, chars


async def ingest_runs(fake: FakeSlack, pdf: bytes, runs: int) -> list[float]:
    """Download + extract + budget + scan, as the engine does before routing."""
    import aiohttp

    from bot.http_download import download

    shared = fake.share_file("review.pdf", pdf, "application/pdf")
    times = []
    async with aiohttp.ClientSession() as session:

        async def fetch(max_bytes: int) -> bytes:
            auth = {"Authorization": "Bearer xoxb-test-token"}
            return await download(session, shared["url_private"], max_bytes=max_bytes, headers=auth)

        for _ in range(runs):
            turn = Turn(SessionKey("slack", "T", "C"), "U", "u", "summarise", attachments=(
                Attachment("review.pdf", "application/pdf", len(pdf), fetch=fetch),))  # fmt: skip
            started = time.perf_counter()
            prepared = await prepare(AttachmentsConfig(), turn)
            times.append(ms(time.perf_counter() - started))
            assert prepared.reports[0].status in ("read", "cut"), prepared.reports[0]
    return times


async def end_to_end(pdf: bytes, runs: int) -> tuple[list[float], list[float]]:
    """Per run: (event → prompt at the model, event → first visible text) in ms."""
    prompt_at: dict[str, float] = {}

    def reply(body: dict[str, Any]) -> str:
        text = next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")
        prompt_at[text.split()[0]] = time.perf_counter()
        return " ".join(f"token{i}" for i in range(20))

    to_prompt, to_text = [], []
    async with FakeSlack() as fake, FakeOllama() as ollama:
        ollama.reply, ollama.token_delay = reply, 0.01
        adapter = await start_adapter(slack_settings(fake, ollama))
        url = f"http://127.0.0.1:{adapter.port}/slack/events"
        try:
            for run in range(runs):
                shared = fake.share_file(f"review{run}.pdf", pdf, "application/pdf")
                ts, tag = fake.new_ts(), f"run{run}"
                event = {"type": "app_mention", "user": "U0ALICE", "text": f"<@{BOT_USER}> {tag} summarise this",
                         "ts": ts, "channel": f"C{run:03d}", "event_ts": ts, "files": [shared]}  # fmt: skip
                sent = time.perf_counter()
                status, _ = await fake.post_http(url, json.dumps(event_callback(event)))
                assert status == 200
                await wait_for(lambda ts=ts: _first_post(fake, ts) is not None, within=60)
                await wait_for(lambda run=run: finished(fake) > run, within=60)  # answered whole before the next
                to_prompt.append(ms(prompt_at[tag] - sent))
                to_text.append(ms(_first_post(fake, ts) - sent))
        finally:
            await adapter.stop()
            await adapter.bot.engine.aclose()
    return to_prompt, to_text


def _first_post(fake: FakeSlack, ts: str) -> float | None:
    return next(
        (
            c.at
            for c in fake.calls
            if c.method in ("chat.postMessage", "chat.startStream") and c.args.get("thread_ts") == ts
        ),
        None,
    )


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} ms (min {min(values):.0f}, max {max(values):.0f}, n={len(values)})"


async def main(quick: bool) -> None:
    runs = 3 if quick else 10
    pdf = report_pdf()
    times, chars = extraction_runs(pdf, runs)
    print(f"20-page PDF: {len(pdf) / 1000:.0f} KB, {chars:,} characters of text")
    print(f"extraction (pypdf via bot/documents): {spread(times)}")
    async with FakeSlack() as fake:
        print(f"file step (download + extract + budget + privacy scan): {spread(await ingest_runs(fake, pdf, runs))}")
    to_prompt, to_text = await end_to_end(pdf, runs)
    print(f"Slack event → prompt at the model (first token possible): {spread(to_prompt)}")
    print(f"Slack event → first visible text: {spread(to_text)} (goal ≤ 2000 ms)")
    over = sum(1 for v in to_text if v > 2000)
    print(f"runs over the 2 s goal: {over} of {len(to_text)}")


if __name__ == "__main__":
    asyncio.run(main(quick_flag(__doc__)))
