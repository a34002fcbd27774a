"""WAL checkpoints off the turn path: one background thread checkpoints every registered SQLite file.

By default SQLite checkpoints inside whichever commit makes the WAL pass 1,000 pages, so now and then a
turn's small write copies megabytes back into the database on the event loop: the engine's p99. Here the
store raises that threshold (as a safety net only) and this thread checkpoints each database on its own
connection once its WAL has grown, PASSIVE so it never waits for the writer. SQLite-only, behind a small
interface (`register`/`unregister`), as the store's other SQLite features are.

When: the WAL holds more than WAL_BYTES of new frames and no commit touched it since the last look (the bot
is idle, so the copy competes with no turn), or it holds more than four times that (a bot that is never idle).
The store keeps the WAL file at WAL_BYTES after each reset (`journal_size_limit`); without that the file keeps
its largest size, and "bigger than WAL_BYTES" stayed true for good: a checkpoint every half second under load.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading

log = logging.getLogger("hybridbot.checkpoint")

INTERVAL = 0.5  # seconds between looks at the WAL sizes
WAL_BYTES = 1_000 * 4096  # checkpoint past this when idle (SQLite's own default point: 1,000 pages of 4 KiB)
FALLBACK_PAGES = 20_000  # the turn path checkpoints only if this thread falls far behind (~80 MB)


class Checkpointer:
    def __init__(self, interval: float = INTERVAL, wal_bytes: int = WAL_BYTES, busy_bytes: int | None = None) -> None:
        self.interval = interval
        self.wal_bytes = wal_bytes
        self.busy_bytes = 4 * wal_bytes if busy_bytes is None else busy_bytes
        self._seen: dict[str, int] = {}  # database path → its WAL's modification time at the last look
        self.done = 0  # checkpoints run (for tests and benchmarks)
        self._paths: dict[str, int] = {}  # database path → stores using it
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, path: str) -> None:
        with self._lock:
            self._paths[path] = self._paths.get(path, 0) + 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
                self._thread.start()

    def unregister(self, path: str) -> None:
        with self._lock:
            users = self._paths.get(path, 0) - 1
            if users > 0:
                self._paths[path] = users
            else:
                self._paths.pop(path, None)
                self._seen.pop(path, None)

    def due(self, path: str) -> bool:
        try:
            wal = os.stat(path + "-wal")
        except OSError:
            return False
        idle = self._seen.get(path) == wal.st_mtime_ns  # no commit since the last look
        self._seen[path] = wal.st_mtime_ns
        return wal.st_size > self.busy_bytes or (idle and wal.st_size > self.wal_bytes)

    def checkpoint(self, path: str) -> None:
        """One PASSIVE checkpoint on a connection of this thread's own (it never blocks the writer)."""
        with contextlib.closing(sqlite3.connect(path, timeout=0.1)) as conn:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.done += 1

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            with self._lock:
                paths = list(self._paths)
            for path in paths:
                if not self.due(path):
                    continue
                try:
                    self.checkpoint(path)
                except sqlite3.Error as error:  # busy or gone: the next look tries again
                    log.debug("checkpoint of %s skipped: %s", path, error)


checkpointer = Checkpointer()  # one thread per process, shared by every store
