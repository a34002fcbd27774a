"""The built-in tools this process offers, built from settings (one place to add a new one).

``calculator`` and ``now`` always; the task tools when there is a store to keep tasks in; ``fetch_url``
only when the operator enabled it (``tools.fetch_url.enabled``: it sends requests off this machine).
"""

from __future__ import annotations

from bot.config import Settings
from bot.store import Store
from bot.tools.base import Tool
from bot.tools.calculator import CALCULATOR
from bot.tools.clock import make_now_tool
from bot.tools.fetch_url import make_fetch_url_tool
from bot.tools.tasks import make_task_tools


def builtin_tools(settings: Settings, store: Store | None = None) -> list[Tool]:
    tools = [CALCULATOR, make_now_tool(settings.tools.timezone)]
    if store is not None:
        tools += make_task_tools(store, settings.tools.timezone)
    if settings.tools.fetch_url.enabled:
        tools.append(make_fetch_url_tool(settings.tools.fetch_url))
    return tools
