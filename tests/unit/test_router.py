"""Router v1: every precedence case, table-driven."""

from __future__ import annotations

import pytest

from bot.providers.base import ModelInfo
from bot.router import RouteRequest, explain, route, short_reasons

LLAMA = ModelInfo("ollama", "llama3.2:3b", "local", 8192, tools=True)
QWEN = ModelInfo("ollama", "qwen2.5:7b", "local", 32768, tools=True)
SMOL = ModelInfo("embedded", "smollm2", "local", 2048)
MINI = ModelInfo("openai", "gpt-4o-mini", "cloud", 128000, tools=True)
GPT4O = ModelInfo("openai", "gpt-4o", "cloud", 128000, tools=True)
ALL = (LLAMA, QWEN, SMOL, MINI, GPT4O)


def req(**kw) -> RouteRequest:
    return RouteRequest(**{"models": ALL, **kw})


CASES = [
    # id, request, expected model ref (None = refusal), reasons that must be present
    ("simple-local", req(complexity=0.1), LLAMA.ref, {"simple"}),
    ("complex-cloud", req(complexity=0.9), MINI.ref, {"complex"}),
    ("threshold-inclusive", req(complexity=0.6, threshold=0.6), MINI.ref, {"complex"}),
    ("prefer-cloud", req(prefer_local=False, complexity=0.0), MINI.ref, {"prefer-cloud"}),
    ("dm-complex-stays-local", req(private_conversation=True, complexity=0.99), LLAMA.ref, {"private-conversation"}),
    ("local-only-channel", req(privacy_level="local-only", complexity=0.99), LLAMA.ref, {"channel-local-only"}),
    ("sensitive-standard", req(sensitive=True, complexity=0.99), LLAMA.ref, {"sensitive-content"}),
    ("personal-in-cloud-ok", req(privacy_level="cloud-ok", sensitive=True, complexity=0.99), MINI.ref, {"complex"}),
    (
        "secret-in-cloud-ok",
        req(privacy_level="cloud-ok", sensitive=True, secret=True, complexity=0.99),
        LLAMA.ref,
        {"secret-content"},
    ),
    ("sticky", req(sticky_private=True, complexity=0.99), LLAMA.ref, {"sticky-private"}),
    ("pin-cloud-model", req(model_setting=GPT4O.ref), GPT4O.ref, {"pinned"}),
    ("pin-local-model", req(model_setting=QWEN.ref, complexity=0.99), QWEN.ref, {"pinned"}),
    (
        "pin-cloud-overridden-by-secret",
        req(model_setting=GPT4O.ref, sensitive=True, secret=True),
        LLAMA.ref,
        {"pin-overridden-by-privacy", "secret-content"},
    ),
    (
        "pin-cloud-overridden-in-dm",
        req(model_setting="cloud", private_conversation=True),
        LLAMA.ref,
        {"pin-overridden-by-privacy"},
    ),
    ("pin-mode-cloud", req(model_setting="cloud", complexity=0.0), MINI.ref, {"pinned-cloud"}),
    ("pin-mode-local", req(model_setting="local", complexity=0.99), LLAMA.ref, {"pinned-local"}),
    ("pin-beats-agent", req(model_setting="local", agent_route="cloud"), LLAMA.ref, {"pinned-local"}),
    ("agent-cloud", req(agent_route="cloud", complexity=0.0), MINI.ref, {"agent-prefers-cloud"}),
    ("agent-local", req(agent_route="local", complexity=0.99), LLAMA.ref, {"agent-prefers-local"}),
    ("privacy-beats-agent", req(agent_route="cloud", sensitive=True), LLAMA.ref, {"sensitive-content"}),
    ("budget", req(complexity=0.99, budget_exhausted=True), LLAMA.ref, {"budget-exhausted"}),
    ("preferred-local", req(preferred_local=QWEN.ref), QWEN.ref, {"simple"}),
    ("preferred-cloud", req(preferred_cloud=GPT4O.ref, complexity=0.9), GPT4O.ref, {"complex"}),
    ("unhealthy-local-fallback-same-locality", req(unhealthy=frozenset({LLAMA.ref})), QWEN.ref, {"fallback-unhealthy"}),
    ("embedded-last-resort", req(unhealthy=frozenset({LLAMA.ref, QWEN.ref})), SMOL.ref, {"fallback-unhealthy"}),
    ("no-local-then-cloud-when-allowed", req(models=(MINI,), complexity=0.0), MINI.ref, {"no-local-model"}),
    ("no-local-private-refused", req(models=(MINI, GPT4O), private_conversation=True), None, {"no-local-model"}),
    (
        "all-local-down-secret-refused",
        req(unhealthy=frozenset({LLAMA.ref, QWEN.ref, SMOL.ref}), sensitive=True, secret=True),
        None,
        {"no-local-model", "secret-content"},
    ),
    ("pin-local-mode-never-cloud", req(models=(MINI,), model_setting="local"), None, {"no-local-model"}),
    ("no-cloud-falls-back-local", req(models=(LLAMA,), complexity=0.99), LLAMA.ref, {"no-cloud-model"}),
    (
        "cloud-down-falls-back-local",
        req(complexity=0.99, unhealthy=frozenset({MINI.ref, GPT4O.ref})),
        LLAMA.ref,
        {"no-cloud-model"},
    ),
    ("pin-missing-model", req(model_setting="openai:gone", complexity=0.0), LLAMA.ref, {"pin-unavailable"}),
    (
        "pin-unhealthy-cloud-model",
        req(model_setting=GPT4O.ref, unhealthy=frozenset({GPT4O.ref})),
        MINI.ref,
        {"pin-unavailable"},
    ),
    ("tools-needed-skips-embedded", req(models=(SMOL, LLAMA), needs_tools=True), LLAMA.ref, {"tools-needed"}),
    ("nothing-at-all", req(models=()), None, {"no-local-model"}),
]


@pytest.mark.parametrize(("request_", "expected", "reasons"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_route(request_: RouteRequest, expected: str | None, reasons: set[str]) -> None:
    decision = route(request_)
    assert (decision.model.ref if decision.model else None) == expected
    assert reasons <= set(decision.reasons), decision.reasons
    if expected is None:
        assert decision.refusal


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_private_never_routes_to_cloud(case) -> None:
    """Whatever else is set, a turn that privacy keeps local is never given a cloud model."""
    decision = route(case[1])
    if decision.must_stay_local:
        assert decision.model is None or decision.model.locality == "local"


def test_refusal_says_what_to_do() -> None:
    decision = route(req(models=(MINI,), private_conversation=True))
    assert "nothing was sent to the cloud" in decision.refusal
    assert "doctor" in decision.refusal


def test_override_notice_is_given() -> None:
    decision = route(req(model_setting=GPT4O.ref, sensitive=True))
    assert decision.notices and "local" in decision.notices[0]


def test_reasons_explained_in_words() -> None:
    decision = route(req(sensitive=True))
    words = explain(decision.reasons)
    assert all(" " in w for w in words)
    assert "sensitive" in short_reasons(decision.reasons)
