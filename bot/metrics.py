"""Prometheus figures for `/metrics`, on a registry of their own (one per engine, so tests can build many).

The engine records each finished turn with one call (`turn_finished`); other parts set what they own:

    engine.metrics.queue_depth.set(3, endpoint="ollama")       # turns waiting for a local endpoint
    engine.metrics.set_circuit("ollama", "llama3.2:3b", "open")  # closed | half-open | open
    engine.metrics.met_429("openai")                             # a 429 answer from a provider or platform
    engine.metrics.turn_rejected("rate_limited")                 # a turn refused before any model call
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from bot.catalog import ProviderStatus
    from bot.providers.base import ProviderError
    from bot.store import TurnRecord

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

ROUTE_LABELS = ("locality", "provider", "model")
CIRCUIT_STATES = {"closed": 0, "half-open": 1, "half_open": 1, "open": 2}
TIME_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120, float("inf"))


class LabelledGauge:
    """A gauge with one label that also takes `.set(n)` without it (the label is then `default`)."""

    def __init__(self, gauge: Gauge, label: str, default: str) -> None:
        self.gauge, self.label, self.default = gauge, label, default

    def labels(self, value: str) -> Any:
        return self.gauge.labels(**{self.label: value})

    def set(self, value: float, **label: str) -> None:
        self.labels(label.get(self.label, self.default)).set(value)

    def inc(self, amount: float = 1, **label: str) -> None:
        self.labels(label.get(self.label, self.default)).inc(amount)

    def dec(self, amount: float = 1, **label: str) -> None:
        self.labels(label.get(self.label, self.default)).dec(amount)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.turns = Counter(
            "hybridbot_turns", "Finished turns by route and outcome", [*ROUTE_LABELS, "outcome"], registry=r
        )
        self.rejected = Counter(
            "hybridbot_turns_rejected", "Turns refused before any model call, by reason", ["reason"], registry=r
        )
        self.first_token = Histogram(
            "hybridbot_time_to_first_token_seconds",
            "From the turn's start to the first streamed text",
            ROUTE_LABELS,
            buckets=TIME_BUCKETS,
            registry=r,
        )
        self.latency = Histogram(
            "hybridbot_turn_latency_seconds",
            "From the turn's start to the end of its answer",
            ROUTE_LABELS,
            buckets=TIME_BUCKETS,
            registry=r,
        )
        self.tokens = Counter("hybridbot_tokens", "Tokens used", [*ROUTE_LABELS, "kind"], registry=r)
        self.feedback_votes = Counter("hybridbot_feedback", "Feedback on answers", ["rating"], registry=r)
        self.queue_depth = LabelledGauge(
            Gauge("hybridbot_queue_depth", "Turns waiting for a model endpoint", ["endpoint"], registry=r),
            "endpoint",
            "all",
        )
        self.provider_up = Gauge(
            "hybridbot_provider_up",
            "1 when the provider's last health check passed",
            ["provider", "locality"],
            registry=r,
        )
        self.provider_models = Gauge(
            "hybridbot_provider_models", "Models listed by the provider", ["provider", "locality"], registry=r
        )
        self.circuit_state = Gauge(
            "hybridbot_circuit_state",
            "Circuit breaker: 0 closed, 1 half-open, 2 open",
            ["provider", "model"],
            registry=r,
        )
        self.upstream_429 = Counter(
            "hybridbot_upstream_429",
            "HTTP 429 (rate limited) answers met, by provider or platform",
            ["source"],
            registry=r,
        )
        self.provider_errors = Counter(
            "hybridbot_provider_errors", "Provider failures seen by the engine", ["provider", "kind"], registry=r
        )

    # --- recording -------------------------------------------------------------

    def turn_finished(self, record: TurnRecord | None) -> None:
        """One finished turn, from its stored record (route, outcome, timings, tokens)."""
        if record is None:
            return
        route = (record.locality or "none", record.provider or "none", record.model or "none")
        self.turns.labels(*route, record.status).inc()
        if record.first_token_ms is not None:
            self.first_token.labels(*route).observe(record.first_token_ms / 1000)
        if record.latency_ms is not None:
            self.latency.labels(*route).observe(record.latency_ms / 1000)
        if record.prompt_tokens:
            self.tokens.labels(*route, "prompt").inc(record.prompt_tokens)
        if record.completion_tokens:
            self.tokens.labels(*route, "completion").inc(record.completion_tokens)

    def turn_rejected(self, reason: str) -> None:
        self.rejected.labels(reason).inc()

    def feedback(self, value: int) -> None:
        self.feedback_votes.labels({1: "up", -1: "down"}.get(value, "cleared")).inc()

    def provider_error(self, error: ProviderError) -> None:
        self.provider_errors.labels(error.provider or "unknown", str(error.kind)).inc()
        if error.status == 429 or str(error.kind) == "rate_limited":
            self.met_429(error.provider or "unknown")

    def met_429(self, source: str) -> None:
        self.upstream_429.labels(source).inc()

    def observe_queue(self, endpoint: str, depth: int) -> None:
        self.queue_depth.set(depth, endpoint=endpoint)

    def set_circuit(self, provider: str, model: str, state: str) -> None:
        self.circuit_state.labels(provider, model).set(CIRCUIT_STATES.get(state, -1))  # -1: unknown

    def observe_providers(self, statuses: Iterable[ProviderStatus]) -> None:
        for status in statuses:
            self.provider_up.labels(status.name, status.locality).set(1 if status.healthy else 0)
            self.provider_models.labels(status.name, status.locality).set(len(status.models))

    # --- exposition ------------------------------------------------------------

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def value(self, name: str, **labels: str) -> float:
        """A sample's current value (0 when absent), for tests and the doctor."""
        found = self.registry.get_sample_value(name, labels)
        return found or 0.0
