"""Discord: first visible text at 20 concurrent mentions, hybridbot against llmcord in the same run.

Both bots answer 20 mentions sent at once in 20 channels of the Discord stand-in, with its rate limits on
(5 requests per 5 s per route, 50 per second globally, 429 past them), from the same OpenAI stand-in
(40 tokens, 10 ms apart). "First visible text" is from the mention's MESSAGE_CREATE to the first REST call
carrying answer text for it (hybridbot: the first message in the thread it opens; llmcord: its reply's
embed). Rounds alternate the two bots; the ratio of worst first texts is taken round by round.
Goal: hybridbot's worst ≤ 0.6× llmcord's, 0 × 429.

llmcord (github.com/jakobdylanc/llmcord, one file, MIT) is not part of this repository: give its
llmcord.py with --llmcord PATH (it needs `pip install pyyaml python-dotenv`, the `bench` extra). It runs
in a subprocess pointed at the stand-ins. Without it, hybridbot's figures are printed alone and say so.
Run: .venv/bin/python benchmarks/discord_vs_llmcord.py --llmcord /path/to/llmcord.py [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from discord_common import NO_LIMITS, connected, percentile, wait_for

from adapters.discord.config import DiscordConfig
from bot.app import build_app
from bot.config import load_settings
from bot.engine import Engine
from tests.fakes.discord_server import TOKEN, FakeDiscord
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[1]
MENTIONS = 20
ANSWER = " ".join(f"token{i}" for i in range(40))
LAUNCH = (  # llmcord reads config.yaml from its working directory and has no base-URL option for Discord
    "import runpy, sys; sys.path.insert(0, {root!r});"
    "from adapters.discord.runner import point_at; point_at({api!r}, {gateway!r});"
    "runpy.run_path({script!r}, run_name='__main__')"
)


def openai_engine(model: FakeOpenAI) -> Engine:
    folder = Path(tempfile.mkdtemp())
    config = folder / "bench.toml"
    config.write_text(NO_LIMITS + '[ollama]\nenabled = false\n[routing]\ndefault_model = "openai:gpt-4o-mini"\n')
    env = {"HYBRIDBOT_DATABASE": str(folder / "bench.db"), "OPENAI_BASE_URL": model.base_url, "OPENAI_API_KEY": "sk-x"}
    return build_app(load_settings(config, env=env)).engine


async def warm_up(fake: Any, channel: dict[str, Any], answered: Any) -> None:
    """One mention answered before the measured ones: both bots have loaded everything they load lazily."""
    message = await fake.say(fake.user("warm"), "warm up", channel=channel, mention_bot=True)
    await wait_for(lambda: answered(message["id"]), 30)


async def mention_all(fake: Any, channels: list[dict[str, Any]]) -> dict[str, float]:
    """Send one mention per channel at once; message id → when it was dispatched."""
    sent: dict[str, float] = {}

    async def one(i: int, channel: dict[str, Any]) -> None:
        at = time.monotonic()
        message = await fake.say(fake.user(f"user{i}"), f"question {i}", channel=channel, mention_bot=True)
        sent[message["id"]] = at

    await asyncio.gather(*(one(i, c) for i, c in enumerate(channels)))
    return sent


def first_texts(fake: Any, sent: dict[str, float], answer_of: Any) -> list[float]:
    """Milliseconds from each mention to the first call showing answer text for it."""
    shown: dict[str, float] = {}
    for call in fake.calls:
        mention = answer_of(call)
        if mention in sent and mention not in shown and "token0" in json.dumps(call.json or {}):
            shown[mention] = (call.at - sent[mention]) * 1000
    missing = set(sent) - set(shown)
    assert not missing, f"{len(missing)} mentions got no answer text"
    return list(shown.values())


async def hybridbot_round(model: FakeOpenAI) -> tuple[list[float], int]:
    cfg = DiscordConfig(guild_ready_timeout=0.05, sync_commands_on_start=False)
    async with connected(openai_engine(model), cfg, MENTIONS + 1) as (fake, bot, channels):
        fake.rate_limits = True
        answered = lambda mid: any("\n-# " in m["content"] for m in fake.bot_messages(mid))  # noqa: E731
        await warm_up(fake, channels[-1], answered)
        await asyncio.sleep(5.0)  # the warm-up's calls leave the stand-in's 5-second windows
        sent = await mention_all(fake, channels[:-1])
        await wait_for(lambda: all(answered(mid) for mid in sent), 60)

        def answer_of(call: Any) -> str | None:  # the thread opened from a mention has the mention's id
            parts = call.path.split("/")
            return parts[2] if call.method == "POST" and len(parts) == 4 and parts[3] == "messages" else None

        return first_texts(fake, sent, answer_of), len(fake.too_many)


async def llmcord_round(model: FakeOpenAI, script: Path) -> tuple[list[float], int]:
    async with FakeDiscord() as fake:
        channels = [fake._channel(f"bench-{i}", 0) for i in range(MENTIONS + 1)]
        folder = Path(tempfile.mkdtemp())
        (folder / "config.yaml").write_text(llmcord_config(model))
        code = LAUNCH.format(root=str(ROOT), api=fake.api_url, gateway=fake.gateway_url, script=str(script))
        log = (folder / "llmcord.log").open("w")
        child = await asyncio.create_subprocess_exec(sys.executable, "-c", code, cwd=folder, stdout=log, stderr=log)
        try:
            await wait_for(lambda: fake.connected and any(c.path.endswith("/commands") for c in fake.calls), 30)
            await asyncio.sleep(0.5)  # READY handled, commands synced
            fake.rate_limits = True
            # llmcord's last edit turns the embed green (complete)
            answered = lambda m: any(  # noqa: E731
                str(0x1F8B4C) in json.dumps(c.json or {}) and replies_to(c, fake) == m for c in fake.calls
            )
            await warm_up(fake, channels[-1], answered)
            await asyncio.sleep(5.0)
            sent = await mention_all(fake, channels[:-1])
            await wait_for(lambda: all(answered(m) for m in sent), 60)
            return first_texts(fake, sent, lambda call: replies_to(call, fake)), len(fake.too_many)
        finally:
            child.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(child.wait(), 5)
            log.close()


def replies_to(call: Any, fake: Any) -> str | None:
    """The mention an llmcord call answers: its reply's reference, or (for edits) the edited reply's."""
    body = call.json or {}
    if call.method == "POST" and body.get("message_reference"):
        return str(body["message_reference"].get("message_id"))
    if call.method == "PATCH":
        edited = fake.messages.get(call.path.rsplit("/", 1)[-1]) or {}
        return (edited.get("message_reference") or {}).get("message_id")
    return None


def llmcord_config(model: FakeOpenAI) -> str:
    return (
        f"bot_token: {TOKEN}\nstatus_message: bench\nmax_text: 100000\nmax_images: 0\nmax_messages: 25\n"
        "use_plain_responses: false\nallow_dms: true\n"
        "permissions:\n  users: {admin_ids: [], allowed_ids: [], blocked_ids: []}\n"
        "  roles: {allowed_ids: [], blocked_ids: []}\n  channels: {allowed_ids: [], blocked_ids: []}\n"
        f"providers:\n  openai:\n    base_url: {model.base_url}\n    api_key: sk-bench\n"
        "models:\n  openai/gpt-4o-mini:\nsystem_prompt: Be brief.\n"
    )


def summary(label: str, ms: list[float], limited: int) -> str:
    return (
        f"  {label:<9} first text p50 {statistics.median(ms):6.0f} ms, p95 {percentile(ms, 0.95):6.0f} ms, "
        f"worst {max(ms):6.0f} ms, {limited} × 429"
    )


async def main(script: Path | None, rounds: int, mentions: int) -> None:
    global MENTIONS
    MENTIONS = mentions
    logging.disable(logging.WARNING)
    if script is None:
        print("llmcord: not given (--llmcord PATH to its llmcord.py): hybridbot alone, no ratio")
    ratios = []
    print(f"discord, {MENTIONS} concurrent mentions in {MENTIONS} channels, stand-in limits on, {rounds} round(s):")
    for number in range(1, rounds + 1):
        async with FakeOpenAI() as model:
            model.reply, model.token_delay = ANSWER, 0.01
            ours, our_429 = await hybridbot_round(model)
            print(f" round {number}:\n" + summary("hybridbot", ours, our_429))
            if script is not None:
                theirs, their_429 = await llmcord_round(model, script)
                print(summary("llmcord", theirs, their_429))
                ratios.append(max(ours) / max(theirs))
    if ratios:
        print(
            f"worst first text, hybridbot / llmcord: {min(ratios):.2f}–{max(ratios):.2f} "
            f"(median {statistics.median(ratios):.2f}; goal ≤ 0.60)"
        )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llmcord", type=Path, default=os.environ.get("LLMCORD"), help="path of llmcord.py")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round of 5 mentions (the test suite runs it)")
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    asyncio.run(main(args.llmcord, 1 if args.quick else args.rounds, 5 if args.quick else MENTIONS))
