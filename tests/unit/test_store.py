from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.session import SessionKey
from bot.store import MIGRATIONS, Store

KEY = SessionKey("slack", "T1", "C1", "171.1")


def test_schema_is_versioned_and_reopening_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    store.close()
    again = Store(path)
    assert again.schema_version == len(MIGRATIONS)
    assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_conversation_per_session_key_and_private_only_tightens() -> None:
    store = Store(":memory:")
    a = store.conversation(KEY)
    assert store.conversation(KEY).id == a.id
    assert store.conversation(SessionKey("slack", "T1", "C1")).id != a.id
    assert store.conversation(KEY, private=True).private
    assert store.conversation(KEY).private  # never loosens


def test_newest_messages_newest_first() -> None:
    store = Store(":memory:")
    conv = store.conversation(KEY)
    ids = [store.add_message(conv.id, "user", f"m{i}") for i in range(200)]
    got = [m.id for m in store.newest_messages(conv.id)]
    assert got == list(reversed(ids))
    assert [m.id for m in store.newest_messages(conv.id, after_id=ids[-3])] == [ids[-1], ids[-2]]


def test_turn_lifecycle_and_unfinished() -> None:
    store = Store(":memory:")
    conv = store.conversation(KEY)
    mid = store.add_message(conv.id, "user", "hi", author_id="U1", author_name="Ann")
    tid = store.create_turn(conv.id, mid, user_id="U1", workspace="T1")
    assert [t.id for t, _ in store.unfinished_turns()] == [tid]
    store.update_turn(tid, status="done", provider="ollama", model="m", locality="local", reasons=["simple"])
    assert store.unfinished_turns() == []
    assert store.turn(tid).reasons == ["simple"]
    assert store.last_turn(conv.id).id == tid


def test_reset_forgets_messages_keeps_usage() -> None:
    store = Store(":memory:")
    conv = store.conversation(KEY)
    mid = store.add_message(conv.id, "user", "hi")
    tid = store.create_turn(conv.id, mid, user_id="U1", workspace="T1")
    store.update_turn(tid, status="done", provider="openai", model="m", locality="cloud", prompt_tokens=5)
    store.mark_sticky_private(conv.id)
    assert store.reset_conversation(conv.id) == 1
    assert list(store.newest_messages(conv.id)) == []
    assert not store.conversation(KEY).sticky_private
    assert store.usage(workspace="T1", since=0)[0]["turns"] == 1


def test_feedback_change_and_remove() -> None:
    store = Store(":memory:")
    conv = store.conversation(KEY)
    tid = store.create_turn(conv.id, None, user_id="U1", workspace="T1")
    store.set_feedback(tid, "U2", 1)
    store.set_feedback(tid, "U2", -1)
    assert store.feedback(tid) == {"U2": -1}
    store.set_feedback(tid, "U2", 0)
    assert store.feedback(tid) == {}


def test_first_sight_dedupes_events() -> None:
    store = Store(":memory:")
    assert store.first_sight("Ev1")
    assert not store.first_sight("Ev1")
    assert store.first_sight("Ev2")


def test_locked_database_waits_instead_of_failing(tmp_path: Path) -> None:
    import threading
    import time

    path = tmp_path / "bot.db"
    store = Store(path)
    conv = store.conversation(KEY)
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: blocker.execute("COMMIT")).start()
    started = time.monotonic()
    store.add_message(conv.id, "user", "written after the lock is released")
    assert time.monotonic() - started >= 0.2
    assert store.count_messages(conv.id) == 1
