"""Platform-neutral commands: /help, /model, /agent, /reset, /privacy, /why, /usage, /feedback.

Each adapter maps its own slash commands here, so Slack, Discord and the console behave the same. Every text
here (and every text the engine shows users) is Markdown — **bold**, `code`, "- " lists; each adapter renders it
for its platform (Slack mrkdwn, Discord Markdown, plain text on the console).
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from bot.command_settings import admin_check, write_setting
from bot.command_types import Choice, CommandContext, CommandResult, parse
from bot.config import PRIVACY_LEVELS, stricter
from bot.model_commands import MODEL_MODES, agent_command, model_command, resolve_model
from bot.report_commands import usage_command, why_command
from bot.sanitize import clean_text

if TYPE_CHECKING:
    from bot.engine import Engine

__all__ = [  # what adapters and feature modules import from here
    "COMMANDS",
    "MODEL_MODES",
    "SLASH_COMMANDS",
    "Choice",
    "CommandContext",
    "CommandResult",
    "parse",
    "resolve_model",
    "run_command",
    "write_setting",
]

COMMANDS: dict[str, str] = {
    "help": "what I can do and how to use me",
    "model": "show or set the model: auto, local, cloud or provider:model [here|thread|channel|me|workspace]",
    "agent": "list agents, or switch: /agent <name>|clear [here|thread|channel|me|workspace]",
    "reset": "forget this conversation's messages (settings are kept)",
    "privacy": "show or set this channel's privacy: local-only, standard, redact or cloud-ok",
    "why": "why the last answer went to the model it did",
    "usage": "answers and tokens by model over the last 30 days",
    "feedback": "rate the last answer: /feedback good|bad|clear",
    "tools": "the tools this agent can use here, and which are withheld here and why",
    "forget": "delete everything stored about you (messages, answers to them, ratings, settings, tasks): /forget me",
    "tasks": "your tasks: /tasks (open), /tasks done (completed), /tasks complete N",
}
# Commands every platform registers as its own slash command (Slack manifest, Discord app commands), in menu order.
SLASH_COMMANDS = (
    "model",
    "agent",
    "reset",
    "privacy",
    "why",
    "usage",
    "forget",
    "tools",
    "tasks",
    "remember",
    "memory",
    "summarize",
    "kb",
    "help",
)


async def run_command(engine: Engine, ctx: CommandContext, text: str) -> CommandResult:
    name, args = parse(clean_text(text))  # no control characters or lone surrogates reach the store
    handler = _HANDLERS.get(name)
    if handler is None:
        close = difflib.get_close_matches(name, list(COMMANDS), n=1)
        hint = f" Did you mean /{close[0]}?" if close else ""
        return CommandResult(f"Unknown command /{name}.{hint} Type /help for the list.", ok=False)
    return await handler(engine, ctx, args)


async def _help(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    lines = [f"**{engine.settings.bot.name}** answers with a local or a cloud model; privacy decides first."]
    lines += [f"- /{name} — {text}" for name, text in COMMANDS.items()]
    lines.append("Private conversations (DMs) and messages carrying secrets or personal data stay on local models.")
    if ctx.key.platform == "slack":  # Slack runs no slash command inside a thread or the app's Messages-tab threads
        name = engine.settings.bot.name
        lines.append(
            f"In a thread, Slack doesn't run slash commands: write `@{name} /reset` (any command) there instead."
        )
    return CommandResult("\n".join(lines))


# --- /reset, /privacy, /why, /usage, /feedback -------------------------------------


async def _reset(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    engine.cancel(ctx.key)
    conv = engine.store.conversation(ctx.key, private=ctx.private)
    count = engine.store.reset_conversation(conv.id)
    return CommandResult(f"Done — I forgot {count} message(s) in this conversation. Settings are kept.")


LEVEL_WORDS = {
    "local-only": "every message stays on local models",
    "standard": "messages are scanned; anything sensitive stays local, the rest may use the cloud",
    "redact": "messages are scanned; the cloud may be used, but it gets placeholders such as ⟨EMAIL_1⟩ instead of "
    "secrets and personal data, swapped back in the answer you see (this bot's own record keeps the original)",
    "cloud-ok": "the cloud may be used, but secrets still stay local",
}


async def _privacy(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    conv = engine.store.conversation(ctx.key, private=ctx.private)
    level = engine.privacy_level(conv)
    if not args:
        why = "this is a private conversation" if conv.private else "this channel's level"
        text = f"Privacy: **{level}** ({why}) — {LEVEL_WORDS[level]}."
        if conv.sticky_private:
            text += "\nThis conversation carried sensitive content, so it stays local until /reset."
        return CommandResult(
            text + "\nSet with /privacy " + "|".join(PRIVACY_LEVELS) + ".",
            choices=[Choice(lv, lv, lv == level) for lv in PRIVACY_LEVELS],
        )
    wanted = args[0].lower()
    if wanted not in PRIVACY_LEVELS:
        return CommandResult(f"'{args[0]}' is not a privacy level. Use {', '.join(PRIVACY_LEVELS)}.", ok=False)
    if conv.private:
        return CommandResult("Private conversations (DMs) are always local-only; that can't be changed.", ok=False)
    if problem := admin_check(ctx, "channel"):
        return CommandResult(problem, ok=False)
    floor = engine.privacy_floor(ctx.key)
    if floor and stricter(wanted, floor) != wanted:
        return CommandResult(
            f"The operator set this channel to **{floor}** in the bot's configuration ([privacy.channels]). "
            f"/privacy can make it stricter here, not looser; ask whoever runs the bot to change it.",
            ok=False,
        )
    if problem := write_setting(engine, ctx, "channel", "privacy", wanted):
        return CommandResult(problem, ok=False)
    return CommandResult(
        f"Privacy for this channel set to **{wanted}** — {LEVEL_WORDS[wanted]}.",
        announce=f"{ctx.user_name or ctx.user_id} set this channel's privacy to {wanted}.",
    )


FEEDBACK_WORDS = {"good": 1, "up": 1, "+1": 1, "👍": 1, "bad": -1, "down": -1, "-1": -1, "👎": -1, "clear": 0}


async def _feedback(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    value = FEEDBACK_WORDS.get(args[0].lower()) if args else None
    if value is None:
        return CommandResult("Use /feedback good, /feedback bad or /feedback clear.", ok=False)
    conv = engine.store.conversation(ctx.key, private=ctx.private)
    turn = engine.store.last_turn(conv.id)
    if turn is None:
        return CommandResult("There is no answer to rate yet.", ok=False)
    engine.feedback(turn.id, ctx.user_id, value)
    return CommandResult({1: "Thanks — noted 👍", -1: "Thanks — noted 👎", 0: "Feedback removed."}[value])


async def _forget(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    from bot.retention import forget_user

    if [a.lower() for a in args] != ["me"]:
        return CommandResult(
            "/forget me deletes your stored messages, my answers to them, your ratings, your personal settings"
            " and your tasks"
            " everywhere on this platform. Type exactly /forget me to do it; it can't be undone.",
            ok=False,
        )
    running = engine.running_turn(ctx.key)
    record = engine.store.turn(running) if running else None
    if record is not None and record.user_id == ctx.user_id:
        engine.cancel(ctx.key, running)  # an answer of theirs still streaming would be stored after the deletion
    return CommandResult(forget_user(engine.store, ctx.key.platform, ctx.user_id).text)


async def _tools(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    from bot.tool_commands import tools_command  # bot/tool_commands.py: /tools

    return await tools_command(engine, ctx, args)


async def _tasks(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    from bot.tasks_command import tasks_command

    return await tasks_command(engine, ctx, args)


_HANDLERS = {
    "help": _help,
    "model": model_command,
    "agent": agent_command,
    "reset": _reset,
    "privacy": _privacy,
    "why": why_command,
    "usage": usage_command,
    "feedback": _feedback,
    "forget": _forget,
    "tools": _tools,
    "tasks": _tasks,
}


# /remember and /memory live in their own module (a memory each person controls).
from bot.memory_commands import COMMANDS as _MEMORY_COMMANDS  # noqa: E402
from bot.memory_commands import HANDLERS as _MEMORY_HANDLERS  # noqa: E402

COMMANDS.update(_MEMORY_COMMANDS)
_HANDLERS.update(_MEMORY_HANDLERS)

# /summarize (bot/digest_run.py) and /kb add (bot/kb_add.py): digests of history and files added to collections.
from bot.digest_run import COMMANDS as _DIGEST_COMMANDS  # noqa: E402
from bot.digest_run import summarize_command as _summarize  # noqa: E402
from bot.kb_add import COMMANDS as _KB_COMMANDS  # noqa: E402
from bot.kb_add import kb_command as _kb  # noqa: E402

COMMANDS.update(_DIGEST_COMMANDS | _KB_COMMANDS)
_HANDLERS.update({"summarize": _summarize, "kb": _kb})
