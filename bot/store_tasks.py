"""SQL for a person's tasks (table `tasks`, a migration in bot/store.py). Every query names its owner.

An owner is (platform, workspace, user): the task tools take it from the call context, never from a
model's arguments, so no query here can reach another person's tasks. Tasks are numbered per owner
(#1, #2…); a new task takes the next number after the owner's highest.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from typing import NamedTuple

from bot.store import Store
from bot.tasks_logic import Due, Task


class Owner(NamedTuple):
    platform: str
    workspace: str
    user_id: str


class _Keep:
    """Marks an update argument as 'leave unchanged' (None means 'remove' for the due date)."""


KEEP = _Keep()
_OWNER = "platform=? AND workspace=? AND user_id=?"


def _task(row: sqlite3.Row) -> Task:
    due = None
    if row["due_at"] is not None:
        due = Due(dt.datetime.fromtimestamp(row["due_at"], dt.UTC), bool(row["due_all_day"]))
    return Task(row["number"], row["title"], row["notes"], due, row["done_at"] is not None, bool(row["local_only"]))


class TaskStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    def add(self, owner: Owner, title: str, *, notes: str = "", due: Due | None = None, local_only: bool) -> Task:
        now = time.time()
        with self.store._transaction():  # the next number and the insert together
            number = self.conn.execute(
                f"SELECT coalesce(max(number), 0) + 1 FROM tasks WHERE {_OWNER}", owner
            ).fetchone()[0]
            self.conn.execute(
                "INSERT INTO tasks (platform, workspace, user_id, number, title, notes, due_at, due_all_day, local_only,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*owner, number, title, notes, *_due_columns(due), int(local_only), now, now),
            )
        return Task(number, title, notes, due, False, local_only)

    def get(self, owner: Owner, number: int) -> Task | None:
        row = self.conn.execute(f"SELECT * FROM tasks WHERE {_OWNER} AND number=?", (*owner, number)).fetchone()
        return _task(row) if row else None

    def tasks(self, owner: Owner, *, done: bool = False, limit: int = 200) -> list[Task]:
        state = "done_at IS NOT NULL" if done else "done_at IS NULL"
        order = "done_at DESC" if done else "due_at IS NULL, due_at, number"
        rows = self.conn.execute(
            f"SELECT * FROM tasks WHERE {_OWNER} AND {state} ORDER BY {order} LIMIT ?", (*owner, limit)
        ).fetchall()
        return [_task(r) for r in rows]

    def update(
        self,
        owner: Owner,
        number: int,
        *,
        title: str | _Keep = KEEP,
        notes: str | _Keep = KEEP,
        due: Due | None | _Keep = KEEP,
        done: bool | _Keep = KEEP,
        local_only: bool = False,
    ) -> Task | None:
        """Change the given fields of a task; `local_only` only ever tightens. None when there is no such task."""
        columns: dict[str, object] = {"updated_at": time.time()}
        if not isinstance(title, _Keep):
            columns["title"] = title
        if not isinstance(notes, _Keep):
            columns["notes"] = notes
        if not isinstance(due, _Keep):
            columns["due_at"], columns["due_all_day"] = _due_columns(due)
        if not isinstance(done, _Keep):
            columns["done_at"] = time.time() if done else None
        sets = ", ".join(f"{name}=?" for name in columns) + ", local_only = max(local_only, ?)"
        changed = self.conn.execute(
            f"UPDATE tasks SET {sets} WHERE {_OWNER} AND number=?", (*columns.values(), int(local_only), *owner, number)
        ).rowcount
        return self.get(owner, number) if changed else None

    def delete(self, owner: Owner, number: int) -> Task | None:
        """Delete a task; returns what was deleted (None when there was no such task)."""
        with self.store._transaction():
            task = self.get(owner, number)
            if task is not None:
                self.conn.execute(f"DELETE FROM tasks WHERE {_OWNER} AND number=?", (*owner, number))
        return task

    def forget_user(self, platform: str, user_id: str) -> int:
        """Delete every task of a user on a platform (all workspaces): `/forget me`. Returns how many."""
        return self.conn.execute("DELETE FROM tasks WHERE platform=? AND user_id=?", (platform, user_id)).rowcount


def _due_columns(due: Due | None) -> tuple[float | None, int]:
    return (due.at.timestamp(), int(due.all_day)) if due is not None else (None, 0)
