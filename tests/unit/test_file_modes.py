"""Files that hold conversation text are 0600: the database, its -wal/-shm and exports (issue 9, item 10)."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

from bot.backup import export_database
from bot.config import load_settings
from bot.session import SessionKey
from bot.store import Store
from hybridbot_app.doctor import run_checks


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_wal_shm_and_export_are_created_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which gives 0644 to files created without a mode
    try:
        db = tmp_path / "bot.db"
        store = Store(db)
        conv = store.conversation(SessionKey("slack", "T", "D1"))
        store.add_message(conv.id, "user", "a DM")
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert mode(path) == 0o600, (path, oct(mode(path)))
        export_database(db, tmp_path / "backup.db")
        assert mode(tmp_path / "backup.db") == 0o600
        store.close()
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_reported_by_doctor_then_tightened(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    Store(db).close()
    os.chmod(db, 0o644)
    settings = load_settings(None, env={"HYBRIDBOT_DATABASE": str(db), "OLLAMA_HOST": "http://127.0.0.1:9"})
    settings.embedded.enabled = False
    results = asyncio.run(run_checks(settings))
    warnings = [line for ok, line in results if not ok and "read by other users" in line]
    assert warnings and "chmod 600" in warnings[0]
    assert mode(db) == 0o600  # opening it tightened it
    again = asyncio.run(run_checks(settings))
    assert not [line for ok, line in again if "read by other users" in line]
