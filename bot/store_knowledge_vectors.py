"""SQL of knowledge vectors (table kb_vectors, migration 11): one vector per passage text and embedder ("space").

Nearest passages are found with sqlite-vec's `vec_distance_cosine` when the extension loads into this Python's
sqlite3. When it can't (many Python builds have no extension loading), the same SQL function is registered in
Python — exact, but slower on large collections — and one warning says so. A PostgreSQL counterpart would use
pgvector with the same methods.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from bot.knowledge.vectors import embed_text, pack, text_hash, unpack
from bot.store_records import immediate_transaction

log = logging.getLogger("hybridbot.knowledge")
_warned: set[str] = set()


def load_vector_functions(conn: sqlite3.Connection) -> str:
    """'sqlite-vec' when the extension loaded, else 'python' (the distance function registered in Python)."""
    reason = ""
    try:
        import sqlite_vec

        conn.enable_load_extension(True)
        try:
            sqlite_vec.load(conn)
        finally:
            conn.enable_load_extension(False)
        return "sqlite-vec"
    except ImportError:
        reason = "the sqlite-vec package is not installed (pip install sqlite-vec)"
    except (AttributeError, sqlite3.Error) as error:
        reason = f"this Python's sqlite3 can't load extensions ({type(error).__name__})"
    conn.create_function("vec_distance_cosine", 2, _cosine_distance, deterministic=True)
    if reason not in _warned:
        _warned.add(reason)
        log.warning("knowledge vectors: %s; searching them with a slower exact distance in Python", reason)
    return "python"


def _python_distance() -> Callable[[bytes, bytes], float]:
    """Cosine distance of two unit float32 blobs: numpy's dot product when numpy is installed, else pure Python
    (about 30× slower). The query blob is the same for every row of a search: it is unpacked once."""
    try:
        import numpy

        def unpack_np(blob: bytes) -> Any:
            return numpy.frombuffer(blob, dtype=numpy.float32)

        def dot_np(a: Any, b: Any) -> float:
            return float(numpy.dot(a, b))

        unpack_fn, dot = unpack_np, dot_np
    except ImportError:
        unpack_fn = unpack

        def dot(a: Any, b: Any) -> float:
            return sum(x * y for x, y in zip(a, b, strict=False))

    last: list[Any] = [None, None]

    def distance(stored: bytes, query: bytes) -> float:
        if last[0] != query:
            last[0], last[1] = query, unpack_fn(query)
        return 1.0 - dot(unpack_fn(stored), last[1])

    return distance


_cosine_distance = _python_distance()


class SqliteVectorIndex:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._backend: str | None = None  # loaded at the first search

    @property
    def backend(self) -> str:
        """'sqlite-vec' or 'python' (see load_vector_functions)."""
        if self._backend is None:
            self._backend = load_vector_functions(self.conn)
        return self._backend

    def missing(self, collection: str, space: str, limit: int) -> list[tuple[int, str, str]]:
        """Up to `limit` passages of a collection without a vector in this space: (chunk id, hash, text to embed).
        Passages indexed before vectors existed get their hash here."""
        rows = self.conn.execute(
            "SELECT c.id, c.text_hash, d.title, c.heading, f.text FROM kb_chunks c"
            " JOIN kb_documents d ON d.id = c.document_id JOIN kb_fts f ON f.rowid = c.id"
            " WHERE d.collection = ? AND NOT EXISTS"
            " (SELECT 1 FROM kb_vectors v WHERE v.space = ? AND v.text_hash = c.text_hash) LIMIT ?",
            (collection, space, limit),
        ).fetchall()
        found, backfill = [], []
        for chunk_id, known, title, heading, text in rows:
            body = embed_text(title, json.loads(heading), text)
            digest = text_hash(body)
            if digest != known:
                backfill.append((digest, chunk_id))
            found.append((chunk_id, digest, body))
        if backfill:
            with self._transaction():
                self.conn.executemany("UPDATE kb_chunks SET text_hash = ? WHERE id = ?", backfill)
        return found

    def put(self, space: str, vectors: Sequence[tuple[str, Sequence[float]]]) -> None:
        with self._transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO kb_vectors (space, text_hash, vector) VALUES (?, ?, ?)",
                [(space, digest, pack(vector)) for digest, vector in vectors],
            )

    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        return immediate_transaction(self.conn)

    def nearest(self, space: str, query: Sequence[float], collections: Sequence[str], limit: int) -> list[int]:
        """Chunk ids of the passages nearest the query vector (cosine), best first. The vectors are read in
        table order (a scan) and kept if their text is in these collections: much faster than a lookup per
        passage, whose blobs sit in overflow pages."""
        if not collections:
            return []
        self.backend  # noqa: B018 - loads the distance function on first use
        marks = ",".join("?" * len(collections))
        wanted = (
            "SELECT c.text_hash FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id"
            f" WHERE d.collection IN ({marks})"
        )
        best = self.conn.execute(
            "SELECT text_hash FROM kb_vectors WHERE space = ? AND text_hash IN"
            f" ({wanted}) ORDER BY vec_distance_cosine(vector, ?) LIMIT ?",
            (space, *collections, pack(query), limit),
        ).fetchall()
        order = {row[0]: rank for rank, row in enumerate(best)}
        if not order:
            return []
        rows = self.conn.execute(
            f"SELECT c.id, c.text_hash FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id"
            f" WHERE d.collection IN ({marks}) AND c.text_hash IN ({','.join('?' * len(order))})",
            (*collections, *order),
        ).fetchall()
        rows.sort(key=lambda row: (order[row[1]], row[0]))  # passages sharing a text: the first indexed first
        return [row[0] for row in rows][:limit]

    def count(self, space: str | None = None) -> int:
        if space is None:
            return int(self.conn.execute("SELECT count(*) FROM kb_vectors").fetchone()[0])
        return int(self.conn.execute("SELECT count(*) FROM kb_vectors WHERE space = ?", (space,)).fetchone()[0])

    def drop_unused(self, space: str | None) -> int:
        """Vectors no passage has any more (deleted or changed documents), and other embedders' (`space` is the
        configured one; None: no embedder any more): removed."""
        return self.conn.execute(
            "DELETE FROM kb_vectors WHERE text_hash NOT IN (SELECT text_hash FROM kb_chunks) OR space IS NOT ?",
            (space,),
        ).rowcount
