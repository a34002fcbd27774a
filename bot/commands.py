"""Platform-neutral commands: /help, /model, /agent, /reset, /privacy, /why, /usage, /feedback.

Each adapter maps its own slash commands here, so Slack, Discord and the console behave the same. Every text
here (and every text the engine shows users) is Markdown — **bold**, `code`, "- " lists; each adapter renders it
for its platform (Slack mrkdwn, Discord Markdown, plain text on the console).
"""

from __future__ import annotations

import difflib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.attachment_why import attachment_lines
from bot.config import PRIVACY_LEVELS, stricter
from bot.knowledge.grounding import sources_notice
from bot.preferences import SCOPE_WORDS, effective, layer_for_here
from bot.privacy import KIND_LABELS
from bot.providers.base import ModelInfo
from bot.router import explain
from bot.sanitize import clean_text
from bot.session import SessionKey
from bot.store_tools import tool_calls_of_turn
from bot.tool_words import agent_tools_text, tool_lines

if TYPE_CHECKING:
    from bot.engine import Engine

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
    "help",
)
MODEL_MODES = ("auto", "local", "cloud")
LOCALITY_MARK = {"local": "🔒", "cloud": "☁"}


@dataclass(frozen=True)
class CommandContext:
    key: SessionKey
    user_id: str
    user_name: str = ""
    private: bool = False  # DM or private mode
    can_change_channel: bool = True  # False for non-admins when channel changes are admin-only
    tz: str | None = None  # the person's IANA time zone, when the platform gives one (Slack)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    current: bool = False


@dataclass
class CommandResult:
    text: str
    ok: bool = True
    announce: str | None = None  # a short line for everyone in the channel
    choices: list[Choice] = field(default_factory=list)


def parse(text: str) -> tuple[str, list[str]]:
    words = text.strip().split()
    if not words:
        return "", []
    return words[0].lstrip("/").lower(), words[1:]


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


# --- /model --------------------------------------------------------------------


def resolve_model(value: str, models: list[ModelInfo]) -> tuple[str | None, list[str]]:
    """Map what a user typed to a model setting; else (None, close suggestions)."""
    lowered = value.lower()
    if lowered in MODEL_MODES:
        return lowered, []
    refs = {m.ref.lower(): m.ref for m in models}
    if lowered in refs:
        return refs[lowered], []
    by_name = [m.ref for m in models if m.name.lower() == lowered]
    if len(by_name) == 1:
        return by_name[0], []
    candidates = list(MODEL_MODES) + [m.ref for m in models] + [m.name for m in models]
    close = difflib.get_close_matches(lowered, [c.lower() for c in candidates], n=3, cutoff=0.5)
    suggestions = [next(c for c in candidates if c.lower() == x) for x in close]
    return None, by_name or suggestions


def _scope(ctx: CommandContext, word: str | None) -> tuple[str | None, str]:
    """Settings layer for a scope word; (None, error) when it is not one."""
    if word is None:
        return layer_for_here(ctx.key), ""
    layer = SCOPE_WORDS.get(word.lower())
    if layer is None:
        return None, f"'{word}' is not a scope. Use here, thread, channel, me or workspace."
    if layer == "here":
        layer = layer_for_here(ctx.key)
    if layer == "thread" and not ctx.key.thread:
        return None, "This is not a thread; use 'channel' or 'me'."
    return layer, ""


SHARED_LAYERS = ("channel", "workspace")  # settings that change the bot for everyone there


def _admin_check(ctx: CommandContext, layer: str) -> str:
    """The one permission check for every write to a channel- or workspace-wide setting ('' = allowed)."""
    if layer in SHARED_LAYERS and not ctx.can_change_channel:
        return f"Only admins can change the {layer} setting. You can set it for yourself with 'me'."
    return ""


def write_setting(engine: Engine, ctx: CommandContext, layer: str, name: str, value: str | None) -> str:
    """Set (or with None, clear) a setting at a layer, after the permission check; returns a refusal or ''."""
    if problem := _admin_check(ctx, layer):
        return problem
    scope = ctx.key.scope(layer, ctx.user_id)
    if value is None:
        engine.store.delete_setting(scope, name)
    else:
        engine.store.set_setting(scope, name, value, set_by=ctx.user_id)
    return ""


