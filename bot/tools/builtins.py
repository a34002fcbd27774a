"""The built-in tools this process offers, built from settings (one place to add a new one)."""

from __future__ import annotations

from bot.config import Settings
from bot.tools.base import Tool
from bot.tools.calculator import CALCULATOR
from bot.tools.clock import make_now_tool


def builtin_tools(settings: Settings) -> list[Tool]:
    return [CALCULATOR, make_now_tool(settings.tools.timezone)]
