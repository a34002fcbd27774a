"""The prompt window moves in blocks, so a local model's KV cache stays valid from turn to turn."""

from __future__ import annotations

from bot.context import REFILL, WindowAnchors, build_context
from bot.store import StoredMessage

BUDGET = 400


def conversation(n: int, size: int = 60) -> list[StoredMessage]:
    """n messages, oldest first, alternating user/assistant."""
    return [
        StoredMessage(i, "assistant" if i % 2 == 0 else "user", "u1", "U1", f"m{i} " + "x" * size, False)
        for i in range(1, n + 1)
    ]


def window_over(history: list[StoredMessage], anchors: WindowAnchors) -> list[str]:
    window = build_context(
        instructions="Be brief.",
        summary="",
        history=reversed(history),
        budget_tokens=BUDGET,
        anchor_id=anchors.get("c"),
        refill=anchors.refill,
    )
    anchors.remember("c", window.oldest_included_id)
    assert window.used_tokens <= BUDGET
    return [m.content.split()[0] for m in window.messages[1:]]


def starts_over_turns(anchors: WindowAnchors, turns: int = 60) -> list[str]:
    history = conversation(turns)
    return [window_over(history[:n], anchors)[0] for n in range(1, turns + 1)]


def test_window_keeps_its_start_until_full_then_drops_a_quarter() -> None:
    starts = starts_over_turns(WindowAnchors())
    moves = [i for i in range(1, len(starts)) if starts[i] != starts[i - 1]]
    assert len(moves) >= 2, "60 turns of 20 tokens overflow a 400-token window several times"
    assert all(b - a >= 3 for a, b in zip(moves, moves[1:], strict=False)), f"moved at turns {moves}"


def test_sliding_window_moves_every_turn_once_full() -> None:
    starts = starts_over_turns(WindowAnchors(blocks=False))
    moves = [i for i in range(1, len(starts)) if starts[i] != starts[i - 1]]
    assert moves == list(range(moves[0], 60)), "the old window slides by one message per turn"


def test_prompt_between_moves_only_grows_at_the_end() -> None:
    anchors = WindowAnchors()
    history = conversation(60)
    previous: list[str] = []
    grew = 0
    for n in range(1, 61):
        current = window_over(history[:n], anchors)
        if previous and current[0] == previous[0]:
            assert current[: len(previous)] == previous  # same prefix: the cache is valid
            grew += 1
        previous = current
    assert grew > 40


def test_a_moved_window_is_filled_to_three_quarters() -> None:
    anchors = WindowAnchors()
    history = conversation(60)
    sizes = []
    for n in range(1, 61):
        before = anchors.get("c")
        window = build_context(
            instructions="Be brief.",
            summary="",
            history=reversed(history[:n]),
            budget_tokens=BUDGET,
            anchor_id=before,
            refill=anchors.refill,
        )
        if before is not None and window.oldest_included_id != before:
            sizes.append(window.used_tokens)
        anchors.remember("c", window.oldest_included_id)
    assert sizes and all(size <= BUDGET * REFILL for size in sizes)


def test_anchors_are_bounded_and_forget_the_least_recent() -> None:
    anchors = WindowAnchors(capacity=2)
    for key, oldest in (("a", 1), ("b", 2), ("a", 3), ("c", 4)):
        anchors.remember(key, oldest)
    assert (anchors.get("a"), anchors.get("b"), anchors.get("c")) == (3, None, 4)
