"""Prefill only what's new: a long conversation with the embedded model, sliding window vs block window.

Drives the real engine (store, router, context builder, embedded SmolLM2 through its runtime) for N turns of
a conversation that overflows the prompt window, once with the old sliding window (it moves by one message
every turn once full, so the prompt's prefix changes and the model re-reads it all) and once with the block
window (it keeps its start until full, then drops a quarter). Modes alternate, same run.

Per mode it prints the time to first token at the last turn, the prompt tokens the model evaluated per turn,
and on turns where the window did not move, evaluated ÷ new tokens (new = this prompt minus the previous
prompt and answer, i.e. the new user message and its template; goal ≤ 1.5).

    python benchmarks/embedded_prefill.py            # 20 turns, 2 rounds, a 1,024-token window (full by turn ~10)
    python benchmarks/embedded_prefill.py --quick    # 4 turns, 1 round, small window (the test suite runs this)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.context import WindowAnchors  # noqa: E402
from bot.engine import NullSink, Turn  # noqa: E402
from bot.session import SessionKey  # noqa: E402

TOPICS = ["gardening", "bread", "bicycles", "rivers", "chess", "tea", "trains", "owls", "maps", "violins"]


class RecordingAnchors(WindowAnchors):
    """Window anchors that also note where each window started (the sliding window keeps no anchors)."""

    last_start: int | None = None

    def remember(self, key: object, oldest_id: int | None) -> None:
        self.last_start = oldest_id
        super().remember(key, oldest_id)


@dataclass(frozen=True)
class TurnFigures:
    first_token_ms: float
    prompt_tokens: int
    evaluated: int
    completion_tokens: int
    window_start: int | None


def user_message(i: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    return (
        f"Turn {i}. I have been thinking about {topic} lately, and I would like a short, friendly note about it. "
        f"Please mention one fact about {topic} that a beginner should know, and keep it to two sentences."
    )


def settings_file(folder: Path, context_length: int, answer_tokens: int) -> Path:
    path = folder / "bench.toml"
    path.write_text(
        f'[bot]\ndatabase = "{folder / "bench.db"}"\nmax_answer_tokens = {answer_tokens}\n'
        "[ollama]\nenabled = false\n[openai]\nenabled = false\n[limits]\nenabled = false\n"
        f"[embedded]\ncontext_length = {context_length}\n"
    )
    return path


async def conversation(blocks: bool, turns: int, context_length: int, answer_tokens: int) -> list[TurnFigures]:
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(load_settings(settings_file(Path(folder), context_length, answer_tokens), env={}))
        engine = app.engine
        engine.window_anchors = anchors = RecordingAnchors(blocks=blocks)
        provider = engine.catalog.provider("embedded")
        key = SessionKey("bench", "w", "prefill", f"{int(blocks)}")
        figures = []
        try:
            for i in range(1, turns + 1):
                result = await engine.handle(Turn(key, "U1", "user", user_message(i)), NullSink())
                record = engine.store.turn(result.turn_id) if result.turn_id else None
                generation = provider.last_generation
                if record is None or generation is None or result.status != "done":
                    raise SystemExit(f"turn {i} failed: {result.status} {result.error}")
                figures.append(
                    TurnFigures(
                        record.first_token_ms or 0.0,
                        generation.prompt_tokens,
                        generation.prompt_evaluated,
                        generation.completion_tokens,
                        anchors.last_start,
                    )
                )
        finally:
            await engine.aclose()
        return figures


def new_token_ratios(figures: list[TurnFigures]) -> tuple[list[float], int]:
    """evaluated ÷ new tokens on turns whose window kept its start; and how many turns moved the window."""
    ratios, moves = [], 0
    for before, now in zip(figures, figures[1:], strict=False):
        if now.window_start != before.window_start:
            moves += 1
            continue
        new = now.prompt_tokens - before.prompt_tokens - before.completion_tokens
        if new > 0:
            ratios.append(now.evaluated / new)
    return ratios, moves


def report(label: str, runs: list[list[TurnFigures]]) -> None:
    last = [run[-1].first_token_ms for run in runs]
    half = len(runs[0]) // 2
    late = [f.first_token_ms for run in runs for f in run[half:]]  # once the window is full: moves included
    evaluated = [f.evaluated for run in runs for f in run[1:]]
    prompt = [f.prompt_tokens for run in runs for f in run[1:]]
    ratios = [r for run in runs for r in new_token_ratios(run)[0]]
    moves = [new_token_ratios(run)[1] for run in runs]
    ratio = f"median {statistics.median(ratios):.2f} (max {max(ratios):.2f})" if ratios else "n/a (window always moved)"
    print(
        f"{label}: first token at turn {len(runs[0])} {min(last):.0f}-{max(last):.0f} ms over {len(runs)} run(s), "
        f"mean over turns {half + 1}-{len(runs[0])} {statistics.mean(late):.0f} ms; "
        f"prompt tokens evaluated per turn mean {statistics.mean(evaluated):.0f} of {statistics.mean(prompt):.0f}; "
        f"evaluated/new on turns that kept the window {ratio}; window moves per run {moves}"
    )


async def main(args: argparse.Namespace) -> None:
    turns, context, answer, rounds = (4, 512, 24, 1) if args.quick else (args.turns, 1024, 64, args.rounds)
    results: dict[str, list[list[TurnFigures]]] = {"sliding": [], "blocks": []}
    for _ in range(rounds):
        for label in ("sliding", "blocks"):  # alternated: the machine is shared and noisy
            results[label].append(await conversation(label == "blocks", turns, context, answer))
    base = statistics.median(run[-1].first_token_ms for run in results["sliding"])
    after = statistics.median(run[-1].first_token_ms for run in results["blocks"])
    for label, runs in results.items():
        if args.verbose:
            for n, run in enumerate(runs, 1):
                print(
                    f"{label} run {n}: "
                    + " ".join(f"{f.evaluated}/{f.prompt_tokens}@{f.first_token_ms:.0f}" for f in run)
                )
        report(label, runs)
    print(f"first token at the last turn, blocks ÷ sliding (medians): {after / base:.2f}×")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 turns, 1 round, a 512-token window")
    parser.add_argument("--verbose", "-v", action="store_true", help="per turn: evaluated/prompt tokens@first token ms")
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
