"""What a knowledge index stores and returns, and the interface an index implements (SQLite FTS5 today:
bot/store_knowledge.py; a PostgreSQL tsvector index could implement the same)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from bot.knowledge.chunking import Chunk


@dataclass(frozen=True)
class StoredDocument:
    id: int
    path: str
    content_hash: str
    size: int
    mtime: float


@dataclass(frozen=True)
class CollectionStats:
    collection: str
    documents: int
    chunks: int
    bytes: int
    indexed_at: float | None


@dataclass(frozen=True)
class Source:
    """Where a passage came from, as an answer cites it."""

    collection: str
    path: str
    title: str
    heading: tuple[str, ...] = ()
    page: int | None = None
    line: int | None = None

    def cite(self) -> str:
        """ "Handbook — docs/handbook.md § Holidays, line 12" / "Policies — policies.pdf, page 3"."""
        where = self.path
        if self.heading:
            where += " § " + " › ".join(self.heading[-2:])
        if self.page:
            where += f", page {self.page}"
        elif self.line:
            where += f", line {self.line}"
        return f"{self.title} — {where}" if self.title and self.title != self.path.rsplit("/", 1)[-1] else where


@dataclass(frozen=True)
class Hit:
    chunk_id: int
    collection: str
    path: str
    title: str
    heading: tuple[str, ...]
    page: int | None
    line: int | None
    text: str
    score: float  # BM25, or the fused score with vectors; higher is better

    @property
    def source(self) -> Source:
        return Source(self.collection, self.path, self.title, self.heading, self.page, self.line)


class KnowledgeIndex(Protocol):
    def documents(self, collection: str) -> dict[str, StoredDocument]: ...

    def replace_document(
        self,
        collection: str,
        path: str,
        *,
        title: str,
        kind: str,
        content_hash: str,
        size: int,
        mtime: float,
        notes: Sequence[str],
        chunks: Iterable[Chunk],
    ) -> int: ...

    def batch(self) -> AbstractContextManager[None]: ...  # one transaction around many documents' writes

    def touch_document(self, document_id: int, mtime: float) -> None: ...

    def remove_document(self, document_id: int) -> None: ...

    def remove_collection(self, collection: str) -> int: ...

    def stats(self) -> list[CollectionStats]: ...

    def search(self, words: Sequence[str], collections: Sequence[str], limit: int) -> list[Hit]: ...

    def passages(self, ranked: Sequence[tuple[int, float]]) -> list[Hit]: ...

    def record_sources(self, turn_id: int, sources: Sequence[Source]) -> None: ...

    def sources_of_turn(self, turn_id: int) -> list[Source]: ...
