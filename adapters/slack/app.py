"""The Slack adapter: a slack-bolt AsyncApp wired to the engine, in Socket Mode or HTTP mode.

Handlers live in conversations.py (mentions, threads, DMs), slash.py (commands and menus),
reactions.py (reactions and feedback buttons) and surfaces.py (assistant pane, App Home).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.common.answers import AnswerIndex
from adapters.common.dedupe import RecentIds
from adapters.common.reply import Where
from adapters.slack import events
from adapters.slack.budget import WorkspaceCallBudget
from adapters.slack.config import SlackConfig
from adapters.slack.directory import member_channels
from adapters.slack.limits import ChannelPostPacer
from adapters.slack.lookups import ExpiringCache, Pause, SingleFlight, patiently, retry_after
from adapters.slack.middleware import OursOnce, WellFormed
from adapters.slack.sink import SlackSink, SlackSurface
from adapters.slack.verify_only import NEXT_STEP, verification_handler
from bot.config import Settings
from bot.engine import Engine
from bot.session import SessionKey

log = logging.getLogger("hybridbot.slack")
PLATFORM = "slack"
MAX_THREADS = 100_000  # threads remembered as the bot's (or not) before asking Slack again
SEEN_EVENTS = 50_000  # event ids remembered for answering redeliveries once
# Request bodies read in HTTP mode. Above aiohttp's 1 MiB default so an oversized message still arrives as an
# event and its author gets the size message; past this a request is refused with 413.
HTTP_BODY_LIMIT = 8 * 1024 * 1024
# How long an answer waits for a user (name, time zone) it doesn't know yet (users.info usually answers in tens of ms).
# Past it the answer goes on with the user's id and the default time zone; the look-up goes on in the background and fills the cache.
NAME_WAIT = 0.25


@dataclass
class UserInfo:
    name: str
    is_admin: bool = False
    tz: str | None = None  # the user's IANA time zone from users.info (`now` and task due dates)


@dataclass
class SlackBot:
    """State shared by the handlers: the engine, the Web API client and what we learnt from Slack."""

    engine: Engine
    config: SlackConfig
    client: AsyncWebClient
    index: AnswerIndex = field(init=False)  # message → answer and turn (memory, then the store)
    bot_user_id: str = ""
    bot_id: str = ""
    team_id: str = ""
    users: ExpiringCache[UserInfo] = field(default_factory=lambda: ExpiringCache(600.0))
    threads: set[tuple[str, str]] = field(default_factory=set)  # (channel, thread_ts) the bot is part of
    other_threads: set[tuple[str, str]] = field(default_factory=set)  # threads found without the bot
    thread_lookups: dict[tuple[str, str], asyncio.Future[bool]] = field(default_factory=dict)
    assistant_threads: set[tuple[str, str]] = field(default_factory=set)
    private_channels: ExpiringCache[str] = field(default_factory=lambda: ExpiringCache(600.0))  # → events.KINDS
    user_lookups: SingleFlight[UserInfo] = field(default_factory=SingleFlight)
    name_lookups: SingleFlight[UserInfo] = field(default_factory=SingleFlight)  # one try each, for answers
    quick_client: AsyncWebClient | None = None  # `client` without slack-sdk's own 429 retries (name look-ups)
    channel_lookups: SingleFlight[str] = field(default_factory=SingleFlight)
    pauses: dict[str, Pause] = field(default_factory=dict)  # Web API method → its shared pause after a 429
    directory: asyncio.Future[None] | None = None  # the start-up listing of the bot's channels (directory.py)
    post_pacer: ChannelPostPacer | None = None
    budget: WorkspaceCallBudget = field(default_factory=WorkspaceCallBudget)  # shared by every answer streaming here

    def __post_init__(self) -> None:
        self.index = AnswerIndex(self.engine.store, PLATFORM)
        self.post_pacer = self.post_pacer or ChannelPostPacer(self.config.channel_rate)
        self.users.ttl = self.private_channels.ttl = self.config.lookup_ttl

    def sink(
        self, key: SessionKey, channel: str, thread_ts: str | None, user: str, *, assistant: bool = False
    ) -> SlackSink:
        """Where one answer streams: `thread_ts` None posts at the channel's top level."""
        surface = SlackSurface(
            self.client,
            self.config,
            channel,
            thread_ts,
            recipient_user=user,
            recipient_team=key.workspace,
            assistant_thread=assistant,
            post_pacer=self.post_pacer,
            budget=self.budget,
        )
        return SlackSink(surface, Where(key, channel, thread_ts), self.index, feedback=self.engine.feedback)

    def remember_thread(self, channel: str, thread: str) -> None:
        if len(self.threads) > MAX_THREADS:
            self.threads.clear()  # bounded memory; Slack is asked again for threads forgotten this way
        self.threads.add((channel, thread))
        self.other_threads.discard((channel, thread))

    async def identify(self) -> None:
        auth = await self.client.auth_test()
        self.bot_user_id = str(auth.get("user_id") or "")
        self.bot_id = str(auth.get("bot_id") or "")
        self.team_id = str(auth.get("team_id") or "")

    def pause(self, method: str) -> Pause:
        return self.pauses.setdefault(method, Pause())

    async def known_user(self, user_id: str) -> UserInfo:
        """The user as known or quickly learnt; otherwise the id alone (the look-up fills the cache later).

        An answer never waits on a rate-limited users.info: in a burst of 500 new users (Tier 4: 100 a
        minute), names would otherwise hold most answers back by up to the look-up bound.
        """
        cached = self.users.get(user_id)
        if cached is not None:
            return cached
        if self.pause("users.info").left():  # rate limited: asked again by a later turn once Slack allows
            return UserInfo(user_id)
        look_up = self.name_lookups.run(user_id, lambda: self._look_up_user(user_id, patient=False))
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.ensure_future(look_up)), NAME_WAIT)
        except TimeoutError:
            return UserInfo(user_id)

    def list_channels(self) -> None:
        """Start learning which of the bot's channels are private, all at once (awaited by the first look-up)."""
        self.directory = asyncio.ensure_future(self._list_channels())

    async def _list_channels(self) -> None:
        try:
            kinds = await member_channels(self.client, self.pause("users.conversations"))
        except Exception as error:  # missing scope, network, rate limited: conversations.info answers instead
            log.info("users.conversations failed (%s); channels are looked up one by one", _error(error))
            return
        for channel, kind in kinds.items():
            self.private_channels.put(channel, kind)
        log.info("slack: %d channels listed", len(kinds))

    async def user(self, user_id: str) -> UserInfo:
        cached = self.users.get(user_id)
        if cached is not None:
            return cached
        return await self.user_lookups.run(user_id, lambda: self._look_up_user(user_id, patient=True))

    async def _look_up_user(self, user_id: str, *, patient: bool) -> UserInfo:
        """users.info, cached. `patient` (admin checks) waits out 429s within the look-up bound; otherwise one
        try: a 429 pauses every name look-up for its Retry-After instead of each waiting and asking again."""
        info = UserInfo(user_id)
        if patient:
            await self.budget.take(self.team_id, "users.info")
        elif not self.budget.try_take(self.team_id, "users.info"):
            return info  # the workspace's Tier 4 budget is spent: the id for now, asked again by a later turn
        client = self.client if patient or self.quick_client is None else self.quick_client
        try:
            call = lambda: client.users_info(user=user_id)  # noqa: E731
            bound = None if patient else 0.0
            data = (await patiently(call, bound=bound, pause=self.pause("users.info"))).get("user") or {}
            profile = data.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or data.get("real_name") or data.get("name")
            tz = data.get("tz") if isinstance(data.get("tz"), str) else None
            info = UserInfo(str(name or user_id), bool(data.get("is_admin") or data.get("is_owner")), tz)
        except SlackApiError as error:  # e.g. user_not_found, missing scope: use the id, don't ask again
            if retry_after(error) is not None:  # still rate limited past the bound: ask again next time
                log.info("users.info for %s still rate limited; using the id for now", user_id)
                return info
            log.info("users.info failed for %s: %s", user_id, error.response.get("error"))
        except Exception as error:
            log.info("users.info failed for %s: %s", user_id, type(error).__name__)
            return info  # not cached: try again next time
        self.users.put(user_id, info)
        return info

    async def can_change_channel(self, user_id: str, channel: str) -> bool:
        if not self.config.admin_only_channel_changes or channel.startswith("D"):
            return True
        return user_id in self.config.admin_user_ids or (await self.user(user_id)).is_admin

    async def is_private_channel(self, channel: str, channel_type: str | None = None) -> bool:
        """DMs, group DMs and private channels are private conversations; unknown ones too (fail closed).

        Listed in `slack.private_channels_opt_out`: a private channel or group DM the operator lets follow the
        normal privacy rules. DMs can't be opted out.
        """
        if events.is_dm(channel, channel_type):
            return True
        kind = self.note_channel_type(channel, channel_type) or self.private_channels.get(channel)
        if not kind and self.directory is not None and not self.directory.done():
            await asyncio.shield(self.directory)  # the start-up listing may know it
            kind = self.private_channels.get(channel)
        if not kind:
            kind = await self.channel_lookups.run(channel, lambda: self._look_up_channel(channel))
        if kind == events.DM or not kind:  # not kind: the look-up failed, fail closed
            return True
        return kind == events.PRIVATE and channel not in self.config.private_channels_opt_out

    def note_channel_type(self, channel: str, channel_type: str | None) -> str:
        """Remember what an event's channel type says (message events carry one, app_mention events don't), so
        a mention in a channel whose messages we have seen needs no conversations.info round trip."""
        kind = events.kind_by_type(channel, channel_type)
        if kind:
            self.private_channels.put(channel, kind)
        return kind

    async def _look_up_channel(self, channel: str) -> str:
        """conversations.info's verdict (an events kind), cached; '' when Slack could not say (asked again)."""
        try:
            call = lambda: self.client.conversations_info(channel=channel)  # noqa: E731
            info = (await patiently(call, pause=self.pause("conversations.info"))).get("channel") or {}
        except Exception as error:  # missing scope, network, rate limited past the bound
            log.warning("conversations.info failed for %s (%s); treated as private", channel, _error(error))
            return ""
        kind = events.kind_from_info(info)
        self.private_channels.put(channel, kind)
        return kind

    def team_allowed(self, body: dict[str, Any]) -> bool:
        return events.team_allowed(
            events.body_team(body),
            events.body_enterprise(body),
            own_team=self.team_id,
            allowed=self.config.allowed_team_ids,
        )


