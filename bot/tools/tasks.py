"""The task tools: ``tasks_add``, ``tasks_list``, ``tasks_update``, ``tasks_complete``, ``tasks_delete``.

Several small tools rather than one with an ``action`` argument: each has one or two plain arguments,
which small models fill in far more reliably than an action switch whose other fields depend on it.
An agent gets them all with the glob ``"tasks_*"``.

Whose tasks: always the person the call serves (``CALL_CONTEXT``: platform, workspace, user), never
an argument, so a model cannot act for someone else. Only ``tasks_delete`` needs approval
(``changes_things``): it cannot be undone. Adding, updating and completing touch only the asker's own
list, are undone by another call, and asking "may I?" for each "remind me to…" would make the tool a
chore.

Privacy: a task written in a private turn (or whose text is sensitive) is local-only. In a turn that is
not private — whose prompt may reach a cloud model — such a task is shown by number only, never by its
title or notes; ``/tasks`` (answered to the person alone) shows everything.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.privacy import is_sensitive, scan
from bot.store import Store
from bot.store_tasks import Owner, TaskStore
from bot.tasks_logic import MAX_NOTES, MAX_TITLE, Task, clean_title, parse_due, task_line, task_list, wants_clear
from bot.tools.base import CALL_CONTEXT, CallContext, Tool
from bot.tools.clock import Clock, utc_now, zone_for_call

TASK_NUMBER = {"type": "integer", "minimum": 1, "description": "the task's number, as tasks_list shows it (#3 → 3)"}
DUE = {
    "type": "string",
    "maxLength": 100,
    "description": "when it is due, in the person's words: 'tomorrow 5pm', 'Friday', 'in 3 days', '2026-12-24'",
}

TITLE = {"type": "string", "minLength": 1, "maxLength": MAX_TITLE, "description": "what to do"}
NOTES = {"type": "string", "maxLength": MAX_NOTES}
NEEDS_APPROVAL = ("tasks_delete",)  # it cannot be undone
# name -> (description, argument properties, required arguments, timeout in seconds). Parsing a due date in
# another language loads dateparser's data once (about half a second): the tools that parse get more time.
SPECS: dict[str, tuple[str, dict[str, Any], tuple[str, ...], float]] = {
    "tasks_add": (
        "Add a task to the person's own task list.",
        {"title": TITLE, "due": DUE, "notes": NOTES},
        ("title",),
        15.0,
    ),
    "tasks_list": (
        "List the person's open tasks with their numbers (done=true: the completed ones).",
        {"done": {"type": "boolean"}},
        (),
        5.0,
    ),
    "tasks_update": (
        "Change a task's title, due date (due='none' removes it), notes, or reopen it (done=false).",
        {"task": TASK_NUMBER, "title": TITLE, "due": DUE, "notes": NOTES, "done": {"type": "boolean"}},
        ("task",),
        15.0,
    ),
    "tasks_complete": ("Mark a task as done.", {"task": TASK_NUMBER}, ("task",), 5.0),
    "tasks_delete": ("Delete a task for good (the person is asked to approve).", {"task": TASK_NUMBER}, ("task",), 5.0),
}


class TaskTools:
    def __init__(self, store: Store, default_zone: str, clock: Clock = utc_now) -> None:
        self.tasks = TaskStore(store)
        self.default_zone = default_zone
        self.clock = clock

    # --- helpers ---------------------------------------------------------------

    def _who(self) -> tuple[CallContext, Owner, str]:
        context = CALL_CONTEXT.get()
        if context is None or not context.user_id:
            raise ValueError("tasks belong to a person, and this call has none; ask in a conversation with them")
        owner = Owner(context.platform, context.workspace, context.user_id)
        return context, owner, zone_for_call(self.default_zone)

    def _line(self, task: Task, context: CallContext, zone: str) -> str:
        return task_line(task, zone, self.clock(), hide_private=not context.private)

    async def _due(self, text: str, zone: str) -> Any:
        if wants_clear(text):
            return None
        return await asyncio.to_thread(parse_due, text, zone, self.clock())  # dateparser may load language data

    def _missing(self, number: int) -> ValueError:
        return ValueError(f"you have no task #{number}; call tasks_list to see the numbers")

    # --- the tools -------------------------------------------------------------

    async def add(self, args: dict[str, Any]) -> str:
        context, owner, zone = self._who()
        title, notes = clean_title(args["title"]), " ".join(str(args.get("notes") or "").split())
        due = await self._due(args.get("due") or "", zone)
        local_only = context.private or is_sensitive(scan(f"{title}\n{notes}"))
        task = self.tasks.add(owner, title, notes=notes, due=due, local_only=local_only)
        return f"Added {self._line(task, context, zone)}"

    async def list_tasks(self, args: dict[str, Any]) -> str:
        context, owner, zone = self._who()
        done = bool(args.get("done"))
        return task_list(
            self.tasks.tasks(owner, done=done), zone, self.clock(), done=done, hide_private=not context.private
        )

    async def update(self, args: dict[str, Any]) -> str:
        context, owner, zone = self._who()
        number = int(args["task"])
        if self.tasks.get(owner, number) is None:
            raise self._missing(number)
        changes: dict[str, Any] = {}
        if "title" in args:
            changes["title"] = clean_title(args["title"])
        if "notes" in args:
            changes["notes"] = " ".join(str(args["notes"]).split())
        if "due" in args:
            changes["due"] = await self._due(args["due"], zone)
        if "done" in args:
            changes["done"] = bool(args["done"])
        if not changes:
            raise ValueError("say what to change: title, due, notes or done")
        text = f"{changes.get('title', '')}\n{changes.get('notes', '')}"
        local_only = context.private or is_sensitive(scan(text))
        task = self.tasks.update(owner, number, local_only=local_only, **changes)
        if task is None:
            raise self._missing(number)
        return f"Updated {self._line(task, context, zone)}"

    async def complete(self, args: dict[str, Any]) -> str:
        context, owner, zone = self._who()
        number = int(args["task"])
        task = self.tasks.get(owner, number)
        if task is None:
            raise self._missing(number)
        if task.done:
            return f"Already completed: {self._line(task, context, zone)}"
        task = self.tasks.update(owner, number, done=True, local_only=context.private) or task
        return f"Completed {self._line(task, context, zone)}"

    async def delete(self, args: dict[str, Any]) -> str:
        context, owner, zone = self._who()
        number = int(args["task"])
        task = self.tasks.delete(owner, number)
        if task is None:
            raise self._missing(number)
        return f"Deleted {self._line(task, context, zone)}"

    def tools(self) -> list[Tool]:
        runs = {"tasks_add": self.add, "tasks_list": self.list_tasks, "tasks_update": self.update}
        runs |= {"tasks_complete": self.complete, "tasks_delete": self.delete}
        return [
            Tool(
                name=name,
                description=description,
                parameters={
                    "type": "object",
                    "properties": properties,
                    "required": list(required),
                    "additionalProperties": False,
                },  # fmt: skip
                run=runs[name],
                changes_things=name in NEEDS_APPROVAL,
                timeout=timeout,
                output_cap=4000,
            )
            for name, (description, properties, required, timeout) in SPECS.items()
        ]


def make_task_tools(store: Store, default_zone: str, clock: Clock = utc_now) -> list[Tool]:
    return TaskTools(store, default_zone, clock).tools()
