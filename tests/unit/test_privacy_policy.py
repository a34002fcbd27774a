"""Privacy policy in pure code: the redact level in the router, words for every reason, the budget."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from bot.budget import budget_state, price_for
from bot.messages import footer
from bot.providers.base import ModelInfo
from bot.redact import redact_text, redacted_history
from bot.router import REASONS, SHORT, RouteRequest, explain, route, short_reasons
from bot.store import StoredMessage

LLAMA = ModelInfo("ollama", "llama3.2:3b", "local", 8192, tools=True)
MINI = ModelInfo("openai", "gpt-4o-mini", "cloud", 128000, tools=True)
ALL = (LLAMA, MINI)
SMOL = ModelInfo("embedded", "smollm2", "local", 2048, tools=False)  # no native tool calling
AWS_KEY = "AKIA" + "ZQ4RT7WX2LPN8KJD"  # format-valid, not a real key


def req(**kw) -> RouteRequest:
    return RouteRequest(**{"models": ALL, **kw})


@pytest.mark.parametrize(
    ("request_", "expected", "present", "absent"),
    [
        (req(privacy_level="redact", sensitive=True, complexity=0.9), MINI, {"redacted-for-cloud", "complex"}, set()),
        (
            req(privacy_level="redact", sensitive=True, secret=True, complexity=0.9),
            MINI,
            {"redacted-for-cloud"},
            {"secret-content"},
        ),
        (req(privacy_level="redact", sensitive=True, complexity=0.1), LLAMA, {"simple"}, {"redacted-for-cloud"}),
        (req(privacy_level="redact", sensitive=False, complexity=0.9), MINI, {"complex"}, {"redacted-for-cloud"}),
        (
            req(privacy_level="redact", sensitive=True, model_setting=MINI.ref),
            MINI,
            {"pinned", "redacted-for-cloud"},
            set(),
        ),
        # Privacy above redact: a DM, a sticky conversation and /model local stay local.
        (
            req(privacy_level="redact", private_conversation=True, sensitive=True, model_setting="cloud"),
            LLAMA,
            {"private-conversation", "pin-overridden-by-privacy"},
            {"redacted-for-cloud"},
        ),
        (
            req(privacy_level="redact", sticky_private=True, sensitive=True, complexity=0.9),
            LLAMA,
            {"sticky-private"},
            set(),
        ),
        (
            req(privacy_level="redact", sensitive=True, model_setting="local", complexity=0.9),
            LLAMA,
            {"pinned-local"},
            set(),
        ),
    ],
    ids=["complex", "secret", "simple-local", "nothing-to-redact", "pinned-cloud", "dm", "sticky", "pinned-local"],
)
def test_redact_level_routing(request_: RouteRequest, expected: ModelInfo, present: set, absent: set) -> None:
    decision = route(request_)
    assert decision.model == expected
    assert present <= set(decision.reasons), decision.reasons
    assert not absent & set(decision.reasons), decision.reasons


def test_redact_level_with_cloud_down_falls_back_local_without_redaction_reason() -> None:
    decision = route(req(privacy_level="redact", sensitive=True, complexity=0.9, unhealthy=frozenset({MINI.ref})))
    assert decision.model == LLAMA and "redacted-for-cloud" not in decision.reasons


def _every_reason_code() -> set[str]:
    """Every code the router emits, found by sweeping the request space."""
    codes: set[str] = set()
    fields = itertools.product(
        ("local-only", "standard", "redact", "cloud-ok"),
        (False, True),  # private conversation
        (False, True),  # sticky
        (False, True),  # sensitive
        (False, True),  # secret
        ("auto", "local", "cloud", MINI.ref, LLAMA.ref, "gone:model"),
        ("auto", "local", "cloud"),  # agent route
        (False, True),  # needs tools
        (False, True),  # budget exhausted
        (0.1, 0.9),
        (True, False),  # prefer local
        ((), (LLAMA,), (MINI,), ALL, (SMOL, LLAMA)),  # SMOL first: tool support changes the choice
        (frozenset(), frozenset({LLAMA.ref}), frozenset({MINI.ref})),
    )
    for level, dm, sticky, sens, secret, setting, agent, tools, spent, cx, pl, models, bad in fields:
        decision = route(
            RouteRequest(
                privacy_level=level,
                private_conversation=dm,
                sticky_private=sticky,
                sensitive=sens or secret,
                secret=secret,
                model_setting=setting,
                agent_route=agent,
                needs_tools=tools,
                budget_exhausted=spent,
                complexity=cx,
                prefer_local=pl,
                models=models,
                unhealthy=bad,
            )
        )
        codes.update(decision.reasons)
    return codes


@pytest.mark.slow
def test_every_reason_code_has_plain_words_and_a_short_form() -> None:
    codes = _every_reason_code()
    assert {"redacted-for-cloud", "pin-unavailable", "tools-needed", "no-local-model", "budget-exhausted"} <= codes
    assert codes <= set(REASONS), codes - set(REASONS)
    assert codes <= set(SHORT), codes - set(SHORT)
    for code in codes:
        assert explain([code]) != [code] and " " in REASONS[code]
        assert SHORT[code] and "-" not in SHORT[code].replace("local-only", "")


def test_footer_shows_lock_and_short_privacy_reason() -> None:
    decision = route(req(sensitive=True, complexity=0.9))
    line = footer(locality="local", provider="ollama", model="llama3.2:3b", agent="general", reasons=decision.reasons)
    assert line.startswith("🔒 local") and "sensitive content" in line
    redacted = route(req(privacy_level="redact", sensitive=True, complexity=0.9))
    assert "sensitive parts redacted" in short_reasons(redacted.reasons)


def test_redact_text_keeps_kinds_not_values() -> None:
    text, kinds = redact_text(f"key {AWS_KEY}, mail jane.doe@acme-corp.io, see you")
    assert text == "key [REDACTED:aws_access_key], mail [REDACTED:email], see you"
    assert kinds == ["aws_access_key", "email"]
    assert redact_text("nothing here") == ("nothing here", [])


def test_redacted_history_releases_only_what_it_could_redact() -> None:
    history = [
        StoredMessage(1, "user", "U1", "ann", f"use {AWS_KEY}", True),
        StoredMessage(2, "user", "U1", "ann", "marked sensitive, nothing to find", True),
        StoredMessage(3, "user", "U1", "ann", "write to jane.doe@acme-corp.io", False),
        StoredMessage(4, "assistant", "", "general", "sure", False),
    ]
    out = list(redacted_history(history))
    assert [(m.content, m.sensitive) for m in out] == [
        ("use [REDACTED:aws_access_key]", False),
        ("marked sensitive, nothing to find", True),  # withheld by the context builder
        ("write to [REDACTED:email]", False),
        ("sure", False),
    ]


@dataclass
class Price:
    input: float
    output: float


def _row(model: str, locality: str, prompt: int, completion: int) -> dict:
    provider = "openai" if locality == "cloud" else "ollama"
    return {
        "provider": provider,
        "model": model,
        "locality": locality,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
    }


def test_budget_prices_by_model_with_fallbacks() -> None:
    prices = {"openai:gpt-4o": Price(2.5, 10.0), "gpt-4o-mini": Price(0.15, 0.6), "*": Price(1.0, 1.0)}
    assert price_for(prices, "openai", "gpt-4o") == Price(2.5, 10.0)
    assert price_for(prices, "openai", "gpt-4o-mini") == Price(0.15, 0.6)
    assert price_for(prices, "other", "x") == Price(1.0, 1.0)
    assert price_for({}, "openai", "gpt-4o") is None
    rows = [
        _row("gpt-4o", "cloud", 1000, 500),
        _row("gpt-4o-mini", "cloud", 2000, 1000),
        _row("llama", "local", 10**6, 10**6),
    ]
    state = budget_state(rows, prices, token_budget=0, money_budget=10.0)
    assert state.tokens == 4500  # local usage never counts
    assert state.cost == pytest.approx(2.5 + 5.0 + 0.3 + 0.6)
    assert not state.exhausted and "8.40 of 10.00 USD (available)" in state.describe()
    assert budget_state(rows, prices, token_budget=0, money_budget=8.4).exhausted


def test_budget_tokens_money_and_unpriced_models() -> None:
    rows = [_row("gpt-4o", "cloud", 600, 400)]
    assert budget_state(rows, {}, token_budget=1000, money_budget=0).exhausted
    assert not budget_state(rows, {}, token_budget=1001, money_budget=0).exhausted
    state = budget_state(rows, {}, token_budget=5000, money_budget=1.0, currency="EUR")
    assert state.unpriced_models == ("openai:gpt-4o",) and state.cost == 0
    assert "No price for openai:gpt-4o" in state.describe() and "EUR" in state.describe()
