"""Vectors beside BM25: passages embedded while indexing (only those the embedder may read), a question embedded
when it may be, and the nearest passages for fusion. Anything going wrong leaves BM25 answering alone.

Privacy: a cloud embedder reads only `cloud-ok` collections' passages (bot/knowledge/config.py `may_embed`) and
never a question from a private turn; a local embedder reads everything. Logs carry counts, never text.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge.config import CollectionConfig, EmbedderConfig, may_embed
from bot.knowledge.embedder import Embedder, EmbedderError
from bot.store_knowledge_vectors import SqliteVectorIndex

log = logging.getLogger("hybridbot.knowledge")


@dataclass
class EmbedReport:
    collection: str
    embedded: int = 0  # passages sent to the embedder (passages whose text already had a vector are not)
    missing: int = 0  # passages left without a vector (the embedder failed; the next `kb index` tries again)
    error: str = ""
    skipped: str = ""  # why this collection gets no vectors
    seconds: float = 0.0

    def summary(self) -> str:
        if self.skipped:
            return f"{self.collection}: no vectors — {self.skipped}"
        plural = "" if self.embedded == 1 else "s"
        text = f"{self.collection}: {self.embedded} passage{plural} embedded in {self.seconds:.1f} s"
        if self.error:
            text += f"; the embedder failed ({self.error}), searching with BM25 alone until `kb index` runs again"
        return text


class VectorSearch:
    def __init__(self, embedder: Embedder, config: EmbedderConfig, index: SqliteVectorIndex) -> None:
        self.embedder = embedder
        self.config = config
        self.index = index

    @property
    def space(self) -> str:
        return self.embedder.name

    def readable(self, collections: Sequence[CollectionConfig]) -> list[str]:
        return [c.name for c in collections if may_embed(c, self.embedder.locality)]

    async def nearest(
        self, question: str, collections: Sequence[CollectionConfig], depth: int, *, private: bool
    ) -> list[int]:
        """Chunk ids nearest the question among the collections with vectors, or [] (not allowed, or failed)."""
        names = self.readable(collections)
        if not names or (private and self.embedder.locality == "cloud"):
            return []  # a private turn's question never goes to a cloud embedder
        try:
            vectors = await asyncio.wait_for(self.embedder.embed([question]), self.config.query_timeout)
        except Exception as error:  # down, slow, refused or malformed: the turn goes on with BM25
            log.warning("knowledge: embedder unavailable (%s); BM25 alone answers this question", _why(error, self))
            return []
        return self.index.nearest(self.space, vectors[0], names, depth)

    async def embed_collection(self, collection: CollectionConfig) -> EmbedReport:
        """Vectors for a collection's passages that have none (by text: unchanged passages keep theirs)."""
        report = EmbedReport(collection.name)
        if not may_embed(collection, self.embedder.locality):
            report.skipped = (
                "vectors = false"
                if collection.vectors is False
                else f"{collection.privacy} text is never sent to a cloud embedder ({self.space})"
            )
            return report
        started = time.perf_counter()
        while rows := self.index.missing(collection.name, self.space, self.config.batch):
            try:
                vectors = await self.embedder.embed([text for _, _, text in rows])
            except Exception as error:  # the next `kb index` embeds what is missing
                report.error = _why(error, self)
                report.missing = len(rows)
                log.warning("knowledge: embedder failed while indexing %s (%s)", collection.name, report.error)
                break
            self.index.put(self.space, [(digest, v) for (_, digest, _), v in zip(rows, vectors, strict=True)])
            report.embedded += len(rows)
        report.seconds = time.perf_counter() - started
        return report

    def drop_unused(self) -> int:
        return self.index.drop_unused(self.space)

    async def aclose(self) -> None:
        await self.embedder.aclose()


def _why(error: Exception, search: VectorSearch) -> str:
    """What went wrong, for logs and `kb index`: never the text that was being embedded."""
    if isinstance(error, EmbedderError):
        return str(error)
    if isinstance(error, TimeoutError):
        return f"{search.space}: no answer in {search.config.query_timeout:g} s"
    return f"{search.space}: {type(error).__name__}"
