"""Operations hooks for the Discord adapter: 429s met → /metrics (readiness is `HybridBot.connected`).

discord.py waits out (or raises on) Discord's 429s inside `HTTPClient.request`, so wrapping that method
only sees the final outcome, never the 429s it retried. Its own warning log line ("We are being rate
limited…") is an unreliable signal: it is silent when discord.py's loggers are quietened or logging is
reconfigured, a handler on that global logger would also count other clients' 429s, and a 429 that is
not Discord's JSON (a Cloudflare ban) raises without that line. `discord.Client(http_trace=...)` is the
documented hook for "tracking HTTP requests the library does": an aiohttp trace on the client's own
session, which sees every response, retried or not, and nothing from other clients.
"""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp

from bot.metrics import Metrics


def count_429s(metrics: Metrics) -> aiohttp.TraceConfig:
    """An aiohttp trace for `discord.Client(http_trace=...)` counting each 429 answer as a 429 met."""

    async def on_request_end(
        session: aiohttp.ClientSession, context: SimpleNamespace, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if params.response.status == 429:
            metrics.met_429("discord")

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    return trace