async def _clear(engine: Engine, ctx: CommandContext, name: str, args: list[str]) -> CommandResult:
    """`/model clear [scope]`, `/agent clear [scope]`: back to the next layer's value."""
    layer, problem = _scope(ctx, args[0] if args else None)
    if layer is None:
        return CommandResult(problem, ok=False)
    scope = ctx.key.scope(layer, ctx.user_id)
    had = bool(engine.store.settings_for([scope], name))
    if problem := write_setting(engine, ctx, layer, name, None):
        return CommandResult(problem, ok=False)
    return CommandResult(f"{name.title()} setting cleared." if had else f"There was no {name} setting there.")


def _unavailable(engine: Engine, ref: str, unhealthy: frozenset[str]) -> str:
    if ref not in unhealthy:
        return ""
    circuit = engine.catalog.breaker_states().get(ref)
    if circuit is not None and circuit.state != "closed":
        return f" (unavailable: {circuit.describe()})"
    return " (unavailable)"


async def _model(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    models = await engine.catalog.models()
    unhealthy = engine.catalog.unhealthy()
    current = effective(engine.store, ctx.key, ctx.user_id, "model", engine.settings.routing.default_model)
    choices = [Choice(mode, f"{mode}", mode == current.value) for mode in MODEL_MODES] + [
        Choice(
            m.ref,
            f"{LOCALITY_MARK[m.locality]} {m.ref}" + _unavailable(engine, m.ref, unhealthy),
            m.ref == current.value,
        )
        for m in models
    ]
    if not args:
        lines = [f"Model: **{current.value}** ({current.source})."]
        lines += [f"{'→ ' if c.current else '  '}{c.label}" for c in choices[len(MODEL_MODES) :]]
        if not models:
            lines.append("No models are reachable right now — run `hybridbot doctor`.")
        lines.append("Set with /model auto|local|cloud|provider:model [here|thread|channel|me|workspace].")
        return CommandResult("\n".join(lines), choices=choices)
    if args[0].lower() == "clear":
        return await _clear(engine, ctx, "model", args[1:])
    setting, suggestions = resolve_model(args[0], models)
    if setting is None:
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else " See /model for the list."
        return CommandResult(f"Unknown model '{args[0]}'.{hint}", ok=False, choices=choices)
    layer, problem = _scope(ctx, args[1] if len(args) > 1 else None)
    if layer is None:
        return CommandResult(problem, ok=False)
    if problem := _admin_check(ctx, layer):
        return CommandResult(problem, ok=False)
    is_cloud = setting == "cloud" or any(m.ref == setting and m.locality == "cloud" for m in models)
    conv = engine.store.conversation(ctx.key, private=ctx.private)
    level = engine.privacy_level(conv)
    if is_cloud and (conv.private or level == "local-only"):
        return CommandResult(
            "This conversation is private, so it stays on local models; a cloud model can't be set here. "
            "Choose /model local or a 🔒 model, or ask in a channel that allows the cloud.",
            ok=False,
        )
    if problem := write_setting(engine, ctx, layer, "model", setting):
        return CommandResult(problem, ok=False)
    note = ""
    if is_cloud and conv.sticky_private:
        note = " This conversation carried sensitive content, so it will still stay local until /reset."
    announce = (
        f"{ctx.user_name or ctx.user_id} set the {layer} model to {setting}."
        if layer in ("channel", "workspace")
        else None
    )
    return CommandResult(f"Model set to **{setting}** for {_layer_words(layer)}.{note}", announce=announce)


def _layer_words(layer: str) -> str:
    return {"user": "you", "thread": "this thread", "channel": "this channel", "workspace": "the workspace"}[layer]


# --- /agent --------------------------------------------------------------------


async def _agent(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    current = effective(engine.store, ctx.key, ctx.user_id, "agent", engine.settings.bot.default_agent)
    agents = engine.agents
    choices = [Choice(a.name, f"{a.name} — {a.description}", a.name == current.value) for a in agents.agents.values()]
    if not args or args[0].lower() == "list":
        lines = [f"Agent: **{current.value}** ({current.source})."]
        lines += [f"{'→ ' if c.current else '  '}{c.label}" for c in choices]
        lines.append("Switch with /agent <name> [here|thread|channel|me|workspace]; details with /agent show <name>.")
        return CommandResult("\n".join(lines), choices=choices)
    if args[0].lower() == "clear":
        return await _clear(engine, ctx, "agent", args[1:])
    if args[0].lower() == "show":
        agent = agents.get(args[1]) if len(args) > 1 else agents.get(current.value)
        if agent is None:
            return _unknown_agent(engine, args[1] if len(args) > 1 else "", choices)
        tools = await agent_tools_text(engine, agent.tools)
        return CommandResult(
            f"**{agent.name}** — {agent.description}\nRoute preference: {agent.route} · temperature {agent.temperature}"
            f" · tools: {tools}\nInstructions: {agent.instructions}"
        )
    agent = agents.get(args[0])
    if agent is None:
        return _unknown_agent(engine, args[0], choices)
    layer, problem = _scope(ctx, args[1] if len(args) > 1 else None)
    if layer is None:
        return CommandResult(problem, ok=False)
    if problem := write_setting(engine, ctx, layer, "agent", agent.name):
        return CommandResult(problem, ok=False)
    announce = (
        f"{ctx.user_name or ctx.user_id} set the {layer} agent to {agent.name}."
        if layer in ("channel", "workspace")
        else None
    )
    return CommandResult(f"Agent set to **{agent.name}** for {_layer_words(layer)}.", announce=announce)


def _unknown_agent(engine: Engine, name: str, choices: list[Choice]) -> CommandResult:
    close = engine.agents.suggest(name)
    hint = f" Did you mean {', '.join(close)}?" if close else f" Agents: {', '.join(engine.agents.names())}."
    return CommandResult(f"Unknown agent '{name}'.{hint}", ok=False, choices=choices)


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
    if problem := _admin_check(ctx, "channel"):
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


async def _why(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    conv = engine.store.conversation(ctx.key, private=ctx.private)
    turn = engine.store.last_turn(conv.id, answered_only=False)
    if turn is None:
        return CommandResult("There is no answer in this conversation yet.")
    if not turn.provider or (turn.status in ("refused", "error") and turn.answer_message_id is None):
        reasons = "\n".join(f"- {r}" for r in explain(turn.reasons)) or "- (no route was chosen)"
        files = "\n".join(attachment_lines(engine.store, turn))
        return CommandResult(
            f"The last message was not answered ({turn.status}).\n{reasons}\n{turn.error}\n{files}".strip()
        )
    badge = "🔒 local" if turn.locality == "local" else "☁ cloud"
    lines = [
        f"The last answer came from {badge} **{turn.provider}:{turn.model}** with agent **{turn.agent}**, because:"
    ]
    lines += [f"- {r}" for r in explain(turn.reasons)]
    if turn.finding_kinds:
        kinds = ", ".join(KIND_LABELS.get(k, k.replace("_", " ")) for k in turn.finding_kinds)
        lines.append(f"Detected in the message (not shown): {kinds}.")
    lines += tool_lines(tool_calls_of_turn(engine.store, turn.id))
    lines += engine.approvals.why_lines(turn.id)  # tools that asked for approval, and how each ended
    lines += attachment_lines(engine.store, turn)
    if turn.latency_ms:
        lines.append(f"Took {turn.latency_ms / 1000:.1f} s; {turn.prompt_tokens}+{turn.completion_tokens} tokens.")
    if sources := engine.knowledge.sources_of_turn(turn.id):
        lines.append(sources_notice(sources))
    return CommandResult("\n".join(lines))


async def _usage(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    since = time.time() - 30 * 86400
    rows = engine.store.usage(workspace=ctx.key.workspace, since=since)
    mine = engine.store.usage(workspace=ctx.key.workspace, since=since, user_id=ctx.user_id)
    if not rows:
        return CommandResult("No answers in the last 30 days yet.")
    lines = ["Last 30 days in this workspace:"]
    for r in rows:
        mark = LOCALITY_MARK.get(r["locality"], "")
        lines.append(
            f"- {mark} {r['provider']}:{r['model']} — {r['turns']} answer(s),"
            f" {r['prompt_tokens'] or 0:,} in / {r['completion_tokens'] or 0:,} out tokens"
        )
    lines.append(f"You: {sum(r['turns'] for r in mine)} answer(s).")
    routing = engine.settings.routing
    if routing.monthly_cloud_token_budget or routing.monthly_cloud_budget:
        lines.append(engine.budget_state(ctx.key.workspace).describe())
    return CommandResult("\n".join(lines))


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
    "model": _model,
    "agent": _agent,
    "reset": _reset,
    "privacy": _privacy,
    "why": _why,
    "usage": _usage,
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
