"""Knowledge indexing speed, memory while indexing, and query latency at 100,000 passages — optionally against
another checkout of the code in the same run (rounds alternate between the two, so both see the same load).

Run from the repo root:  .venv/bin/python benchmarks/knowledge_index.py [--quick] [--baseline PATH]
  e.g. a snapshot of main:  git archive main | tar -x -C /tmp/main_code && ... --baseline /tmp/main_code

1. Indexing: Markdown files (headings and paragraphs in words drawn from CPython's reference topics, so term
   frequencies are realistic) through the real pipeline (read, hash, extract, chunk, FTS5 insert); MB/s per
   round, and RSS sampled after every file: flat when the index streams.
2. Queries: passages of about a chunk's size written straight into the index up to 100,000 (--quick: 5,000),
   then questions of 4–9 words (with stop words, as people ask); p50/p99 wall and p99 CPU per round.
Each measurement runs in a fresh child process (`--child`) importing the code under test; figures are printed
per round and as min–max over the rounds (the machine is shared), with this code ÷ baseline per round.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ASKING = ["how", "what", "does", "the", "is", "a", "of", "to", "in", "when", "why", "can", "I"]


def vocabulary() -> list[str]:
    import pydoc_data.topics as pydoc_topics

    return re.findall(r"[A-Za-z]{2,}", " ".join(pydoc_topics.topics.values()))


def paragraph(rng: random.Random, words: list[str], count: int) -> str:
    return " ".join(rng.choice(words) for _ in range(count)).capitalize() + "."


def markdown_file(rng: random.Random, words: list[str], target: int) -> str:
    parts = [f"# {paragraph(rng, words, 4)[:-1]}\n"]
    size = 0
    while size < target:
        if rng.random() < 0.2:
            parts.append(f"\n## {paragraph(rng, words, 3)[:-1]}\n")
        text = paragraph(rng, words, rng.randint(30, 120))
        parts.append(f"\n{text}\n")
        size += len(text) + 2
    return "".join(parts)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1_000_000


# --- children: run with the code under test first on sys.path ---------------------------------------------


def child_index(folder: Path, db: Path) -> dict:
    """MB/s and passages of one full index of `folder` into a new database, and RSS after each file."""
    from bot.knowledge.config import CollectionConfig, KnowledgeConfig
    from bot.knowledge.indexer import index_collection
    from bot.store import Store
    from bot.store_knowledge import SqliteKnowledgeIndex

    store = Store(db)
    index = SqliteKnowledgeIndex(store.conn)
    samples: list[float] = []
    started, cpu = time.perf_counter(), time.process_time()
    report = index_collection(
        index,
        CollectionConfig(name="bench", paths=[str(folder)]),
        KnowledgeConfig(),
        progress=lambda path, files, read: samples.append(rss_mb()),
    )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    store.close()
    tenth = max(1, len(samples) // 10)
    return {
        "speed": report.bytes_read / 1_000_000 / seconds,
        "cpu_speed": report.bytes_read / 1_000_000 / cpu_seconds,  # this process's CPU (the machine is shared)
        "chunks": report.chunks,
        "early": max(samples[:tenth]),
        "late": max(samples[-tenth:]),
        "max": max(samples),
    }


def child_fill(db: Path, chunks: int) -> dict:
    """Passages of about a chunk's size written straight into a new index (not timed as a figure)."""
    from bot.store import Store
    from bot.store_knowledge import SqliteKnowledgeIndex

    store = Store(db)
    index = SqliteKnowledgeIndex(store.conn)
    rng, words = random.Random(13), vocabulary()
    started = time.perf_counter()
    per_document = 50
    batch = getattr(index, "batch", contextlib.nullcontext)  # (a baseline may write a transaction per document)
    with batch():
        _fill(index, rng, words, chunks // per_document, per_document)
    count = sum(s.chunks for s in index.stats())
    store.close()
    return {"passages": count, "seconds": time.perf_counter() - started}


def _fill(index: Any, rng: random.Random, words: list[str], documents: int, per_document: int) -> None:
    from bot.knowledge.chunking import Chunk

    for number in range(documents):
        passages = [
            Chunk(paragraph(rng, words, rng.randint(120, 220)), (f"Part {i}",), None, i * 10 + 1)
            for i in range(per_document)
        ]
        index.replace_document(
            "bench", f"doc{number}.md", title=f"Document {number}", kind="markdown", content_hash=str(number),
            size=0, mtime=0.0, notes=(), chunks=passages,
        )  # fmt: skip


def child_query(db: Path, count: int, seed: int) -> dict:
    """p50 and p99 wall time, and p99 CPU time of this process (the machine is shared: wall includes waiting)."""
    from bot.knowledge.query import content_words
    from bot.store import Store
    from bot.store_knowledge import SqliteKnowledgeIndex

    store = Store(db)
    index = SqliteKnowledgeIndex(store.conn)
    rng, words = random.Random(seed), vocabulary()
    walls, cpus = [], []
    for _ in range(count):
        question = " ".join(rng.choice(ASKING if rng.random() < 0.4 else words) for _ in range(rng.randint(4, 9)))
        started, cpu = time.perf_counter(), time.process_time()
        index.search(content_words(question), ["bench"], 5)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    store.close()
    walls.sort()
    cpus.sort()
    p99 = min(len(walls) - 1, int(len(walls) * 0.99))
    return {"p50": walls[len(walls) // 2], "p99": walls[p99], "cpu99": cpus[p99], "cpu50": cpus[len(cpus) // 2]}


def run_child(code: Path, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--code", str(code), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed ({code}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the driver --------------------------------------------------------------------------------------------


def spread(values: list[float], fmt: str = ".1f") -> str:
    return f"{min(values):{fmt}}–{max(values):{fmt}}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 MB of Markdown, 5,000 passages, one round")
    parser.add_argument("--baseline", type=Path, help="another checkout of the code to compare with, same run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--job", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(args.code.resolve()))
        job, *rest = args.job
        result = {
            "index": lambda: child_index(Path(rest[0]), Path(rest[1])),
            "fill": lambda: child_fill(Path(rest[0]), int(rest[1])),
            "query": lambda: child_query(Path(rest[0]), int(rest[1]), int(rest[2])),
        }[job]()
        print(json.dumps(result))
        return 0
    codes = {"this": ROOT}
    if args.baseline:
        codes["baseline"] = args.baseline.resolve()
    rng = random.Random(13)
    words = vocabulary()
    files, file_size = (100, 20_000) if args.quick else (1_000, 20_000)
    rounds = 1 if args.quick else args.rounds
    target_chunks = 5_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "md")
        folder.mkdir()
        total = 0
        for number in range(files):
            text = markdown_file(rng, words, file_size)
            (folder / f"doc{number:04d}.md").write_text(text, encoding="utf-8")
            total += len(text.encode())
        print(f"indexing {files} Markdown files, {total / 1_000_000:.1f} MB, {rounds} round(s); code: "
              + ", ".join(f"{name} = {path}" for name, path in codes.items()))  # fmt: skip
        speeds: dict[str, list[float]] = {name: [] for name in codes}
        cpu_speeds: dict[str, list[float]] = {name: [] for name in codes}
        ratios: list[float] = []
        cpu_ratios: list[float] = []
        for round_number in range(rounds):
            order = list(codes) if round_number % 2 == 0 else list(reversed(codes))
            got = {}
            for name in order:
                db = Path(tmp, f"index-{name}-{round_number}.db")
                got[name] = run_child(codes[name], "--job", "index", str(folder), str(db))
                speeds[name].append(got[name]["speed"])
                cpu_speeds[name].append(got[name]["cpu_speed"])
            for name in codes:
                r = got[name]
                print(f"  round {round_number + 1} {name}: {r['speed']:.1f} MB/s (per CPU second {r['cpu_speed']:.1f}), "
                      f"{r['chunks']} passages; RSS after "
                      f"the first 10 % of files {r['early']:.0f} MB, after the last 10 % {r['late']:.0f} MB "
                      f"(max {r['max']:.0f} MB)")  # fmt: skip
            if "baseline" in got:
                ratios.append(got["this"]["speed"] / got["baseline"]["speed"])
                cpu_ratios.append(got["this"]["cpu_speed"] / got["baseline"]["cpu_speed"])
        for name in codes:
            print(f"indexing speed ({name}): {spread(speeds[name])} MB/s wall, {spread(cpu_speeds[name])} MB/s per "
                  "CPU second (min–max over rounds)")  # fmt: skip
        if ratios:
            print(f"indexing speed this ÷ baseline, same round: wall {spread(ratios, '.2f')}×, "
                  f"CPU {spread(cpu_ratios, '.2f')}×")  # fmt: skip

        dbs = {}
        for name in codes:
            dbs[name] = Path(tmp, f"query-{name}.db")
            filled = run_child(codes[name], "--job", "fill", str(dbs[name]), str(target_chunks))
            print(f"query index ({name}): {filled['passages']:,} passages (written in {filled['seconds']:.0f} s)")
        results: dict[str, list[dict]] = {name: [] for name in codes}
        count = 200 if args.quick else 1_000
        for round_number in range(rounds):
            order = list(codes) if round_number % 2 == 0 else list(reversed(codes))
            for name in order:  # the same questions for both (same seed per round)
                r = run_child(codes[name], "--job", "query", str(dbs[name]), str(count), str(100 + round_number))
                results[name].append(r)
            for name in codes:
                r = results[name][-1]
                print(f"  round {round_number + 1} {name}: query p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms "
                      f"(CPU p50 {r['cpu50']:.2f}, p99 {r['cpu99']:.2f} ms)")  # fmt: skip
        for name in codes:
            rs = results[name]
            print(f"query at {target_chunks:,} passages ({name}): p50 {spread([r['p50'] for r in rs], '.2f')} ms, "
                  f"p99 {spread([r['p99'] for r in rs], '.2f')} ms, "
                  f"CPU p99 {spread([r['cpu99'] for r in rs], '.2f')} ms (min–max over rounds)")  # fmt: skip
        if "baseline" in codes:
            cpu = [t["cpu99"] / b["cpu99"] for t, b in zip(results["this"], results["baseline"], strict=True)]
            wall = [t["p99"] / b["p99"] for t, b in zip(results["this"], results["baseline"], strict=True)]
            print(f"query p99 this ÷ baseline, same round: CPU {spread(cpu, '.2f')}×, wall {spread(wall, '.2f')}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
