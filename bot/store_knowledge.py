"""SQL of knowledge collections (SQLite FTS5, BM25) and of the sources each answer cited.

`SqliteKnowledgeIndex` implements `bot.knowledge.index.KnowledgeIndex`; a PostgreSQL counterpart would keep
the same methods over tsvector (and pgvector). Passages live in the FTS table itself (rowid = chunk id);
`kb_chunks` holds where each one came from.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence

from bot.knowledge.chunking import Chunk
from bot.knowledge.index import CollectionStats, Hit, Source, StoredDocument

# BM25 weights of the FTS columns (collection, title, heading, text): the collection column is only a filter.
BM25_WEIGHTS = (0.0, 2.0, 2.0, 1.0)


class SqliteKnowledgeIndex:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # --- documents -----------------------------------------------------------

    def documents(self, collection: str) -> dict[str, StoredDocument]:
        rows = self.conn.execute(
            "SELECT id, path, content_hash, size, mtime FROM kb_documents WHERE collection=?", (collection,)
        ).fetchall()
        return {r[1]: StoredDocument(r[0], r[1], r[2], r[3], r[4]) for r in rows}

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
    ) -> int:
        """Insert or re-write one document and its passages in one transaction; returns the passage count."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "SELECT id FROM kb_documents WHERE collection=? AND path=?", (collection, path)
            ).fetchone()
            if row:
                document_id = row[0]
                self._delete_chunks(document_id)
            else:
                document_id = conn.execute(
                    "INSERT INTO kb_documents (collection, path, content_hash, indexed_at) VALUES (?, ?, '', ?)",
                    (collection, path, time.time()),
                ).lastrowid
            count = 0
            for ordinal, chunk in enumerate(chunks):
                chunk_id = conn.execute(
                    "INSERT INTO kb_chunks (document_id, ord, heading, page, line) VALUES (?, ?, ?, ?, ?)",
                    (document_id, ordinal, json.dumps(chunk.heading, ensure_ascii=False), chunk.page, chunk.line),
                ).lastrowid
                conn.execute(
                    "INSERT INTO kb_fts (rowid, collection, title, heading, text) VALUES (?, ?, ?, ?, ?)",
                    (chunk_id, collection, title, chunk.search_heading, chunk.text),
                )
                count += 1
            conn.execute(
                "UPDATE kb_documents SET title=?, kind=?, content_hash=?, size=?, mtime=?, chunks=?, notes=?,"
                " indexed_at=? WHERE id=?",
                (title, kind, content_hash, size, mtime, count, "\n".join(notes), time.time(), document_id),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return count

    def touch_document(self, document_id: int, mtime: float) -> None:
        self.conn.execute("UPDATE kb_documents SET mtime=? WHERE id=?", (mtime, document_id))

    def remove_document(self, document_id: int) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self._delete_chunks(document_id)
            self.conn.execute("DELETE FROM kb_documents WHERE id=?", (document_id,))
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def remove_collection(self, collection: str) -> int:
        documents = self.documents(collection)
        for document in documents.values():
            self.remove_document(document.id)
        return len(documents)

    def _delete_chunks(self, document_id: int) -> None:
        self.conn.execute(
            "DELETE FROM kb_fts WHERE rowid IN (SELECT id FROM kb_chunks WHERE document_id=?)", (document_id,)
        )
        self.conn.execute("DELETE FROM kb_chunks WHERE document_id=?", (document_id,))

    def stats(self) -> list[CollectionStats]:
        rows = self.conn.execute(
            "SELECT collection, count(*), coalesce(sum(chunks), 0), coalesce(sum(size), 0), max(indexed_at)"
            " FROM kb_documents GROUP BY collection ORDER BY collection"
        ).fetchall()
        return [CollectionStats(*row) for row in rows]

    # --- search --------------------------------------------------------------

    def search(self, match: str, collections: Sequence[str], limit: int) -> list[Hit]:
        """The best `limit` passages for an FTS5 MATCH expression in these collections (BM25)."""
        if not collections or not match:
            return []
        marks = ",".join("?" * len(collections))
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        rows = self.conn.execute(
            f"SELECT rowid, -bm25(kb_fts, {weights}) AS score, text FROM kb_fts"
            f" WHERE kb_fts MATCH ? AND collection IN ({marks}) ORDER BY bm25(kb_fts, {weights}) LIMIT ?",
            (match, *collections, limit),
        ).fetchall()
        if not rows:
            return []
        ids = [row[0] for row in rows]
        places = self.conn.execute(
            "SELECT c.id, d.collection, d.path, d.title, c.heading, c.page, c.line FROM kb_chunks c"
            f" JOIN kb_documents d ON d.id = c.document_id WHERE c.id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        where = {p[0]: p for p in places}
        hits = []
        for chunk_id, score, text in rows:
            place = where.get(chunk_id)
            if place is None:  # removed between the two reads
                continue
            heading = tuple(json.loads(place[4]))
            hits.append(Hit(chunk_id, place[1], place[2], place[3], heading, place[5], place[6], text, score))
        return hits

    # --- sources cited by answers ---------------------------------------------

    def record_sources(self, turn_id: int, sources: Sequence[Source]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO turn_sources (turn_id, ord, collection, path, title, heading, page, line)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (turn_id, n, s.collection, s.path, s.title, json.dumps(s.heading, ensure_ascii=False), s.page, s.line)
                for n, s in enumerate(sources, start=1)
            ],
        )

    def sources_of_turn(self, turn_id: int) -> list[Source]:
        rows = self.conn.execute(
            "SELECT collection, path, title, heading, page, line FROM turn_sources WHERE turn_id=? ORDER BY ord",
            (turn_id,),
        ).fetchall()
        return [Source(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], r[5]) for r in rows]
