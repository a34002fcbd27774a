"""Retrieval quality of knowledge collections (BM25 over FTS5) on CPython's own reference topics.

Run from the repo root:  .venv/bin/python benchmarks/knowledge_retrieval.py [--quick] [--verbose]
                         [--embedder ollama:MODEL | --embedder openai:MODEL]  (hybrid: BM25 + vectors, fused)
  --embedder uses OLLAMA_HOST, or OPENAI_BASE_URL / OPENAI_API_KEY. Without one, only BM25 is measured: figures
  from the test stand-ins' hashed embeddings would say nothing about quality, so there is no such mode.

Corpus: `pydoc_data.topics` (shipped with Python; no download), each topic written as `<key>.rst` and indexed
through the real pipeline (extract → chunk → SQLite FTS5). Questions: benchmarks/data/kb_questions.jsonl, written
before the chunker and ranker and not tuned on. A question is found at k when a passage among the first k
comes from one of its answering topics; MRR uses the first such passage among the first 10 (0 when none).
Ranges are 95 % bootstrap intervals over the questions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge.config import CollectionConfig, KnowledgeConfig  # noqa: E402
from bot.knowledge.indexer import index_collection  # noqa: E402
from bot.knowledge.query import content_words  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store_knowledge import SqliteKnowledgeIndex  # noqa: E402

QUESTIONS = ROOT / "benchmarks" / "data" / "kb_questions.jsonl"
DEPTH = 10


def load_questions() -> list[dict]:
    with QUESTIONS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def first_relevant_rank(index: SqliteKnowledgeIndex, question: str, topics: set[str]) -> int | None:
    hits = index.search(content_words(question), ["pydoc"], DEPTH)
    return next((rank for rank, hit in enumerate(hits, start=1) if Path(hit.path).stem in topics), None)


def embedder_from(spec: str) -> object:
    import os

    from bot.knowledge.embedder import OllamaEmbedder, OpenAIEmbedder

    provider, _, model = spec.partition(":")
    if provider == "ollama":
        return OllamaEmbedder(spec, "local", os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434"), model, 120.0)
    if provider == "openai":
        key = os.environ.get("OPENAI_API_KEY", "not-needed")
        return OpenAIEmbedder(spec, "cloud", os.environ.get("OPENAI_BASE_URL") or None, key, model, 120.0)
    raise SystemExit("--embedder must be ollama:MODEL or openai:MODEL")


async def hybrid_ranks(store: Store, spec: str, questions: list[dict]) -> list[int | None]:
    """Ranks with BM25 fused with the embedder's vectors (as the bot searches: bot/knowledge/service.py)."""
    from bot.knowledge.config import EmbedderConfig
    from bot.knowledge.service import Knowledge
    from bot.knowledge.vector_search import VectorSearch
    from bot.store_knowledge_vectors import SqliteVectorIndex

    provider, _, model = spec.partition(":")
    embedder = embedder_from(spec)
    collection = CollectionConfig(name="pydoc", paths=["."], privacy="cloud-ok")
    vectors = VectorSearch(
        embedder, EmbedderConfig(provider=provider, model=model, query_timeout=60), SqliteVectorIndex(store.conn)
    )  # type: ignore[arg-type]
    report = await vectors.embed_collection(collection)
    if report.error:
        raise SystemExit(f"the embedder failed: {report.error}")
    knowledge = Knowledge(KnowledgeConfig(), SqliteKnowledgeIndex(store.conn), vectors)
    ranks = []
    for q in questions:
        hits = await knowledge.search(q["question"], [collection], DEPTH, private=False)
        ranks.append(next((r for r, h in enumerate(hits, start=1) if Path(h.path).stem in set(q["topics"])), None))
    await vectors.aclose()
    return ranks


def figures(label: str, ranks: list[int | None]) -> None:
    found5 = [1.0 if r is not None and r <= 5 else 0.0 for r in ranks]
    found1 = [1.0 if r == 1 else 0.0 for r in ranks]
    reciprocal = [1.0 / r if r else 0.0 for r in ranks]
    low, high = bootstrap(found5)
    mrr_low, mrr_high = bootstrap(reciprocal)
    print(f"{label} recall@5: {sum(found5) / len(found5):.3f} (95% CI {low:.3f}–{high:.3f})")
    print(f"{label} recall@1: {sum(found1) / len(found1):.3f}")
    print(f"{label} MRR@{DEPTH}: {sum(reciprocal) / len(reciprocal):.3f} (95% CI {mrr_low:.3f}–{mrr_high:.3f})")


def bootstrap(values: list[float], rounds: int = 2000, seed: int = 7) -> tuple[float, float]:
    rng = random.Random(seed)
    means = sorted(sum(rng.choice(values) for _ in values) / len(values) for _ in range(rounds))
    return means[int(rounds * 0.025)], means[int(rounds * 0.975) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the first 30 questions")
    parser.add_argument("--verbose", action="store_true", help="print each question not found in the first 5")
    parser.add_argument("--embedder", metavar="PROVIDER:MODEL", help="also measure hybrid retrieval with it")
    args = parser.parse_args()
    import pydoc_data.topics as pydoc_topics

    topics = pydoc_topics.topics
    questions = load_questions()
    if args.quick:
        questions = questions[:30]
    usable = [q for q in questions if set(q["topics"]) & set(topics)]
    config = KnowledgeConfig()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "topics")
        folder.mkdir()
        for key, text in topics.items():
            (folder / f"{key}.rst").write_text(text, encoding="utf-8")
        store = Store(Path(tmp, "kb.db"))
        index = SqliteKnowledgeIndex(store.conn)
        report = index_collection(index, CollectionConfig(name="pydoc", paths=[str(folder)]), config)
        started = time.perf_counter()
        ranks = [first_relevant_rank(index, q["question"], set(q["topics"])) for q in usable]
        seconds = time.perf_counter() - started
        hybrid = asyncio.run(hybrid_ranks(store, args.embedder, usable)) if args.embedder else None
        store.close()
    python = ".".join(map(str, sys.version_info[:3]))
    print(f"corpus: pydoc_data.topics of Python {python}: {len(topics)} topics, {report.chunks} passages "
          f"(chunk_tokens={config.chunk_tokens}, overlap_tokens={config.overlap_tokens})")  # fmt: skip
    print(f"questions: {len(usable)} of {len(questions)} (the others name topics this Python lacks)")
    figures("BM25", ranks)
    print(f"query time: {seconds / len(usable) * 1000:.2f} ms per question (mean, {len(usable)} questions)")
    if hybrid is not None:
        figures(f"hybrid ({args.embedder})", hybrid)
    else:
        print("hybrid: not measured — no embedder given (--embedder ollama:MODEL); stand-in vectors are no figure")
    if args.verbose:
        for question, rank in zip(usable, ranks, strict=True):
            if rank is None or rank > 5:
                print(f"  not in first 5 (rank {rank}): {question['question']} → {question['topics']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
