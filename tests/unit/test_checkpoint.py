"""WAL checkpoints run in the background thread, not inside a turn's commit (bot/checkpoint.py)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

from bot.checkpoint import FALLBACK_PAGES, Checkpointer, checkpointer
from bot.session import SessionKey
from bot.store import Store


def wal_size(path: Path) -> int:
    return os.path.getsize(str(path) + "-wal")


def test_the_turn_path_leaves_checkpoints_to_the_background(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    try:
        pages = store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        assert pages == FALLBACK_PAGES, "a commit would checkpoint at SQLite's default of 1,000 pages"
        conv = store.conversation(SessionKey("slack", "T", "C"))
        before = checkpointer.done
        text = "x" * 20_000
        for _ in range(300):  # ~6 MB through the WAL, past the background threshold
            store.add_message(conv.id, "user", text)
        deadline = time.monotonic() + 10
        while checkpointer.done == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert checkpointer.done > before, "the background thread never checkpointed a growing WAL"
        # Checkpointed frames are reused: the WAL stops growing once the writer wraps around.
        size = wal_size(tmp_path / "bot.db")
        for _ in range(300):
            store.add_message(conv.id, "user", text)
        assert wal_size(tmp_path / "bot.db") < size * 1.9
    finally:
        store.close()


def test_a_checkpoint_copies_the_wal_into_the_database(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = Store(path)
    conv = store.conversation(SessionKey("slack", "T", "C"))
    store.add_message(conv.id, "user", "y" * 50_000)
    worker = Checkpointer(wal_bytes=0)
    assert worker.due(str(path))
    worker.checkpoint(str(path))
    copy = tmp_path / "main-file-only.db"  # the database file alone, without its WAL
    shutil.copyfile(path, copy)
    store.close()
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM messages").fetchone()[0] == 1


def test_closed_stores_are_forgotten(tmp_path: Path) -> None:
    worker = Checkpointer()
    worker.register("a.db")
    worker.register("a.db")
    worker.unregister("a.db")
    assert "a.db" in worker._paths  # still used by the second store
    worker.unregister("a.db")
    assert "a.db" not in worker._paths


def test_a_wal_is_checkpointed_once_idle_and_not_again_until_new_frames_fill_it(tmp_path: Path) -> None:
    """The WAL file keeps its size after a checkpoint unless the store limits it; "bigger than the threshold"
    then stayed true for good, and the thread checkpointed every half second, idle or not."""
    path = tmp_path / "bot.db"
    store = Store(path)
    try:
        conv = store.conversation(SessionKey("slack", "T", "C"))
        for _ in range(300):  # ~6 MB of new frames: past the idle threshold, below the busy one
            store.add_message(conv.id, "user", "x" * 20_000)
        worker = Checkpointer()
        assert not worker.due(str(path)), "commits may still be coming: wait for a quiet look"
        assert worker.due(str(path)), "no commit since the last look: idle, and the WAL is big"
        worker.checkpoint(str(path))
        store.add_message(conv.id, "user", "small")  # the writer restarts the WAL and trims the file
        assert wal_size(path) <= 1_000 * 4096
        assert not worker.due(str(path)) and not worker.due(str(path))
        for _ in range(1_000):  # ~20 MB while commits keep coming: checkpointed without waiting for quiet
            store.add_message(conv.id, "user", "x" * 20_000)
        assert worker.due(str(path))
    finally:
        store.close()
