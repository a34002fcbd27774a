"""Opening a chat-completions stream on an OpenAI-compatible server over aiohttp, retried as the SDK retries.

The openai SDK's request path (request building, httpx2's connection pool walk, anyio streams) was most of
the CPU a cloud answer cost; aiohttp (already the Slack adapter's client) does the same request for a
fraction of it. The SDK's rules are kept: `max_retries` retries of connection errors, timeouts and
408/409/429/5xx (an `x-should-retry` header overrides), waiting Retry-After(-ms) when it is 0–60 s, else
0.5 s doubling up to 8 s with jitter; a Retry-After past `max_retry_wait` is not waited for at all (the
engine falls back to another model). The connect timeout bounds connecting; `timeout` bounds every read.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

DEFAULT_BASE_URL = "https://api.openai.com/v1"
RETRY_STATUSES = frozenset({408, 409, 429})


@dataclass
class StreamFailure(Exception):
    """The request failed: an HTTP status (with the server's message), a timeout or no connection."""

    kind: str  # "status" | "timeout" | "connection"
    detail: str
    status: int | None = None
    headers: Mapping[str, str] | None = None

    def __str__(self) -> str:
        return self.detail


def sdk_backoff(attempt: int, retry_after: float | None) -> float:
    """The SDK's wait before retry `attempt` (0-based): the server's Retry-After if sensible, else doubling."""
    if retry_after is not None and 0 < retry_after <= 60:
        return retry_after
    return min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random.random())


def should_retry(failure: StreamFailure) -> bool:
    forced = (failure.headers or {}).get("x-should-retry")
    if forced in ("true", "false"):
        return forced == "true"
    if failure.kind != "status":
        return True
    return failure.status in RETRY_STATUSES or (failure.status or 0) >= 500


class ChatStreams:
    """One aiohttp session per provider, opened in the running loop on first use."""

    def __init__(
        self,
        base_url: str | None,
        api_key: str,
        *,
        timeout: float,
        connect_timeout: float,
        max_retries: int,
        max_retry_wait: float | None,
        parse_retry_after: Callable[[Mapping[str, str]], float | None],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.url = (base_url or DEFAULT_BASE_URL).rstrip("/") + "/chat/completions"
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "text/event-stream"}
        self._timeout = aiohttp.ClientTimeout(total=None, connect=connect_timeout, sock_read=timeout)
        self._max_retries = max_retries
        self._max_retry_wait = max_retry_wait
        self._parse_retry_after = parse_retry_after
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None
        self._proxy = env_proxy(self.url)

    async def open(self, body: dict[str, Any]) -> aiohttp.ClientResponse:
        """The streaming response once its status is 200; raises StreamFailure after the retries."""
        payload = json.dumps(body).encode()
        for attempt in range(self._max_retries + 1):
            try:
                return await self._attempt(payload)
            except StreamFailure as failure:
                retry_after = self._parse_retry_after(failure.headers or {})
                too_long = self._max_retry_wait is not None and (retry_after or 0) > self._max_retry_wait
                if attempt == self._max_retries or too_long or not should_retry(failure):
                    raise
                await self._sleep(sdk_backoff(attempt, retry_after))
        raise AssertionError("unreachable")

    async def _attempt(self, payload: bytes) -> aiohttp.ClientResponse:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            response = await self._session.post(
                self.url,
                data=payload,
                headers={**self._headers, "Content-Type": "application/json"},
                proxy=self._proxy[0],
                proxy_auth=self._proxy[1],
            )
        except TimeoutError as error:
            raise StreamFailure("timeout", "request timed out") from error
        except (aiohttp.ClientError, OSError) as error:
            raise StreamFailure("connection", f"connection error ({type(error).__name__})") from error
        if response.status == 200:
            return response
        try:
            text = await response.text()
        except (aiohttp.ClientError, TimeoutError):
            text = ""
        finally:
            response.release()
        raise StreamFailure("status", _error_message(text, response.status), response.status, response.headers)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


def env_proxy(url: str) -> tuple[str | None, aiohttp.BasicAuth | None]:
    """HTTP(S)_PROXY and NO_PROXY for `url`, read once: they apply as they did through the SDK's httpx client.

    (aiohttp's `trust_env` reads them — and ~/.netrc — again in a worker thread on every request: two thread
    hops per answer.)
    """
    try:
        proxy, auth = get_env_proxy_for_url(URL(url))
    except LookupError:
        return None, None
    return str(proxy), auth


def _error_message(text: str, status: int) -> str:
    """The server's own message ({"error": {"message": ...}}), or the status."""
    try:
        error = json.loads(text).get("error")
        message = error.get("message") if isinstance(error, dict) else error
        if isinstance(message, str) and message:
            return f"Error code: {status} - {message}"
    except (ValueError, AttributeError):
        pass
    return f"Error code: {status}"
