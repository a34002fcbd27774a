"""The engine's knowledge steps for a turn: retrieve before routing, cite after answering."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.agents import Agent
from bot.knowledge.grounding import Grounding, Scan, sources_notice
from bot.marks import ConversationFlags, classify
from bot.preferences import effective
from bot.session import SessionKey
from bot.store import Conversation
from bot.turns import TurnResult

if TYPE_CHECKING:
    from bot.engine import Engine


def passage_scan(conv: ConversationFlags, level: str) -> Scan:
    """A standard collection's passage is scanned like a message in this conversation at its level: it keeps
    the turn local when such a message would (or would be sent redacted)."""

    def scan(text: str) -> tuple[bool, list[str]]:
        seen = classify(text, level, conv)
        return seen.keep_local or seen.redactable, seen.kinds

    return scan


async def ground_turn(
    engine: Engine, conv: Conversation, agent: Agent, text: str, key: SessionKey, *, private: bool, user_id: str = ""
) -> Grounding:
    """Passages for the question from the agent's collections searchable here (before routing). `private`: the
    turn must stay local as far as known now (its question is then never embedded by a cloud embedder)."""
    if not agent.knowledge:
        return Grounding()
    knowledge = engine.knowledge
    collections = knowledge.collections_for(agent.knowledge, agent.name, key.channel)
    level = engine.privacy_level(conv)
    private = private or conv.private or conv.sticky_private or level == "local-only"
    private = private or _pinned_local(engine, key, user_id)
    return await knowledge.ground(text, collections, passage_scan(conv, level), private=private)


def cite(engine: Engine, turn_id: int, result: TurnResult) -> TurnResult:
    """The sources the model saw, under the answer (a notice) and in the footer (`📚 2 sources`)."""
    sources = engine.knowledge.take_sources(turn_id)
    if not sources or result.status != "done":
        return result
    route = replace(result.route, sources=len(sources)) if result.route else None
    return replace(result, route=route, notices=[*result.notices, sources_notice(sources)])


def _pinned_local(engine: Engine, key: SessionKey, user_id: str) -> bool:
    """/model set to local or to a local model here: the person asked that their words stay on this machine,
    so a cloud embedder doesn't get the question either."""
    setting = effective(engine.store, key, user_id, "model", engine.settings.routing.default_model).value
    if setting == "local":
        return True
    provider = engine.catalog.providers.get(setting.partition(":")[0]) if ":" in setting else None
    return provider is not None and provider.locality == "local"
