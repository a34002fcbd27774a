"""The engine's view of knowledge collections: which ones a turn may search, retrieval before the model
call, and the sources each turn used (cited under the answer, listed by /why)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.knowledge.config import CollectionConfig, KnowledgeConfig
from bot.knowledge.grounding import Grounding, Scan, classify_passages, unique_sources
from bot.knowledge.index import Hit, KnowledgeIndex, Source
from bot.knowledge.query import content_words

log = logging.getLogger("hybridbot.knowledge")


class Knowledge:
    def __init__(self, config: KnowledgeConfig, index: KnowledgeIndex) -> None:
        self.config = config
        self.index = index
        self._used: dict[int, list[Source]] = {}  # turn id -> sources shown to its model, until cited

    def collections_for(self, wanted: Sequence[str], agent: str, channel: str) -> list[CollectionConfig]:
        """The configured collections among `wanted` (an agent's `knowledge`) that this agent may search in
        this channel."""
        found = []
        for name in wanted:
            collection = self.config.collection(name)
            if collection is None:
                continue
            if collection.agents and agent not in collection.agents:
                continue
            if collection.channels and channel not in collection.channels:
                continue
            found.append(collection)
        return found

    def search(self, question: str, collections: Sequence[CollectionConfig], limit: int | None = None) -> list[Hit]:
        words = content_words(question)
        hits = self.index.search(words, [c.name for c in collections], limit or self.config.top_k)
        return [h for h in hits if h.score >= self.config.min_score]

    def ground(self, question: str, collections: Sequence[CollectionConfig], scan: Scan) -> Grounding:
        """Retrieval before the model call (empty when `auto_retrieve = "off"` or nothing matched)."""
        if self.config.auto_retrieve == "off" or not collections:
            return Grounding()
        hits = self.search(question, collections)
        levels = {c.name: c.privacy for c in collections}
        passages = classify_passages(hits, levels, scan)
        log.info("retrieved %d passages from %d collections", len(passages), len(collections))
        return Grounding(tuple(passages), tuple(c.name for c in collections))

    # --- sources of a turn ---------------------------------------------------

    def note_sources(self, turn_id: int, sources: Sequence[Source]) -> None:
        self._used.setdefault(turn_id, []).extend(sources)

    def take_sources(self, turn_id: int) -> list[Source]:
        """The sources a turn's model saw (retrieval and tool calls), once; recorded for /why."""
        sources = unique_sources(self._used.pop(turn_id, []))
        if sources:
            self.index.record_sources(turn_id, sources)
        return sources

    def sources_of_turn(self, turn_id: int) -> list[Source]:
        return self.index.sources_of_turn(turn_id)
