"""Who may talk to the bot where: allow and block lists for users, roles and channels. Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

import discord

from adapters.discord.config import DiscordConfig


@dataclass(frozen=True)
class Requester:
    user_id: int
    role_ids: frozenset[int] = frozenset()
    # The channel, then (for a thread) its parent channel, then the category: every id a channel rule may name.
    channel_ids: tuple[int, ...] = field(default_factory=tuple)
    dm: bool = False


def decide(cfg: DiscordConfig, who: Requester) -> str:
    """'' when allowed; otherwise a short reason code (for logs and for telling the user)."""
    user = str(who.user_id)
    roles = {str(r) for r in who.role_ids}
    channels = {str(c) for c in who.channel_ids}
    if user in cfg.blocked_users:
        return "blocked-user"
    if cfg.allowed_users and user not in cfg.allowed_users and not (roles & set(cfg.allowed_roles)):
        return "user-not-allowed"
    if who.dm:
        return "" if cfg.allow_dms else "dms-disabled"
    if roles & set(cfg.blocked_roles):
        return "blocked-role"
    if cfg.allowed_roles and not (roles & set(cfg.allowed_roles)) and user not in cfg.allowed_users:
        return "role-not-allowed"
    if channels & set(cfg.blocked_channels):
        return "blocked-channel"
    if cfg.allowed_channels and not (channels & set(cfg.allowed_channels)):
        return "channel-not-allowed"
    return ""


def channel_chain(channel: object) -> tuple[int, ...]:
    """The ids a channel rule can match: the channel, a thread's parent, and the category."""
    ids: list[int] = []
    current = channel
    for _ in range(3):
        if current is None:
            break
        ident = getattr(current, "id", None)
        if ident is not None and ident not in ids:
            ids.append(ident)
        if isinstance(current, discord.Thread):
            parent_id = current.parent_id
            parent = current.parent
            if parent is None:
                ids.append(parent_id)
                break
            current = parent
            continue
        category_id = getattr(current, "category_id", None)
        if category_id:
            ids.append(category_id)
        break
    return tuple(ids)


def requester(author: discord.abc.User, channel: object, *, dm: bool) -> Requester:
    roles = frozenset(r.id for r in getattr(author, "roles", []) if not r.is_default())
    return Requester(author.id, roles, channel_chain(channel), dm)


def is_channel_admin(cfg: DiscordConfig, author: discord.abc.User, permissions: discord.Permissions | None) -> bool:
    """May this member change channel- or server-wide settings?"""
    if not cfg.admin_only_channel_changes:
        return True
    if permissions is not None and (permissions.manage_guild or permissions.administrator):
        return True
    ids = {str(author.id)} | {str(r.id) for r in getattr(author, "roles", [])}
    return bool(ids & set(cfg.admin_ids))
