"""Prometheus figures: one registry per Metrics, turn records turned into counters and histograms."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from bot.catalog import ProviderStatus
from bot.metrics import Metrics
from bot.providers.base import ErrorKind, ModelInfo, ProviderError
from bot.store import TurnRecord


def record(**fields: object) -> TurnRecord:
    base = dict(
        id=1, conversation_id=1, user_message_id=1, answer_message_id=2, user_id="U1", status="done",
        provider="ollama", model="llama3.2:3b", locality="local", agent="general", reasons=[], finding_kinds=[],
        prompt_tokens=30, completion_tokens=12, first_token_ms=250.0, latency_ms=1500.0, error="", created_at=0.0,
    )  # fmt: skip
    return TurnRecord(**{**base, **fields})  # type: ignore[arg-type]


ROUTE = {"locality": "local", "provider": "ollama", "model": "llama3.2:3b"}


def test_turn_finished_counts_route_outcome_timings_and_tokens() -> None:
    m = Metrics()
    m.turn_finished(record())
    m.turn_finished(record(status="error", first_token_ms=None, latency_ms=3000.0, completion_tokens=0))
    m.turn_finished(record(status="refused", provider="", model="", locality="", first_token_ms=None, latency_ms=None))
    m.turn_finished(None)
    assert m.value("hybridbot_turns_total", **ROUTE, outcome="done") == 1
    assert m.value("hybridbot_turns_total", **ROUTE, outcome="error") == 1
    assert m.value("hybridbot_turns_total", locality="none", provider="none", model="none", outcome="refused") == 1
    assert m.value("hybridbot_time_to_first_token_seconds_count", **ROUTE) == 1
    assert m.value("hybridbot_time_to_first_token_seconds_sum", **ROUTE) == 0.25
    assert m.value("hybridbot_turn_latency_seconds_count", **ROUTE) == 2
    assert m.value("hybridbot_turn_latency_seconds_bucket", **ROUTE, le="2.0") == 1
    assert m.value("hybridbot_tokens_total", **ROUTE, kind="prompt") == 60
    assert m.value("hybridbot_tokens_total", **ROUTE, kind="completion") == 12


def test_registries_are_separate() -> None:
    a, b = Metrics(), Metrics()
    a.turn_rejected("rate_limited")
    assert a.value("hybridbot_turns_rejected_total", reason="rate_limited") == 1
    assert b.value("hybridbot_turns_rejected_total", reason="rate_limited") == 0


def test_queue_depth_with_and_without_endpoint_label() -> None:
    m = Metrics()
    m.queue_depth.set(3, endpoint="ollama")
    m.queue_depth.inc(endpoint="ollama")
    m.queue_depth.set(2)
    m.observe_queue("embedded", 1)
    assert m.value("hybridbot_queue_depth", endpoint="ollama") == 4
    assert m.value("hybridbot_queue_depth", endpoint="all") == 2
    assert m.value("hybridbot_queue_depth", endpoint="embedded") == 1


def test_feedback_circuit_providers_and_429s() -> None:
    m = Metrics()
    for value in (1, 1, -1, 0):
        m.feedback(value)
    m.set_circuit("ollama", "llama3.2:3b", "open")
    m.set_circuit("openai", "gpt-4o", "half-open")
    m.provider_error(ProviderError(ErrorKind.RATE_LIMITED, "slow down", provider="openai", status=429))
    m.provider_error(ProviderError(ErrorKind.SERVER, "boom", provider="ollama", status=500))
    m.met_429("slack")
    model = ModelInfo("ollama", "llama3.2:3b", "local")
    m.observe_providers(
        [ProviderStatus("ollama", "local", healthy=True, models=[model]), ProviderStatus("openai", "cloud")]
    )
    assert m.value("hybridbot_feedback_total", rating="up") == 2
    assert m.value("hybridbot_feedback_total", rating="down") == 1
    assert m.value("hybridbot_feedback_total", rating="cleared") == 1
    assert m.value("hybridbot_circuit_state", provider="ollama", model="llama3.2:3b") == 2
    assert m.value("hybridbot_circuit_state", provider="openai", model="gpt-4o") == 1
    assert m.value("hybridbot_upstream_429_total", source="openai") == 1
    assert m.value("hybridbot_upstream_429_total", source="slack") == 1
    assert m.value("hybridbot_upstream_429_total", source="ollama") == 0
    assert m.value("hybridbot_provider_errors_total", provider="ollama", kind="server") == 1
    assert m.value("hybridbot_provider_up", provider="ollama", locality="local") == 1
    assert m.value("hybridbot_provider_up", provider="openai", locality="cloud") == 0
    assert m.value("hybridbot_provider_models", provider="ollama", locality="local") == 1


def test_render_is_valid_prometheus_text() -> None:
    m = Metrics()
    m.turn_finished(record())
    families = {f.name: f for f in text_string_to_metric_families(m.render().decode())}
    assert families["hybridbot_turns"].type == "counter"
    assert families["hybridbot_turn_latency_seconds"].type == "histogram"
    assert families["hybridbot_queue_depth"].type == "gauge"
