"""How often the local routing judge runs on the unseen set, and what it can add (issue 16 item 4).

Run from the repo root:  .venv/bin/python benchmarks/routing_judge_eval.py [--quick]
                         [--ollama http://127.0.0.1:11434 --model llama3.2:3b]

For each band (the judge is asked when |score - threshold| <= band) prints the share of turns
judged and the accuracy of routing without a judge, with a perfect judge (the ceiling), with a
coin-flip judge, and with a judge that is right 70 % of the time (expected value). With
``--ollama`` a real local model judges the borderline prompts through bot/routing_judge.py, and
its accuracy, timeouts and added latency are printed too. No model is reachable on the machines
this project is built on, so the committed figures are the bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from routing_eval import load  # noqa: E402

from bot.difficulty import Assessment  # noqa: E402
from bot.routing_judge import second_opinion  # noqa: E402
from bot.routing_model import Previous, load_default  # noqa: E402

BANDS = (0.05, 0.1, 0.15, 0.2, 0.3)


def scored_rows(rows: list[dict]) -> list[tuple[dict, float]]:
    model = load_default()
    out = []
    for row in rows:
        previous = Previous(text=row["prev"]["text"]) if row.get("prev") else None
        out.append((row, model.probability(row["text"], previous)))
    return out


def bounds(scored: list[tuple[dict, float]], threshold: float, band: float) -> dict[str, float]:
    n = len(scored)
    judged = [(r, s) for r, s in scored if abs(s - threshold) <= band]
    base_correct = sum((s >= threshold) == (r["label"] == "cloud") for r, s in scored)
    judged_correct = sum((s >= threshold) == (r["label"] == "cloud") for r, s in judged)
    rest = base_correct - judged_correct
    return {
        "judged": len(judged) / n,
        "none": base_correct / n,
        "perfect": (rest + len(judged)) / n,
        "coin": (rest + len(judged) / 2) / n,
        "70%": (rest + 0.7 * len(judged)) / n,
    }


async def real_judge(scored, threshold: float, band: float, host: str, model_name: str, seconds: float) -> None:
    from bot.providers.base import ModelInfo
    from bot.providers.ollama_provider import OllamaProvider

    provider = OllamaProvider(host=host)
    model = ModelInfo("ollama", model_name, "local")
    correct = timeouts = asked = 0
    spent = 0.0
    try:
        for row, score in scored:
            decided = score >= threshold
            if abs(score - threshold) <= band:
                asked += 1
                start = time.perf_counter()
                judged = await second_opinion(
                    Assessment(score, threshold), row["text"], provider, model, seconds=seconds
                )
                spent += time.perf_counter() - start
                timeouts += judged.judged in ("timeout", "unclear")
                decided = judged.score >= threshold
            correct += decided == (row["label"] == "cloud")
    finally:
        await provider.aclose()
    print(
        f"real judge {model_name}, band {band}: accuracy {correct / len(scored):.3f}, asked {asked}, "
        f"no answer {timeouts}, mean added latency {spent / max(1, asked) * 1e3:.0f} ms"
    )


def main(argv: list[str] | None = None) -> dict[float, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every 4th prompt")
    parser.add_argument("--ollama", metavar="HOST", help="judge with a real Ollama model")
    parser.add_argument("--model", default="llama3.2:3b")
    parser.add_argument("--band", type=float, default=0.15)
    parser.add_argument("--timeout", type=float, default=1.5)
    args = parser.parse_args(argv)
    rows = load()[:: 4 if args.quick else 1]
    threshold = load_default().threshold
    scored = scored_rows(rows)
    print(f"{len(rows)} unseen prompts, threshold {threshold}")
    print("| band | judged | no judge | coin-flip judge | 70 % judge | perfect judge |")
    print("|---|---|---|---|---|---|")
    table = {}
    for band in BANDS:
        b = table[band] = bounds(scored, threshold, band)
        print(
            f"| {band} | {b['judged']:.1%} | {b['none']:.3f} | {b['coin']:.3f} | {b['70%']:.3f} | {b['perfect']:.3f} |"
        )
    if args.ollama:
        asyncio.run(real_judge(scored, threshold, args.band, args.ollama, args.model, args.timeout))
    return table


if __name__ == "__main__":
    main()
