"""`ask_agent`: a coordinator agent consults another agent as a tool.

Each consultation is routed by the same privacy rules as a turn: the question is scanned, the turn's
privacy (a private turn, the conversation's level and stickiness) carries over, and the consulted agent's
route preference counts only where privacy allows. The consulted agent sees only the question (no history)
and gets no tools, so consultations never nest (depth 1); a turn may make at most `MAX_CONSULTATIONS`.
The answer comes back as a tool result, privacy-scanned like any other before it enters a prompt.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.model_step import open_stream
from bot.providers.base import ChatMessage, ModelInfo, TextDelta
from bot.router import RouteRequest, route
from bot.tools.base import CALL_CONTEXT, CallContext, Tool

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger("hybridbot.tools")

MAX_CONSULTATIONS = 3  # per turn
ANSWER_CHARS = 4000
PARAMETERS = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "the agent to ask, e.g. code, research, writer"},
        "question": {"type": "string", "minLength": 1, "maxLength": 4000},
    },
    "required": ["name", "question"],
    "additionalProperties": False,
}


def make_ask_agent_tool(engine: Engine) -> Tool:
    asked: Counter[int] = Counter()  # consultations per turn id

    async def run(args: dict[str, Any]) -> str:
        ctx = CALL_CONTEXT.get()
        if ctx is None:
            raise RuntimeError("ask_agent runs only inside a turn")
        agent = engine.agents.get(args["name"])
        if agent is None or agent.name == "coordinator":
            raise ValueError(f"no agent named {args['name']!r}; agents: {', '.join(engine.agents.names())}")
        if asked[ctx.turn_id] >= MAX_CONSULTATIONS:
            raise ValueError(f"this answer already consulted {MAX_CONSULTATIONS} agents; answer with what you have")
        if len(asked) > 1000:  # forget old turns' counts
            asked.clear()
        asked[ctx.turn_id] += 1
        model = await _route(engine, ctx, args["question"], agent.route)
        if model is None:
            raise RuntimeError("no model may answer this consultation now (privacy keeps it local; none is up)")
        log.info("turn %s consults agent %s on %s (%s)", ctx.turn_id, agent.name, model.ref, model.locality)
        messages = [ChatMessage("system", agent.instructions), ChatMessage("user", args["question"])]
        parts: list[str] = []
        events = open_stream(engine, model, messages, agent)
        try:
            async for event in events:
                if isinstance(event, TextDelta):
                    parts.append(event.text)
        finally:
            await events.aclose()  # type: ignore[attr-defined]
        return f"{agent.name} ({model.locality}) answered: " + "".join(parts)[:ANSWER_CHARS]

    return Tool(
        name="ask_agent",
        description="Ask another agent (a specialist) one question and get its answer.",
        parameters=PARAMETERS,
        run=run,
        timeout=120.0,
        output_cap=ANSWER_CHARS + 200,
    )


async def _route(engine: Engine, ctx: CallContext, question: str, agent_route: str) -> ModelInfo | None:
    """The consultation's model, by the turn's privacy and the question's own findings."""
    from bot import privacy

    findings = privacy.scan(question)
    conv = engine.store.conversation_of_turn(ctx.turn_id)
    level = engine.privacy_level(conv) if conv is not None else "local-only"
    routing = engine.settings.routing
    request = RouteRequest(
        privacy_level=level,
        private_conversation=ctx.private,  # the turn had to stay local: so does every consultation
        sticky_private=bool(conv and conv.sticky_private),
        sensitive=privacy.is_sensitive(findings),
        secret=any(f.category == "secret" for f in findings),
        agent_route=agent_route,
        budget_exhausted=engine.budget_exhausted(ctx.workspace),
        prefer_local=routing.prefer_local,
        preferred_local=routing.local_model,
        preferred_cloud=routing.cloud_model,
    )
    models = tuple(await engine.catalog.models())
    decision = route(replace(request, models=models, unhealthy=engine.catalog.unhealthy()))
    return decision.model
