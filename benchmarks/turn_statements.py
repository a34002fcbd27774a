"""SQL statements and commits per engine turn (sqlite3 trace callback on the engine's connection).

Runs turns (each with a platform event id, as Slack and Discord give) through the full engine with an
instant model and a sink that links its one posted message to
the turn (as the Slack and Discord sinks do), and prints per turn: statements by kind and table, and
commits (explicit COMMITs plus writes made outside a transaction, i.e. autocommits). The first turn of a
conversation (it is created) and a later turn are shown apart.
Run: .venv/bin/python benchmarks/turn_statements.py [--quick]
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections import Counter

from _instant import make_engine, quick_flag

from bot.engine import NullSink, Turn, TurnResult
from bot.session import SessionKey

TEXT = "Could you summarise what we decided about the release date yesterday?"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+(\w+)", re.IGNORECASE)


class Tally:
    """Statements seen on one connection, and the commits they made."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn, self.kinds, self.commits = conn, Counter[str](), 0
        conn.set_trace_callback(self.seen)

    def seen(self, sql: str) -> None:
        verb = sql.lstrip().split(None, 1)[0].upper()
        # A write outside a transaction commits by itself (the callback runs before the statement does).
        if verb == "COMMIT" or (verb in WRITES and not self.conn.in_transaction):
            self.commits += 1
        table = _TABLE.search(sql)
        self.kinds[f"{verb} {table.group(1) if table else ''}".strip()] += 1

    def take(self) -> tuple[Counter[str], int]:
        kinds, commits = self.kinds, self.commits
        self.kinds, self.commits = Counter(), 0
        return kinds, commits


class LinkingSink(NullSink):
    """Links one posted message to its turn, like a platform sink (an autocommit of its own)."""

    def __init__(self, engine, channel: str) -> None:  # noqa: ANN001 (an Engine)
        self.engine, self.channel, self.posted = engine, channel, 0

    async def on_turn(self, turn_id: int) -> None:
        self.posted += 1
        self.engine.store.link_message("bench", self.channel, f"m{self.posted}", turn_id)

    async def on_done(self, result: TurnResult) -> None:
        return None


async def run(turns: int) -> None:
    engine = make_engine()
    tally = Tally(engine.store.conn)
    first: list[tuple[Counter[str], int]] = []
    later: list[tuple[Counter[str], int]] = []
    for i in range(turns):
        key = SessionKey("bench", "w", f"c{i % 5}")
        sink = LinkingSink(engine, key.channel)
        tally.take()
        result = await engine.handle(Turn(key, "U", "u", f"{TEXT} ({i})", event_id=f"ev{i}"), sink)
        assert result.status == "done", result
        (first if i < 5 else later).append(tally.take())
    await engine.aclose()
    for label, runs in (("first turn of a conversation", first), ("later turns", later)):
        total = Counter[str]()
        for kinds, _ in runs:
            total.update(kinds)
        n = len(runs)
        statements = sum(total.values()) / n
        commits = sum(c for _, c in runs) / n
        print(f"-- {label} ({n} turns): {statements:.1f} statements, {commits:.1f} commits per turn")
        for kind, count in sorted(total.items(), key=lambda kv: -kv[1]):
            print(f"   {count / n:5.1f}  {kind}")


if __name__ == "__main__":
    asyncio.run(run(15 if quick_flag(__doc__) else 105))
