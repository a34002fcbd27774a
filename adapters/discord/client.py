"""The discord.py client: gateway events → engine turns, reactions → feedback, slash commands → engine commands."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from adapters.common.answers import Answer, AnswerIndex
from adapters.common.dedupe import RecentIds
from adapters.common.reactions import react
from adapters.discord import events
from adapters.discord.access import decide, requester
from adapters.discord.approvals import ApprovalButton
from adapters.discord.attachments import attachments_of
from adapters.discord.commands import build_commands
from adapters.discord.config import DiscordConfig
from adapters.discord.interactions import SlashCommands
from adapters.discord.ops import count_429s
from adapters.discord.pacing import RestRequestPacer, paced
from adapters.discord.render import strip_mentions, thread_name
from adapters.discord.sink import ChannelEditPacer, DiscordSink
from bot.engine import Engine, Turn
from bot.session import SessionKey

log = logging.getLogger("hybridbot.discord")

PLATFORM = "discord"
ANSWERED_TYPES = (discord.MessageType.default, discord.MessageType.reply)
RECENT_EVENTS = 5000

SHORT_HELP = (
    "Hi! Mention me with a question and I'll answer in a thread; keep talking there without mentioning me. "
    "React 👍/👎 to rate an answer, 🔁 to answer again, 🛑 to stop. Type /help for commands."
)
NO_TEXT = "I can't read stickers or embeds — ask me in words, or attach the file itself?"
DMS_OFF = "I don't answer direct messages here. Mention me in a server channel instead."


def intents() -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    wanted.guild_reactions = True
    wanted.dm_reactions = True
    return wanted


@dataclass
class Where:
    """Where a message's answer goes and which conversation it belongs to."""

    key: SessionKey | None  # None until the thread for it is opened
    channel: discord.abc.Messageable
    reference: discord.Message | None = None
    private: bool = False
    open_thread: bool = False


