"""Soak: a bounded mixed load with faults; RSS and open file descriptors at the end versus the start.

Built like burst.py: the model stand-ins (OpenAI and Ollama protocols) run in their own process, the
engine in another, so the RSS and descriptors sampled are the bot's own. For `--seconds` (default
600) a pool of workers drives the engine across many sessions with a mix of:
local (simple) and cloud (complex) turns, DMs (private), messages carrying a secret, commands
(/model, /why, /usage, /reset), feedback, regenerate (🔁) and cancellations mid-answer (a 🛑 stops
whatever is streaming in that session, so now and then another worker's turn is the one cancelled).
Both stand-ins fail about `--fault-rate` of model requests, the kind rotating every 20 s through
5xx, 429 (Retry-After 0), connection resets, drops and stalls mid-stream and stalls before any byte.

Every `--sample` seconds the engine process samples VmRSS (/proc/self/status) and its open
descriptors (/proc/self/fd). Printed: start, end and max of each, and a least-squares growth per
minute over the samples after the warm-up (goal: flat); turns done and outcomes by kind; and a
privacy check (no DM or secret turn ever answered by a cloud model).

Bounded: workers stop starting work at the deadline, in-flight work gets a grace period and is
then cancelled, and the parent kills the child if it has not reported well after the deadline.
Run: .venv/bin/python benchmarks/soak.py [--seconds 600]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORKERS = 24
CHANNELS, THREADS_PER_CHANNEL, DM_USERS, DEPLOY_CHANNELS = 40, 5, 20, 20  # 260 sessions in all
ANSWER_WORDS = 24
TOKEN_DELAY = 0.02  # ~0.5 s per streamed answer
GRACE = 20.0  # seconds in-flight work may take after the deadline before it is cancelled
FAULT_PERIOD = 20.0  # seconds each fault kind lasts before the next
FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("status", {"status": 500}),
    ("status", {"status": 429, "retry_after": 0}),
    ("reset", {}),
    ("drop_midstream", {"after": 3}),
    ("stall_midstream", {"after": 3, "seconds": 3}),  # beyond idle_timeout = 1: a timeout mid-answer
    ("stall", {"seconds": 3}),  # beyond timeout = 2: a timeout before any byte
    ("error_midstream", {"after": 3}),
]
SIMPLE = "what's a good name for a cat?"
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```"
)
AWS_KEY = "AKIA" + "QYLPMN5HFIQR7XYZ"  # format-valid, not a real key
# action → weight; every worker picks one per step
MIX = {
    "local": 22,
    "cloud": 22,
    "dm": 10,
    "secret": 6,
    "command": 14,
    "feedback": 8,
    "regenerate": 8,
    "cancel": 10,
}
COMMANDS = ["/model local", "/model cloud", "/model auto", "/why", "/usage", "/reset"]


# --- the model stand-ins, in their own process, faults rotating ------------------------------------


def serve_models(ready: Any, fault_rate: float) -> None:
    import logging

    from tests.fakes.ollama_server import FakeOllama
    from tests.fakes.openai_server import FakeOpenAI

    # A client that timed out on a stall has gone when the stand-in writes: aiohttp logs that; it is expected.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)

    async def main() -> None:
        answer = " ".join(f"word{i}" for i in range(ANSWER_WORDS))
        cloud, local = FakeOpenAI(), FakeOllama()
        cloud.reply = local.reply = answer
        cloud.token_delay = local.token_delay = TOKEN_DELAY
        await cloud.start()
        await local.start()
        ready.put((cloud.base_url, local.host))
        for n in range(1_000_000):  # until terminated by the parent
            kind, params = FAULTS[n % len(FAULTS)]
            cloud.fail_at_rate(kind, fault_rate, seed=2 * n, **params)
            local.fail_at_rate(kind, fault_rate, seed=2 * n + 1, **params)
            await asyncio.sleep(FAULT_PERIOD)

    asyncio.run(main())


def settings_for(openai_url: str, ollama_host: str) -> Any:
    from bot.config import load_settings

    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    config = folder / "soak.toml"
    config.write_text(
        "[embedded]\nenabled = false\n[ops]\nenabled = false\n[limits]\nenabled = false\n"
        '[routing]\ncloud_model = "openai:gpt-4o-mini"\n'
        "[ollama]\ntimeout = 2\nidle_timeout = 1\n[openai]\ntimeout = 2\nidle_timeout = 1\n"
        "[resilience]\nretry_backoff = 0.05\nbreaker_cooldown = 5\n"
    )
    env = {"HYBRIDBOT_DATABASE": str(folder / "soak.db"), "OLLAMA_HOST": ollama_host,
           "OPENAI_BASE_URL": openai_url, "OPENAI_API_KEY": "sk-bench"}  # fmt: skip
    return load_settings(config, env=env)


# --- sampling ---------------------------------------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / var


# --- the load ----------------------------------------------------------------------------------------


async def soak(urls: tuple[str, str], seconds: float, sample_every: float, warmup: float) -> dict[str, Any]:
    from bot.app import build_app
    from bot.commands import CommandContext, run_command
    from bot.engine import NullSink, Turn
    from bot.session import SessionKey

    engine = build_app(settings_for(*urls)).engine
    await engine.catalog.refresh()
    rng = random.Random(20261126)
    threads = [
        SessionKey("slack", "T0SOAK", f"C{c:03d}", f"{t}.000" if t else None)
        for c in range(CHANNELS)
        for t in range(THREADS_PER_CHANNEL)
    ]
    dms = [SessionKey("slack", "T0SOAK", f"D{u:03d}") for u in range(DM_USERS)]
    # Secrets go to channels of their own: a secret keeps its conversation local for good (sticky), and
    # spread over every thread it would soon turn the whole cloud share of the mix local.
    deploys = [SessionKey("slack", "T0SOAK", f"C9{c:02d}") for c in range(DEPLOY_CHANNELS)]
    last_turn: dict[Any, int] = {}  # session → its last answered turn id
    outcomes: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()  # what users were told, for errors and refusals
    leaks: list[str] = []
    samples: list[tuple[float, float, int]] = []
    started = time.monotonic()
    deadline = started + seconds

    async def turn(action: str, key: Any, user: str, text: str, *, dm: bool = False, private: bool = False) -> None:
        """`dm`: a private conversation; `private`: must stay local (a DM, or a message carrying a secret)."""
        result = await engine.handle(Turn(key, user, user.lower(), text, private=dm), NullSink())
        outcomes[f"{action}:{result.status}"] += 1
        if result.status in ("error", "refused"):
            reasons[f"{result.status}: {(result.error or result.text).splitlines()[0][:90]}"] += 1
        if result.status == "done" and result.turn_id:
            last_turn[key] = result.turn_id
        if private and result.route is not None and result.route.locality == "cloud":
            leaks.append(f"{action} turn {result.turn_id} answered by {result.route.provider}")

    async def step(n: int) -> None:
        action = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        key = rng.choice(threads)
        user = f"U{rng.randrange(200):03d}"
        tag = f"(#{n})"
        if action == "local":
            await turn(action, key, user, f"{SIMPLE} {tag}")
        elif action == "cloud":
            await turn(action, key, user, f"{COMPLEX} {tag}")
        elif action == "dm":
            dm = rng.choice(dms)
            await turn(action, dm, f"U{dm.channel[1:]}", f"{COMPLEX} about my diagnosis {tag}", dm=True, private=True)
        elif action == "secret":
            text = f"deploy with {AWS_KEY} and explain each step in detail {tag}"
            await turn(action, rng.choice(deploys), user, text, private=True)
        elif action == "command":
            command = rng.choice(COMMANDS)
            result = await run_command(engine, CommandContext(key, user, user.lower()), command)
            outcomes[f"{command.split()[0]}:{'ok' if result.ok else 'refused'}"] += 1
            if command == "/reset":
                last_turn.pop(key, None)
        elif action == "feedback":
            turn_id = last_turn.get(key)
            ok = turn_id is not None and engine.feedback(turn_id, user, rng.choice((1, -1)))
            outcomes[f"feedback:{'ok' if ok else 'no-answer-yet'}"] += 1
        elif action == "regenerate":
            turn_id = last_turn.get(key)
            if turn_id is None:
                outcomes["regenerate:no-answer-yet"] += 1
                return
            result = await engine.regenerate(key, turn_id, NullSink(), user_id=user)
            outcomes[f"regenerate:{result.status}"] += 1
            if result.status == "done" and result.turn_id:
                last_turn[key] = result.turn_id
        elif action == "cancel":
            task = asyncio.create_task(engine.handle(Turn(key, user, user.lower(), f"{COMPLEX} {tag}"), NullSink()))
            await asyncio.sleep(rng.uniform(0.05, 0.4))
            stopped = engine.cancel(key)
            result = await task
            outcomes[f"cancel:{result.status}{'' if stopped else ' (nothing running)'}"] += 1

    async def worker(w: int) -> None:
        n = w
        while time.monotonic() < deadline:
            try:
                await step(n)
            except Exception as exc:  # counted, never fatal: a soak reports, it does not stop
                outcomes[f"exception:{type(exc).__name__}"] += 1
            n += WORKERS
            await asyncio.sleep(rng.uniform(0, 0.05))

    async def sampler() -> None:
        while True:
            samples.append((time.monotonic() - started, rss_mb(), open_fds()))
            await asyncio.sleep(sample_every)

    sampling = asyncio.create_task(sampler())
    workers = [asyncio.create_task(worker(w)) for w in range(WORKERS)]
    _, pending = await asyncio.wait(workers, timeout=seconds + GRACE)
    for task in pending:  # stuck past the grace period: cancel, and say so
        task.cancel()
    outcomes["workers cancelled after grace"] += len(pending)
    await asyncio.gather(*pending, return_exceptions=True)
    sampling.cancel()
    samples.append((time.monotonic() - started, rss_mb(), open_fds()))
    elapsed = time.monotonic() - started
    limited = sum(int(engine.metrics.value("hybridbot_upstream_429_total", source=s)) for s in ("openai", "ollama"))
    await engine.aclose()

    after = [s for s in samples if s[0] >= warmup] or samples
    turns = {k: v for k, v in outcomes.items() if k.split(":")[0] in ("local", "cloud", "dm", "secret", "cancel", "regenerate")}  # fmt: skip
    return {
        "seconds run": f"{elapsed:.0f} (deadline {seconds:g} + grace ≤ {GRACE:g})",
        "samples": f"{len(samples)} every {sample_every:g} s; fit after {warmup:g} s warm-up ({len(after)} samples)",
        "RSS MB start / end / max": f"{samples[0][1]:.1f} / {samples[-1][1]:.1f} / {max(s[1] for s in samples):.1f}",
        "RSS after warm-up start → end": f"{after[0][1]:.1f} → {after[-1][1]:.1f}",
        "RSS growth MB/min (fit after warm-up)": f"{slope_per_minute([(t, r) for t, r, _ in after]):+.3f}",
        "open fds start / end / max": f"{samples[0][2]} / {samples[-1][2]} / {max(s[2] for s in samples)}",
        "fd growth per min (fit after warm-up)": f"{slope_per_minute([(t, float(f)) for t, _, f in after]):+.3f}",
        "turns": f"{sum(turns.values())} ({sum(v for k, v in turns.items() if k.endswith(':done'))} done), "
        f"{sum(turns.values()) / elapsed:.1f}/s",
        "steps in all": sum(outcomes.values()),
        "upstream 429s met (metric)": limited,
        "private turns answered in the cloud": len(leaks),
        "outcomes": dict(sorted(outcomes.items())),
        "most frequent error and refusal messages (turns)": dict(reasons.most_common(6)),
    }


def run_child(urls: tuple[str, str], seconds: float, sample_every: float, warmup: float, out: Any) -> None:
    import logging

    logging.disable(logging.WARNING)  # faults are expected: keep the report readable
    out.put(asyncio.run(soak(urls, seconds, sample_every, warmup)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="length of the load (default 600)")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS/fd samples (default 5)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds left out of the fit (default 60, "
                        "or a fifth of a shorter run)")  # fmt: skip
    parser.add_argument("--fault-rate", type=float, default=0.1, help="share of model requests failed (default 0.1)")
    parser.add_argument("--quick", action="store_true", help="a 4-second run (the test suite runs it)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.sample = 4.0, 1.0
    warmup = args.warmup if args.warmup is not None else min(60.0, args.seconds / 5)

    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Queue()
    models = ctx.Process(target=serve_models, args=(ready, args.fault_rate), daemon=True)
    models.start()
    child = None
    try:
        urls = ready.get(timeout=30)
        out = ctx.Queue()
        child = ctx.Process(target=run_child, args=(urls, args.seconds, args.sample, warmup, out), daemon=True)
        child.start()
        figures = out.get(timeout=args.seconds + GRACE + 90)  # raises queue.Empty rather than hang
        child.join(timeout=30)
        print(f"soak {args.seconds:g} s, {WORKERS} workers, {len(FAULTS)} fault kinds rotating every "
              f"{FAULT_PERIOD:g} s at {args.fault_rate:.0%} on both providers:")  # fmt: skip
        for key, value in figures.items():
            if isinstance(value, dict):
                print(f"  {key}:")
                for k, v in value.items():
                    print(f"    {k}: {v}")
            else:
                print(f"  {key}: {value}")
    finally:
        for process in (child, models):
            if process is not None and process.is_alive():
                process.terminate()
                process.join(timeout=10)


if __name__ == "__main__":
    main()
