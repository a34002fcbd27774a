"""A stand-in for Slack: the Web API methods the adapter uses, Socket Mode, and signed HTTP delivery.

The real slack-sdk/slack-bolt talk to it over 127.0.0.1. It records every Web API call, keeps the
messages it was sent (so tests read what a user would see), serves `apps.connections.open` and a Socket
Mode websocket, signs HTTP events/commands/actions like Slack, takes `response_url` posts, and can answer
429 with Retry-After (per method, or as a per-channel posting rate limit).

Run it by hand: ``python -m tests.fakes.slack_server --port 8100``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web

from tests.fakes.file_host import FileHost
from tests.fakes.slack_rules import (
    BY_CONVERSATION,
    INTERNAL_HISTORY_LIMIT,
    INTERNAL_HISTORY_TIER,
    METHOD_SCOPES,
    METHOD_TIERS,
    REPLIES_LIMIT,
    block_problem,
    manifest_scopes,
)

BOT_TOKEN, APP_TOKEN, SIGNING_SECRET = "xoxb-test-token", "xapp-test-token", "test-signing-secret"
TEAM, BOT_USER, BOT_ID, APP_ID = "T0TEST", "U0BOT", "B0BOT", "A0APP"


@dataclass
class ApiCall:
    method: str
    args: dict[str, Any]
    http_method: str
    status: int = 200
    at: float = field(default_factory=time.perf_counter)


@dataclass
class Message:
    channel: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    user: str = BOT_USER
    bot_id: str | None = BOT_ID
    edits: int = 0
    streaming: bool = False

    @property
    def shown(self) -> str:
        """What a reader sees: the section texts (a streaming or block-less message: its text)."""
        sections = [b["text"]["text"] for b in self.blocks if b.get("type") == "section" and b.get("text")]
        return self.text if self.streaming or not sections else "\n".join(sections)

    @property
    def footer(self) -> str:
        return "\n".join(e["text"] for b in self.blocks if b.get("type") == "context" for e in b["elements"])

    def as_json(self) -> dict[str, Any]:
        data = {"type": "message", "ts": self.ts, "text": self.text, "user": self.user, "blocks": self.blocks}
        if self.bot_id:
            data["bot_id"] = self.bot_id
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        return data


class FakeSlack:
    def __init__(self, *, stream_enabled: bool = True) -> None:
        self.calls: list[ApiCall] = []
        self.messages: dict[tuple[str, str], Message] = {}
        self.ephemeral: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []  # response_url posts
        self.views: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.acks: dict[str, Any] = {}
        self.stream_enabled = stream_enabled
        self.post_rate: float | None = None  # chat.postMessage per second per channel, like Slack (None: off)
        self.rate_limited = 0  # 429s answered
        self.response_urls_expired = False  # response_url posts get 404, as after 30 minutes
        self.private_channels: set[str] = set()  # C… ids conversations.info reports as private (besides G…)
        self.group_dms: set[str] = set()  # ids conversations.info reports as group DMs (mpim)
        self.member_of: list[str] = []  # channels users.conversations lists (the bot's memberships), in order
        self.internal_app = False  # True: conversations.history/replies at Tier 3, up to 999 a call (see slack_rules)
        self.errors: dict[str, str] = {}  # method → the error it answers (ok: false), e.g. "internal_error"
        self.scopes: set[str] = manifest_scopes()  # granted to the bot token; other calls get missing_scope
        self._faults: dict[str, deque[float]] = defaultdict(deque)
        self.late: dict[str, deque[float]] = defaultdict(deque)  # method → seconds its next calls are counted late
        self.minute = 60.0  # Slack's minute for the method tiers; tests shorten it (and the bot's budget alike)
        self.tiers_enabled = True
        self._tier_tokens: dict[tuple[str, str], tuple[float, float]] = {}  # (team, method) → (tokens, at)
        self._last_post: dict[str, deque[float]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self.connected = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0
        self.file_host = FileHost("F")  # files users share: served at url_private with the bot token

    # --- lifecycle ------------------------------------------------------------------

    async def start(self, port: int = 0) -> Self:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_get("/files-pri/{file_id}/{name}", self._file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # --- faults and queries -------------------------------------------------------------

    def share_file(self, name: str, data: bytes, mime: str) -> dict[str, Any]:
        """A file a user shares: the file object a message event carries (download it with the bot token)."""
        hosted = self.file_host.add(name, data, mime)
        url = f"http://127.0.0.1:{self.port}/files-pri/{hosted.id}/{urllib.parse.quote(name)}"
        return {**FileHost.describe(hosted), "title": name, "url_private": url, "url_private_download": url}

    def m_files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        hosted = self.file_host.files.get(str(args.get("file", "")))
        if hosted is None:
            return {"ok": False, "error": "file_not_found"}
        url = f"http://127.0.0.1:{self.port}/files-pri/{hosted.id}/{urllib.parse.quote(hosted.name)}"
        return {"ok": True, "file": {**FileHost.describe(hosted), "url_private": url, "url_private_download": url}}

    async def _file(self, request: web.Request) -> web.StreamResponse:
        token = BOT_TOKEN if "files:read" in self.scopes else "(files:read not granted)"
        return await self.file_host.serve(request, token=token)

    def inject_429(self, method: str, count: int = 1, retry_after: float = 0) -> None:
        self._faults[method].extend([retry_after] * count)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def thread(self, channel: str, thread_ts: str | None) -> list[Message]:
        """Bot messages answering in a thread (thread_ts None: top-level bot messages), oldest first."""
        found = [m for m in self.messages.values() if m.channel == channel and m.thread_ts == thread_ts]
        return sorted((m for m in found if m.user == BOT_USER), key=lambda m: float(m.ts))

    def new_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ts):06d}"

    def add_user(self, user_id: str, name: str, *, admin: bool = False, tz: str | None = None) -> None:
        profile = {"display_name": name, "real_name": name.title()}
        self.users[user_id] = {"id": user_id, "name": name, "is_admin": admin, "profile": profile}
        if tz is not None:  # users.info gives tz, tz_label and tz_offset (seconds east of UTC)
            offset = dt.datetime.now(ZoneInfo(tz)).utcoffset() or dt.timedelta()
            self.users[user_id] |= {"tz": tz, "tz_label": tz, "tz_offset": int(offset.total_seconds())}

    # --- Web API -------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        body = await request.text()
        if request.content_type == "application/json" and body:
            args.update(json.loads(body))
        elif body:
            args.update(dict(urllib.parse.parse_qsl(body)))
        if self.late[method]:  # a request held up on its way (a busy client loop, a queue): it arrives late
            await asyncio.sleep(self.late[method].popleft())
        call = ApiCall(method, args, request.method)
        self.calls.append(call)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or args.get("token", "")
        if self._faults[method] or self._over_rate(method, str(args.get("channel", ""))) or self._over_tier(method):
            retry = self._faults[method].popleft() if self._faults[method] else 1
            call.status, self.rate_limited = 429, self.rate_limited + 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": f"{retry:g}"}
            )
        wanted = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != wanted:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        scopes_header = {"x-oauth-scopes": ",".join(sorted(self.scopes))} if token == BOT_TOKEN else {}
        needed = self.needed_scopes(method, args)
        if needed and not set(needed) & self.scopes:
            call.status = 200
            missing = {"ok": False, "error": "missing_scope", "needed": ",".join(needed),
                       "provided": ",".join(sorted(self.scopes))}  # fmt: skip
            return web.json_response(missing, headers=scopes_header)
        if method in self.errors:
            return web.json_response({"ok": False, "error": self.errors[method]}, headers=scopes_header)
        return web.json_response(handler(args), headers=scopes_header)

    def needed_scopes(self, method: str, args: dict[str, Any]) -> tuple[str, ...]:
        """The scopes (any one) a bot token needs for this call."""
        if method in BY_CONVERSATION:
            channel = str(args.get("channel", ""))
            public, private, dm, group_dm = BY_CONVERSATION[method]
            if channel.startswith("D"):
                return (dm,)
            if channel in self.group_dms:
                return (group_dm,)
            return (private,) if channel.startswith("G") or channel in self.private_channels else (public,)
        return METHOD_SCOPES.get(method, ())

    def _over_rate(self, method: str, channel: str) -> bool:
        if self.post_rate is None or method not in ("chat.postMessage", "chat.startStream") or not channel:
            return False
        now, window = time.monotonic(), self._last_post[channel]
        while window and now - window[0] > 1.0:
            window.popleft()
        if len(window) >= self.post_rate:
            return True
        window.append(now)
        return False

    def _over_tier(self, method: str, team: str = TEAM) -> bool:
        """A token bucket per (workspace, method), holding a minute's calls of the method's tier."""
        per_minute = METHOD_TIERS.get(method)
        if self.internal_app and method in ("conversations.history", "conversations.replies"):
            per_minute = INTERNAL_HISTORY_TIER
        if not self.tiers_enabled or per_minute is None:
            return False
        now = time.monotonic()
        tokens, at = self._tier_tokens.get((team, method), (float(per_minute), now))
        tokens = min(float(per_minute), tokens + (now - at) * per_minute / self.minute)
        if tokens < 1.0:
            self._tier_tokens[(team, method)] = (tokens, now)
            return True
        self._tier_tokens[(team, method)] = (tokens - 1.0, now)
        return False

    def m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://fake.slack/", "team": "Test", "user": "hybridbot", "team_id": TEAM,
                "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}  # fmt: skip

    def m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket?ticket=t"}

    def _blocks(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        blocks = args.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)

    def m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if block_problem(self._blocks(args)):
            return {"ok": False, "error": "invalid_blocks"}
        msg = Message(args["channel"], self.new_ts(), args.get("text", ""), self._blocks(args), args.get("thread_ts"))
        self.messages[(msg.channel, msg.ts)] = msg
        return {"ok": True, "channel": msg.channel, "ts": msg.ts, "message": msg.as_json()}

    def m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self.messages.get((args.get("channel", ""), args.get("ts", "")))
        if msg is None:
            return {"ok": False, "error": "message_not_found"}
        if block_problem(self._blocks(args)):
            return {"ok": False, "error": "invalid_blocks"}
        msg.text, msg.blocks, msg.edits, msg.streaming = args.get("text", ""), self._blocks(args), msg.edits + 1, False
        return {"ok": True, "channel": msg.channel, "ts": msg.ts, "text": msg.text}

    def m_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self.messages.pop((args.get("channel", ""), args.get("ts", "")), None)
        if msg is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": msg.channel, "ts": msg.ts}

    def m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        self.ephemeral.append(args)
        return {"ok": True, "message_ts": self.new_ts()}

    def m_chat_startStream(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.stream_enabled:
            return {"ok": False, "error": "not_allowed"}
        channel = args.get("channel", "")
        if "thread_ts" in args and not args["thread_ts"]:
            return {"ok": False, "error": "invalid_thread_ts"}  # a top-level stream omits thread_ts
        if not channel.startswith("D") and not (args.get("recipient_user_id") and args.get("recipient_team_id")):
            return {"ok": False, "error": "missing_recipient_user_id"}
        msg = Message(channel, self.new_ts(), args.get("markdown_text", ""), [], args.get("thread_ts"), streaming=True)
        self.messages[(channel, msg.ts)] = msg
        return {"ok": True, "channel": channel, "ts": msg.ts}

    def m_chat_appendStream(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self.messages.get((args.get("channel", ""), args.get("ts", "")))
        if msg is None or not msg.streaming:
            return {"ok": False, "error": "message_not_in_streaming_state"}
        msg.text += args.get("markdown_text", "")
        return {"ok": True, "channel": msg.channel, "ts": msg.ts}

    def m_chat_stopStream(self, args: dict[str, Any]) -> dict[str, Any]:
        result = self.m_chat_appendStream(args)
        msg = self.messages.get((args.get("channel", ""), args.get("ts", "")))
        if result["ok"] and msg is not None:
            msg.streaming, msg.blocks = False, [{"type": "section", "text": {"type": "mrkdwn", "text": msg.text}}]
            msg.blocks += self._blocks(args)
        return result

    def m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(args.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _channel_info(self, channel: str) -> dict[str, Any]:
        mpim = channel in self.group_dms
        private = channel.startswith("G") or channel in self.private_channels or mpim
        return {"id": channel, "is_channel": not mpim, "is_private": private, "is_im": channel.startswith("D"),
                "is_mpim": mpim}  # fmt: skip

    def m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": self._channel_info(args.get("channel", ""))}

    def m_users_conversations(self, args: dict[str, Any]) -> dict[str, Any]:
        """The bot's conversations of the asked types, `limit` a page, paged on by an opaque cursor."""
        types = set(str(args.get("types") or "public_channel").split(","))
        infos = [self._channel_info(c) for c in self.member_of]
        infos = [i for i in infos if ("private_channel" if i["is_private"] and not i["is_mpim"] else
                 "mpim" if i["is_mpim"] else "public_channel") in types]  # fmt: skip
        start, limit = int(args.get("cursor") or 0), min(int(args.get("limit") or 100), 1000)
        cursor = str(start + limit) if start + limit < len(infos) else ""
        return {"ok": True, "channels": infos[start : start + limit], "response_metadata": {"next_cursor": cursor}}

    def m_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """Like Slack: the thread oldest first (its first message, then replies), within oldest/latest, a page of
        `limit` at a time; `response_metadata.next_cursor` pages on."""
        channel, ts = args.get("channel", ""), args.get("ts", "")
        root = self.messages.get((channel, ts))
        if root is None:
            return {"ok": False, "error": "thread_not_found"}
        parent = root.thread_ts or ts
        found = sorted(
            (m for m in self.messages.values() if m.channel == channel and parent in (m.ts, m.thread_ts)),
            key=lambda m: float(m.ts),
        )
        return self._page(self._between(found, args), args)

    def m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Like Slack: a channel's top-level messages (thread roots, not replies) newest first, within
        oldest/latest, a page of `limit` at a time with `next_cursor`."""
        channel = args.get("channel", "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        found = sorted(
            (m for m in self.messages.values() if m.channel == channel and m.thread_ts in (None, m.ts)),
            key=lambda m: float(m.ts),
            reverse=True,
        )
        return self._page(self._between(found, args), args)

    @staticmethod
    def _between(found: list[Message], args: dict[str, Any]) -> list[Message]:
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        if args.get("oldest"):
            oldest = float(args["oldest"])
            found = [m for m in found if float(m.ts) > oldest or (inclusive and float(m.ts) == oldest)]
        if args.get("latest"):
            latest = float(args["latest"])
            found = [m for m in found if float(m.ts) < latest or (inclusive and float(m.ts) == latest)]
        return found

    def _page(self, found: list[Message], args: dict[str, Any]) -> dict[str, Any]:
        most = INTERNAL_HISTORY_LIMIT if self.internal_app else REPLIES_LIMIT
        limit = min(int(args.get("limit") or most), most)
        cursor = str(args.get("cursor") or "")
        start = int(cursor.removeprefix("next_ts:")) if cursor.startswith("next_ts:") else 0
        if cursor and not cursor.startswith("next_ts:"):
            return {"ok": False, "error": "invalid_cursor"}
        page = found[start : start + limit]
        more = start + limit < len(found)
        meta = {"next_cursor": f"next_ts:{start + limit}" if more else ""}
        return {"ok": True, "messages": [m.as_json() for m in page], "has_more": more, "response_metadata": meta}

    def post_history(self, channel: str, text: str, *, user: str, at: float, thread_ts: str | None = None) -> Message:
        """A message someone posted earlier (no event is delivered): history for conversations.history/replies."""
        ts = f"{at:.6f}"
        message = Message(channel, ts, text, thread_ts=thread_ts, user=user, bot_id=None)
        self.messages[(channel, ts)] = message
        return message

    def m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        self.views[args.get("user_id", "")] = json.loads(view) if isinstance(view, str) else view
        return {"ok": True, "view": {"id": "V1"}}

    def _ok(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True}

    m_assistant_threads_setStatus = m_assistant_threads_setTitle = m_assistant_threads_setSuggestedPrompts = _ok
    m_reactions_add = _ok

    async def _respond(self, request: web.Request) -> web.Response:
        if self.response_urls_expired:
            return web.Response(status=404, text="expired_url")
        self.responses.append(await request.json())
        return web.Response(text="ok")

    # --- Socket Mode ------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}})
        self.connected.set()
        async for frame in ws:
            if frame.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(frame.data)
                if "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data.get("payload")
        self.connected.clear()
        return ws

    async def send_socket(self, kind: str, payload: dict[str, Any], *, retry: int = 0, envelope_id: str = "") -> str:
        await asyncio.wait_for(self.connected.wait(), 5)
        assert self._ws is not None
        envelope_id = envelope_id or f"env-{next(self._ts)}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind != "events_api", "retry_attempt": retry,
                    "retry_reason": "timeout" if retry else ""}  # fmt: skip
        await self._ws.send_json(envelope)
        return envelope_id

    async def drop_socket(self) -> None:
        """Close the Socket Mode connection from Slack's side (as Slack does on refreshes)."""
        if self._ws is not None:
            self.connected.clear()
            await self._ws.close()

    async def send_raw_socket(self, text: str) -> None:
        assert self._ws is not None
        await self._ws.send_str(text)

    # --- HTTP delivery (what Slack POSTs to the app) -----------------------------------------------

    @staticmethod
    def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
        digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return f"v0={digest}"

    async def post_http(
        self, url: str, body: str, *, form: bool = False, timestamp: int | None = None,
        signature: str | None = None, headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:  # fmt: skip
        assert self._session is not None
        stamp = int(time.time()) if timestamp is None else timestamp
        sent = {
            "Content-Type": "application/x-www-form-urlencoded" if form else "application/json",
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": signature or self.sign(body, stamp),
            **(headers or {}),
        }
        async with self._session.post(url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    def response_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{next(self._ts)}"


# --- payload builders -----------------------------------------------------------------------


def event_callback(event: dict[str, Any], *, event_id: str | None = None, team: str = TEAM) -> dict[str, Any]:
    return {"token": "legacy", "team_id": team, "api_app_id": APP_ID, "event": event, "type": "event_callback",
            "event_id": event_id or f"Ev{time.monotonic_ns()}", "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True, "enterprise_id": None,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False}  # fmt: skip


def command_form(
    fake: FakeSlack, command: str, text: str, *, channel: str, user: str, team: str = TEAM
) -> dict[str, str]:
    return {"token": "legacy", "team_id": team, "team_domain": "test", "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general", "user_id": user,
            "user_name": user.lower(), "command": f"/{command}", "text": text, "api_app_id": APP_ID,
            "response_url": fake.response_url(), "trigger_id": f"trig.{time.monotonic_ns()}"}  # fmt: skip


def block_action(
    fake: FakeSlack, action: dict[str, Any], *, channel: str, user: str, message_ts: str = ""
) -> dict[str, Any]:
    return {"type": "block_actions", "team": {"id": TEAM, "domain": "test"}, "user": {"id": user, "team_id": TEAM},
            "api_app_id": APP_ID, "token": "legacy", "trigger_id": f"trig.{time.monotonic_ns()}",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel, "name": "general"}, "response_url": fake.response_url(),
            "actions": [{"type": "button", "block_id": "b", "action_ts": str(time.time()), **action}]}  # fmt: skip


def button_click(fake: FakeSlack, message: Message, action_id: str, *, user: str) -> dict[str, Any]:
    """A person clicks a button of a message: the `block_actions` payload Slack sends, with the message it
    was on (as Slack includes it for message buttons). Fails the test if the message has no such button."""
    for block in message.blocks:
        for element in block.get("elements") or [] if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                action = {k: v for k, v in element.items() if k in ("action_id", "value", "style", "text", "type")}
                payload = block_action(fake, action, channel=message.channel, user=user, message_ts=message.ts)
                payload["actions"][0]["block_id"] = block.get("block_id", "")
                payload["message"] = message.as_json()
                payload["state"] = {"values": {}}
                return payload
    raise AssertionError(f"no button {action_id!r} on message {message.ts}")


async def wait_until(predicate: Callable[[], Any], within: float = 5.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Slack stand-in (Web API + Socket Mode)")
    parser.add_argument("--port", type=int, default=8100)

    async def serve(port: int) -> None:
        async with FakeSlack() as fake:
            print(fake.base_url, flush=True)
            await asyncio.Event().wait()

    asyncio.run(serve(parser.parse_args().port))
