"""/remember and /memory: a memory each person controls (bot/memory.py says where facts are used)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import privacy, store_memory
from bot.commands import CommandContext, CommandResult
from bot.memory import CHANNELS_SETTING, opt_in_scope
from bot.privacy import KIND_LABELS

if TYPE_CHECKING:
    from bot.engine import Engine

COMMANDS = {
    "remember": "remember a fact about you for your own conversations: /remember <fact>",
    "memory": "what I remember about you: /memory, /memory forget <n>|all, /memory channels on|off",
}
OFF = "Memory is turned off for this bot ([memory] enabled = false)."


def _kinds(kinds: list[str] | tuple[str, ...]) -> str:
    return ", ".join(KIND_LABELS.get(k, k.replace("_", " ")) for k in kinds)


async def _remember(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    config = engine.settings.memory
    if not config.enabled:
        return CommandResult(OFF, ok=False)
    text = " ".join(args).strip()
    if not text:
        return CommandResult(
            "Tell me what to remember: /remember <fact>, e.g. /remember I prefer metric units.", ok=False
        )
    if len(text) > config.max_fact_chars:
        return CommandResult(f"That is {len(text)} characters; a fact can be up to {config.max_fact_chars}.", ok=False)
    platform = ctx.key.platform
    if store_memory.count(engine.store, platform, ctx.user_id) >= config.max_facts:
        return CommandResult(
            f"I already remember {config.max_facts} facts about you (the most I keep). "
            "Forget one with /memory forget <n> first.",
            ok=False,
        )
    findings = privacy.scan(text)
    if any(f.category == "secret" and f.confidence >= 0.5 for f in findings):
        secret_kinds = _kinds(sorted({f.kind for f in findings if f.category == "secret"}))
        return CommandResult(
            f"That looks like a secret ({secret_kinds}); I don't remember secrets. Keep it in a password manager.",
            ok=False,
        )
    sensitive = privacy.is_sensitive(findings)
    kinds = sorted({f.kind for f in findings})
    store_memory.add(engine.store, platform, ctx.user_id, text, sensitive=sensitive, kinds=kinds)
    number = store_memory.count(engine.store, platform, ctx.user_id)
    lines = [f"Remembered (#{number}). {_where_used(engine, ctx)}"]
    if sensitive:
        lines.append(f"It carries {_kinds(kinds)}, so only local models will see it.")
    return CommandResult("\n".join(lines))


def _where_used(engine: Engine, ctx: CommandContext) -> str:
    if store_memory.channels_on(engine.store, ctx.key.platform, ctx.user_id):
        return "I use it in your DMs with me and in channels when you talk to me."
    return "I use it in your DMs with me; in channels only if you turn that on with /memory channels on."


async def _memory(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    if not engine.settings.memory.enabled:
        return CommandResult(OFF, ok=False)
    words = [a.lower() for a in args]
    if not words or words == ["list"]:
        return _list(engine, ctx)
    if words[0] == "forget" and len(words) == 2:
        return _forget(engine, ctx, words[1])
    if words[0] == "channels" and len(words) == 2 and words[1] in ("on", "off"):
        scope = opt_in_scope(ctx.key.platform, ctx.user_id)
        engine.store.set_setting(scope, CHANNELS_SETTING, words[1], set_by=ctx.user_id)
        if words[1] == "on":
            return CommandResult("I'll use what I remember about you in channels too, when you talk to me.")
        return CommandResult("I'll use what I remember about you only in your DMs with me.")
    return CommandResult("Use /memory, /memory forget <n>|all or /memory channels on|off.", ok=False)


def _list(engine: Engine, ctx: CommandContext) -> CommandResult:
    facts = store_memory.facts(engine.store, ctx.key.platform, ctx.user_id)
    if not facts:
        return CommandResult("I don't remember anything about you yet. Add something with /remember <fact>.")
    lines = [f"What I remember about you ({len(facts)}):"]
    lines += [f"{i}. {'🔒 ' if f.sensitive else ''}{f.text}" for i, f in enumerate(facts, start=1)]
    if any(f.sensitive for f in facts):
        lines.append("🔒 = carries personal data: only local models see it.")
    lines.append(_where_used(engine, ctx))
    lines.append("Forget with /memory forget <n> or /memory forget all.")
    return CommandResult("\n".join(lines))


def _forget(engine: Engine, ctx: CommandContext, which: str) -> CommandResult:
    platform = ctx.key.platform
    if which == "all":
        gone = store_memory.clear(engine.store, platform, ctx.user_id)
        return CommandResult(f"Done — I forgot {gone} fact(s) about you.")
    facts = store_memory.facts(engine.store, platform, ctx.user_id)
    if not which.isdigit() or not 1 <= int(which) <= len(facts):
        if not facts:
            return CommandResult("I don't remember anything about you, so there is nothing to forget.", ok=False)
        return CommandResult(f"Give a number from 1 to {len(facts)} (see /memory), or 'all'.", ok=False)
    store_memory.delete(engine.store, platform, ctx.user_id, facts[int(which) - 1].id)
    return CommandResult(f"Done — I forgot fact #{which}. The others keep their order (see /memory).")


HANDLERS = {"remember": _remember, "memory": _memory}
