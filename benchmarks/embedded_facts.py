"""Short factual questions on the embedded model: how many it answers correctly, how briefly, how fast.

The 20 questions (benchmarks/data/embedded_facts.jsonl) were written before the sampling work they judge.
Each goes to the embedded provider the way the engine sends a turn: the general agent's instructions as the
system prompt, the agent's temperature, `bot.max_answer_tokens`.

    python benchmarks/embedded_facts.py            # the bot as configured (per-model sampling + repetition guard)
    python benchmarks/embedded_facts.py --raw      # the bare provider: agent temperature, no profile, no guard
    python benchmarks/embedded_facts.py --runtime llama-cpp   # force one runtime
    python benchmarks/embedded_facts.py --quick    # 3 questions, short answers (the test suite runs this)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.agents import load_agents  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.providers.base import ChatMessage, Finish, Provider, TextDelta  # noqa: E402

QUESTIONS = Path(__file__).parent / "data" / "embedded_facts.jsonl"
BRIEF_WORDS = 40  # a short factual answer fits in two sentences


@dataclass(frozen=True)
class Result:
    question: str
    answer: str
    correct: bool
    seconds: float
    finish: str

    @property
    def words(self) -> int:
        return len(self.answer.split())


def load_questions(limit: int | None = None) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def is_correct(answer: str, accepted: list[str]) -> bool:
    return any(re.search(rf"\b{re.escape(a)}\b", answer, re.IGNORECASE) for a in accepted)


def build_provider(settings: Settings, raw: bool) -> Provider:
    if raw:
        from bot.providers.embedded import EmbeddedProvider

        e = settings.embedded
        return EmbeddedProvider(context_length=e.context_length, threads=e.threads or None, runtime=e.runtime)
    from bot.providers.factory import build_providers

    providers, notes = build_providers(settings)
    embedded = [p for p in providers if p.name == "embedded"]
    if not embedded:
        raise SystemExit("embedded model unavailable: " + "; ".join(notes))
    return embedded[0]


async def ask(provider: Provider, model: str, system: str, row: dict[str, object], **sampling: object) -> Result:
    messages = [ChatMessage("system", system), ChatMessage("user", str(row["question"]))]
    started = time.perf_counter()
    parts: list[str] = []
    finish = "?"
    async for event in provider.stream_chat(model, messages, **sampling):  # type: ignore[arg-type]
        if isinstance(event, TextDelta):
            parts.append(event.text)
        elif isinstance(event, Finish):
            finish = event.reason
    answer = "".join(parts).strip()
    accepted = [str(a) for a in row["answers"]]  # type: ignore[attr-defined]
    return Result(str(row["question"]), answer, is_correct(answer, accepted), time.perf_counter() - started, finish)


async def run(args: argparse.Namespace) -> list[Result]:
    settings = Settings()
    if args.runtime:
        settings.embedded.runtime = args.runtime
    agent = load_agents().get(settings.bot.default_agent)  # built-ins only: reproducible
    assert agent is not None
    max_tokens = 64 if args.quick else settings.bot.max_answer_tokens
    provider = build_provider(settings, args.raw)
    try:
        (model,) = await provider.list_models()
        # Load the model before timing anything: the first turn's load is not an answer time.
        await ask(provider, model.name, "", {"question": "Hi", "answers": []}, temperature=0, max_tokens=1)
        results = []
        for row in load_questions(3 if args.quick else None):
            result = await ask(
                provider, model.name, agent.instructions, row, temperature=agent.temperature, max_tokens=max_tokens
            )
            if args.verbose:
                mark = "ok " if result.correct else "NO "
                print(f"{mark}{result.seconds:5.2f}s {result.finish:10} {result.question} -> {result.answer[:100]!r}")
            results.append(result)
        return results
    finally:
        await provider.aclose()


def report(results: list[Result], label: str) -> None:
    correct = sum(r.correct for r in results)
    brief = sum(r.correct and r.words <= BRIEF_WORDS for r in results)
    times = [r.seconds for r in results]
    print(
        f"{label}: correct {correct}/{len(results)}, correct and brief (≤ {BRIEF_WORDS} words) {brief}/{len(results)}; "
        f"answer time mean {statistics.mean(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}); "
        f"words mean {statistics.mean(r.words for r in results):.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 questions, answers capped at 64 tokens")
    parser.add_argument("--raw", action="store_true", help="bare provider: no per-model sampling, no guard")
    parser.add_argument("--runtime", choices=["xllamacpp", "llama-cpp"], help="embedded runtime to use")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every answer")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    label = ("raw" if args.raw else "configured") + (f" {args.runtime}" if args.runtime else "")
    report(results, label)


if __name__ == "__main__":
    main()
