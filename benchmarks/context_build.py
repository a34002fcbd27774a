"""Context-building time vs conversation length (goal: 100k messages within 1.2× of 10).

Builds the prompt (store read + window assembly) for conversations of 10, 1k, 10k and 100k
stored messages, median of many runs each, and prints the ratio to the 10-message case.

Two series: with messages sized so that about ten fill the model's window (the goal's setting:
same window, growing history), and with short chat messages, where a long history fills a
bigger window than 10 messages can — there the cost follows the window, still not the history.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from _instant import cpu_hog, make_engine, quick_flag

from bot.marks import Place
from bot.session import SessionKey
from bot.turn_prompt import build_prompt

SIZES = (10, 1_000, 10_000, 100_000)
RUNS = 300


def fill(engine, key: SessionKey, count: int, words: int) -> object:
    """The conversation with `count` stored messages (filled once: a later series reuses it)."""
    conv = engine.store.conversation(key)
    if engine.store.count_messages(conv.id, at_most=1):
        return conv
    body = "lorem ipsum " * words
    rows = [
        (conv.id, "user" if (count - 1 - i) % 2 == 0 else "assistant", "U1", "Ann", f"message {i} {body}", 0, 0.0)
        for i in range(count)
    ]
    with engine.store.conn:
        engine.store.conn.executemany(
            "INSERT INTO messages (conversation_id, role, author_id, author_name, content, sensitive, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    engine.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # set-up's writes settled before timing
    return engine.store.conversation(key)


def question_of(engine, conv) -> int:
    """The newest stored message (a user's): the question whose prompt is built."""
    return engine.store.conn.execute("SELECT max(id) FROM messages WHERE conversation_id=?", (conv.id,)).fetchone()[0]


def series(engine, info, agent, label: str, words: int) -> None:
    """Sizes are timed in turn, round after round, so a slow spell of the shared machine hits all alike."""
    print(f"-- {label}")
    convs = {size: fill(engine, SessionKey("bench", f"w{words}", f"c{size}"), size, words) for size in SIZES}
    places = {size: Place(question_of(engine, conv)) for size, conv in convs.items()}
    times: dict[int, list[float]] = {size: [] for size in SIZES}
    shown: dict[int, int] = {}
    for _ in range(RUNS):
        for size, conv in convs.items():
            t0 = time.perf_counter()
            messages, _ = build_prompt(engine, conv, info, agent, places[size])
            times[size].append(time.perf_counter() - t0)
            shown[size] = len(messages) - 1
    medians = {size: statistics.median(t) * 1000 for size, t in times.items()}
    for size in SIZES:
        print(f"{size:>7} messages: median {medians[size]:.3f} ms  ({shown[size]} in the window)")
    base = medians[SIZES[0]]
    print("ratios to 10 messages: " + ", ".join(f"{s:,}: {medians[s] / base:.2f}" for s in SIZES[1:]))


def main(quick: bool) -> None:
    global SIZES, RUNS
    if quick:
        SIZES, RUNS = (10, 1_000), 20
    engine = make_engine()
    provider = next(iter(engine.catalog.providers.values()))
    info = asyncio.run(provider.list_models())[0]  # 8,192-token window
    agent = engine.agents.get("general")
    series(engine, info, agent, "window-sized messages (goal: 100k ≤ 1.2× of 10)", words=230)
    series(engine, info, agent, "short chat messages", words=8)
    with cpu_hog():
        series(engine, info, agent, "window-sized messages, other core busy (CPU hog)", words=230)


if __name__ == "__main__":
    main(quick_flag(__doc__))
