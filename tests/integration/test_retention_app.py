"""`bot.message_ttl_days` applied when the app starts and periodically while it runs."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.engine import Turn
from bot.retention import retention_loop
from bot.session import SessionKey
from bot.store import Store
from tests.fakes.ollama_server import FakeOllama
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("slack", "T1", "C1")


def seed(path: Path) -> None:
    store = Store(path)
    conv = store.conversation(KEY)
    old = store.add_message(conv.id, "user", "from last year", author_id="U1")
    store.conn.execute("UPDATE messages SET created_at=? WHERE id=?", (time.time() - 400 * 86400, old))
    store.add_message(conv.id, "user", "from today", author_id="U1")
    store.close()


def contents(app) -> list[str]:
    return [r[0] for r in app.engine.store.conn.execute("SELECT content FROM messages ORDER BY id")]


async def test_ttl_is_applied_at_start(tmp_path: Path, fake_ollama: FakeOllama) -> None:
    seed(tmp_path / "bot.db")
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None, toml="[bot]\nmessage_ttl_days = 365\n")
    try:
        assert contents(app) == ["from today"]
        await app.engine.handle(Turn(KEY, "U1", "ann", "and now"), RecordingSink())
        prompt = " ".join(m["content"] for m in fake_ollama.chat_requests()[-1]["messages"])
        assert "from today" in prompt and "from last year" not in prompt
    finally:
        await app.engine.aclose()


async def test_ttl_zero_keeps_everything_at_start(tmp_path: Path, fake_ollama: FakeOllama) -> None:
    seed(tmp_path / "bot.db")
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None)
    try:
        assert contents(app) == ["from last year", "from today"]
    finally:
        await app.engine.aclose()


async def test_periodic_purge_while_running(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    conv = store.conversation(KEY)
    loop = asyncio.create_task(retention_loop(store, 1, interval=0.02))
    try:
        mid = store.add_message(conv.id, "user", "ages ago")
        store.conn.execute("UPDATE messages SET created_at=? WHERE id=?", (time.time() - 2 * 86400, mid))
        for _ in range(500):
            if store.count_messages(conv.id) == 0:
                break
            await asyncio.sleep(0.01)
        assert store.count_messages(conv.id) == 0
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
        store.close()
    assert await asyncio.wait_for(retention_loop(store, 0), 1) is None  # ttl 0: returns at once
