"""Approvals in Discord: a prompt with Approve / Deny buttons, clicks, and prompts a restart left behind.

The buttons are `DynamicItem`s whose `custom_id` carries the approval id (`hb_appr:y:<32 hex>`, 41
characters, under Discord's 100), so a click is understood whatever message it is on — also one sent
before a restart. A click is answered within Discord's 3 s: the person who asked, a member who may
manage the server (or an administrator), or someone in `discord.admin_ids` decides, and the reply
only acknowledges (the sink that showed the prompt edits it to its outcome); anyone else, and a click
on a request that is no longer waiting, gets an ephemeral reply that says why and changes nothing.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.config import DiscordConfig
from bot.tools.approval_texts import outcome_line, prompt_rule, prompt_title
from bot.tools.approval_types import INTERRUPTED, ApprovalDecision, ApprovalRequest

if TYPE_CHECKING:
    from adapters.discord.client import HybridBot

log = logging.getLogger("hybridbot.discord.approvals")

CUSTOM_ID = "hb_appr:{choice}:{id}"
TEMPLATE = r"hb_appr:(?P<choice>[yn]):(?P<id>[0-9a-f]{32})"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def _text(text: str) -> str:
    """A model's words shown as text: no Markdown, no mentions."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


SUMMARY_MAX = 1500  # of Discord's 2,000 characters per message: the rest is the title and the outcome line


def prompt_text(request: ApprovalRequest, line: str) -> str:
    summary = request.summary if len(request.summary) <= SUMMARY_MAX else request.summary[: SUMMARY_MAX - 1] + "…"
    shown = ApprovalRequest(
        request.id, request.turn_id, request.key, request.asker, f"**{_text(request.tool[:100])}**",
        _text(summary), request.expires_at,
    )  # fmt: skip
    return f"{prompt_title(shown, mention)}\n*{line}*"[:2000]  # not "-# ": subtext marks an answer's footer


class ApprovalButton(discord.ui.DynamicItem[discord.ui.Button], template=TEMPLATE):
    def __init__(self, approval_id: str, approve: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Approve" if approve else "Deny",
                style=discord.ButtonStyle.success if approve else discord.ButtonStyle.danger,
                custom_id=CUSTOM_ID.format(choice="y" if approve else "n", id=approval_id),
            )
        )
        self.approval_id = approval_id
        self.approve = approve

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ApprovalButton:
        return cls(match["id"], match["choice"] == "y")

    async def callback(self, interaction: discord.Interaction) -> None:
        await on_click(interaction, self.approval_id, self.approve)


def buttons(approval_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ApprovalButton(approval_id, True))
    view.add_item(ApprovalButton(approval_id, False))
    return view


class DiscordPrompts:
    """The approval prompts one reply sink shows in its channel or thread, edited to their outcome
    (two hook lines in any Discord sink: `on_approval`, `on_approval_closed`)."""

    def __init__(self, channel: discord.abc.Messageable) -> None:
        self.channel = channel
        self.shown: dict[str, discord.Message] = {}  # approval id → its prompt

    async def show(self, request: ApprovalRequest) -> str:
        """Post the prompt; the asker is pinged (only them)."""
        wait = max(1.0, round(request.expires_at - time.time()))
        message = await self.channel.send(
            prompt_text(request, prompt_rule(request, mention, wait=wait)),
            view=buttons(request.id),
            allowed_mentions=discord.AllowedMentions(users=[discord.Object(int(request.asker))]),
        )
        self.shown[request.id] = message
        return f"{message.channel.id}:{message.id}"

    async def close(self, request: ApprovalRequest, decision: ApprovalDecision) -> None:
        """The outcome replaces the buttons."""
        message = self.shown.pop(request.id, None)
        if message is not None:
            line = outcome_line(decision.outcome, decision.by, mention)
            await message.edit(content=prompt_text(request, line), view=None)


async def on_click(interaction: discord.Interaction, approval_id: str, approve: bool) -> None:
    bot: Any = interaction.client
    approvals = bot.engine.approvals
    user = str(interaction.user.id)
    request = approvals.request(approval_id)
    admin = request is not None and user != request.asker and is_admin(bot.cfg, interaction)
    click = approvals.click(approval_id, user, approve, admin=admin, who=mention)
    log.info("approval %s: click %s (%s)", approval_id, click.outcome, "counted" if click.counted else "refused")
    if click.counted:
        await interaction.response.defer()  # an update of the prompt follows (the sink edits it)
        return
    await interaction.response.send_message(click.text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())


def is_admin(cfg: DiscordConfig, interaction: discord.Interaction) -> bool:
    """In a server: Manage Server or Administrator there, or listed (user or role) in `discord.admin_ids`."""
    if interaction.guild_id is None:
        return str(interaction.user.id) in cfg.admin_ids
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    ids = {str(interaction.user.id)} | {str(r.id) for r in getattr(interaction.user, "roles", [])}
    return bool(ids & set(cfg.admin_ids))


async def note_interrupted_approvals(bot: HybridBot) -> int:
    """After a restart: prompts of requests the last process was waiting on say they expired with the
    restart (their buttons removed); a request whose prompt was never posted gets a note where it was asked."""
    line = outcome_line(INTERRUPTED, None)
    noted = 0
    for record in bot.engine.approvals.take_interrupted("discord"):
        channel_id, _, message_id = record.prompt_ref.partition(":")
        try:
            if channel_id and message_id:
                channel = bot.get_partial_messageable(int(channel_id))
                await channel.get_partial_message(int(message_id)).edit(
                    content=prompt_text(record.request, line), view=None
                )
            else:
                await bot.get_partial_messageable(int(record.key.thread or record.key.channel)).send(f"*{line}*")
            noted += 1
        except (discord.HTTPException, ValueError) as error:  # one prompt we can't edit must not stop the rest
            log.warning("could not mark approval %s as expired: %s", record.id, type(error).__name__)
    return noted
