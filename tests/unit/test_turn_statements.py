"""What one engine turn asks of SQLite (counted with the connection's trace callback): settings come from
the cache, the accepted message costs one commit even in a new conversation, and no per-turn read walks
a whole table."""

from __future__ import annotations

from pathlib import Path

from bot.agents import load_agents
from bot.catalog import Catalog
from bot.config import load_settings
from bot.engine import Engine, NullSink, Turn
from bot.session import SessionKey
from bot.store import Store
from tests.fakes.instant import InstantProvider

WRITES = ("INSERT", "UPDATE", "DELETE")


def _engine(tmp_path: Path) -> Engine:
    config = tmp_path / "t.toml"
    config.write_text("[embedded]\nenabled = false\n[limits]\nenabled = false\n")
    settings = load_settings(config, env={"HYBRIDBOT_DATABASE": str(tmp_path / "t.db")})
    return Engine(
        settings, Store(settings.bot.database), Catalog([InstantProvider()], health_ttl=3600), load_agents(None)
    )


async def _traced_turn(engine: Engine, key: SessionKey, text: str, event: str) -> tuple[list[str], int]:
    statements: list[str] = []
    commits = 0
    conn = engine.store.conn

    def seen(sql: str) -> None:
        nonlocal commits
        statements.append(sql)
        verb = sql.lstrip().split(None, 1)[0].upper()
        commits += verb == "COMMIT" or (verb in WRITES and not conn.in_transaction)

    conn.set_trace_callback(seen)
    try:
        result = await engine.handle(Turn(key, "U1", "ann", text, event_id=event), NullSink())
    finally:
        conn.set_trace_callback(None)
    assert result.status == "done", result
    return statements, commits


async def test_a_turn_reads_settings_from_the_cache_and_commits_three_times(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    key = SessionKey("slack", "T1", "C1", "1.0")
    try:
        first, first_commits = await _traced_turn(engine, key, "hello, what can you do?", "e1")
        assert first_commits == 3  # accept (with the new conversation), streaming, finish
        assert any(s.startswith("INSERT INTO conversations") for s in first)
        later, later_commits = await _traced_turn(engine, key, "and what time is it in Tokyo?", "e2")
        assert later_commits == 3
        assert not [s for s in later if "FROM settings" in s]  # nothing changed them: all from the cache
        assert not [s for s in later if s.startswith("UPDATE messages")]  # marks unchanged: no tighten write
        engine.store.set_setting("channel:slack/T1/C1", "privacy", "strict")
        again, _ = await _traced_turn(engine, key, "one more question", "e3")
        assert [s for s in again if "FROM settings" in s]  # a write dropped the cache
    finally:
        await engine.aclose()


def test_counting_a_messages_answers_uses_an_index(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM turns WHERE user_message_id=?", (1,)).fetchall()
    assert "USING COVERING INDEX turns_by_user_message" in plan[0][3]
