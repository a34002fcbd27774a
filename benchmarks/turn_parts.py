"""What the per-turn caches save, timed in one process (same-run A/B, alternated rounds):

- settings: a turn's six `settings_for` calls, cached (bot/store_settings.py) vs an uncached SELECT each;
- the cloud rescan: `carries_secret` over a cloud prompt (agent instructions + 30 history messages) with the
  memo warm, as on every turn after the first, vs a fresh memo (every text scanned, as before);
- the 🔁 count: `Store.answers_to` at 20,000 stored turns with and without the `turns_by_user_message` index.
Run: .venv/bin/python benchmarks/turn_parts.py [--quick]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from _instant import quick_flag

from bot import turn_prompt
from bot.agents import load_agents
from bot.providers.base import ChatMessage
from bot.store import Store

SCOPES = [["user:slack/T/U1", "channel:slack/T/C1", "thread:slack/T/C1/1.0", "workspace:slack/T"]] * 6


def _best_us(fn, repeat: int, rounds: int) -> list[float]:  # noqa: ANN001
    out = []
    for _ in range(rounds):
        t0 = time.process_time()
        for _ in range(repeat):
            fn()
        out.append((time.process_time() - t0) / repeat * 1e6)
    return out


def settings_part(store: Store, repeat: int, rounds: int) -> tuple[list[float], list[float]]:
    def cached() -> None:
        for scopes in SCOPES:
            store.settings_for(scopes, "privacy")

    def uncached() -> None:
        for scopes in SCOPES:
            marks = ",".join("?" * len(scopes))
            store.conn.execute(
                f"SELECT scope, value FROM settings WHERE key=? AND scope IN ({marks})", ("privacy", *scopes)
            ).fetchall()

    a, b = [], []
    for _ in range(rounds):
        a += _best_us(cached, repeat, 1)
        b += _best_us(uncached, repeat, 1)
    return a, b


def rescan_part(repeat: int, rounds: int) -> tuple[list[float], list[float]]:
    system = load_agents(None).get("general").instructions
    history = [
        ChatMessage("user" if i % 2 else "assistant", f"message {i}: let's compare the options for the release plan, "
                    "with the numbers from last week's report and a short summary for the team." * 2, name="ann")
        for i in range(30)
    ]  # fmt: skip
    prompt = [ChatMessage("system", system), *history]
    warm = turn_prompt.SecretMemo()

    def with_memo() -> None:
        turn_prompt._SCANNED = warm
        turn_prompt.carries_secret(prompt)

    def fresh() -> None:
        turn_prompt._SCANNED = turn_prompt.SecretMemo()
        turn_prompt.carries_secret(prompt)

    a, b = [], []
    for _ in range(rounds):
        a += _best_us(with_memo, repeat, 1)
        b += _best_us(fresh, max(1, repeat // 10), 1)
    return a, b


def answers_part(turns: int, repeat: int) -> tuple[float, float]:
    store = Store(Path(tempfile.mkdtemp()) / "t.db")
    conn = store.conn
    with store.transaction():
        conn.execute(
            "INSERT INTO conversations (platform, workspace, channel, thread, private, created_at, updated_at)"
            " VALUES ('p', 'w', 'c', '', 0, 0, 0)"
        )
        conn.executemany(
            "INSERT INTO turns (conversation_id, user_message_id, user_id, workspace, status, created_at)"
            " VALUES (1, ?, 'u', 'w', 'done', 0)",
            ((i,) for i in range(turns)),
        )
    indexed = statistics.median(_best_us(lambda: store.answers_to(turns // 2), repeat, 3))
    conn.execute("DROP INDEX turns_by_user_message")
    scanned = statistics.median(_best_us(lambda: store.answers_to(turns // 2), max(1, repeat // 100), 3))
    store.close()
    return indexed, scanned


def main(quick: bool) -> None:
    repeat, rounds = (200, 2) if quick else (3000, 5)
    store = Store(Path(tempfile.mkdtemp()) / "s.db")
    for i in range(200):
        store.set_setting(f"channel:slack/T/C{i}", "privacy", "strict")
    cached, uncached = settings_part(store, repeat, rounds)
    print(f"settings, 6 reads a turn: cached {min(cached):.1f}–{max(cached):.1f} µs vs uncached "
          f"{min(uncached):.1f}–{max(uncached):.1f} µs ({rounds} rounds)")  # fmt: skip
    warm, cold = rescan_part(repeat // 10, rounds)
    print(f"cloud rescan, 31-message prompt: memo warm {min(warm):.1f}–{max(warm):.1f} µs vs every text scanned "
          f"{min(cold):.1f}–{max(cold):.1f} µs ({rounds} rounds)")  # fmt: skip
    turns = 2_000 if quick else 20_000
    indexed, scanned = answers_part(turns, repeat)
    print(f"🔁 count at {turns} turns: {indexed:.1f} µs with the index vs {scanned:.1f} µs scanning turns")


if __name__ == "__main__":
    sys.exit(main(quick_flag(__doc__)))
