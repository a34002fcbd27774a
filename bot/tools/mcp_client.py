"""One MCP server as tools (I/O): ``McpConnection`` (``bot.tools.mcp_manager`` holds them all).

- Lazy: a server starts on the first request for its tools, not when the bot starts.
- One owner task per connection enters and leaves the SDK ``Client`` context (anyio scopes must be
  left by the task that entered them); calls from any task use the connected client.
- Tool lists are cached and marked stale on ``notifications/tools/list_changed``.
- A server that dies (a call finds the connection gone) or does not start within ``timeout`` is
  stopped and started again on a later request, after a backoff that doubles per failure until a
  call succeeds again (so a server that crashes right after each start backs off further each
  time); until then its tools are reported unavailable instead of hanging the turn.
- A hung call costs at most the server's ``timeout``; so does a first listing, start-up included.
  After a failure, listings (which every turn with tools makes) do not wait for the restart: it runs
  in the background once the backoff is over, and the tools are back when the server answers.
- Secrets reach the server from the bot's environment (``env_from``, ``headers_from``), never the
  TOML; a variable that is unset makes the server unavailable with its name in the reason.

The connection uses the initialize handshake (``mode="legacy"``): deployed servers speak it, and it
carries ``tools/list_changed`` as a plain notification.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import anyio
from mcp import Client, MCPError, StdioServerParameters
from mcp import types as mcp_types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp_types import REQUEST_TIMEOUT

from bot.tools.base import Tool
from bot.tools.mcp_config import McpServerConfig

log = logging.getLogger(__name__)

CONNECTION_LOST = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream, OSError, EOFError)
MAX_LIST_PAGES = 20
SHUTDOWN_GRACE = 8.0  # the SDK's stdio shutdown: 0.5 s flush, 2 s for exit, SIGTERM, 2 s, SIGKILL, 2 s


class McpUnavailable(Exception):
    """The server is not running and cannot be used now; the message says why and when it is retried."""


class McpToolError(Exception):
    """The server ran the tool and reported an error (the model sees the text)."""


def result_text(result: mcp_types.CallToolResult) -> str:
    """A call's content as the text the model sees: text blocks and embedded text resources as they
    are, links by their URI, binary content named but left out. Structured content (JSON) when the
    server sent no content blocks: the spec has servers also serialize it into a text block."""
    parts: list[str] = []
    for block in result.content:
        if isinstance(block, mcp_types.TextContent):
            parts.append(block.text)
        elif isinstance(block, mcp_types.EmbeddedResource) and isinstance(
            block.resource, mcp_types.TextResourceContents
        ):
            parts.append(block.resource.text)
        elif isinstance(block, mcp_types.ResourceLink):
            parts.append(f"[resource {block.name}: {block.uri}]")
        else:
            parts.append(f"[{block.type} content omitted]")
    if not parts and result.structured_content is not None:
        parts = [json.dumps(result.structured_content, ensure_ascii=False)]
    return "\n".join(parts)


class McpConnection:
    def __init__(
        self,
        config: McpServerConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
    ) -> None:
        self.config = config
        self._clock = clock
        self._backoff_base, self._backoff_max = backoff_base, backoff_max
        self._lock = asyncio.Lock()
        self._client: Client | None = None
        self._owner: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._retiring: set[asyncio.Task[None]] = set()
        self._restarting: asyncio.Task[Any] | None = None
        self._tools: list[Tool] | None = None
        self._stale = True
        self.starts = 0  # successful starts (restarts = starts - 1)
        self.failures = 0  # failures since the last answered call: a crash loop backs off further each time
        self._retry_at = 0.0
        self.last_error: str | None = None
        self.read_only: dict[str, bool] = {}  # tool -> annotated readOnlyHint, from the last listing

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def running(self) -> bool:
        return self._client is not None and self._owner is not None and not self._owner.done()

    def _new_client(self, http: Any = None) -> Client:
        target: Any
        if self.config.command is not None:
            env = self.config.process_env()
            target = StdioServerParameters(command=self.config.command, args=self.config.args, env=env)
        else:
            target = streamable_http_client(self.config.url or "", http_client=http)
        return Client(
            target,
            mode="legacy",
            cache=None,  # we cache the tool list ourselves, refreshed on list_changed
            read_timeout_seconds=self.config.timeout,
            message_handler=self._on_message,
        )

    async def _on_message(self, message: Any) -> None:
        if isinstance(message, mcp_types.ToolListChangedNotification):
            self._stale = True
        elif isinstance(message, Exception):
            log.info("mcp %s: transport error %s", self.name, type(message).__name__)

    async def _own(self, ready: asyncio.Future[Client], stop: asyncio.Event) -> None:
        """Enter the client, hand it over, wait for stop, leave it, all in this one task. The start-up
        limit is an anyio scope deadline, disarmed once connected, not a task cancel, so the SDK's
        shielded shutdown (stdin closed, SIGTERM, SIGKILL) runs for a server stuck in the handshake."""
        scope = anyio.CancelScope(deadline=anyio.current_time() + self.config.timeout)
        try:
            with scope:
                async with contextlib.AsyncExitStack() as stack:
                    http = None
                    if self.config.url is not None:
                        headers = self.config.http_headers()
                        http = await stack.enter_async_context(create_mcp_http_client(headers=headers))
                    client = await stack.enter_async_context(self._new_client(http))
                    scope.deadline = math.inf
                    ready.set_result(client)
                    await stop.wait()
        except Exception as e:  # the server failed to start or its transport broke
            if not ready.done():
                ready.set_exception(e)
            else:
                log.info("mcp %s: connection ended with %s", self.name, type(e).__name__)
        if not ready.done():
            ready.set_exception(TimeoutError())

    async def _start(self, limit: float) -> Client:
        if self._clock() < self._retry_at:
            raise McpUnavailable(self._waiting())
        missing = self.config.missing_variables()
        if missing:
            self._fail(f"environment variable(s) {', '.join(missing)} not set")
            raise McpUnavailable(f"MCP server {self.name!r} could not start: {self.last_error}")
        ready: asyncio.Future[Client] = asyncio.get_running_loop().create_future()
        ready.add_done_callback(lambda f: f.cancelled() or f.exception())  # a late failure is not "never retrieved"
        self._stop = asyncio.Event()
        self._owner = asyncio.create_task(self._own(ready, self._stop), name=f"mcp-{self.name}")
        try:
            client = await asyncio.wait_for(asyncio.shield(ready), limit)
        except Exception as e:
            reason = f"did not start within {self.config.timeout:g} s" if isinstance(e, TimeoutError) else str(e)
            self._fail(reason or type(e).__name__)
            raise McpUnavailable(f"MCP server {self.name!r} could not start: {self.last_error}") from None
        self._client, self._stale = client, True
        self.starts += 1
        log.info("mcp %s: started (%s), start %d", self.name, self.config.transport, self.starts)
        return client

    async def _ensure_started(self, deadline: float | None = None) -> Client:
        """The connected client, started if needed within ``timeout`` (or what is left until
        ``deadline``, a ``time.monotonic`` value, when the start shares a limit with a listing)."""
        async with self._lock:
            if self.running and self._client is not None:
                return self._client
            self._retire()
            left = self.config.timeout if deadline is None else max(0.01, deadline - time.monotonic())
            return await self._start(left)

    def _fail(self, reason: str) -> None:
        """Retire the server and schedule the next start after the backoff."""
        self.failures += 1
        self.last_error = reason
        delay = min(self._backoff_base * 2 ** (self.failures - 1), self._backoff_max)
        self._retry_at = self._clock() + delay
        log.warning("mcp %s: %s; retry in %.1f s", self.name, reason, delay)
        self._retire()

    def _retire(self) -> None:
        """Tell the owner task to leave the client; the SDK's shutdown of a stuck process takes seconds,
        which the caller does not wait for (``close`` does)."""
        owner, self._owner, self._client = self._owner, None, None
        self._stop.set()
        if owner is not None and not owner.done():
            self._retiring.add(owner)
            owner.add_done_callback(self._retiring.discard)

    async def _shutdown(self) -> None:
        self._retire()
        for owner in list(self._retiring):
            try:
                await asyncio.wait_for(asyncio.shield(owner), SHUTDOWN_GRACE)
            except BaseException:  # did not close in time: cancel as a last resort
                owner.cancel()
                with contextlib.suppress(BaseException):
                    await owner

    async def _lost(self, client: Client, reason: str) -> None:
        async with self._lock:
            if self._client is client:  # not already restarted by another caller
                self._fail(reason)

    def _waiting(self) -> str:
        wait = self._retry_at - self._clock()
        when = f"it is tried again in {wait:.0f} s" if wait > 0 else "it is being restarted"
        return f"MCP server {self.name!r} is not available ({self.last_error}); {when}"

    async def tools(self) -> list[Tool]:
        """The server's allowed tools, cached until it announces a change; starting the server and
        listing share one ``timeout``. After a failure the caller does not wait for a restart."""
        if self.failures and not self.running:
            self._restart_in_background()
            raise McpUnavailable(self._waiting())
        return await self._listed()

    def _restart_in_background(self) -> None:
        if self._clock() < self._retry_at or (self._restarting is not None and not self._restarting.done()):
            return
        self._restarting = asyncio.create_task(self._restart_quietly(), name=f"mcp-{self.name}-restart")

    async def _restart_quietly(self) -> None:
        with contextlib.suppress(Exception):  # a failure is logged and backed off by _fail
            await self._listed()

    async def _listed(self) -> list[Tool]:
        deadline = time.monotonic() + self.config.timeout
        client = await self._ensure_started(deadline)
        if self._tools is not None and not self._stale:
            return self._tools
        self._stale = False  # a notification arriving during the listing marks it stale again
        try:
            listed = await asyncio.wait_for(self._list_all(client), max(0.01, deadline - time.monotonic()))
        except (TimeoutError, MCPError, *CONNECTION_LOST) as e:
            self._stale = True
            await self._lost(client, f"listing tools failed ({type(e).__name__})")
            raise McpUnavailable(f"MCP server {self.name!r} did not list its tools: {self.last_error}") from None
        allowed = [t for t in listed if self.config.allows_tool(t.name)]
        self.read_only = {t.name: bool(t.annotations and t.annotations.read_only_hint) for t in allowed}
        self._tools = [self._as_tool(t) for t in allowed]
        return self._tools

    async def _list_all(self, client: Client) -> list[mcp_types.Tool]:
        tools: list[mcp_types.Tool] = []
        cursor: str | None = None
        for _ in range(MAX_LIST_PAGES):
            page = await client.list_tools(cursor=cursor)
            tools.extend(page.tools)
            cursor = page.next_cursor
            if cursor is None:
                break
        return tools

    def _as_tool(self, tool: mcp_types.Tool) -> Tool:
        read_only = self.read_only[tool.name]

        async def run(args: dict[str, Any]) -> str:
            return await self.call(tool.name, args)

        return Tool(
            name=f"{self.name}.{tool.name}",
            description=tool.description or tool.title or tool.name,
            parameters=dict(tool.input_schema or {"type": "object"}),
            run=run,
            sends_data_out=self.config.locality == "remote",
            changes_things=self.config.needs_confirm(tool.name, read_only),
            timeout=self.config.timeout,
            server=self.name,
            agents=tuple(self.config.agents),
        )

    async def call(self, tool_name: str, args: dict[str, Any]) -> str:
        client = await self._ensure_started()
        try:
            result = await client.call_tool(tool_name, args, read_timeout_seconds=self.config.timeout)
        except MCPError as e:
            if _is_timeout(e):
                raise TimeoutError(f"{self.name}.{tool_name} did not answer within {self.config.timeout:g} s") from None
            await self._lost(client, f"call failed (MCP error {e.code})")  # the message may echo arguments
            raise McpUnavailable(f"MCP server {self.name!r} failed during the call: {e}") from None
        except CONNECTION_LOST as e:
            await self._lost(client, f"connection lost ({type(e).__name__})")
            raise McpUnavailable(f"MCP server {self.name!r} stopped during the call; it will be restarted") from None
        self.failures = 0  # it answered: a later failure starts the backoff afresh
        text = result_text(result)
        if result.is_error:
            raise McpToolError(text or "the tool reported an error")
        return text

    def status(self) -> str:
        """One line for operators: not started, running with its tool count, or why it is unavailable."""
        if self.running:
            count = "tools not listed yet" if self._tools is None else f"{len(self._tools)} tool(s)"
            return f"running ({count}; {self.starts - 1} restart(s))"
        if self.last_error is not None:
            wait = self._retry_at - self._clock()
            retry = f"; retried in {wait:.1f} s" if wait > 0 else "; retried on the next request"
            return f"unavailable: {self.last_error}{retry}"
        return "not started (starts on first use)"

    async def close(self) -> None:
        if self._restarting is not None:
            self._restarting.cancel()
            with contextlib.suppress(BaseException):
                await self._restarting
        async with self._lock:
            await self._shutdown()


def _is_timeout(error: MCPError) -> bool:
    """The SDK's own read timeout: the server is slow on this call, not gone."""
    return error.code == REQUEST_TIMEOUT
