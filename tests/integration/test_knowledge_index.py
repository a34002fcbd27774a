"""The SQLite FTS5 index: BM25 order, collection filter, bounded questions of common words, and word counts
that follow changes made by another connection (a `kb index` run beside the bot)."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.store_knowledge
from bot.knowledge.chunking import Chunk
from bot.store import Store
from bot.store_knowledge import SqliteKnowledgeIndex


def put(index: SqliteKnowledgeIndex, collection: str, path: str, texts: list[str]) -> None:
    chunks = [Chunk(text, ("Top",), None, n + 1) for n, text in enumerate(texts)]
    index.replace_document(
        collection, path, title=path, kind="text", content_hash=path, size=1, mtime=0.0, notes=(), chunks=chunks
    )


@pytest.fixture
def index(tmp_path: Path):
    store = Store(tmp_path / "kb.db")
    index = SqliteKnowledgeIndex(store.conn)
    texts = [f"common shared filler number {n}" for n in range(10)] + ["common rare gem", "rare stone"]
    put(index, "team-docs", "a.md", texts)
    put(index, "other_docs", "b.md", ["rare gem elsewhere"])
    yield index
    store.close()


def test_bm25_ranks_passages_with_more_and_rarer_words_first_within_the_collections_asked(index) -> None:
    hits = index.search(["rare", "gem"], ["team-docs"], 5)
    assert [h.text for h in hits][:2] == ["common rare gem", "rare stone"]
    assert all(h.collection == "team-docs" for h in hits)
    assert [h.text for h in index.search(["gem"], ["other_docs"], 5)] == ["rare gem elsewhere"]
    assert index.search(["gem"], [], 5) == []


def test_common_words_are_dropped_rarest_first_past_the_budget(index, monkeypatch) -> None:
    monkeypatch.setattr(bot.store_knowledge, "MAX_POSTINGS", 5)
    words, conjunction, expected = index._plan(["common", "rare"])
    assert (words, conjunction, expected) == (["rare"], False, 3)  # "common" (11 passages) would pass the budget
    assert {h.text for h in index.search(["common", "rare"], ["team-docs"], 5)} == {"common rare gem", "rare stone"}


def test_a_question_of_only_common_words_requires_them_together(index, monkeypatch) -> None:
    monkeypatch.setattr(bot.store_knowledge, "MAX_POSTINGS", 5)
    words, conjunction, _ = index._plan(["shared", "common", "filler"])
    assert conjunction and len(words) >= 2
    hits = index.search(["shared", "common", "filler"], ["team-docs"], 3)
    assert len(hits) == 3 and all("shared" in h.text and "common" in h.text for h in hits)


def test_a_question_matching_too_many_passages_ranks_only_the_newest(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bot.store_knowledge, "MAX_CANDIDATES", 10)
    store = Store(tmp_path / "big.db")
    index = SqliteKnowledgeIndex(store.conn)
    put(index, "docs", "old.md", ["common word " * 5] * 40)  # the best passages for "common", but old
    put(index, "docs", "new.md", ["common word and more words here"] * 40)
    hits = index.search(["common"], ["docs"], 5)
    assert len(hits) == 5 and all(h.path == "new.md" for h in hits)  # 80 expected > 10: the newest ~10 ranked
    monkeypatch.setattr(bot.store_knowledge, "MAX_CANDIDATES", 1_000)
    assert all(h.path == "old.md" for h in index.search(["common"], ["docs"], 5))  # within the cap: all ranked
    store.close()


def test_searching_every_collection_needs_no_collection_filter_and_finds_the_same(index) -> None:
    assert index._scope(["team-docs", "other_docs"]) == []
    assert index._scope(["team-docs"]) == ["team-docs"]
    both = index.search(["gem"], ["team-docs", "other_docs"], 5)
    assert {h.text for h in both} == {"common rare gem", "rare gem elsewhere"}


def test_word_counts_follow_another_connections_changes(tmp_path: Path, index) -> None:
    assert index._costs(["rare"]) == [3]
    other = Store(tmp_path / "kb.db")
    put(SqliteKnowledgeIndex(other.conn), "team-docs", "c.md", ["rare again"])
    other.close()
    assert index._costs(["rare"]) == [4]
    put(index, "team-docs", "d.md", ["rare once more"])  # its own writes too
    assert index._costs(["rare"]) == [5]
