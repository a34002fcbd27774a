"""Circuit breakers, one per model (``provider:model``): a pure state machine with an injectable clock.

closed ──N consecutive failures──▶ open ──cool-down over──▶ half-open ──probe succeeds──▶ closed
                                     ▲                          │
                                     └──────probe fails─────────┘

- closed: the model is used normally; failures are counted, a success resets the count.
- open: the router avoids the model (it is in ``blocked()``) until the cool-down ends. A failure that
  came with a Retry-After longer than the cool-down keeps the circuit open that long.
- half-open: exactly one turn (the probe) may use the model; others still avoid it. The probe's
  outcome closes or re-opens the circuit. A probe that ends without a verdict (cancelled, or an
  error that says nothing about health) is released; a probe that never reports back is forgotten
  after one cool-down, so a lost probe cannot block a model for ever.

No I/O, no asyncio: the engine reports outcomes, the catalog asks what to avoid.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass


class State(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass
class _Circuit:
    state: State = State.CLOSED
    failures: int = 0  # consecutive
    open_until: float = 0.0
    probe_since: float | None = None  # a half-open probe is in flight since then
    last_error: str = ""


@dataclass(frozen=True)
class CircuitView:
    """What `hybridbot models`, doctor and metrics show for one circuit."""

    ref: str
    state: State
    failures: int
    retry_in: float  # seconds until an open circuit lets a probe through (0 otherwise)
    last_error: str

    def describe(self) -> str:
        if self.state is State.OPEN:
            return f"circuit open ({self.failures} failures; probe in {self.retry_in:.0f} s)"
        if self.state is State.HALF_OPEN:
            return "circuit half-open (probing)"
        return "circuit closed" + (f" ({self.failures} recent failures)" if self.failures else "")


class Breakers:
    """All circuits; a model never seen is closed."""

    def __init__(
        self,
        *,
        failure_threshold: int = 3,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[str, State], None] | None = None,
    ) -> None:
        if failure_threshold < 1 or cooldown <= 0:
            raise ValueError("failure_threshold must be >= 1 and cooldown > 0")
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self.clock = clock
        self._circuits: dict[str, _Circuit] = {}
        self.on_change = on_change  # hook for metrics: (ref, new state)

    # --- queries ---------------------------------------------------------------

    def state(self, ref: str) -> State:
        circuit = self._circuits.get(ref)
        if circuit is None:
            return State.CLOSED
        self._advance(ref, circuit)
        return circuit.state

    def blocked(self) -> frozenset[str]:
        """Models the router must avoid now: open circuits, and half-open ones whose probe is out."""
        out = set()
        for ref, circuit in self._circuits.items():
            self._advance(ref, circuit)
            if circuit.state is State.OPEN or (circuit.state is State.HALF_OPEN and circuit.probe_since is not None):
                out.add(ref)
        return frozenset(out)

    def snapshot(self) -> dict[str, CircuitView]:
        now = self.clock()
        views = {}
        for ref, circuit in sorted(self._circuits.items()):
            self._advance(ref, circuit)
            retry_in = max(0.0, circuit.open_until - now) if circuit.state is State.OPEN else 0.0
            views[ref] = CircuitView(ref, circuit.state, circuit.failures, retry_in, circuit.last_error)
        return views

    # --- outcomes --------------------------------------------------------------

    def begin(self, ref: str) -> bool:
        """A turn is about to use this model. False when it must not (open, or a probe is already out).

        In half-open this claims the single probe; report its outcome with success/failure/release.
        """
        circuit = self._circuits.get(ref)
        if circuit is None:
            return True
        self._advance(ref, circuit)
        if circuit.state is State.OPEN:
            return False
        if circuit.state is State.HALF_OPEN:
            if circuit.probe_since is not None:
                return False
            circuit.probe_since = self.clock()
        return True

    def success(self, ref: str) -> None:
        circuit = self._circuits.get(ref)
        if circuit is None:
            return
        circuit.failures, circuit.probe_since, circuit.last_error = 0, None, ""
        self._set(ref, circuit, State.CLOSED)

    def failure(self, ref: str, *, error: str = "", retry_after: float | None = None) -> None:
        circuit = self._circuits.setdefault(ref, _Circuit())
        self._advance(ref, circuit)
        circuit.failures += 1
        circuit.last_error = error
        probe_failed = circuit.state is State.HALF_OPEN
        if probe_failed or (circuit.state is State.CLOSED and circuit.failures >= self.failure_threshold):
            circuit.probe_since = None
            circuit.open_until = self.clock() + max(self.cooldown, retry_after or 0.0)
            self._set(ref, circuit, State.OPEN)

    def release(self, ref: str) -> None:
        """The turn using this model ended without a verdict on its health: free a claimed probe."""
        circuit = self._circuits.get(ref)
        if circuit is not None:
            circuit.probe_since = None

    # --- internals -------------------------------------------------------------

    def _advance(self, ref: str, circuit: _Circuit) -> None:
        now = self.clock()
        if circuit.state is State.OPEN and now >= circuit.open_until:
            circuit.probe_since = None
            self._set(ref, circuit, State.HALF_OPEN)
        elif circuit.probe_since is not None and now - circuit.probe_since >= self.cooldown:
            circuit.probe_since = None  # the probe never reported back; let another turn try

    def _set(self, ref: str, circuit: _Circuit, state: State) -> None:
        if circuit.state is not state:
            circuit.state = state
            if self.on_change is not None:
                self.on_change(ref, state)
