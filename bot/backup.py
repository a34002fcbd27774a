"""`hybridbot export PATH` and `hybridbot import PATH`: consistent copies of the database.

Both use SQLite's online backup API, so an export taken while the bot runs is a consistent snapshot.
An export is one self-contained file (rollback journal, not WAL). An import checks that the file is an
intact hybridbot database of a schema version this code knows, refuses to overwrite a database that
holds data unless forced, then migrates the restored copy up to the current schema.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot import store_files
from bot.filemode import private_file
from bot.store import MIGRATIONS, Store

TABLES = ("conversations", "messages", "turns", "settings", "feedback")  # every hybridbot database has these
COUNTED = (*TABLES, "tasks")  # shown in the summary when present (a backup of an older schema has no tasks)


class BackupError(Exception):
    """The export or import cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupInfo:
    path: str
    schema_version: int
    counts: dict[str, int]

    @property
    def summary(self) -> str:
        rows = ", ".join(f"{n:,} {table}" for table, n in self.counts.items())
        return f"{self.path} (schema {self.schema_version}): {rows}"


def _open_existing(path: str | Path, what: str) -> sqlite3.Connection:
    if not Path(path).is_file():
        raise BackupError(f"{what} {path} does not exist.")
    try:
        return store_files.connect(path)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{what} {path} is not a SQLite database ({error}).") from None


def _validate(conn: sqlite3.Connection, path: str | Path, what: str) -> BackupInfo:
    version = store_files.schema_version(conn)
    known = len(MIGRATIONS)
    if version == 0:
        raise BackupError(f"{what} {path} is not a hybridbot database (schema version 0).")
    if version > known:
        raise BackupError(
            f"{what} {path} has schema version {version}, newer than this hybridbot understands ({known})."
            " Upgrade hybridbot first."
        )
    present = store_files.table_names(conn)
    missing = [t for t in TABLES if t not in present]
    if missing:
        raise BackupError(f"{what} {path} lacks the table(s) {', '.join(missing)}; it is not a hybridbot database.")
    check = store_files.quick_check(conn)
    if check != "ok":
        raise BackupError(f"{what} {path} is damaged (quick_check: {check}).")
    return BackupInfo(str(path), version, _counts(conn))


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    return store_files.row_counts(conn, COUNTED)


def export_database(database: str | Path, dest: str | Path, *, force: bool = False) -> BackupInfo:
    """Snapshot `database` into the file `dest` (refusing to overwrite it unless forced)."""
    dest = Path(dest)
    if dest.exists() and not force:
        raise BackupError(f"{dest} already exists; choose another path or pass --force to overwrite it.")
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    private_file(tmp)  # 0600 from the start: a backup holds the same DM text as the database
    with contextlib.closing(_open_existing(database, "The database")) as src:
        _validate(src, database, "The database")
        store_files.copy_into(src, tmp, self_contained=True)
        with contextlib.closing(store_files.connect(tmp)) as out:
            info = _validate(out, dest, "The export")
    os.replace(tmp, dest)
    return info


def import_database(backup: str | Path, database: str | Path, *, force: bool = False) -> BackupInfo:
    """Restore `backup` into `database`, which must be new or empty unless forced; migrate it up."""
    with contextlib.closing(_open_existing(backup, "The backup")) as src:
        _validate(src, backup, "The backup")
        target = Path(database)
        if target.exists() and target.stat().st_size > 0 and not force:
            with contextlib.closing(_open_existing(target, "The database")) as existing:
                held = {t: n for t, n in _counts(existing).items() if n}
            if held:
                rows = ", ".join(f"{n:,} {t}" for t, n in held.items())
                raise BackupError(
                    f"{target} already holds data ({rows}). Import into a new path, or pass --force to replace it"
                    " (stop the bot first)."
                )
        target.parent.mkdir(parents=True, exist_ok=True)
        private_file(target)
        store_files.copy_into(src, target, self_contained=False)
    store = Store(target)  # migrates a backup from an older schema up to this version; WAL again
    try:
        return BackupInfo(str(target), store.schema_version, _counts(store.conn))
    finally:
        store.close()
