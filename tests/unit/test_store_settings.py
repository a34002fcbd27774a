"""The settings cache (bot/store_settings.py): fewer reads, never a stale value."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.store import Store
from bot.store_retention import forget_user_rows


def _reads(store: Store) -> list[str]:
    seen: list[str] = []
    store.conn.set_trace_callback(lambda sql: seen.append(sql) if "FROM settings" in sql else None)
    return seen


def test_repeated_reads_hit_the_cache(tmp_path: Path) -> None:
    store = Store(tmp_path / "b.db")
    store.set_setting("channel:slack/T/C", "privacy", "strict")
    reads = _reads(store)
    for _ in range(5):
        assert store.settings_for(["channel:slack/T/C", "user:slack/T/U"], "privacy") == {"channel:slack/T/C": "strict"}
    assert len(reads) == 1
    # A thread never seen before (a new Slack mention) is answered from the same read.
    thread = "thread:slack/T/C/171.5"
    assert store.settings_for([thread, "channel:slack/T/C"], "privacy") == {"channel:slack/T/C": "strict"}
    assert store.settings_for([thread], "privacy") == {}
    assert len(reads) == 1


def test_a_write_by_another_connection_is_seen(tmp_path: Path) -> None:
    """Another process (`hybridbot route tune`, an admin command) commits: data_version moves, the cache goes."""
    path = tmp_path / "b.db"
    bot, admin = Store(path), Store(path)
    assert bot.settings_for(["workspace:T"], "privacy") == {}
    admin.set_setting("workspace:T", "privacy", "strict")
    assert bot.settings_for(["workspace:T"], "privacy") == {"workspace:T": "strict"}
    admin.delete_setting("workspace:T", "privacy")
    assert bot.settings_for(["workspace:T"], "privacy") == {}
    # Plain sqlite3, no Store at all (e.g. an operator's sqlite3 shell).
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute(
        "INSERT INTO settings (scope, key, value, set_by, updated_at) VALUES ('workspace:T', 'privacy', 'off', '', 0)"
    )
    raw.close()
    assert bot.settings_for(["workspace:T"], "privacy") == {"workspace:T": "off"}


def test_raw_sql_on_the_same_connection_is_seen(tmp_path: Path) -> None:
    """Writes on the bot's own connection do not move data_version: the trigger drops the cache (here
    /forget me, which deletes a person's settings with its own SQL)."""
    store = Store(tmp_path / "b.db")
    scope = "user:slack/T/U1"
    store.set_setting(scope, "privacy", "strict", set_by="U1")
    assert store.settings_for([scope], "privacy") == {scope: "strict"}
    forget_user_rows(store, "slack", "U1")
    assert store.settings_for([scope], "privacy") == {}
    store.conn.execute(
        "INSERT INTO settings (scope, key, value, set_by, updated_at) VALUES (?, 'privacy', 'on', '', 0)", (scope,)
    )
    assert store.settings_for([scope], "privacy") == {scope: "on"}
    store.conn.execute("UPDATE settings SET value='off' WHERE scope=?", (scope,))
    assert store.settings_for([scope], "privacy") == {scope: "off"}


def test_a_rolled_back_write_is_not_remembered(tmp_path: Path) -> None:
    store = Store(tmp_path / "b.db")
    store.conn.execute("BEGIN")
    store.set_setting("workspace:T", "privacy", "strict")
    assert store.settings_for(["workspace:T"], "privacy") == {"workspace:T": "strict"}  # read inside: not cached
    store.conn.execute("ROLLBACK")
    assert store.settings_for(["workspace:T"], "privacy") == {}


def test_callers_get_a_copy(tmp_path: Path) -> None:
    store = Store(tmp_path / "b.db")
    store.set_setting("workspace:T", "privacy", "strict")
    store.settings_for(["workspace:T"], "privacy").clear()
    assert store.settings_for(["workspace:T"], "privacy") == {"workspace:T": "strict"}
