"""The circuit breaker state machine, driven by a hand-moved clock."""

from __future__ import annotations

import pytest

from bot.breaker import Breakers, State

REF = "ollama:llama3.2:3b"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breakers(clock: Clock) -> Breakers:
    return Breakers(failure_threshold=3, cooldown=30.0, clock=clock)


def test_unknown_model_is_closed_and_usable(breakers: Breakers) -> None:
    assert breakers.state(REF) is State.CLOSED
    assert breakers.begin(REF)
    assert breakers.blocked() == frozenset()


def test_opens_after_n_consecutive_failures(breakers: Breakers) -> None:
    breakers.failure(REF, error="server")
    breakers.failure(REF, error="server")
    assert breakers.state(REF) is State.CLOSED and REF not in breakers.blocked()
    breakers.failure(REF, error="server")
    assert breakers.state(REF) is State.OPEN
    assert REF in breakers.blocked()
    assert not breakers.begin(REF)


def test_success_resets_the_count(breakers: Breakers) -> None:
    breakers.failure(REF)
    breakers.failure(REF)
    breakers.success(REF)
    breakers.failure(REF)
    breakers.failure(REF)
    assert breakers.state(REF) is State.CLOSED


def test_half_open_after_cooldown_lets_one_probe_through(breakers: Breakers, clock: Clock) -> None:
    for _ in range(3):
        breakers.failure(REF)
    clock.now += 29.9
    assert breakers.state(REF) is State.OPEN
    clock.now += 0.2
    assert breakers.state(REF) is State.HALF_OPEN
    assert REF not in breakers.blocked()  # the router may pick it: that turn is the probe
    assert breakers.begin(REF)  # claims the probe
    assert REF in breakers.blocked()  # others keep away while the probe runs
    assert not breakers.begin(REF)


def test_probe_success_closes(breakers: Breakers, clock: Clock) -> None:
    for _ in range(3):
        breakers.failure(REF)
    clock.now += 30
    assert breakers.begin(REF)
    breakers.success(REF)
    assert breakers.state(REF) is State.CLOSED
    assert breakers.snapshot()[REF].failures == 0
    assert breakers.begin(REF) and breakers.begin(REF)  # closed: no probe limit


def test_probe_failure_reopens_for_another_cooldown(breakers: Breakers, clock: Clock) -> None:
    for _ in range(3):
        breakers.failure(REF)
    clock.now += 30
    assert breakers.begin(REF)
    breakers.failure(REF, error="timeout")
    assert breakers.state(REF) is State.OPEN
    view = breakers.snapshot()[REF]
    assert view.retry_in == pytest.approx(30) and view.last_error == "timeout"
    clock.now += 30
    assert breakers.state(REF) is State.HALF_OPEN


def test_probe_without_verdict_is_released(breakers: Breakers, clock: Clock) -> None:
    for _ in range(3):
        breakers.failure(REF)
    clock.now += 30
    assert breakers.begin(REF)
    breakers.release(REF)  # e.g. the user cancelled the probe turn
    assert breakers.state(REF) is State.HALF_OPEN
    assert breakers.begin(REF)


def test_lost_probe_is_forgotten_after_a_cooldown(breakers: Breakers, clock: Clock) -> None:
    for _ in range(3):
        breakers.failure(REF)
    clock.now += 30
    assert breakers.begin(REF)
    clock.now += 10
    assert not breakers.begin(REF)
    clock.now += 25
    assert breakers.begin(REF)


def test_long_retry_after_keeps_circuit_open_longer(breakers: Breakers, clock: Clock) -> None:
    for _ in range(3):
        breakers.failure(REF, error="rate_limited", retry_after=90)
    clock.now += 60
    assert breakers.state(REF) is State.OPEN
    clock.now += 30
    assert breakers.state(REF) is State.HALF_OPEN


def test_circuits_are_per_model(breakers: Breakers) -> None:
    other = "ollama:qwen2.5:7b"
    for _ in range(3):
        breakers.failure(REF)
    assert breakers.blocked() == frozenset({REF})
    assert breakers.state(other) is State.CLOSED and breakers.begin(other)


def test_state_changes_reported_to_hook(clock: Clock) -> None:
    seen: list[tuple[str, State]] = []
    b = Breakers(failure_threshold=1, cooldown=5, clock=clock, on_change=lambda ref, s: seen.append((ref, s)))
    b.failure(REF)
    clock.now += 5
    b.begin(REF)
    b.success(REF)
    assert seen == [(REF, State.OPEN), (REF, State.HALF_OPEN), (REF, State.CLOSED)]


def test_describe_for_humans(breakers: Breakers, clock: Clock) -> None:
    for _ in range(3):
        breakers.failure(REF)
    assert "open" in breakers.snapshot()[REF].describe() and "30 s" in breakers.snapshot()[REF].describe()
    clock.now += 31
    assert "half-open" in breakers.snapshot()[REF].describe()


@pytest.mark.parametrize(("threshold", "cooldown"), [(0, 30), (3, 0)])
def test_bad_settings_refused(threshold: int, cooldown: float) -> None:
    with pytest.raises(ValueError):
        Breakers(failure_threshold=threshold, cooldown=cooldown)
