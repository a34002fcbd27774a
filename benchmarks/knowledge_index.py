"""Knowledge indexing speed, memory while indexing, and query latency at 100,000 passages.

Run from the repo root:  .venv/bin/python benchmarks/knowledge_index.py [--quick]

1. Indexing: Markdown files (headings and paragraphs in words drawn from CPython's reference topics, so term
   frequencies are realistic) through the real pipeline (read, hash, extract, chunk, FTS5 insert); MB/s per
   round, and RSS sampled after every file: flat when the index streams (one file at a time).
2. Queries: passages of about a chunk's size written straight into the index up to 100,000 (--quick: 5,000),
   then questions of 4–9 words (with stop words, as people ask); p50/p99 per round.
Figures are printed per round and as min–max over the rounds (the machine is shared).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge.chunking import Chunk  # noqa: E402
from bot.knowledge.config import CollectionConfig, KnowledgeConfig  # noqa: E402
from bot.knowledge.indexer import index_collection  # noqa: E402
from bot.knowledge.query import content_words  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store_knowledge import SqliteKnowledgeIndex  # noqa: E402

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


def index_round(folder: Path, db: Path) -> tuple[float, float, list[float]]:
    """MB/s and passages of one full index of `folder` into a new database, and RSS after each file."""
    store = Store(db)
    index = SqliteKnowledgeIndex(store.conn)
    samples: list[float] = []
    started = time.perf_counter()
    report = index_collection(
        index,
        CollectionConfig(name="bench", paths=[str(folder)]),
        KnowledgeConfig(),
        progress=lambda path, files, read: samples.append(rss_mb()),
    )
    seconds = time.perf_counter() - started
    store.close()
    return report.bytes_read / 1_000_000 / seconds, report.chunks, samples


def bare_fts_round(folder: Path, db: Path) -> float:
    """MB/s of the same files' text inserted into a bare FTS5 table (same tokenizer), a file per transaction:
    the ceiling the pipeline's own work (read, hash, extract, chunk, bookkeeping) is compared with."""
    import sqlite3

    from bot.store_knowledge import TOKENIZER

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"CREATE VIRTUAL TABLE f USING fts5(text, tokenize = '{TOKENIZER}')")
    started, total = time.perf_counter(), 0
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8")
        total += len(text.encode())
        conn.execute("BEGIN")
        conn.execute("INSERT INTO f (text) VALUES (?)", (text,))
        conn.execute("COMMIT")
    conn.close()
    return total / 1_000_000 / (time.perf_counter() - started)


def fill(index: SqliteKnowledgeIndex, rng: random.Random, words: list[str], chunks: int) -> None:
    per_document = 50
    for number in range(chunks // per_document):
        passages = [
            Chunk(paragraph(rng, words, rng.randint(120, 220)), (f"Part {i}",), None, i * 10 + 1)
            for i in range(per_document)
        ]
        index.replace_document(
            "bench", f"doc{number}.md", title=f"Document {number}", kind="markdown", content_hash=str(number),
            size=0, mtime=0.0, notes=(), chunks=passages,
        )  # fmt: skip


def query_round(
    index: SqliteKnowledgeIndex, rng: random.Random, words: list[str], count: int
) -> tuple[float, float, float]:
    """p50 and p99 wall time, and p99 CPU time of this process (the machine is shared: wall includes waiting)."""
    walls, cpus = [], []
    for _ in range(count):
        question = " ".join(rng.choice(ASKING if rng.random() < 0.4 else words) for _ in range(rng.randint(4, 9)))
        started, cpu = time.perf_counter(), time.process_time()
        index.search(content_words(question), ["bench"], 5)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    walls.sort()
    cpus.sort()
    p99 = min(len(walls) - 1, int(len(walls) * 0.99))
    return walls[len(walls) // 2], walls[p99], cpus[p99]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 MB of Markdown, 5,000 passages, one round")
    args = parser.parse_args()
    rng = random.Random(13)
    words = vocabulary()
    files, file_size = (100, 20_000) if args.quick else (1_000, 20_000)
    rounds = 1 if args.quick else 3
    target_chunks = 5_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "md")
        folder.mkdir()
        total = 0
        for number in range(files):
            text = markdown_file(rng, words, file_size)
            (folder / f"doc{number:04d}.md").write_text(text, encoding="utf-8")
            total += len(text.encode())
        print(f"indexing {files} Markdown files, {total / 1_000_000:.1f} MB, {rounds} round(s):")
        speeds, ratios = [], []
        for round_number in range(rounds):
            speed, chunks, samples = index_round(folder, Path(tmp, f"index{round_number}.db"))
            bare = bare_fts_round(folder, Path(tmp, f"bare{round_number}.db"))
            speeds.append(speed)
            ratios.append(speed / bare)
            tenth = max(1, len(samples) // 10)
            early, late = max(samples[:tenth]), max(samples[-tenth:])
            print(f"  round {round_number + 1}: {speed:.1f} MB/s (bare FTS5 insert of the same text {bare:.1f} MB/s), "
                  f"{chunks} passages; RSS after the first 10 % "
                  f"of files {early:.0f} MB, after the last 10 % {late:.0f} MB (max {max(samples):.0f} MB)")  # fmt: skip
        print(f"indexing speed: {min(speeds):.1f}–{max(speeds):.1f} MB/s (min–max over rounds); "
              f"{min(ratios):.2f}–{max(ratios):.2f} × a bare FTS5 insert in the same round")  # fmt: skip

        store = Store(Path(tmp, "query.db"))
        index = SqliteKnowledgeIndex(store.conn)
        started = time.perf_counter()
        fill(index, rng, words, target_chunks)
        count = sum(s.chunks for s in index.stats())
        print(f"query index: {count:,} passages (written in {time.perf_counter() - started:.0f} s)")
        p50s, p99s, cpu99s = [], [], []
        for round_number in range(rounds):
            p50, p99, cpu99 = query_round(index, rng, words, 200 if args.quick else 1_000)
            p50s.append(p50)
            p99s.append(p99)
            cpu99s.append(cpu99)
            print(f"  round {round_number + 1}: query p50 {p50:.2f} ms, p99 {p99:.2f} ms (CPU p99 {cpu99:.2f} ms)")
        print(f"query at {count:,} passages: p50 {min(p50s):.2f}–{max(p50s):.2f} ms, "
              f"p99 {min(p99s):.2f}–{max(p99s):.2f} ms, CPU p99 {min(cpu99s):.2f}–{max(cpu99s):.2f} ms "
              "(min–max over rounds)")  # fmt: skip
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
