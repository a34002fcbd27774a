"""Files that hold conversation text are readable by their owner only (0600).

The database and its -wal/-shm files hold DM text and the messages kept local for carrying secrets;
SQLite creates -wal and -shm with the database file's mode, so creating the database 0600 covers all three.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_MODE = 0o600


def private_file(path: str | Path) -> None:
    """Create `path` 0600 if it is missing; tighten it and its -wal/-shm if others can read them."""
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_MODE))
    for name in (str(path), f"{path}-wal", f"{path}-shm"):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, PRIVATE_MODE)


def readable_by_others(path: str | Path) -> list[str]:
    """Which of the database, -wal and -shm files group or others may read (for `hybridbot doctor`)."""
    found = []
    for name in (str(path), f"{path}-wal", f"{path}-shm"):
        with contextlib.suppress(FileNotFoundError):
            mode = os.stat(name).st_mode
            if mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
                found.append(f"{name} ({stat.filemode(mode)})")
    return found
