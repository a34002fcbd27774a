"""`/tasks`: a person's own tasks, on every platform (registered in bot/commands.py).

`/tasks` lists the open ones, `/tasks done` the completed ones, `/tasks complete N` marks #N done.
The answer goes to the person alone (ephemeral on Slack and Discord), so tasks written in private
conversations are shown too, marked 🔒.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bot.store_tasks import Owner, TaskStore
from bot.tasks_logic import task_line, task_list
from bot.tools.clock import zone

if TYPE_CHECKING:
    from bot.commands import CommandContext, CommandResult
    from bot.engine import Engine

USAGE = "Use /tasks (open tasks), /tasks done (completed ones) or /tasks complete N (mark #N done)."


def _zone(engine: Engine, ctx: CommandContext) -> str:
    if ctx.tz:
        try:
            return zone(ctx.tz).key
        except ValueError:
            pass
    return engine.settings.tools.timezone


async def tasks_command(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    from bot.commands import CommandResult

    store = TaskStore(engine.store)
    owner = Owner(ctx.key.platform, ctx.key.workspace, ctx.user_id)
    where, now = _zone(engine, ctx), dt.datetime.now(dt.UTC)
    words = [a.lower() for a in args]
    if not words or words in (["open"], ["list"]):
        tasks = store.tasks(owner)
        text = task_list(tasks, where, now, lock=True)
        return CommandResult(text if tasks else text + ' Ask me to add one: "remind me to … by Friday".')
    if words == ["done"]:
        return CommandResult(task_list(store.tasks(owner, done=True), where, now, done=True, lock=True))
    if len(words) == 2 and words[0] in ("complete", "finish") and words[1].lstrip("#").isdigit():
        number = int(words[1].lstrip("#"))
        task = store.update(owner, number, done=True)
        if task is None:
            return CommandResult(f"You have no task #{number}. {USAGE}", ok=False)
        return CommandResult("Completed " + task_line(task, where, now, lock=True))
    return CommandResult(USAGE, ok=False)
