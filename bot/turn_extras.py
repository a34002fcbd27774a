"""What a turn's prompt carries beside its stored history: the person's remembered facts and the turn's images.

`extend_prompt` runs right after the prompt is built, for the model the turn was routed to:
- facts (bot/memory.py) join the system message in the person's own conversations; a cloud model never gets
  a sensitive fact, and a prompt that carried one is marked private (the answer is then stored local-only);
- images join the turn's own question, for a model that reads them. An image is not read before routing, so
  while `privacy.images` is "local" a cloud model never gets one (PrivacyGuardError: the turn is re-routed
  locally), and the answer a local model writes from it is stored local-only.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from bot import memory, store_memory
from bot.providers.base import ChatMessage, ImagePart, ModelInfo
from bot.turn_prompt import PrivacyGuardError, carries_secret
from bot.turns import Turn

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.store import Conversation

log = logging.getLogger("hybridbot.engine")


def images_of(turn: Turn) -> tuple[ImagePart, ...]:
    """The images a turn carries once its attachments are read (bot/attachment_ingest.py keeps only those)."""
    return tuple(
        ImagePart(a.mime, a.data) for a in turn.attachments if a.data is not None and a.mime.startswith("image/")
    )


def extend_prompt(
    engine: Engine, turn: Turn, conv: Conversation, model: ModelInfo, messages: list[ChatMessage], private: bool
) -> tuple[list[ChatMessage], bool]:
    """The prompt with facts and images added, and whether it now carries anything private."""
    cloud = model.locality == "cloud"
    messages, fact_private = _with_facts(engine, turn, conv, messages, cloud=cloud)
    images = images_of(turn)
    if not images:
        return messages, private or fact_private
    images_local = engine.settings.privacy.images == "local"
    if cloud and images_local:
        raise PrivacyGuardError  # the router keeps images local; this is the last line of defence
    if not model.vision:
        log.warning("%s reads no images; the turn's images were left out", model.ref)
        return messages, private or fact_private
    return _with_images(messages, images), private or fact_private or images_local


def _with_facts(
    engine: Engine, turn: Turn, conv: Conversation, messages: list[ChatMessage], *, cloud: bool
) -> tuple[list[ChatMessage], bool]:
    if not engine.settings.memory.enabled or not turn.user_id:
        return messages, False
    platform = turn.key.platform
    opted_in = store_memory.channels_on(engine.store, platform, turn.user_id) if not conv.private else False
    if not memory.applies(private_conversation=conv.private, channels_on=opted_in):
        return messages, False
    facts = store_memory.facts(engine.store, platform, turn.user_id)
    chosen = memory.choose(facts, cloud=cloud)
    if not chosen.lines:
        return messages, False
    text = memory.prompt_text("" if cloud else turn.user_name, chosen.lines)  # names are content too
    if messages and messages[0].role == "system":
        first = messages[0]
        messages = [replace(first, content=f"{first.content}\n\n{text}"), *messages[1:]]
    else:
        messages = [ChatMessage("system", text), *messages]
    if cloud and carries_secret(messages[:1]):  # facts are scanned when stored; checked again before they leave
        raise PrivacyGuardError
    return messages, chosen.sensitive


def _with_images(messages: list[ChatMessage], images: tuple[ImagePart, ...]) -> list[ChatMessage]:
    """Images go with the turn's own question: the last user message (later questions are not in the prompt)."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            return [*messages[:index], replace(messages[index], images=images), *messages[index + 1 :]]
    return messages
