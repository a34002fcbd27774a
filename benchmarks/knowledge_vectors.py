"""Knowledge vector search speed: the nearest passages to a question vector, at several collection sizes, with
whichever distance this Python's sqlite3 has (sqlite-vec's, or the Python fallback where extensions can't load).

Run from the repo root:  .venv/bin/python benchmarks/knowledge_vectors.py [--quick] [--dims N]
  With sqlite-vec where the venv's Python can't load extensions, e.g. (same minor version, this venv's packages):
  PYTHONPATH=.:.venv/lib/python3.11/site-packages /usr/bin/python3.11 benchmarks/knowledge_vectors.py

Vectors are random unit vectors (speed only — no quality figure); p50/p99 CPU over 50 queries per size.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge.chunking import Chunk  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store_knowledge import SqliteKnowledgeIndex  # noqa: E402
from bot.store_knowledge_vectors import SqliteVectorIndex  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 passages only")
    parser.add_argument("--dims", type=int, default=768)
    args = parser.parse_args()
    sizes = [1_000] if args.quick else [1_000, 10_000, 100_000]
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp, "v.db"))
        index, vectors = SqliteKnowledgeIndex(store.conn), SqliteVectorIndex(store.conn)
        print(f"backend: {vectors.backend}; {args.dims} dimensions; Python {sys.version.split()[0]}")
        have = 0
        for size in sizes:
            with index.batch():
                for number in range(have // 100, size // 100):
                    chunks = [Chunk(f"passage {number} {i}", ("H",), None, i) for i in range(100)]
                    index.replace_document(
                        "c", f"d{number}.md", title="D", kind="text", content_hash="h", size=1, mtime=0.0,
                        notes=(), chunks=chunks,
                    )  # fmt: skip
            have = size
            while rows := vectors.missing("c", "s", 5_000):
                vectors.put("s", [(digest, [rng.gauss(0, 1) for _ in range(args.dims)]) for _, digest, _ in rows])
            cpus = []
            queries = 50 if vectors.backend == "sqlite-vec" or size <= 10_000 else 5
            for _ in range(queries):
                query = [rng.gauss(0, 1) for _ in range(args.dims)]
                started = time.process_time()
                found = vectors.nearest("s", query, ["c"], 20)
                cpus.append((time.process_time() - started) * 1000)
                assert len(found) == 20
            cpus.sort()
            p99 = cpus[min(len(cpus) - 1, int(len(cpus) * 0.99))]
            print(f"vector search at {size:,} passages: CPU p50 {cpus[len(cpus) // 2]:.1f} ms, p99 {p99:.1f} ms "
                  f"({queries} queries)")  # fmt: skip
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
