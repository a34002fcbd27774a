"""An optional second opinion from a local model on borderline difficulty scores (issue 16 item 4).

With ``routing.judge = "local"``, a turn whose learned score lies within ``routing.judge_band`` of
the threshold is shown to a *local* model with a short fixed prompt asking whether it needs a
stronger model. The answer (one word) moves the score to the side it names; no answer within
``routing.judge_timeout`` seconds, an error, or an answer that is neither word leaves the learned
score to decide. Only local models judge, and turns that privacy keeps local are never judged
(nothing could change for them). Self-contained: a privacy judge elsewhere could share
``ask_local`` later.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

from bot.difficulty import Assessment
from bot.providers.base import ChatMessage, ModelInfo, Provider, ProviderError, TextDelta
from bot.summary import require_local

JUDGE_INSTRUCTIONS = (
    "You triage requests sent to a team chat assistant. Reply with exactly one word.\n"
    "CLOUD: answering well needs a large model - multi-step reasoning, non-trivial maths, substantial "
    "code, careful analysis, or legal, medical or tax nuance.\n"
    "LOCAL: a small model answers it well - chit-chat, simple facts, rewording, short translations, "
    "small code edits."
)
MAX_REQUEST_CHARS = 2000
_VERDICT = re.compile(r"\b(cloud|local)\b", re.IGNORECASE)


def judge_prompt(text: str) -> list[ChatMessage]:
    request = text[:MAX_REQUEST_CHARS]
    return [
        ChatMessage("system", JUDGE_INSTRUCTIONS),
        ChatMessage("user", f"Request:\n<<<\n{request}\n>>>\nOne word, CLOUD or LOCAL:"),
    ]


def parse_verdict(answer: str) -> bool | None:
    """True = needs the cloud, False = local is fine, None = no clear answer."""
    found = {m.lower() for m in _VERDICT.findall(answer[:200])}
    if len(found) != 1:
        return None
    return found == {"cloud"}


def borderline(assessed: Assessment, band: float) -> bool:
    return abs(assessed.score - assessed.threshold) <= band and not assessed.escalated


async def ask_local(provider: Provider, model: ModelInfo, messages: list[ChatMessage], *, seconds: float) -> str | None:
    """A short answer from a local model, or None on timeout or failure."""
    require_local(model, "routing judgements")
    parts: list[str] = []
    try:
        async with asyncio.timeout(seconds):
            async for event in provider.stream_chat(model.name, messages, temperature=0.0, max_tokens=4):
                if isinstance(event, TextDelta):
                    parts.append(event.text)
    except (TimeoutError, ProviderError):
        return None
    return "".join(parts)


async def second_opinion(
    assessed: Assessment, text: str, provider: Provider, model: ModelInfo, *, seconds: float
) -> Assessment:
    """The assessment after the judge: score moved past the threshold it names, or unchanged."""
    answer = await ask_local(provider, model, judge_prompt(text), seconds=seconds)
    verdict = parse_verdict(answer) if answer is not None else None
    if verdict is None:
        return replace(assessed, judged="timeout" if answer is None else "unclear")
    if verdict:
        return replace(assessed, score=max(assessed.score, assessed.threshold), judged="cloud")
    below = max(0.0, min(assessed.score, assessed.threshold - 1e-4))
    return replace(assessed, score=below, judged="local", inherited=False)
