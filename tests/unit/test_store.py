from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

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


def test_an_event_id_older_than_the_ttl_is_new_again_before_it_is_pruned() -> None:
    store = Store(":memory:")
    assert store.first_sight("Ev1")
    assert not store.first_sight("Ev1", ttl=3600)
    assert store.first_sight("Ev1", ttl=0.0), "expired ids count as new even while pruning waits"
    assert not store.first_sight("Ev1", ttl=3600)


def test_a_turn_finishes_in_one_transaction(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    conv = store.conversation(KEY)
    accepted = store.accept_turn(None, conv.id, {"content": "hi", "author_id": "U1"}, user_id="U1", workspace="T1")
    assert accepted is not None
    message_id, turn_id = accepted
    commits = []
    store.conn.set_trace_callback(lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None)
    answer_id = store.finish_turn(
        turn_id, conv.id, "hello", author_name="general", marks={"local_only": True}, status="done", latency_ms=3.0
    )
    assert len(commits) == 1, commits
    turn = store.turn(turn_id)
    assert (turn.user_message_id, turn.answer_message_id, turn.status) == (message_id, answer_id, "done")
    assert [(m.content, m.local_only) for m in store.newest_messages(conv.id)] == [("hello", True), ("hi", False)]
    assert store.finish_turn(turn_id, conv.id, "", author_name="general", status="error") is None


def test_a_failed_finish_leaves_no_answer_without_its_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "bot.db")
    conv = store.conversation(KEY)
    accepted = store.accept_turn(None, conv.id, {"content": "hi"}, user_id="U1", workspace="T1")
    assert accepted is not None

    def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "update_turn", broken)
    with pytest.raises(sqlite3.OperationalError):
        store.finish_turn(accepted[1], conv.id, "hello", author_name="general", status="done")
    assert [m.content for m in store.newest_messages(conv.id)] == ["hi"], "the answer was rolled back with it"


def test_a_known_conversation_is_found_without_a_write(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    store.conversation(KEY)
    writes = []
    store.conn.set_trace_callback(lambda sql: writes.append(sql) if sql.lstrip().upper().startswith("INSERT") else None)
    store.conversation(KEY)
    assert writes == []


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


# --- platform message → turn links (migration 2) ---------------------------------------------------


def answered(store: Store, key: SessionKey, user: str = "U1") -> int:
    conv = store.conversation(key)
    question = store.add_message(conv.id, "user", "q", author_id=user)
    turn = store.create_turn(conv.id, question, user_id=user, workspace=key.workspace)
    answer = store.add_message(conv.id, "assistant", "a")
    store.update_turn(turn, status="done", answer_message_id=answer, provider="ollama", model="m", locality="local")
    return turn


def test_message_links_find_the_turn_of_every_part_of_an_answer() -> None:
    store = Store(":memory:")
    turn = answered(store, KEY)
    assert store.link_message("discord", "C1", "1001", turn)
    assert store.link_message("discord", "C1", "1002", turn)  # the second message of a split answer
    assert store.link_message("discord", "C1", "1001", turn)  # linking again (final update) is harmless
    assert store.turn_for_message("discord", "C1", "1001") == turn
    assert store.turn_for_message("discord", "C1", "1002") == turn
    assert store.turn_for_message("discord", "C2", "1001") is None  # keyed by platform, channel and message
    assert store.turn_for_message("slack", "C1", "1001") is None
    assert store.turn_for_message("discord", "C1", "404") is None
    assert not store.link_message("discord", "C1", "1003", 9999)  # an unknown turn is not linked
    assert store.turn_for_message("discord", "C1", "1003") is None
    row = store.conn.execute("SELECT * FROM message_links WHERE message_id='1001'").fetchone()
    assert row["conversation_id"] == store.conversation(KEY).id and row["created_at"] > 0
    conv = store.conversation_of_turn(turn)
    assert conv is not None and conv.key == KEY and not conv.private
    assert store.conversation_of_turn(9999) is None


def test_message_links_are_looked_up_by_index() -> None:
    store = Store(":memory:")
    plan = " ".join(
        r[3]
        for r in store.conn.execute(
            "EXPLAIN QUERY PLAN SELECT turn_id FROM message_links"
            " WHERE platform='discord' AND channel='C1' AND message_id='1'"
        )
    )
    assert "USING" in plan and "INDEX" in plan
    by_turn = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN DELETE FROM message_links WHERE turn_id=1"))
    assert "message_links_by_turn" in by_turn


def test_a_version_1_database_migrates_to_links_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
        old.execute(
            "INSERT INTO conversations (platform, workspace, channel, thread, created_at, updated_at)"
            " VALUES ('discord', 'G1', 'C1', 'T1', 0, 0)"
        )
        old.execute("INSERT INTO turns (conversation_id, status, created_at) VALUES (1, 'done', 0)")
    old.close()
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS) >= 2
    assert store.link_message("discord", "T1", "555", 1)
    assert store.turn_for_message("discord", "T1", "555") == 1
    assert store.conversation_of_turn(1).key == SessionKey("discord", "G1", "C1", "T1")


def test_reset_conversation_drops_its_links_only() -> None:
    store = Store(":memory:")
    mine, other = answered(store, KEY), answered(store, SessionKey("slack", "T1", "C2"))
    store.link_message("discord", "C1", "1", mine)
    store.link_message("discord", "C2", "2", other)
    store.reset_conversation(store.conversation(KEY).id)
    assert store.turn_for_message("discord", "C1", "1") is None
    assert store.turn_for_message("discord", "C2", "2") == other
    assert store.turn(mine) is not None  # the turn itself stays, for usage figures


def test_forget_user_drops_links_to_their_answers() -> None:
    from bot.retention import forget_user

    store = Store(":memory:")
    key = SessionKey("discord", "G1", "C1", "T1")
    theirs, bobs = answered(store, key, "U1"), answered(store, key, "U2")
    elsewhere = answered(store, SessionKey("slack", "T1", "C1"), "U1")  # the same id on another platform
    store.link_message("discord", "T1", "1", theirs)
    store.link_message("discord", "T1", "2", bobs)
    store.link_message("slack", "C1", "3", elsewhere)
    forget_user(store, "discord", "U1")
    assert store.turn_for_message("discord", "T1", "1") is None
    assert store.turn_for_message("discord", "T1", "2") == bobs
    assert store.turn_for_message("slack", "C1", "3") == elsewhere


def test_retention_expires_links_with_the_messages_and_leaves_nothing_dangling() -> None:
    import time

    from bot.retention import purge_expired

    store = Store(":memory:")
    old, new = answered(store, KEY), answered(store, KEY)
    store.link_message("discord", "C1", "1", old)
    store.link_message("discord", "C1", "2", new)
    long_ago = time.time() - 40 * 86400
    store.conn.execute("UPDATE messages SET created_at=? WHERE id IN (1, 2)", (long_ago,))
    store.conn.execute("UPDATE message_links SET created_at=? WHERE message_id='1'", (long_ago,))
    assert purge_expired(store, 30) == 2
    assert store.turn_for_message("discord", "C1", "1") is None
    assert store.turn_for_message("discord", "C1", "2") == new
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_count_messages_can_stop_early() -> None:
    store = Store(":memory:")
    conv = store.conversation(KEY)
    ids = [store.add_message(conv.id, "user", f"m{i}") for i in range(30)]
    assert store.count_messages(conv.id) == 30
    assert store.count_messages(conv.id, at_most=10) == 10
    assert store.count_messages(conv.id, after_id=ids[24], at_most=10) == 5
