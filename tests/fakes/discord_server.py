"""A stand-in for Discord: the REST routes the adapter uses and a gateway websocket, on 127.0.0.1.

The real discord.py client talks to it (``Route.BASE`` → ``api_url``, ``DEFAULT_GATEWAY`` → ``gateway_url``).
It speaks the real wire protocol (HELLO/IDENTIFY/READY/RESUME/heartbeats, dispatches), records every REST call
and gateway frame, keeps messages so tests can read what users would see, emulates per-route rate limits with
429s (``Via`` header and ``retry_after`` body, as Discord sends them), injects 429s, and can drop the websocket.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import WSMsgType, web

from tests.fakes.file_host import FileHost

TOKEN = "fake-discord-token"
EPOCH = "2026-01-01T00:00:00.000000+00:00"
DISCORD_EPOCH_MS = 1_420_070_400_000  # snowflakes count milliseconds from 2015-01-01
MANAGE_GUILD = 1 << 5
PRIVILEGED = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
ALL_PERMISSIONS = str((1 << 50) - 1)
MEMBER_PERMISSIONS = str((1 << 10) | (1 << 11) | (1 << 6) | (1 << 31))  # view, send, add reactions, use commands


@dataclass
class Call:
    method: str
    path: str  # without the /api/v10 prefix
    json: Any
    status: int = 200
    at: float = field(default_factory=time.monotonic)


CALL = web.RequestKey("call", Call)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py needs exactly "application/json": aiohttp's json_response adds "; charset=utf-8".
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json", **(headers or {})}
    )


class FakeDiscord:
    def __init__(self, *, heartbeat_ms: int = 41_250) -> None:
        self.heartbeat_ms = heartbeat_ms
        self._ids = itertools.count(1_300_000_000_000_000_000)
        self.calls: list[Call] = []
        self.frames_in: list[dict[str, Any]] = []  # what the client sent on the gateway
        self.identifies = 0
        self.resumes = 0
        self.refuse_gateway = False  # True: gateway handshakes fail (503), as when Discord's gateway is down
        self.port = 0
        self.privileged_intents: int | None = None  # privileged intents the app may use (None: any)
        self.rate_limits = False  # emulate Discord's per-route buckets (5 per 5 s per channel)
        self.bucket_size, self.bucket_window = 5, 5.0
        self.global_limit, self.global_429s = 50, 0
        self._recent: list[float] = []  # when the last global-limit calls arrived
        self.too_many: list[Call] = []  # every 429 sent
        self._injected: list[tuple[str, re.Pattern[str], float]] = []
        self._buckets: dict[str, tuple[int, float]] = {}  # bucket → (calls in window, reset time)
        self._ws: web.WebSocketResponse | None = None
        self._live = False
        self._seq = 0
        self._sent: list[dict[str, Any]] = []
        self._session = ""
        self._runner: web.AppRunner | None = None
        self.app_id = self.snowflake()
        self.bot = self.user("hybridbot", bot=True)
        self.guild_id = self.snowflake()
        self.admin_role = self.snowflake()
        self.category_id = self.snowflake()
        self.channels: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.unreadable: set[str] = set()  # channel ids whose history answers 403 Missing Access
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id → synced payloads
        self.interaction_replies: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.pressed: dict[str, dict[str, Any]] = {}  # component interaction id → the message whose button it was
        self.members: dict[str, list[str]] = {self.bot["id"]: []}  # user id → role ids
        self.category = self._channel("bots", 4)
        self.channel = self._channel("general", 0, parent_id=self.category_id)
        self.other_channel = self._channel("random", 0)
        self.file_host = FileHost("")  # attachments users post, served as Discord's CDN would

    # --- ids, users, channels -------------------------------------------------------

    def snowflake(self) -> str:
        return str(next(self._ids))

    def user(self, name: str, *, bot: bool = False, roles: list[str] | None = None) -> dict[str, Any]:
        user = {"id": self.snowflake(), "username": name, "discriminator": "0", "global_name": name.title()}
        user.update(avatar=None, bot=bot, public_flags=0)
        if hasattr(self, "members"):
            self.members[user["id"]] = list(roles or [])
        return user

    def _channel(self, name: str, kind: int, **extra: Any) -> dict[str, Any]:
        cid = self.category_id if kind == 4 else self.snowflake()
        channel = {"id": cid, "type": kind, "guild_id": self.guild_id, "name": name, "position": len(self.channels)}
        channel.update(permission_overwrites=[], nsfw=False, parent_id=None, rate_limit_per_user=0, flags=0)
        channel.update(extra)
        self.channels[cid] = channel
        return channel

    def user_thread(self, owner: dict[str, Any], name: str = "a user's thread") -> dict[str, Any]:
        """A thread someone else opened, unknown to the bot (no THREAD_CREATE is sent)."""
        meta = {"archived": False, "auto_archive_duration": 1440, "archive_timestamp": EPOCH, "locked": False}
        thread = {"id": self.snowflake(), "guild_id": self.guild_id, "parent_id": self.channel["id"], "type": 11}
        thread.update(owner_id=owner["id"], name=name, message_count=0, member_count=1, flags=0)
        thread.update(rate_limit_per_user=0, thread_metadata=meta, last_message_id=None)
        self.channels[thread["id"]] = thread
        return thread

    def dm_channel(self, user: dict[str, Any]) -> dict[str, Any]:
        channel = {"id": self.snowflake(), "type": 1, "recipients": [user], "last_message_id": None, "flags": 0}
        self.channels[channel["id"]] = channel
        return channel

    def group_dm_channel(self, *users: dict[str, Any]) -> dict[str, Any]:
        """A group DM (channel type 3): several recipients, no guild."""
        channel = {"id": self.snowflake(), "type": 3, "recipients": list(users), "last_message_id": None, "flags": 0,
                   "name": None, "icon": None, "owner_id": users[0]["id"] if users else None}  # fmt: skip
        self.channels[channel["id"]] = channel
        return channel

    def member(self, user: dict[str, Any], *, with_user: bool = True, permissions: str | None = None) -> dict:
        member = {"roles": self.members.get(user["id"], []), "joined_at": EPOCH, "deaf": False, "mute": False}
        member.update(flags=0, nick=None, avatar=None, pending=False, premium_since=None)
        member["communication_disabled_until"] = None
        if with_user:
            member["user"] = user
        if permissions is not None:
            member["permissions"] = permissions
        return member

    def _guild(self) -> dict[str, Any]:
        everyone = {"id": self.guild_id, "name": "@everyone", "permissions": MEMBER_PERMISSIONS, "position": 0}
        admin = {"id": self.admin_role, "name": "admins", "permissions": str(MANAGE_GUILD), "position": 1}
        for role in (everyone, admin):
            role.update(color=0, hoist=False, managed=False, mentionable=False, flags=0)
        guild_channels = [c for c in self.channels.values() if c["type"] in (0, 4)]
        threads = [c for c in self.channels.values() if c["type"] == 11]
        guild = {"id": self.guild_id, "name": "Test Server", "icon": None, "owner_id": self.snowflake()}
        guild.update(features=[], roles=[everyone, admin], channels=guild_channels, threads=threads, emojis=[])
        guild.update(members=[self.member(self.bot)], member_count=3, large=False, joined_at=EPOCH, unavailable=False)
        guild.update(stickers=[], voice_states=[], presences=[], stage_instances=[], guild_scheduled_events=[])
        guild.update(premium_tier=0, mfa_level=0, verification_level=0, default_message_notifications=0)
        guild.update(explicit_content_filter=0, system_channel_flags=0, preferred_locale="en-US", nsfw_level=0)
        return guild

    # --- lifecycle -----------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self, port: int = 0) -> Self:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{channel_id}/{file_id}/{name}", self.file_host.serve)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- rate limits -----------------------------------------------------------------

    def attachment(self, name: str, data: bytes, mime: str, channel: dict[str, Any] | None = None) -> dict:
        """An attachment payload as a message carries it; its URL is served by this stand-in (the CDN)."""
        channel_id = (channel or self.channel)["id"]
        hosted = self.file_host.add(name, data, mime, file_id=self.snowflake())
        url = f"http://127.0.0.1:{self.port}/attachments/{channel_id}/{hosted.id}/{name}"
        return {
            "id": hosted.id,
            "filename": name,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": mime,
        }

    def inject_429(self, method: str, path_pattern: str, *, count: int = 1, retry_after: float = 0.2) -> None:
        """The next ``count`` calls matching METHOD and the path regex get a 429 with ``retry_after``."""
        self._injected += [(method.upper(), re.compile(path_pattern), retry_after)] * count

    def _bucket_key(self, method: str, path: str) -> str:
        template = re.sub(r"/\d{5,}", "/{id}", path)
        major = re.match(r"/(channels|guilds|webhooks|interactions)/(\d+)", path)
        return f"{method} {template} {major.group(2) if major else ''}"

    def _limit(self, method: str, path: str) -> tuple[float | None, dict[str, str]]:
        """(retry_after or None, rate limit headers) for a call, by injected faults and emulated buckets."""
        for index, (m, pattern, retry_after) in enumerate(self._injected):
            if m == method and pattern.search(path):
                del self._injected[index]
                return retry_after, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{retry_after}"}
        if not self.rate_limits or path.startswith(("/interactions", "/webhooks")):
            return None, {}
        now = time.monotonic()
        self._recent = [t for t in self._recent if t > now - 1.0]
        if len(self._recent) >= self.global_limit:  # Discord's global limit: 50 requests in any second
            retry_after = round(self._recent[0] + 1.0 - now, 3)
            self.global_429s += 1
            return retry_after, {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
        self._recent.append(now)
        # Fixed windows, as Discord keeps them: a bucket allows bucket_size calls until its reset time.
        key, now = self._bucket_key(method, path), time.time()
        count, reset_at = self._buckets.get(key, (0, 0.0))
        if now >= reset_at:
            count, reset_at = 0, now + self.bucket_window
        reset_after = max(0.0, reset_at - now)
        if count >= self.bucket_size:
            return round(reset_after, 3), {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{reset_after}"}
        self._buckets[key] = (count + 1, reset_at)
        headers = {
            "X-RateLimit-Limit": str(self.bucket_size),
            "X-RateLimit-Remaining": str(self.bucket_size - count - 1),
        }
        headers.update({"X-RateLimit-Reset": f"{reset_at:.3f}", "X-RateLimit-Reset-After": f"{reset_after:.3f}"})
        headers["X-RateLimit-Bucket"] = str(abs(hash(key.rsplit(" ", 1)[0])))
        return None, headers

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not request.path.startswith("/api/v10"):
            return await handler(request)
        path = request.path.removeprefix("/api/v10")
        body = await request.text()
        call = Call(request.method, path, json.loads(body) if body.strip().startswith(("{", "[")) else None)
        self.calls.append(call)
        request[CALL] = call
        public = path.startswith(("/interactions", "/webhooks"))
        if not public and request.headers.get("Authorization") != f"Bot {TOKEN}":
            call.status = 401
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        retry_after, headers = self._limit(request.method, path)
        if retry_after is not None:
            call.status = 429
            self.too_many.append(call)
            headers.setdefault("X-RateLimit-Scope", "user")
            headers.update({"Retry-After": f"{retry_after}", "Via": "1.1 google"})
            is_global = headers.get("X-RateLimit-Global") == "true"
            body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
            return _json(body, 429, headers)
        response = await handler(request)
        call.status = response.status
        response.headers.update(headers)
        return response

    # --- REST ---------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path.removeprefix("/api/v10")
        body = request[CALL].json
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match and method == request.method:
                # A GET has no body: its query (e.g. the history's limit/before/after) is the handler's arguments.
                args = body if body is not None else dict(request.query) if request.method == "GET" else {}
                return await handler(args, *match.groups())
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        return [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("GET", r"/gateway(?:/bot)?", self._gateway_info),
            ("GET", r"/channels/(\d+)", self._get_channel),
            ("POST", r"/channels/(\d+)/messages", self._create_message),
            ("GET", r"/channels/(\d+)/messages", self._history),
            ("GET", r"/channels/(\d+)/messages/(\d+)", self._get_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_message),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", self._delete_message),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", self._create_thread),
            ("POST", r"/channels/(\d+)/typing", self._no_content),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._followup),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._edit_original),
            ("PUT", r"/applications/(\d+)/commands", self._put_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._put_commands),
            ("GET", r"/applications/(\d+)/commands", self._get_commands),
            ("GET", r"/applications/(\d+)/guilds/(\d+)/commands", self._get_commands),
        ]

    async def _me(self, body: dict) -> web.Response:
        return _json({**self.bot, "verified": True, "mfa_enabled": False, "flags": 0})

    async def _application(self, body: dict) -> web.Response:
        app = {"id": self.app_id, "name": "hybridbot", "description": "", "icon": None, "bot_public": True}
        app.update(bot_require_code_grant=False, owner=self.user("owner"), verify_key="0" * 64, flags=1 << 19)
        return _json(app)

    async def _gateway_info(self, body: dict) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_channel(self, body: dict, cid: str) -> web.Response:
        channel = self.channels.get(cid)
        return _json(channel) if channel else _json({"message": "Unknown Channel", "code": 10003}, 404)

    async def _no_content(self, *args: Any) -> web.Response:
        return web.Response(status=204)

    def message(self, channel_id: str, author: dict[str, Any], content: str, **extra: Any) -> dict[str, Any]:
        """A message payload as Discord sends it (MESSAGE_CREATE and REST replies)."""
        msg = {"id": self.snowflake(), "channel_id": channel_id, "author": author, "content": content}
        msg.update(timestamp=EPOCH, edited_timestamp=None, tts=False, mention_everyone=False, mentions=[])
        msg.update(mention_roles=[], attachments=[], embeds=[], pinned=False, type=0, flags=0, components=[])
        guild_id = self.channels.get(channel_id, {}).get("guild_id")
        if guild_id:
            msg["guild_id"] = guild_id
        msg.update(extra)
        return msg

    async def _create_message(self, body: dict, cid: str) -> web.Response:
        if cid not in self.channels:
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        extra: dict[str, Any] = {}
        if ref := body.get("message_reference"):
            ref = {k: str(v) for k, v in ref.items() if k.endswith("_id") and v is not None}  # snowflakes are strings
            extra = {"type": 19, "message_reference": ref, "referenced_message": self.messages.get(ref["message_id"])}
        if problem := component_problem(body.get("components")):
            return _json({"message": "Invalid Form Body", "code": 50035, "errors": problem}, 400)
        msg = self.message(cid, self.bot, body.get("content", ""), components=body.get("components") or [], **extra)
        self.messages[msg["id"]] = msg
        await self.dispatch(
            "MESSAGE_CREATE",
            {**msg, **({"member": self.member(self.bot, with_user=False)} if "guild_id" in msg else {})},
        )
        return _json(msg)

    async def _history(self, query: dict, cid: str) -> web.Response:
        """GET /channels/{id}/messages like Discord: newest first, at most `limit` (1–100, default 50); with
        `after`, the messages just after that id; with `before`, the ones just before it."""
        if cid not in self.channels:
            return _json({"message": "Unknown Channel", "code": 10003}, 404)
        if cid in self.unreadable:
            return _json({"message": "Missing Access", "code": 50001}, 403)
        limit = int(query.get("limit") or 50)
        if not 1 <= limit <= 100:
            return _json({"message": "Invalid Form Body", "code": 50035}, 400)
        found = sorted((m for m in self.messages.values() if m["channel_id"] == cid), key=lambda m: int(m["id"]))
        if query.get("after"):
            found = [m for m in found if int(m["id"]) > int(query["after"])][:limit]
        else:
            if query.get("before"):
                found = [m for m in found if int(m["id"]) < int(query["before"])]
            found = found[-limit:]
        return _json(list(reversed(found)))

    def earlier_message(self, channel: dict[str, Any], author: dict[str, Any], content: str, at: float) -> dict:
        """A message posted at `at` (epoch seconds; its id encodes the time, as Discord's do), no event sent."""
        snowflake = (int(at * 1000) - DISCORD_EPOCH_MS) << 22 | next(self._ids) % (1 << 22)
        stamp = dt.datetime.fromtimestamp(at, dt.UTC).isoformat()
        msg = self.message(channel["id"], author, content, id=str(snowflake), timestamp=stamp)
        self.messages[msg["id"]] = msg
        return msg

    async def _get_message(self, body: dict, cid: str, mid: str) -> web.Response:
        msg = self.messages.get(mid)
        return _json(msg) if msg else _json({"message": "Unknown Message", "code": 10008}, 404)

    async def _edit_message(self, body: dict, cid: str, mid: str) -> web.Response:
        msg = self.messages.get(mid)
        if msg is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        if problem := component_problem(body.get("components")):
            return _json({"message": "Invalid Form Body", "code": 50035, "errors": problem}, 400)
        if "content" in body:
            msg.update(content=body["content"], edited_timestamp=EPOCH)
        if "components" in body:
            msg.update(components=body["components"] or [], edited_timestamp=EPOCH)
        return _json(msg)

    async def _delete_message(self, body: dict, cid: str, mid: str) -> web.Response:
        if self.messages.pop(mid, None) is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        await self.dispatch("MESSAGE_DELETE", {"id": mid, "channel_id": cid, "guild_id": self.guild_id})
        return web.Response(status=204)

    async def _create_thread(self, body: dict, cid: str, mid: str) -> web.Response:
        if mid in self.channels:
            return _json({"message": "A thread has already been created for this message", "code": 160004}, 400)
        meta = {"archived": False, "auto_archive_duration": body.get("auto_archive_duration", 1440)}
        meta.update(archive_timestamp=EPOCH, locked=False)
        thread = {"id": mid, "guild_id": self.guild_id, "parent_id": cid, "owner_id": self.bot["id"], "type": 11}
        thread.update(name=body["name"], last_message_id=None, message_count=0, member_count=1, flags=0)
        thread.update(rate_limit_per_user=0, thread_metadata=meta, total_message_sent=0)
        self.channels[mid] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread, 201)

    async def _callback(self, body: dict, iid: str, token: str) -> web.Response:
        self.interaction_replies.setdefault(iid, []).append(("callback", body))
        data = body.get("data") or {}
        kind = body.get("type")
        pressed = self.pressed.get(iid)
        if kind in (6, 7) and pressed is None:  # message updates answer component interactions only
            return _json({"message": "Interaction has already been acknowledged.", "code": 40060}, 400)
        if kind == 7 and pressed is not None:  # UPDATE_MESSAGE: the message with the button changes
            await self._edit_message(data, pressed["channel_id"], pressed["id"])
        message = self.message(self.channel["id"], self.bot, data.get("content", ""), flags=data.get("flags", 0))
        if kind in (6, 7) and pressed is not None:
            message = pressed
        interaction = {"id": iid, "type": 3 if pressed is not None else 2, "response_message_id": message["id"]}
        interaction.update(
            response_message_loading=kind == 5, response_message_ephemeral=bool(data.get("flags", 0) & 64)
        )
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 5, 7):
            resource["message"] = message
        return _json({"interaction": interaction, "resource": resource})

    def _token_owner(self, token: str) -> str:
        return token.removeprefix("token-")

    async def _followup(self, body: dict, app: str, token: str) -> web.Response:
        iid = self._token_owner(token)
        self.interaction_replies.setdefault(iid, []).append(("followup", body))
        return _json(self.message(self.channel["id"], self.bot, body.get("content", ""), flags=body.get("flags", 0)))

    async def _edit_original(self, body: dict, app: str, token: str, mid: str) -> web.Response:
        self.interaction_replies.setdefault(self._token_owner(token), []).append(("edit", body))
        return _json(self.message(self.channel["id"], self.bot, body.get("content", "")))

    async def _put_commands(self, body: Any, app: str, guild: str = "global") -> web.Response:
        payloads = body if isinstance(body, list) else []
        stored = [{**c, "id": self.snowflake(), "application_id": app, "version": self.snowflake()} for c in payloads]
        if guild != "global":
            for command in stored:
                command["guild_id"] = guild
        self.commands[guild] = stored
        return _json(stored)

    async def _get_commands(self, body: dict, app: str, guild: str = "global") -> web.Response:
        return _json(self.commands.get(guild, []))

    # --- gateway ----------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_gateway:
            return web.Response(status=503, text="gateway unavailable")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws, self._live = ws, False
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_ms}, "s": None, "t": None}))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._on_frame(ws, json.loads(msg.data))
        finally:
            if self._ws is ws:
                self._ws, self._live = None, False
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        self.frames_in.append(frame)
        op, data = frame.get("op"), frame.get("d") or {}
        if op == 1:
            await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
        elif op == 2:
            if data.get("token") != TOKEN:
                await ws.close(code=4004, message=b"Authentication failed.")
                return
            if self.privileged_intents is not None and data.get("intents", 0) & ~self.privileged_intents & PRIVILEGED:
                await ws.close(code=4014, message=b"Disallowed intent(s).")
                return
            self.identifies += 1
            self._session, self._seq, self._sent = self.snowflake(), 0, []
            self._live = True
            ready = {"v": 10, "user": self.bot, "guilds": [{"id": self.guild_id, "unavailable": True}]}
            ready.update(session_id=self._session, resume_gateway_url=self.gateway_url, private_channels=[])
            ready.update(application={"id": self.app_id, "flags": 1 << 19}, relationships=[], presences=[])
            await self.dispatch("READY", ready)
            await self.dispatch("GUILD_CREATE", self._guild())
        elif op == 6:
            if data.get("session_id") != self._session:
                await ws.send_str(json.dumps({"op": 9, "d": False, "s": None, "t": None}))
                return
            self.resumes += 1
            self._live = True
            for missed in [f for f in self._sent if f["s"] > (data.get("seq") or 0)]:
                await ws.send_str(json.dumps(missed))
            await self.dispatch("RESUMED", {})

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH; while the client is away it is kept and replayed on RESUME, as Discord does."""
        self._seq += 1
        frame = {"op": 0, "t": event, "s": self._seq, "d": data}
        self._sent.append(frame)
        ws = self._ws
        if ws is not None and self._live and not ws.closed:
            try:
                await ws.send_str(json.dumps(frame))
            except ConnectionError:
                pass

    async def drop(self, code: int = 4000) -> None:
        """Close the gateway websocket from the server side (4000: 'unknown error', resumable)."""
        ws, self._ws, self._live = self._ws, None, False
        if ws is not None:
            await ws.close(code=code, message=b"dropped by the stand-in")

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._live

    # --- what users do ------------------------------------------------------------------

    async def say(
        self,
        author: dict[str, Any],
        content: str,
        *,
        channel: dict[str, Any] | None = None,
        mention_bot: bool = False,
        reply_to: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A user posts a message; returns its payload (dispatched as MESSAGE_CREATE)."""
        channel = channel or self.channel
        if mention_bot:
            content = f"<@{self.bot['id']}> {content}".rstrip()
        mentions = [{**self.bot, "member": self.member(self.bot, with_user=False)}] if mention_bot else []
        if reply_to:
            ref = {"message_id": reply_to, "channel_id": channel["id"], "guild_id": channel.get("guild_id")}
            extra.update(type=19, message_reference=ref, referenced_message=self.messages.get(reply_to))
            if reply_to in self.messages and self.messages[reply_to]["author"]["id"] == self.bot["id"]:
                mentions.append(self.bot)
        msg = self.message(channel["id"], author, content, mentions=mentions, **extra)
        if "guild_id" in msg:
            msg["member"] = self.member(author, with_user=False)
        self.messages[msg["id"]] = msg
        await self.dispatch("MESSAGE_CREATE", msg)
        return msg

    async def redeliver(self, message: dict[str, Any]) -> None:
        """Send a MESSAGE_CREATE again, as Discord may after a reconnect."""
        await self.dispatch("MESSAGE_CREATE", message)

    async def delete(self, message_id: str) -> None:
        """Someone (a moderator, the author) deletes a message."""
        await self._delete_message({}, self.messages[message_id]["channel_id"], message_id)

    async def react(self, user: dict[str, Any], message_id: str, emoji: str, *, add: bool = True) -> None:
        msg = self.messages[message_id]
        data = {"user_id": user["id"], "channel_id": msg["channel_id"], "message_id": message_id, "burst": False}
        data.update(emoji={"id": None, "name": emoji}, type=0)
        if "guild_id" in msg:
            data["guild_id"] = msg["guild_id"]
            if add:
                data["member"] = self.member(user)
        if add:
            data["message_author_id"] = msg["author"]["id"]
        await self.dispatch("MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE", data)

    async def interact(
        self,
        user: dict[str, Any],
        name: str,
        options: list[dict[str, Any]] | None = None,
        *,
        channel: dict[str, Any] | None = None,
        autocomplete: bool = False,
        permissions: str = MEMBER_PERMISSIONS,
        resolved: dict[str, Any] | None = None,
    ) -> str:
        """A user runs (or, with autocomplete, types into) a slash command; returns the interaction id.
        ``resolved``: the objects options refer to, e.g. {"attachments": {id: self.attachment(...)}}."""
        channel = channel or self.channel
        iid = self.snowflake()
        known = {c["name"]: c["id"] for cmds in self.commands.values() for c in cmds}
        data = {"id": known.get(name, self.snowflake()), "name": name, "type": 1, "options": options or []}
        if resolved:
            data["resolved"] = resolved
        payload = {"id": iid, "application_id": self.app_id, "type": 4 if autocomplete else 2, "data": data}
        payload.update(token=f"token-{iid}", version=1, channel_id=channel["id"], channel=channel, locale="en-US")
        payload.update(app_permissions=ALL_PERMISSIONS, entitlements=[], attachment_size_limit=10_485_760)
        if channel.get("guild_id"):
            member = self.member(user, permissions=permissions)
            payload.update(guild_id=self.guild_id, member=member, guild_locale="en-US", context=0)
            payload["authorizing_integration_owners"] = {"0": self.guild_id}
        else:
            payload.update(user=user, context=1, authorizing_integration_owners={"0": self.guild_id})
        await self.dispatch("INTERACTION_CREATE", payload)
        return iid

    async def press(
        self, user: dict[str, Any], message_id: str, custom_id: str, *, permissions: str = MEMBER_PERMISSIONS
    ) -> str:
        """A user clicks a button on a message: INTERACTION_CREATE of type 3 (MESSAGE_COMPONENT) carrying the
        button's `custom_id` and the message; returns the interaction id. Fails if the message has no such button."""
        msg = self.messages[message_id]
        buttons = [c for row in msg.get("components") or [] for c in row.get("components") or []]
        if not any(b.get("custom_id") == custom_id for b in buttons):
            raise AssertionError(f"message {message_id} has no button {custom_id!r}")
        channel = self.channels[msg["channel_id"]]
        iid = self.snowflake()
        self.pressed[iid] = msg
        payload = {"id": iid, "application_id": self.app_id, "type": 3, "message": msg}
        payload.update(data={"custom_id": custom_id, "component_type": 2}, token=f"token-{iid}", version=1)
        payload.update(channel_id=channel["id"], channel=channel, locale="en-US", app_permissions=ALL_PERMISSIONS)
        payload.update(entitlements=[], attachment_size_limit=10_485_760)
        if channel.get("guild_id"):
            member = self.member(user, permissions=permissions)
            payload.update(guild_id=self.guild_id, member=member, guild_locale="en-US", context=0)
            payload["authorizing_integration_owners"] = {"0": self.guild_id}
        else:
            payload.update(user=user, context=1, authorizing_integration_owners={"0": self.guild_id})
        await self.dispatch("INTERACTION_CREATE", payload)
        return iid

    def buttons(self, message_id: str) -> list[dict[str, Any]]:
        """The buttons a message shows now (after any edits)."""
        msg = self.messages[message_id]
        return [c for row in msg.get("components") or [] for c in row.get("components") or [] if c.get("type") == 2]

    # --- reading what happened ---------------------------------------------------------------

    def bot_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return [
            m for m in self.messages.values() if m["channel_id"] == channel_id and m["author"]["id"] == self.bot["id"]
        ]

    def threads(self) -> list[dict[str, Any]]:
        return [c for c in self.channels.values() if c["type"] == 11]

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.fullmatch(pattern, c.path)]

    def reply_text(self, iid: str) -> str:
        """Everything the bot answered to one interaction, joined."""
        parts = []
        for _kind, body in self.interaction_replies.get(iid, []):
            content = (body.get("data") or {}).get("content") if "data" in body else body.get("content")
            if content:
                parts.append(content)
        return "\n".join(parts)


