"""SQL of knowledge collections (SQLite FTS5, BM25) and of the sources each answer cited.

`SqliteKnowledgeIndex` implements `bot.knowledge.index.KnowledgeIndex`; a PostgreSQL counterpart would keep
the same methods over tsvector (and pgvector). Passages live in the FTS table itself (rowid = chunk id);
`kb_chunks` holds where each one came from.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence

from bot.knowledge.chunking import Chunk
from bot.knowledge.index import CollectionStats, Hit, Source, StoredDocument
from bot.knowledge.vectors import embed_text, text_hash

# BM25 weights of the FTS columns (collection, title, heading, text): the collection column is only a filter.
BM25_WEIGHTS = (0.0, 2.0, 2.0, 1.0)
TOKENIZER = "porter unicode61 remove_diacritics 2"  # as kb_fts (migration 5)
# BM25 scores every passage that holds any query word: words are kept rarest first while the passages they
# occur in add up to at most this, so a question full of common words stays fast (see _plan).
MAX_POSTINGS = 2000
# Passages BM25 scores at most (about) for one question: beyond it only the newest are ranked (see _window).
MAX_CANDIDATES = 2000


class SqliteKnowledgeIndex:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._df: dict[str, int] = {}  # term -> passages holding it (see _costs)
        self._count: int | None = None
        self._collections: frozenset[str] | None = None  # the collections indexed (see _scope)
        self._span: tuple[int, int] | None = None  # lowest and highest passage id (see _window)
        self._writes = 0  # this connection's own changes (PRAGMA data_version counts only others')
        self._version: tuple[int, int] | None = None

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
        """Insert or re-write one document and its passages atomically (its own transaction, or a savepoint
        inside a `batch()`); returns the passage count."""
        conn = self.conn
        with self._atomic():
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
            first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM kb_chunks").fetchone()[0]
            token = collection_token(collection)
            headings: dict[tuple[str, ...], str] = {}  # neighbouring passages share their heading path
            rows = [(first + n, chunk, _heading_json(chunk.heading, headings)) for n, chunk in enumerate(chunks)]
            conn.executemany(
                "INSERT INTO kb_chunks (id, document_id, ord, heading, page, line, text_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        i,
                        document_id,
                        i - first,
                        heading,
                        c.page,
                        c.line,
                        text_hash(embed_text(title, c.heading, c.text)),
                    )
                    for i, c, heading in rows
                ],
            )
            conn.executemany(
                "INSERT INTO kb_fts (rowid, collection, title, heading, text) VALUES (?, ?, ?, ?, ?)",
                [(i, token, title, c.search_heading, c.text) for i, c, _ in rows],
            )
            count = len(rows)
            conn.execute(
                "UPDATE kb_documents SET title=?, kind=?, content_hash=?, size=?, mtime=?, chunks=?, notes=?,"
                " indexed_at=? WHERE id=?",
                (title, kind, content_hash, size, mtime, count, "\n".join(notes), time.time(), document_id),
            )
        return count

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction around many documents' writes (each still atomic, in a savepoint): FTS5 flushes its
        index once per transaction, so indexing in batches is several times faster than a commit per file."""
        with self._atomic():
            yield

    @contextlib.contextmanager
    def _atomic(self) -> Iterator[None]:
        conn = self.conn
        nested = conn.in_transaction
        conn.execute("SAVEPOINT kb" if nested else "BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO kb" if nested else "ROLLBACK")
            if nested:
                conn.execute("RELEASE kb")
            raise
        conn.execute("RELEASE kb" if nested else "COMMIT")
        self._writes += 1

    def touch_document(self, document_id: int, mtime: float) -> None:
        self.conn.execute("UPDATE kb_documents SET mtime=? WHERE id=?", (mtime, document_id))

    def remove_document(self, document_id: int) -> None:
        with self._atomic():
            self._delete_chunks(document_id)
            self.conn.execute("DELETE FROM kb_documents WHERE id=?", (document_id,))

    def remove_collection(self, collection: str) -> int:
        documents = self.documents(collection)
        for document in documents.values():
            self.remove_document(document.id)
        return len(documents)

    def _delete_chunks(self, document_id: int) -> None:
        """Delete a document's passages (their vectors, if no other passage has the same text, are dropped after
        the indexing run: SqliteVectorIndex.drop_unused)."""
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

    def search(self, words: Sequence[str], collections: Sequence[str], limit: int) -> list[Hit]:
        """The best `limit` passages holding any of these words in these collections (BM25)."""
        if not collections or not words:
            return []
        words, conjunction, expected = self._plan(words)
        scope = self._scope(collections)
        newest = self._window(expected)
        rows = self._ranked(words, scope, limit, conjunction, newest)
        if newest is not None and len(rows) < limit:  # the estimate was off: the whole index after all
            rows = self._ranked(words, scope, limit, conjunction, None)
        if conjunction and len(rows) < limit:  # too few passages hold all of them: the rarest alone fills up
            seen = {row[0] for row in rows}
            alone = self._window(self._costs(words[:1])[0])
            rows += [r for r in self._ranked(words[:1], scope, limit, False, alone) if r[0] not in seen]
            rows = rows[:limit]
        return self._hits(rows)

    def _ranked(
        self, words: Sequence[str], scope: Sequence[str], limit: int, conjunction: bool, newest: int | None
    ) -> list:
        """BM25's best passages holding the words (all, or any), in the scope's collections (none: all of them),
        among passages from id `newest` on (None: all)."""
        terms = (" AND " if conjunction else " OR ").join(f'"{w.replace(chr(34), "")}"' for w in words)
        match = f"collection : ({' OR '.join(collection_token(c) for c in scope)}) AND ({terms})" if scope else terms
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        window = "" if newest is None else f" AND rowid >= {int(newest)}"
        return self.conn.execute(
            f"SELECT rowid, -bm25(kb_fts, {weights}) AS score, text FROM kb_fts"
            f" WHERE kb_fts MATCH ?{window} ORDER BY score DESC LIMIT ?",
            (match, limit),
        ).fetchall()

    def _scope(self, collections: Sequence[str]) -> list[str]:
        """The collections to filter on: none when they are every indexed one (the filter token is in every
        passage, so matching it reads the whole index's list of passages)."""
        self._check_version()
        if self._collections is None:
            rows = self.conn.execute("SELECT DISTINCT collection FROM kb_documents").fetchall()
            self._collections = frozenset(r[0] for r in rows)
        return [] if self._collections <= set(collections) else list(collections)

    def _window(self, expected: float) -> int | None:
        """When more than MAX_CANDIDATES passages are expected to match, BM25 ranks only the newest passages
        where about that many match (the id from which on to search); else None. A question made only of
        words in most passages has little to rank by, and scoring every passage holding them is what is slow."""
        if expected <= MAX_CANDIDATES:
            return None
        if self._span is None:
            low, high = self.conn.execute("SELECT min(id), max(id) FROM kb_chunks").fetchone()
            self._span = (low or 0, high or 0)
        low, high = self._span
        return max(low, high - int((high - low + 1) * MAX_CANDIDATES / expected))

    def passages(self, ranked: Sequence[tuple[int, float]]) -> list[Hit]:
        """Hits for these (chunk id, score) pairs, in their order (fused rankings)."""
        if not ranked:
            return []
        ids = [chunk_id for chunk_id, _ in ranked]
        texts = dict(
            self.conn.execute(f"SELECT rowid, text FROM kb_fts WHERE rowid IN ({','.join('?' * len(ids))})", ids)
        )
        return self._hits([(i, score, texts[i]) for i, score in ranked if i in texts])

    def _hits(self, rows: list) -> list[Hit]:
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

    def _plan(self, words: Sequence[str]) -> tuple[list[str], bool, float]:
        """The words to search with, whether all of them must occur (see MAX_POSTINGS), and how many passages
        are expected to match.

        Words are kept rarest first while the passages holding them add up to at most MAX_POSTINGS (the rarest
        always), in the question's order. When even the rarest is that common, the two or three rarest are
        required together instead (their expected overlap fits), the rarest first."""
        cost = self._costs(words)
        if len(words) < 2:
            return list(words), False, float(sum(cost))
        order = sorted(range(len(words)), key=cost.__getitem__)
        if cost[order[0]] > MAX_POSTINGS:
            passages = max(1, self._passages())
            chosen, expected = [order[0]], float(cost[order[0]])
            for index in order[1:3]:
                chosen.append(index)
                expected *= cost[index] / passages
                if expected <= MAX_POSTINGS:
                    break
            return [words[i] for i in chosen], True, expected
        kept: set[int] = set()
        total = 0
        for index in order:
            if kept and total + cost[index] > MAX_POSTINGS:
                break
            kept.add(index)
            total += cost[index]
        return [w for i, w in enumerate(words) if i in kept], False, float(total)

    def _costs(self, words: Sequence[str]) -> list[int]:
        """Passages holding each word, read from the index vocabulary (cached until the index changes). Each
        word is tokenized by the index's own tokenizer (a scratch FTS5 table), stems and all."""
        self._check_version()
        conn = self.conn
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_query USING fts5(w, tokenize = '{TOKENIZER}')")
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.kb_query_terms USING fts5vocab(temp, kb_query, 'instance')"
        )
        conn.executemany("INSERT INTO temp.kb_query (rowid, w) VALUES (?, ?)", list(enumerate(words)))
        tokens = conn.execute("SELECT doc, term FROM temp.kb_query_terms").fetchall()
        conn.execute("DELETE FROM temp.kb_query")
        missing = list({term for _, term in tokens if term not in self._df})
        if missing:
            marks = ",".join("?" * len(missing))
            found = dict(conn.execute(f"SELECT term, doc FROM kb_vocab WHERE term IN ({marks})", missing).fetchall())
            self._df.update({term: found.get(term, 0) for term in missing})
        cost = [0] * len(words)
        for index, term in tokens:
            cost[index] += self._df[term]
        return cost

    def _passages(self) -> int:
        if self._count is None:
            self._count = int(self.conn.execute("SELECT count(*) FROM kb_chunks").fetchone()[0])
        return self._count

    def _check_version(self) -> None:
        """Forget cached counts when this or another connection (a `kb index` run) changed the database."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0], self._writes
        if version != self._version:
            self._df.clear()
            self._count = None
            self._collections = None
            self._span = None
            self._version = version

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


def collection_token(name: str) -> str:
    """One FTS token per collection name (names may hold '-' and '_', which the tokenizer splits on)."""
    return "c" + name.encode().hex()


def _heading_json(heading: tuple[str, ...], seen: dict[tuple[str, ...], str]) -> str:
    text = seen.get(heading)
    if text is None:
        text = seen[heading] = json.dumps(heading, ensure_ascii=False)
    return text
