"""The turn's difficulty steps: score it, ask a local judge on borderline scores, learn from feedback.

Each step reads the store or a local model, so they live apart from the pure scoring in
bot/difficulty.py, bot/routing_judge.py and bot/routing_labels.py, which they call.
"""

from __future__ import annotations

import json

from bot import difficulty, privacy, routing_judge, routing_labels, routing_model, store_routing_labels
from bot.catalog import Catalog
from bot.config import RoutingConfig
from bot.router import RouteRequest, privacy_reasons
from bot.store import Conversation, Store

DEPTH_CAP = 40  # messages counted for depth (routing.scorer = "heuristic"): saturates at 20 turns


def assess(
    store: Store, routing: RoutingConfig, conv: Conversation, text: str, existing_message: int | None
) -> difficulty.Assessment:
    """Score this turn with what the thread knows about the turn before it (bot/difficulty.py)."""
    if routing.scorer == "heuristic":
        depth = store.count_messages(conv.id, at_most=DEPTH_CAP)
        return difficulty.assess(text, routing, history_turns=depth // 2)
    found = store.settings_for([routing_labels.calibration_scope(conv.key.workspace)], routing_labels.CALIBRATION_KEY)
    calibration = tuple(json.loads(next(iter(found.values())))) if found else None  # from `hybridbot route tune`
    last = store.last_turn(conv.id)
    if last is None:
        return difficulty.assess(text, routing, calibration=calibration)
    if existing_message is not None and last.user_message_id == existing_message:
        return difficulty.assess(text, routing, calibration=calibration)  # 🔁: the same request, scored alone
    message = store.message(last.user_message_id) if last.user_message_id else None
    disliked = any(value < 0 for value in store.feedback(last.id).values()) or (
        last.user_message_id is not None and store.answers_to(last.user_message_id) > 1  # it was 🔁'd
    )
    previous = difficulty.PreviousTurn(message.content if message else "", last.locality, disliked)
    return difficulty.assess(text, routing, previous, calibration=calibration)


async def judge(
    catalog: Catalog, routing: RoutingConfig, assessed: difficulty.Assessment, text: str, base: RouteRequest
) -> difficulty.Assessment:
    """routing.judge = "local": a local model's second opinion on a borderline score (bot/routing_judge.py)."""
    if routing.judge != "local" or privacy_reasons(base) or not routing_judge.borderline(assessed, routing.judge_band):
        return assessed  # off, not borderline, or privacy keeps the turn local whatever the score
    unhealthy = catalog.unhealthy()
    local = [m for m in await catalog.models() if m.locality == "local" and m.ref not in unhealthy]
    local.sort(key=lambda m: m.ref != routing.local_model)
    if not local:
        return assessed
    provider = catalog.provider(local[0].provider)
    return await routing_judge.second_opinion(assessed, text, provider, local[0], seconds=routing.judge_timeout)


def record_label(store: Store, routing: RoutingConfig, turn_id: int, source: str) -> None:
    """👎/🔁/👍 on a local answer → a routing label: score and cue kinds; text only if opted in, never sensitive."""
    record = store.turn(turn_id)
    label = routing_labels.label_for(record.locality, source) if record else None
    message = store.message(record.user_message_id) if record and record.user_message_id else None
    if label is None or message is None:
        if record is not None and not source:
            store_routing_labels.delete_routing_label(store, turn_id)  # feedback cleared
        return
    raw, cues = routing_labels.describe(message.content, routing_model.load_default())
    # Text only when opted in, and never text the privacy scanner finds anything in.
    keep = routing.keep_prompts_for_training and not message.sensitive
    keep = keep and not privacy.scan(message.content)
    store_routing_labels.put_routing_label(store, turn_id, label, source, raw, cues, message.content if keep else None)
