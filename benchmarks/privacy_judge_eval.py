"""How often the privacy judge runs, what it can add to recall and cost in precision, and its latency (issue 10 item 6).

Run from the repo root:  .venv/bin/python benchmarks/privacy_judge_eval.py [--corpus PATH ...] [--quick]

With ``privacy.judge = "local"`` a message the rules find borderline (``privacy.borderline``) is shown to
a local model whose verdict can only make it *more* private. For each corpus this prints the share of
messages judged and message-level precision/recall of: the rules alone; a judge scripted from the
labels (perfect: the ceiling); one right 70 % of the time (a deterministic 30 % of its verdicts
flipped); and one that never answers in time (every judged message counts as sensitive: fail closed,
the floor for precision). Then the latency the judge adds, measured through bot/privacy_judge.py
against the Ollama stand-in (tests/fakes) answering from the same labels: the stand-in's round trip,
not a model's — a real local model adds its own time up to ``privacy.judge_budget`` (default 2 s),
after which the message counts as sensitive. --quick: the tuning corpus, 20 latency calls.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import privacy  # noqa: E402
from bot.config import PrivacyConfig  # noqa: E402
from bot.privacy_judge import JUDGE_INSTRUCTIONS, second_opinion  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
DEFAULT = [DATA / "privacy_unseen.jsonl", DATA / "privacy_unseen_next.jsonl", DATA / "privacy_unseen_r3.jsonl"]


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def flipped(text: str, share: float) -> bool:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def pr(rows: list[dict], flags: list[bool]) -> tuple[float, float]:
    tp = sum(f and r["sensitive"] for r, f in zip(rows, flags, strict=True))
    fp = sum(f and not r["sensitive"] for r, f in zip(rows, flags, strict=True))
    fn = sum(not f and r["sensitive"] for r, f in zip(rows, flags, strict=True))
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def quality(path: Path) -> None:
    rows = load(path)
    rules = [privacy.is_sensitive(privacy.scan(r["text"])) for r in rows]
    judged = [privacy.borderline(r["text"]) for r in rows]
    judges = {
        "rules alone": lambda r: False,
        "perfect judge": lambda r: r["sensitive"],
        "70% judge": lambda r: r["sensitive"] != flipped(r["text"], 0.3),
        "judge never answers": lambda r: True,
    }
    n_judged = sum(judged)
    print(f"\n{path.name}: {len(rows)} messages, {n_judged} judged ({n_judged / len(rows):.1%})")
    for name, verdict in judges.items():
        flags = [f or (j and verdict(r)) for r, f, j in zip(rows, rules, judged, strict=True)]
        p, r = pr(rows, flags)
        print(f"  {name:<20} precision {p:.3f}  recall {r:.3f}")


async def latency(rows: list[dict], calls: int) -> None:
    from tests.fakes.ollama_server import FakeOllama
    from tests.helpers import make_app

    labels = {r["text"][:2000]: r["sensitive"] for r in rows}
    ollama = FakeOllama()

    def reply(body: dict) -> str:
        if any(m.get("content") == JUDGE_INSTRUCTIONS for m in body["messages"]):
            text = body["messages"][-1]["content"].split("<<<\n", 1)[1].rsplit("\n>>>", 1)[0]
            return "PERSONAL" if labels.get(text) else "OK"
        return "?"

    ollama.reply = reply
    await ollama.start()
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp), ollama_host=ollama.host, openai_url=None)  # the bot's real catalog and provider
        try:
            texts = [r["text"] for r in rows if privacy.borderline(r["text"])][:calls] or [rows[0]["text"]]
            config = PrivacyConfig(judge="local")
            times, verdicts = [], []
            for text in texts:
                start = time.perf_counter()
                verdicts.append(await second_opinion(app.engine.catalog, config, "", text))
                times.append((time.perf_counter() - start) * 1000)
        finally:
            await app.engine.aclose()
            await ollama.stop()
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    print(
        f"\nlatency added per judged message (Ollama stand-in, {len(times)} calls): p50 {times[len(times) // 2]:.1f} ms,"
        f" p99 {p99:.1f} ms; verdicts {sorted(set(verdicts))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--calls", type=int, default=100, help="judge calls timed against the stand-in")
    parser.add_argument("--quick", action="store_true", help="tuning corpus, 20 calls (the test suite runs this)")
    args = parser.parse_args()
    corpora = args.corpus or ([DATA / "privacy_corpus.jsonl"] if args.quick else DEFAULT)
    for path in corpora:
        quality(path)
    rows = [row for path in corpora for row in load(path)]
    asyncio.run(latency(rows, 20 if args.quick else args.calls))


if __name__ == "__main__":
    main()
