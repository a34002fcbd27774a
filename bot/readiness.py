"""Readiness checks for `/readyz`: a small registry that platform adapters add their connection checks to.

A check is a callable returning a bool (or an awaitable of one); it is ready when it returns True.
Registering a name again replaces the earlier check (an adapter that reconnects registers afresh).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

Check = Callable[[], bool | Awaitable[bool]]
CHECK_TIMEOUT = 2.0


class Readiness:
    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def register(self, name: str, check: Check) -> None:
        self._checks[name] = check

    def unregister(self, name: str) -> None:
        self._checks.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._checks)

    async def run(self) -> dict[str, bool]:
        """Every check's answer; a check that raises or takes over CHECK_TIMEOUT counts as not ready."""
        return {name: await _ask(check) for name, check in sorted(self._checks.items())}


async def _ask(check: Check) -> bool:
    try:
        answer = check()
        if inspect.isawaitable(answer):
            async with asyncio.timeout(CHECK_TIMEOUT):
                answer = await answer
        return bool(answer)
    except Exception:
        return False
