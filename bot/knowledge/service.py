"""The engine's view of knowledge collections: which ones a turn may search, retrieval before the model
call, and the sources each turn used (cited under the answer, listed by /why)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.knowledge.config import CollectionConfig, KnowledgeConfig
from bot.knowledge.grounding import Grounding, Scan, classify_passages, unique_sources
from bot.knowledge.index import Hit, KnowledgeIndex, Source
from bot.knowledge.query import content_words
from bot.knowledge.vector_search import VectorSearch
from bot.knowledge.vectors import fuse

log = logging.getLogger("hybridbot.knowledge")
FUSION_DEPTH = 20  # passages each ranking (BM25, vectors) contributes to the fusion


def knowledge_for(settings: Any, conn: sqlite3.Connection) -> Knowledge:
    """Collections over this database, with vectors when `[knowledge.embedder]` is configured."""
    from bot.knowledge.embedder import build_embedder
    from bot.store_knowledge import SqliteKnowledgeIndex

    embedder = build_embedder(settings)
    vectors = None
    if embedder is not None:
        from bot.store_knowledge_vectors import SqliteVectorIndex

        vectors = VectorSearch(embedder, settings.knowledge.embedder, SqliteVectorIndex(conn))
    return Knowledge(settings.knowledge, SqliteKnowledgeIndex(conn), vectors)


class Knowledge:
    def __init__(self, config: KnowledgeConfig, index: KnowledgeIndex, vectors: VectorSearch | None = None) -> None:
        self.config = config
        self.index = index
        self.vectors = vectors  # None: BM25 alone
        self._used: dict[int, list[Source]] = {}  # turn id -> sources shown to its model, until cited

    def collections_for(self, wanted: Sequence[str], agent: str, channel: str) -> list[CollectionConfig]:
        """The configured collections among `wanted` (an agent's `knowledge`) that this agent may search in
        this channel."""
        found = []
        for name in wanted:
            collection = self.config.collection(name)
            if collection is None:
                continue
            if collection.agents and agent not in collection.agents:
                continue
            if collection.channels and channel not in collection.channels:
                continue
            found.append(collection)
        return found

    async def search(
        self,
        question: str,
        collections: Sequence[CollectionConfig],
        limit: int | None = None,
        *,
        private: bool,
    ) -> list[Hit]:
        """The best passages: BM25, fused with the nearest vectors (reciprocal rank fusion) where the embedder
        may read the collection and, for a cloud embedder, the question (`private`: from a private turn)."""
        limit = limit or self.config.top_k
        names = [c.name for c in collections]
        depth = max(limit, FUSION_DEPTH) if self.vectors else limit
        hits = [h for h in self.index.search(content_words(question), names, depth) if h.score >= self.config.min_score]
        if self.vectors is None:
            return hits[:limit]
        near = await self.vectors.nearest(question, collections, depth, private=private)
        if not near:
            return hits[:limit]
        fused = fuse([h.chunk_id for h in hits], near)[:limit]
        found = {h.chunk_id: h for h in hits}
        found |= {h.chunk_id: h for h in self.index.passages([p for p in fused if p[0] not in found])}
        return [replace(found[i], score=score) for i, score in fused if i in found]

    async def ground(
        self, question: str, collections: Sequence[CollectionConfig], scan: Scan, *, private: bool
    ) -> Grounding:
        """Retrieval before the model call (empty when `auto_retrieve = "off"` or nothing matched)."""
        if self.config.auto_retrieve == "off" or not collections:
            return Grounding()
        hits = await self.search(question, collections, private=private)
        levels = {c.name: c.privacy for c in collections}
        passages = classify_passages(hits, levels, scan)
        log.info("retrieved %d passages from %d collections", len(passages), len(collections))
        return Grounding(tuple(passages), tuple(c.name for c in collections))

    def drop_unused_vectors(self) -> int:
        """Vectors no passage uses any more (after indexing or removing): deleted; all of them with no embedder."""
        from bot.store_knowledge_vectors import SqliteVectorIndex

        if self.vectors is not None:
            return self.vectors.drop_unused()
        conn = getattr(self.index, "conn", None)
        return SqliteVectorIndex(conn).drop_unused(None) if conn is not None else 0

    async def aclose(self) -> None:
        if self.vectors is not None:
            await self.vectors.aclose()

    # --- sources of a turn ---------------------------------------------------

    def note_sources(self, turn_id: int, sources: Sequence[Source]) -> None:
        self._used.setdefault(turn_id, []).extend(sources)

    def take_sources(self, turn_id: int) -> list[Source]:
        """The sources a turn's model saw (retrieval and tool calls), once; recorded for /why."""
        sources = unique_sources(self._used.pop(turn_id, []))
        if sources:
            self.index.record_sources(turn_id, sources)
        return sources

    def sources_of_turn(self, turn_id: int) -> list[Source]:
        return self.index.sources_of_turn(turn_id)
