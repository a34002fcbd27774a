"""An in-process provider that answers instantly: isolates the engine's own cost."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.agents import load_agents  # noqa: E402
from bot.catalog import Catalog  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.providers.base import ChatMessage, Finish, ModelInfo, TextDelta, Usage  # noqa: E402
from bot.store import Store  # noqa: E402


class InstantProvider:
    name = "instant"
    locality = "local"

    async def list_models(self) -> list[ModelInfo]:
        return [ModelInfo("instant", "echo", "local", context_length=8192)]

    async def stream_chat(self, model: str, messages: list[ChatMessage], **_: object) -> AsyncIterator:
        yield TextDelta("ok ")
        yield TextDelta("done")
        yield Usage(len(messages), 2)
        yield Finish("stop")

    async def aclose(self) -> None:
        pass


def make_engine(db_path: str | None = None) -> Engine:
    db = db_path or str(Path(tempfile.mkdtemp()) / "bench.db")
    settings = load_settings(env={"HYBRIDBOT_DATABASE": db})
    return Engine(settings, Store(db), Catalog([InstantProvider()], health_ttl=3600), load_agents(None))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
