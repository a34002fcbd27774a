"""Writing settings from commands: which layer a scope word means, and the one permission check for shared
settings (bot/preferences.py reads them back)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.command_types import CommandContext, CommandResult
from bot.preferences import SCOPE_WORDS, layer_for_here

if TYPE_CHECKING:
    from bot.engine import Engine


def scope_of(ctx: CommandContext, word: str | None) -> tuple[str | None, str]:
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


def admin_check(ctx: CommandContext, layer: str) -> str:
    """The one permission check for every write to a channel- or workspace-wide setting ('' = allowed)."""
    if layer in SHARED_LAYERS and not ctx.can_change_channel:
        return f"Only admins can change the {layer} setting. You can set it for yourself with 'me'."
    return ""


def write_setting(engine: Engine, ctx: CommandContext, layer: str, name: str, value: str | None) -> str:
    """Set (or with None, clear) a setting at a layer, after the permission check; returns a refusal or ''."""
    if problem := admin_check(ctx, layer):
        return problem
    scope = ctx.key.scope(layer, ctx.user_id)
    if value is None:
        engine.store.delete_setting(scope, name)
    else:
        engine.store.set_setting(scope, name, value, set_by=ctx.user_id)
    return ""


async def clear_setting(engine: Engine, ctx: CommandContext, name: str, args: list[str]) -> CommandResult:
    """`/model clear [scope]`, `/agent clear [scope]`: back to the next layer's value."""
    layer, problem = scope_of(ctx, args[0] if args else None)
    if layer is None:
        return CommandResult(problem, ok=False)
    scope = ctx.key.scope(layer, ctx.user_id)
    had = bool(engine.store.settings_for([scope], name))
    if problem := write_setting(engine, ctx, layer, name, None):
        return CommandResult(problem, ok=False)
    return CommandResult(f"{name.title()} setting cleared." if had else f"There was no {name} setting there.")