def component_problem(rows: Any) -> str:
    """'' when Discord would accept these message components; else what is wrong (as a 50035 would say)."""
    if rows is None:
        return ""
    if not isinstance(rows, list) or len(rows) > 5:
        return "components: at most 5 action rows"
    for row in rows:
        children = row.get("components") or []
        if row.get("type") != 1 or not 0 < len(children) <= 5:
            return "components: an action row holds 1 to 5 buttons"
        for button in children:
            custom_id = button.get("custom_id")
            if button.get("type") != 2 or not custom_id or len(custom_id) > 100:
                return "components: a button needs a custom_id of at most 100 characters"
            if len(button.get("label") or "") > 80 or button.get("style") not in (1, 2, 3, 4):
                return "components: a button label of at most 80 characters and a style 1-4"
    return ""


async def wait_for(condition: Callable[[], Any], within: float = 5.0, interval: float = 0.01) -> Any:
    """Poll until ``condition()`` is truthy; return its value, or fail the test with a clear message."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(interval)


# --- the real adapter attached to the stand-in ------------------------------------------------


@dataclass
class RunningBot:
    fake: FakeDiscord
    bot: Any  # adapters.discord.client.HybridBot
    engine: Any  # bot.engine.Engine
    settings: Any


def write_settings(tmp_path: Any, discord: dict[str, Any] | None = None, extra: str = "") -> Any:
    """A config file for tests: no embedded model, short Discord timings, plus ``discord`` overrides."""
    options = {"guild_ready_timeout": 0.05, "edit_interval": 0.05, "status_delay": 0.0, **(discord or {})}
    lines = ["[embedded]", "enabled = false", extra, "[discord]"] + [
        f"{k} = {json.dumps(v)}" for k, v in options.items()
    ]
    path = tmp_path / "hybridbot.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def bot_env(tmp_path: Any, fake: FakeDiscord, ollama: Any, openai: Any) -> dict[str, str]:
    return {
        "OLLAMA_HOST": ollama.host,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai.base_url,
        "HYBRIDBOT_DATABASE": str(tmp_path / "bot.db"),
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_URL": fake.api_url,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
    }


@contextlib.contextmanager
def restored_endpoints() -> Iterator[None]:
    """discord.py's REST base and gateway URL are process-wide: put them back after a test."""
    import discord
    from discord.gateway import DiscordWebSocket

    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    try:
        yield
    finally:
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@contextlib.asynccontextmanager
async def running_bot(
    tmp_path: Any,
    ollama: Any,
    openai: Any,
    *,
    discord: dict[str, Any] | None = None,
    extra_toml: str = "",
    stand_in: FakeDiscord | None = None,
) -> AsyncIterator[RunningBot]:
    """The stand-in, an engine built as production builds it, and the real discord.py client, connected.

    With ``stand_in`` (kept running by the caller) a second bot can start where a first one stopped: same
    Discord state and, by ``tmp_path``, the same database — a restart.
    """
    from adapters.discord.client import HybridBot
    from adapters.discord.runner import endpoints, point_at
    from bot.app import build_app
    from bot.config import load_settings

    async with contextlib.nullcontext(stand_in) if stand_in is not None else FakeDiscord() as fake:
        with restored_endpoints():
            env = bot_env(tmp_path, fake, ollama, openai)
            settings = load_settings(write_settings(tmp_path, discord, extra_toml), env=env)
            app = build_app(settings)
            point_at(*endpoints(settings, env))
            bot = HybridBot(app.engine, settings.discord)

            async def run() -> None:
                async with bot:
                    await bot.start(TOKEN)

            task = asyncio.create_task(run())
            try:
                await asyncio.wait_for(bot.wait_until_ready(), 5)
                yield RunningBot(fake, bot, app.engine, settings)
            finally:
                await bot.close()
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
                await app.engine.aclose()
