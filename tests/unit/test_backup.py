"""Export and import of the database with SQLite's backup API, and the checks around them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.backup import BackupError, export_database, import_database
from bot.session import SessionKey
from bot.store import MIGRATIONS, Store

KEY = SessionKey("slack", "T1", "C1")


def filled(path: Path, messages: int = 3) -> Store:
    store = Store(path)
    conv = store.conversation(KEY)
    for i in range(messages):
        store.add_message(conv.id, "user", f"message {i}", author_id="U1")
    store.set_setting(KEY.scope("channel"), "privacy", "local-only")
    return store


def test_export_while_open_then_import_into_a_new_database(tmp_path: Path) -> None:
    live = filled(tmp_path / "live.db")  # the bot keeps it open (WAL) during the export
    info = export_database(live.path, tmp_path / "backup.db")
    assert info.counts["messages"] == 3 and info.schema_version == len(MIGRATIONS)
    live.add_message(live.conversation(KEY).id, "user", "after the export")
    with sqlite3.connect(tmp_path / "backup.db") as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert not (tmp_path / "backup.db.partial").exists()

    restored = import_database(tmp_path / "backup.db", tmp_path / "restored.db")
    assert restored.counts == {"conversations": 1, "messages": 3, "turns": 0, "settings": 1, "feedback": 0, "tasks": 0}
    store = Store(tmp_path / "restored.db")
    assert [m.content for m in store.newest_messages(store.conversation(KEY).id)] == [
        "message 2",
        "message 1",
        "message 0",
    ]
    live.close()
    store.close()


def test_export_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    filled(tmp_path / "live.db").close()
    (tmp_path / "taken.db").write_text("precious")
    with pytest.raises(BackupError, match="already exists.*--force"):
        export_database(tmp_path / "live.db", tmp_path / "taken.db")
    assert (tmp_path / "taken.db").read_text() == "precious"
    export_database(tmp_path / "live.db", tmp_path / "taken.db", force=True)
    assert Store(tmp_path / "taken.db").count_messages(1) == 3


def test_import_refuses_a_database_holding_data_unless_forced(tmp_path: Path) -> None:
    filled(tmp_path / "a.db", messages=2).close()
    export_database(tmp_path / "a.db", tmp_path / "backup.db")
    filled(tmp_path / "b.db", messages=5).close()
    with pytest.raises(BackupError, match=r"already holds data \(1 conversations, 5 messages, 1 settings\)"):
        import_database(tmp_path / "backup.db", tmp_path / "b.db")
    assert Store(tmp_path / "b.db").count_messages(1) == 5  # untouched
    info = import_database(tmp_path / "backup.db", tmp_path / "b.db", force=True)
    assert info.counts["messages"] == 2


def test_import_into_an_existing_empty_database(tmp_path: Path) -> None:
    filled(tmp_path / "a.db").close()
    export_database(tmp_path / "a.db", tmp_path / "backup.db")
    Store(tmp_path / "empty.db").close()  # created by a first start, nothing stored yet
    assert import_database(tmp_path / "backup.db", tmp_path / "empty.db").counts["messages"] == 3


def test_import_validates_the_backup(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        import_database(tmp_path / "nope.db", tmp_path / "t.db")
    (tmp_path / "text.db").write_text("this is not sqlite " * 100)
    with pytest.raises(BackupError, match="not a SQLite database"):
        import_database(tmp_path / "text.db", tmp_path / "t.db")
    with sqlite3.connect(tmp_path / "other.db") as other:
        other.execute("CREATE TABLE things (x)")
    with pytest.raises(BackupError, match="not a hybridbot database"):
        import_database(tmp_path / "other.db", tmp_path / "t.db")
    filled(tmp_path / "future.db").close()
    with sqlite3.connect(tmp_path / "future.db") as future:
        future.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(BackupError, match="newer than this hybridbot understands"):
        import_database(tmp_path / "future.db", tmp_path / "t.db")
    with sqlite3.connect(tmp_path / "partial.db") as partial:
        partial.execute("CREATE TABLE conversations (id)")
        partial.execute("PRAGMA user_version = 1")
    with pytest.raises(BackupError, match="lacks the table"):
        import_database(tmp_path / "partial.db", tmp_path / "t.db")
    assert not (tmp_path / "t.db").exists()  # nothing was created by a refused import


def test_import_of_an_older_schema_is_migrated_up(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "v1.db") as old:
        old.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
        old.execute(
            "INSERT INTO conversations (platform, workspace, channel, thread, created_at, updated_at)"
            " VALUES ('slack', 'T1', 'C1', '', 0, 0)"
        )
    info = import_database(tmp_path / "v1.db", tmp_path / "t.db")
    assert info.schema_version == len(MIGRATIONS) and info.counts["conversations"] == 1


def test_export_of_a_missing_database(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        export_database(tmp_path / "missing.db", tmp_path / "out.db")
