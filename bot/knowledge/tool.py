"""`search_knowledge`: a tool that searches the collections of the asking turn's agent.

In a turn that may send data out (a cloud model), local-only collections are not searched and standard
passages whose scan would keep a message local are withheld, with a note saying how many. In a local turn
such a passage makes the conversation sticky-local, as it does when retrieved before the model call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.knowledge.grounding import PASSAGE_CHARS, classify_passages
from bot.knowledge.turn_step import passage_scan
from bot.tools.base import CALL_CONTEXT, Tool

if TYPE_CHECKING:
    from bot.engine import Engine

NAME = "search_knowledge"
DESCRIPTION = (
    "Search the team's documents (knowledge collections) for passages that answer a question. "
    "Returns numbered passages with their sources; cite them by number."
)
PARAMETERS = {
    "type": "object",
    "properties": {
        "query": {"type": "string", "description": "what to look for, in words", "minLength": 2, "maxLength": 500}
    },
    "required": ["query"],
    "additionalProperties": False,
}


def search_knowledge_tool(engine: Engine) -> Tool:
    async def run(args: dict[str, Any]) -> str:
        return await search_for_call(engine, str(args["query"]))

    return Tool(
        name=NAME,
        description=DESCRIPTION,
        parameters=PARAMETERS,
        run=run,
        sends_data_out=False,
        changes_things=False,
    )


async def search_for_call(engine: Engine, query: str) -> str:
    call = CALL_CONTEXT.get()
    if call is None:
        return "search_knowledge runs only inside a conversation."
    record = engine.store.turn(call.turn_id)
    agent = engine.agents.get(record.agent) if record and record.agent else None
    conv = engine.store.conversation_of_turn(call.turn_id)
    if agent is None or conv is None or not agent.knowledge:
        return "This agent has no knowledge collections to search."
    knowledge = engine.knowledge
    collections = knowledge.collections_for(agent.knowledge, agent.name, call.channel)
    if not call.private:
        collections = [c for c in collections if c.privacy != "local-only"]
    if not collections:
        return "No knowledge collection can be searched here."
    levels = {c.name: c.privacy for c in collections}
    scan = passage_scan(conv, engine.privacy_level(conv))
    hits = await knowledge.search(query, collections, private=call.private)
    passages = classify_passages(hits, levels, scan)
    shown = [p for p in passages if call.private or not p.keep_local]
    withheld = len(passages) - len(shown)
    if not shown:
        note = f" ({withheld} withheld: they may only be read by a local model)" if withheld else ""
        return f"No passages found for {query!r}{note}."
    knowledge.note_sources(call.turn_id, [p.source for p in shown])
    if any(p.keep_local for p in shown) and not conv.sticky_private:
        # a local model read a passage that must stay local: later turns here stay local too (sticky), so
        # its answer never reaches a cloud prompt as history
        engine.store.mark_sticky_private(conv.id)
    blocks = [f"[{n}] {p.source.cite()}\n{p.hit.text[:PASSAGE_CHARS]}" for n, p in enumerate(shown, start=1)]
    if withheld:
        blocks.append(f"({withheld} more passages withheld: they may only be read by a local model.)")
    return "\n\n".join(blocks)
