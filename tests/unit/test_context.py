from __future__ import annotations

from bot.context import build_context, estimate_tokens, history_budget
from bot.store import StoredMessage


def msgs(n: int, *, size: int = 40, authors: tuple[str, ...] = ("u1",)) -> list[StoredMessage]:
    out = []
    for i in range(1, n + 1):
        role = "assistant" if i % 2 == 0 else "user"
        author = authors[(i // 2) % len(authors)] if role == "user" else "bot"
        out.append(StoredMessage(i, role, author, author.upper(), f"m{i} " + "x" * size, False))
    return list(reversed(out))  # newest first, as the store yields them


def test_keeps_newest_within_budget_in_order() -> None:
    window = build_context(instructions="Be brief.", summary="", history=msgs(100), budget_tokens=200)
    assert window.messages[0].role == "system"
    contents = [m.content.split()[0] for m in window.messages[1:]]
    assert contents[-1] == "m100"
    assert contents == sorted(contents, key=lambda c: int(c[1:]))
    assert window.used_tokens <= 200
    assert 0 < window.included < 100


def test_reads_only_what_fits() -> None:
    consumed = 0

    def history():
        nonlocal consumed
        for m in msgs(10_000):
            consumed += 1
            yield m

    build_context(instructions="x", summary="", history=history(), budget_tokens=300)
    assert consumed < 50


def test_summary_goes_into_system_prompt() -> None:
    window = build_context(instructions="Be brief.", summary="They chose Postgres.", history=msgs(2), budget_tokens=500)
    assert "They chose Postgres." in window.messages[0].content


def test_oversized_newest_message_is_cut_not_dropped() -> None:
    huge = [StoredMessage(1, "user", "u", "U", "y" * 50_000, False)]
    window = build_context(instructions="i", summary="", history=huge, budget_tokens=1000)
    assert window.truncated_newest
    assert window.messages[-1].content and len(window.messages[-1].content) < 50_000


def test_several_speakers_attributed_by_name() -> None:
    window = build_context(instructions="i", summary="", history=msgs(6, authors=("ann", "bob")), budget_tokens=2000)
    names = {m.name for m in window.messages if m.role == "user"}
    assert names == {"ANN", "BOB"}


def test_single_speaker_not_attributed() -> None:
    window = build_context(instructions="i", summary="", history=msgs(6), budget_tokens=2000)
    assert all(m.name is None for m in window.messages)


def test_sensitive_messages_withheld_for_cloud() -> None:
    history = [
        StoredMessage(3, "user", "u", "U", "and now?", False),
        StoredMessage(2, "assistant", "", "", "ok", False),
        StoredMessage(1, "user", "u", "U", "my key AKIA...", True),
    ]
    window = build_context(instructions="i", summary="", history=history, budget_tokens=2000, exclude_sensitive=True)
    assert all("AKIA" not in m.content for m in window.messages)
    assert window.dropped_private == 1


def test_budget_helpers() -> None:
    assert estimate_tokens("abcd" * 10) == 14
    assert history_budget(8192, 1024) == 7168
    assert history_budget(2048, 4096) == 1024