class HybridBot(discord.Client):
    def __init__(self, engine: Engine, cfg: DiscordConfig) -> None:
        super().__init__(
            intents=intents(),
            guild_ready_timeout=cfg.guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
            max_messages=1000,
            http_trace=count_429s(engine.metrics),  # every 429 discord.py meets → /metrics
        )
        self.engine = engine
        self.cfg = cfg
        self.pace = RestRequestPacer(limit=int(cfg.rest_requests_per_second))
        self.http.request = paced(self.http.request, self.pace)  # type: ignore[method-assign, assignment]
        self.edit_pacer = ChannelEditPacer(cfg.edit_interval)
        self.answers = AnswerIndex(engine.store, PLATFORM)  # message → answer and turn (memory, then the store)
        self.bot_threads: set[int] = set()
        self._recent = RecentIds(RECENT_EVENTS)  # message ids handled lately
        self.tree = app_commands.CommandTree(self)
        self.slash = SlashCommands(self)
        for command in build_commands(self.slash):
            self.tree.add_command(command)
        self.tree.on_error = self.slash.on_error  # type: ignore[method-assign]
        self.add_dynamic_items(ApprovalButton)  # Approve / Deny on tool approval prompts, also sent before a restart
        self.on_sink: Callable[[DiscordSink], None] | None = None  # benchmarks observe sinks here
        engine.readiness.register("discord", self.connected)  # for /readyz

    def connected(self) -> bool:
        """For /readyz: logged in, gateway open, READY (or RESUMED) seen."""
        ws = self.ws
        return self.is_ready() and not self.is_closed() and ws is not None and ws.open

    async def close(self) -> None:
        self.engine.readiness.register("discord", lambda: False)  # stopped: not ready, and says so
        await super().close()

    async def setup_hook(self) -> None:
        if self.cfg.sync_commands_on_start:
            try:
                summary = await sync_tree(self.tree, self.cfg.command_guilds)
                log.info("application commands synced: %s", summary)
            except discord.HTTPException as error:
                log.warning("could not sync application commands (%s); they may be outdated", error.status)

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("discord connected as %s (%s) in %d guild(s)", self.user.name, self.user.id, len(self.guilds))
        from adapters.discord.recovery import DiscordRecovery
        from bot.recovery import recover_platform

        await recover_platform(self.engine, DiscordRecovery(self))  # what a crash left unfinished
        from adapters.discord.approvals import note_interrupted_approvals

        await note_interrupted_approvals(self)  # approval prompts the last process left waiting

    # --- messages --------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        me = self.user
        if me is None or not events.answerable(
            from_self=message.author.id == me.id,
            from_bot=message.author.bot,
            answered_type=message.type in ANSWERED_TYPES,
            respond_to_bots=self.cfg.respond_to_bots,
        ):
            return
        if not self._recent.first_sight(str(message.id)):  # a redelivered event (e.g. on RESUME) is answered once
            log.info("message %s delivered again; ignored", message.id)
            return
        where = await self._where(message)
        if where is None:
            return
        refusal = decide(self.cfg, requester(message.author, message.channel, dm=where.private))
        if refusal:
            log.info("message %s ignored: %s", message.id, refusal)
            if refusal == "dms-disabled":
                await message.channel.send(DMS_OFF)
            return
        names = {m.id: m.display_name for m in message.mentions}
        text = strip_mentions(message.content, me.id, names)
        files = attachments_of(message)  # read by the engine once the turn is admitted
        if not text and not files:
            await self._reply_plain(message, where, NO_TEXT if self._has_media(message) else SHORT_HELP)
            return
        if where.open_thread:
            where = await self._open_thread(message, text, where)
        assert where.key is not None
        turn = Turn(
            where.key,
            str(message.author.id),
            message.author.display_name,
            text,
            private=where.private,
            event_id=str(message.id),
            attachments=files,
        )
        await self.engine.handle(turn, self.sink(where))

    async def _where(self, message: discord.Message) -> Where | None:
        """Where the answer goes (events.where_answer_goes decides; this gathers the facts and builds the place)."""
        me = self.user
        assert me is not None
        channel: Any = message.channel
        place = events.Place(
            dm=message.guild is None,
            mentioned=any(user.id == me.id for user in message.mentions),
            replied=self._replied_to_me(message),
            uncached=isinstance(channel, discord.PartialMessageable),
            our_thread=channel.id in self.bot_threads,
            reply_mode=self.cfg.reply_mode,
        )
        if not place.uncached:
            place = self._place_in(channel, place)
        decision = events.where_answer_goes(place)
        if decision == events.LOOK_UP:
            channel = await self._resolve(channel.id) or channel
            decision = events.where_answer_goes(self._place_in(channel, place))
        return self._answer_place(decision, message, channel)

    def _place_in(self, channel: object, place: events.Place) -> events.Place:
        """The facts once the channel is known: a thread, and whether it is the bot's."""
        if not isinstance(channel, discord.Thread):
            return dataclasses.replace(place, uncached=False, thread=False, our_thread=False)
        ours = channel.owner_id == getattr(self.user, "id", None) or channel.id in self.bot_threads
        return dataclasses.replace(place, uncached=False, thread=True, our_thread=ours)

    def _answer_place(self, decision: str, message: discord.Message, channel: Any) -> Where | None:
        guild = str(message.guild.id) if message.guild else ""
        if decision == events.DM:
            return Where(SessionKey("discord", "", str(channel.id)), channel, private=True)
        if decision == events.IN_THREAD:
            return Where(SessionKey("discord", guild, str(channel.parent_id), str(channel.id)), channel)
        channel_key = SessionKey("discord", guild, str(channel.id))
        if decision == events.REPLY:
            known = self._answer_of(message.reference)
            return Where(known.key if known else channel_key, channel, reference=message)
        if decision == events.OPEN_THREAD:
            return Where(None, channel, reference=message, open_thread=True)
        if decision == events.INLINE:
            return Where(channel_key, channel, reference=message)
        return None

    def _replied_to_me(self, message: discord.Message) -> bool:
        ref = message.reference
        if ref is None or ref.message_id is None:
            return False
        resolved = ref.resolved
        if isinstance(resolved, discord.Message) and self.user is not None:
            return resolved.author.id == self.user.id
        return self._answer_of(ref) is not None

    def _answer_of(self, ref: discord.MessageReference | None) -> Answer | None:
        if ref is None or ref.message_id is None:
            return None
        return self.answers.get(str(ref.channel_id), str(ref.message_id))

    async def _resolve(self, channel_id: int) -> discord.abc.GuildChannel | discord.Thread | None:
        try:
            channel = await self.fetch_channel(channel_id)
        except discord.HTTPException as error:
            log.info("channel %s could not be fetched (%s)", channel_id, error.status)
            return None
        return channel if isinstance(channel, discord.Thread | discord.abc.GuildChannel) else None

    async def _open_thread(self, message: discord.Message, text: str, where: Where) -> Where:
        guild = str(message.guild.id) if message.guild else ""
        fallback = f"A question for {self.user.name if self.user else 'the bot'}"  # neutral: names are content too
        try:
            thread = await message.create_thread(
                name=thread_name(text, fallback), auto_archive_duration=self.cfg.thread_auto_archive_minutes
            )
        except discord.HTTPException as error:
            log.warning("could not open a thread in %s (%s); answering inline", message.channel.id, error.status)
            return Where(SessionKey("discord", guild, str(message.channel.id)), message.channel, reference=message)
        self.bot_threads.add(thread.id)
        return Where(SessionKey("discord", guild, str(message.channel.id), str(thread.id)), thread)

    @staticmethod
    def _has_media(message: discord.Message) -> bool:
        return bool(message.attachments or message.stickers or message.embeds)

    async def _reply_plain(self, message: discord.Message, where: Where, text: str) -> None:
        reference = message if message.guild is not None else None
        await message.channel.send(text, reference=reference, mention_author=False)  # type: ignore[arg-type]

    def sink(self, where: Where, *, notes: list[str] | None = None) -> DiscordSink:
        key = where.key
        assert key is not None
        sink = DiscordSink(
            where.channel,
            getattr(where.channel, "id", 0),
            self.edit_pacer,
            key=key,
            index=self.answers,
            private=where.private,
            reference=where.reference,
            typing=self.cfg.typing_indicator,
            status_delay=self.cfg.status_delay,
            notes=notes,
            feedback=self.engine.feedback,
        )
        if self.on_sink is not None:
            self.on_sink(sink)
        return sink

    # --- reactions ---------------------------------------------------------------

    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        await self._react(event, added=True)

    async def on_raw_reaction_remove(self, event: discord.RawReactionActionEvent) -> None:
        await self._react(event, added=False)

    async def _react(self, event: discord.RawReactionActionEvent, *, added: bool) -> None:
        me = self.user
        action = events.reaction_action(str(event.emoji), event.user_id, me.id if me else None)
        if action is None:
            return
        answer = self._answer(event)
        if answer is None or self._refused(event):
            return

        def sink() -> DiscordSink:
            channel = self.get_partial_messageable(event.channel_id, guild_id=event.guild_id)
            return self.sink(Where(answer.key, channel, private=answer.private))

        await react(self.engine, answer, action, str(event.user_id), added=added, sink=sink)

    def _answer(self, event: discord.RawReactionActionEvent) -> Answer | None:
        """The answer a reaction is on: memory first, then the store (answers sent before a restart)."""
        channel, message = str(event.channel_id), str(event.message_id)
        me = self.user
        if me is None or event.message_author_id not in (None, me.id):
            return self.answers.get(channel, message)
        return self.answers.find(channel, message)

    def _refused(self, event: discord.RawReactionActionEvent) -> bool:
        author = event.member or discord.Object(event.user_id)
        channel = self.get_channel(event.channel_id) or discord.Object(event.channel_id)
        return bool(decide(self.cfg, requester(author, channel, dm=event.guild_id is None)))  # type: ignore[arg-type]


async def sync_tree(tree: app_commands.CommandTree, guild_ids: list[str]) -> str:
    """Sync the commands globally, or copy them to each configured guild and sync there."""
    if not guild_ids:
        synced = await tree.sync()
        return f"{len(synced)} command(s) globally"
    for guild_id in guild_ids:
        guild = discord.Object(int(guild_id))
        tree.copy_global_to(guild=guild)
        await tree.sync(guild=guild)
    return f"{len(tree.get_commands())} command(s) to {len(guild_ids)} guild(s)"