def _error(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__


def make_client(settings: Settings, *, retry_rate_limits: bool = True) -> AsyncWebClient:
    """The Web API client; without `retry_rate_limits`, a 429 is the caller's to handle (name look-ups: one try)."""
    config = settings.slack
    api_url = os.environ.get("SLACK_API_URL") or config.api_url
    handlers: list[AsyncRetryHandler] = [
        AsyncConnectionErrorRetryHandler(max_retry_count=config.max_connection_retries)
    ]
    if retry_rate_limits:
        handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=config.max_rate_limit_retries))
    return AsyncWebClient(
        token=settings.secret("SLACK_BOT_TOKEN") or None,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        timeout=30,
        retry_handlers=handlers,
    )


class SlackAdapter:
    """Builds the Bolt app and runs it in Socket Mode (app token) or HTTP mode (signing secret)."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        from adapters.slack import approvals, conversations, reactions, slash, surfaces

        self.settings = settings
        self.config = settings.slack
        self.bot = SlackBot(engine, self.config, make_client(settings))
        self.bot.quick_client = make_client(settings, retry_rate_limits=False)
        self.socket: AsyncSocketModeHandler | None = None
        self.runner: web.AppRunner | None = None
        self.port: int = 0
        self._session: aiohttp.ClientSession | None = None
        self._seen = RecentIds(SEEN_EVENTS)  # Slack redelivers within minutes; the engine dedupes messages too
        # HTTP mode before installation: no bot token yet, only URL verification (see verify_only.py).
        self.verify_only = not settings.secret("SLACK_BOT_TOKEN")
        if self.verify_only:
            return
        self.app = AsyncApp(
            client=self.bot.client,
            signing_secret=settings.secret("SLACK_SIGNING_SECRET"),
            process_before_response=False,
            logger=logging.getLogger("hybridbot.slack.bolt"),
            before_authorize=WellFormed(),  # after the signature check, before Bolt reads the event
        )
        self.app.use(OursOnce(self.bot, self._seen))
        conversations.register(self.app, self.bot)
        slash.register(self.app, self.bot)
        reactions.register(self.app, self.bot)
        surfaces.register(self.app, self.bot)
        approvals.register(self.app, self.bot)  # Approve / Deny on tool approval prompts

    async def start(self) -> None:
        # One connection pool for every Web API call (slack-sdk opens a new session per call otherwise).
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self.bot.client.session = self._session
        if self.bot.quick_client is not None:
            self.bot.quick_client.session = self._session
        app_token = self.settings.secret("SLACK_APP_TOKEN")
        if self.verify_only:
            if app_token or not self.settings.secret("SLACK_SIGNING_SECRET"):
                raise RuntimeError("Slack needs SLACK_BOT_TOKEN (and SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)")
            await self._listen(verification_handler(self.settings.secret("SLACK_SIGNING_SECRET")))
            log.warning("slack: answering URL verification only — %s", NEXT_STEP)
            return
        await self.bot.identify()
        self.bot.list_channels()
        if app_token:
            self.socket = AsyncSocketModeHandler(self.app, app_token)
            await self.socket.connect_async()
            log.info("slack: socket mode connected as %s in team %s", self.bot.bot_user_id, self.bot.team_id)
            return
        if not self.settings.secret("SLACK_SIGNING_SECRET"):
            raise RuntimeError("Slack HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)")
        await self._listen(self._http)

    async def _listen(self, handler: Callable[[web.Request], Awaitable[web.Response]]) -> None:
        web_app = web.Application(client_max_size=HTTP_BODY_LIMIT)
        web_app.router.add_post(self.config.path, handler)
        web_app.router.add_get("/healthz", self._health)
        self.runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=1.0)
        await self.runner.setup()
        port = int(os.environ.get("PORT") or self.config.port)
        await web.TCPSite(self.runner, self.config.host, port).start()
        self.port = self.runner.addresses[0][1]
        log.info("slack: HTTP mode listening on %s:%d%s", self.config.host, self.port, self.config.path)

    async def _http(self, request: web.Request) -> web.Response:
        try:
            bolt_request = await to_bolt_request(request)
            return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))
        except web.HTTPRequestEntityTooLarge:
            log.warning("slack: request over %d bytes refused", HTTP_BODY_LIMIT)
            return web.Response(status=413, text="request too large")
        except Exception as error:  # malformed input must never take the server down
            log.warning("slack: bad request (%s)", type(error).__name__)
            return web.Response(status=400, text="bad request")

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None
