"""/model and /agent: show the choices here, and set or clear them at a layer (here, thread, channel, me, workspace)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from bot.command_settings import admin_check, clear_setting, scope_of, write_setting
from bot.command_types import Choice, CommandContext, CommandResult
from bot.preferences import effective
from bot.providers.base import ModelInfo
from bot.tool_words import agent_tools_text

if TYPE_CHECKING:
    from bot.engine import Engine


MODEL_MODES = ("auto", "local", "cloud")


LOCALITY_MARK = {"local": "🔒", "cloud": "☁"}


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


def _unavailable(engine: Engine, ref: str, unhealthy: frozenset[str]) -> str:
    if ref not in unhealthy:
        return ""
    circuit = engine.catalog.breaker_states().get(ref)
    if circuit is not None and circuit.state != "closed":
        return f" (unavailable: {circuit.describe()})"
    return " (unavailable)"


async def model_command(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
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
        return await clear_setting(engine, ctx, "model", args[1:])
    setting, suggestions = resolve_model(args[0], models)
    if setting is None:
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else " See /model for the list."
        return CommandResult(f"Unknown model '{args[0]}'.{hint}", ok=False, choices=choices)
    layer, problem = scope_of(ctx, args[1] if len(args) > 1 else None)
    if layer is None:
        return CommandResult(problem, ok=False)
    if problem := admin_check(ctx, layer):
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


async def agent_command(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    current = effective(engine.store, ctx.key, ctx.user_id, "agent", engine.settings.bot.default_agent)
    agents = engine.agents
    choices = [Choice(a.name, f"{a.name} — {a.description}", a.name == current.value) for a in agents.agents.values()]
    if not args or args[0].lower() == "list":
        lines = [f"Agent: **{current.value}** ({current.source})."]
        lines += [f"{'→ ' if c.current else '  '}{c.label}" for c in choices]
        lines.append("Switch with /agent <name> [here|thread|channel|me|workspace]; details with /agent show <name>.")
        return CommandResult("\n".join(lines), choices=choices)
    if args[0].lower() == "clear":
        return await clear_setting(engine, ctx, "agent", args[1:])
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
    layer, problem = scope_of(ctx, args[1] if len(args) > 1 else None)
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
