"""Issue 16 item 6: nothing in difficulty routing moves a private turn to the cloud (property test).

Whatever the message, the turn before it, its feedback, the operator's threshold or target share
and the user's /model setting, a turn that privacy keeps local is routed to a local model or
refused — never to a cloud model.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import RoutingConfig
from bot.difficulty import PreviousTurn, assess
from bot.providers.base import ModelInfo
from bot.router import RouteRequest, privacy_reasons, route

LOCAL = ModelInfo("ollama", "llama3.2:3b", "local", 8192, tools=True)
CLOUD = ModelInfo("openai", "gpt-4o", "cloud", 128000, tools=True)

texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["and the second one?", "prove that sqrt(2) is irrational", "try again", "1000! trailing zeros?"]),
)
previous_turns = st.one_of(
    st.none(), st.builds(PreviousTurn, texts, st.sampled_from(["local", "cloud", ""]), st.booleans())
)
configs = st.one_of(
    st.builds(RoutingConfig),
    st.builds(RoutingConfig, threshold=st.floats(0, 1)),
    st.builds(RoutingConfig, target_cloud_share=st.floats(0.01, 0.99)),
    st.builds(RoutingConfig, scorer=st.just("heuristic"), complexity_threshold=st.floats(0, 1)),
)
# Privacy situations that must keep a turn local (at least one applies).
private_situations = st.fixed_dictionaries(
    {
        "privacy_level": st.sampled_from(["local-only", "standard", "redact", "cloud-ok"]),
        "private_conversation": st.booleans(),
        "sticky_private": st.booleans(),
        "sensitive": st.booleans(),
        "secret": st.booleans(),
    }
).filter(lambda s: bool(privacy_reasons(RouteRequest(**s))))


@settings(max_examples=300, deadline=None)
@given(
    text=texts,
    previous=previous_turns,
    config=configs,
    situation=private_situations,
    model_setting=st.sampled_from(["auto", "local", "cloud", CLOUD.ref, LOCAL.ref]),
    agent_route=st.sampled_from(["auto", "local", "cloud"]),
    local_up=st.booleans(),
)
@pytest.mark.slow
def test_private_turn_never_routes_to_cloud(
    text, previous, config, situation, model_setting, agent_route, local_up
) -> None:
    assessed = assess(text, config, previous)
    request = RouteRequest(
        **situation,
        model_setting=model_setting,
        agent_route=agent_route,
        complexity=assessed.score,
        threshold=assessed.threshold,
        inherited=assessed.inherited,
        escalated=assessed.escalated,
        models=(LOCAL, CLOUD) if local_up else (CLOUD,),
    )
    decision = route(request)
    assert decision.must_stay_local
    assert decision.model is None or decision.model.locality == "local"
    assert decision.model is not None or decision.refusal
