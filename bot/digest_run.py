"""`/summarize`: read a place's history through its adapter's reader, decide who may read it, map-reduce it.

The pure rules are in bot/digest.py; this module does the I/O: history pages, model calls, progress lines.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot import digest
from bot.command_types import CommandContext, CommandResult
from bot.digest import DigestPrivacy, DigestRequest, HistoryError, HistoryMessage, Progress
from bot.preferences import effective
from bot.providers.base import ChatMessage, ModelInfo, ProviderError, TextDelta

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger("hybridbot.digest")

COMMANDS = {"summarize": "a digest of this thread or channel: /summarize [thread|channel] [since 7d]"}
NOT_HERE = "I can't read this place's history from here, so I can't summarise it."
STREAM_EVERY = 1.0  # seconds between progress updates while the final digest is written


async def _quiet(progress: Progress | None, text: str) -> None:
    if progress is not None:
        await progress(text)


async def summarize_command(engine: Engine, ctx: CommandContext, args: list[str]) -> CommandResult:
    if ctx.history is None:
        return CommandResult(NOT_HERE, ok=False)
    request = digest.parse_request(args, in_thread=bool(ctx.key.thread))
    if isinstance(request, str):
        return CommandResult(request, ok=False)
    source = ctx.key if request.scope == "thread" else replace(ctx.key, thread=None)
    conv = engine.store.conversation(source, private=ctx.private)
    level = engine.privacy_level(conv)
    try:
        messages = await _read(ctx, request)
    except HistoryError as error:
        return CommandResult(str(error), ok=False)
    if not messages:
        return CommandResult(f"Nothing was said here in {request.window_words()}, so there is nothing to summarise.")
    privacy = digest.decide_privacy(messages, level=level, private_source=ctx.private, sticky=conv.sticky_private)
    model = await _choose_model(engine, ctx, privacy)
    if model is None:
        if privacy.local_only:
            return CommandResult(digest.no_local_model_text(privacy), ok=False)
        return CommandResult("No model is available right now; try again later (see `hybridbot doctor`).", ok=False)
    log.info(
        "digest of %s: %d messages, model %s, local_only=%s reasons=%s",
        source,
        len(messages),
        model.ref,
        privacy.local_only,
        ",".join(privacy.reasons),
    )
    try:
        text = await _map_reduce(engine, model, request, messages, ctx.progress)
    except ProviderError as error:
        engine.catalog.mark_failed(model, error)
        nothing = " Nothing was sent to the cloud." if privacy.local_only else ""
        return CommandResult(f"The model {model.ref} failed while summarising ({error.kind}).{nothing}", ok=False)
    return CommandResult(f"{digest.heading(request, len(messages), model.ref, model.locality == 'local')}\n\n{text}")


async def _read(ctx: CommandContext, request: DigestRequest) -> list[HistoryMessage]:
    assert ctx.history is not None
    oldest = time.time() - request.since
    messages: list[HistoryMessage] = []
    await _quiet(ctx.progress, "📖 reading the history…")
    async for page in ctx.history.pages(request.scope, oldest):
        messages.extend(page)
        if len(messages) >= digest.MAX_MESSAGES * 2:  # a reader that ignores `oldest`: stop somewhere
            break
    kept = digest.in_window(messages, oldest)
    await _quiet(ctx.progress, f"📖 reading {len(kept)} messages…")
    return kept


async def _choose_model(engine: Engine, ctx: CommandContext, privacy: DigestPrivacy) -> ModelInfo | None:
    """A local model when the digest must stay local; else the person's model setting decides: a pinned model or
    mode; auto follows routing.prefer_local (local first when on, the default; the cloud first when off)."""
    routing = engine.settings.routing
    unhealthy = engine.catalog.unhealthy()
    models = [m for m in await engine.catalog.models() if m.ref not in unhealthy]
    setting = effective(engine.store, ctx.key, ctx.user_id, "model", routing.default_model).value
    local = [m for m in models if m.locality == "local"]
    cloud = [m for m in models if m.locality == "cloud"]
    if privacy.local_only:
        cloud = []
    if engine.budget_exhausted(ctx.key.workspace):
        cloud = []
    pinned = next((m for m in local + cloud if m.ref == setting), None)
    if pinned is not None:
        return pinned
    if setting == "local" or (setting == "auto" and routing.prefer_local):
        order = [*_preferred(local, routing.local_model), *_preferred(cloud, routing.cloud_model)]
    else:
        order = [*_preferred(cloud, routing.cloud_model), *_preferred(local, routing.local_model)]
    return order[0] if order else None


def _preferred(models: list[ModelInfo], ref: str | None) -> list[ModelInfo]:
    return sorted(models, key=lambda m: m.ref != ref)


@dataclass
class _Streamer:
    progress: Progress | None
    status: str
    last: float = 0.0

    async def __call__(self, text: str) -> None:
        now = time.monotonic()
        if self.progress is not None and now - self.last >= STREAM_EVERY:
            self.last = now
            await self.progress(f"{self.status}\n\n{text}")


async def _map_reduce(
    engine: Engine,
    model: ModelInfo,
    request: DigestRequest,
    messages: Sequence[HistoryMessage],
    progress: Progress | None,
) -> str:
    budget = digest.token_budget(model.context_length)
    parts = digest.plan_chunks([digest.message_line(m) for m in messages], budget)
    if len(parts) == 1:
        await _quiet(progress, "✍️ summarising…")
        system, user = digest.map_prompt(parts[0], 1, 1)
        return await _complete(engine, model, system, user, _Streamer(progress, "✍️ summarising…"))
    partials = []
    for number, part in enumerate(parts, start=1):
        await _quiet(progress, f"✍️ summarising part {number} of {len(parts)}…")
        system, user = digest.map_prompt(part, number, len(parts))
        partials.append(await _complete(engine, model, system, user, None))
    while True:
        groups = digest.group_partials(partials, budget)
        if len(groups) == 1:
            await _quiet(progress, "🧩 putting the parts together…")
            system, user = digest.reduce_prompt(groups[0], request.scope, request.window_words())
            return await _complete(engine, model, system, user, _Streamer(progress, "🧩 putting the parts together…"))
        partials = []
        for group in groups:
            system, user = digest.reduce_prompt(group, request.scope, request.window_words())
            partials.append(await _complete(engine, model, system, user, None))


async def _complete(engine: Engine, model: ModelInfo, system: str, user: str, stream: _Streamer | None) -> str:
    provider = engine.catalog.provider(model.provider)
    prompt = [ChatMessage("system", system), ChatMessage("user", user)]
    parts: list[str] = []
    async with engine.slots(model.provider).hold():  # digests queue like turns for an endpoint
        async for event in provider.stream_chat(model.name, prompt, temperature=0.2, max_tokens=600):
            if isinstance(event, TextDelta):
                parts.append(event.text)
                if stream is not None:
                    await stream("".join(parts))
    engine.catalog.mark_ok(model)
    return "".join(parts).strip()
