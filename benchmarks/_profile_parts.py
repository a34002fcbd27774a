"""CPU per answer by part, from a py-spy profile of one app in slack_throughput.py.

    py-spy record -f raw -r 200 -o /tmp/p.txt -- .venv/bin/python benchmarks/slack_throughput.py --app hybridbot
    .venv/bin/python benchmarks/_profile_parts.py /tmp/p.txt --answers 1020 --rate 200

A sample belongs to the stand-ins when any frame is theirs (they run in the benchmark's process);
otherwise to the innermost frame's part below (asyncio's own frames go to the caller's part).
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from pathlib import Path

# (part, pattern on a frame's "function (file:line)") — first match from the innermost frame outwards.
PARTS: tuple[tuple[str, str], ...] = (
    ("hybridbot store (SQLite)", r"\(bot/store\w*\.py|\(bot/checkpoint\.py"),  # store.py and its split modules
    ("hybridbot privacy scan", r"\(bot/privacy/"),
    ("hybridbot OpenAI provider", r"\(bot/providers/"),
    ("hybridbot engine (other bot/)", r"\(bot/"),
    ("hybridbot Slack adapter", r"\(adapters/"),
    ("OpenAI SDK (openai, httpx2, anyio, pydantic)", r"\((openai|httpx2?|httpcore|h11|anyio|pydantic\w*)/"),
    ("slack-bolt / slack-sdk", r"\((slack_bolt|slack_sdk)/"),
    ("aiohttp (server and client, both sides)", r"\((aiohttp|multidict|yarl)/"),
    ("logging", r"\(logging/"),
    ("json", r"\(json/"),
    ("benchmark's bare app code", r"^(echo_app|stream_app|serve_bolt)\S* \(slack_throughput\.py"),
)
STAND_INS = re.compile(r"\(tests/fakes/|drive\.<locals>\.worker|\(slack_common\.py")
START_UP = re.compile(r"_find_and_load|\(<frozen importlib")
IDLE = re.compile(r"^_worker \(concurrent/futures/thread\.py|^(Condition|Event)\.wait \(threading\.py|^\s*$")
IDLE_PART = "idle threads"
LEFT_OUT = ("start-up (imports)", IDLE_PART)


def part_of(frames: list[str]) -> str:
    if not frames or IDLE.search(frames[-1]):
        return IDLE_PART
    if any(START_UP.search(f) for f in frames):
        return "start-up (imports)"
    if any(STAND_INS.search(f) for f in frames):
        return "stand-ins and load driver"
    for frame in reversed(frames):
        for part, pattern in PARTS:
            if re.search(pattern, frame):
                return part
    return "event loop and other"


def summarise(path: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    with open(path, encoding="utf-8") as raw:
        for line in raw:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if stack:
                counts[part_of(stack.split(";"))] += int(count)
    return counts


# --quick reads this made-up profile: two answers, one sample in the engine and one in the SDK.
EXAMPLE = (
    "run (asyncio/runners.py:190);Engine.handle (bot/engine.py:120);AsyncAPIClient.post (openai/_base_client.py:1) 1\n"
    "run (asyncio/runners.py:190);Engine._prompt (bot/engine.py:420);build_context (bot/context.py:50) 1\n"
    "_worker (concurrent/futures/thread.py:81) 7\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", nargs="?", help="py-spy record -f raw output")
    parser.add_argument("--answers", type=int, help="answers in the profiled run (warm-up included)")
    parser.add_argument("--rate", type=int, default=200, help="py-spy's sampling rate (default 200/s)")
    parser.add_argument("--quick", action="store_true", help="read a made-up two-sample profile (the test suite)")
    args = parser.parse_args()
    if args.quick:
        args.raw, args.answers = tempfile.mkstemp(suffix=".txt")[1], 2
        Path(args.raw).write_text(EXAMPLE, encoding="utf-8")
    if not args.raw or not args.answers:
        parser.error("give the profile file and --answers (or --quick)")
    counts = summarise(args.raw)
    total = sum(v for k, v in counts.items() if k not in LEFT_OUT)
    ms = 1000 / args.rate / args.answers
    print(
        f"CPU per answer by part ({total} samples at {args.rate}/s, {args.answers} answers, start-up and idle threads left out):"
    )
    for part, samples in counts.most_common():
        if part not in LEFT_OUT:
            print(f"  {samples * ms:6.2f} ms  {100 * samples / total:4.1f}%  {part}")
    print(f"  {total * ms:6.2f} ms  total")


if __name__ == "__main__":
    main()
