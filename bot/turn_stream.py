"""The turn's answer step: pick a model, stream its answer to the sink, fall back before any text shows.

`answer` is the fallback loop (route, try, on a retryable failure exclude that model and route
again); `stream` runs one model on one prompt. A model step (`model_step`) reads a provider's
events and may produce text, tool calls, or both (bot/model_step.py); the tool loop (bot/tool_loop.py) runs the calls and takes
the next step, within `stream`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.agents import Agent
from bot.knowledge.grounding import Grounding
from bot.marks import Place, answer_marks
from bot.messages import CANCELLED, STOPPED_REPEATING, provider_failure
from bot.model_step import StepOutput, model_step
from bot.providers.base import ErrorKind, ModelInfo, ProviderError
from bot.redact import Restorer
from bot.router import RouteDecision, RouteRequest, route
from bot.store import Conversation
from bot.tool_loop import MADE_LOCAL, ToolLoop, ToolLoopStopped
from bot.turn_extras import extend_prompt
from bot.turn_prompt import PrivacyGuardError, build_prompt, placeholders_for
from bot.turns import ReplySink, RouteInfo, Turn, TurnResult

if TYPE_CHECKING:
    from bot.engine import Engine

__all__ = ["StepOutput", "TurnContext", "answer", "model_step", "stream"]

log = logging.getLogger("hybridbot.engine")

MAX_FALLBACKS = 2  # other models tried after a failure before any text was shown
# Failures worth trying another model for (within what privacy allows); auth and bad requests are not.
RETRYABLE = {
    ErrorKind.UNREACHABLE,
    ErrorKind.TIMEOUT,
    ErrorKind.SERVER,
    ErrorKind.MODEL_MISSING,
    ErrorKind.RATE_LIMITED,
}
BUDGET_SPENT = "This workspace's monthly cloud budget is spent; answers use local models until next month."


@dataclass
class TurnContext:
    """One turn on its way to an answer: what every step after routing needs."""

    turn: Turn
    conv: Conversation
    agent: Agent
    turn_id: int
    kinds: list[str]  # privacy finding kinds, recorded with the turn
    sink: ReplySink
    started: float  # time.perf_counter() when the turn started
    place: Place
    request: RouteRequest | None = None  # the route request (set by `answer`): the tool loop re-routes locally
    grounding: Grounding | None = None  # passages retrieved before routing (bot/knowledge)


async def answer(engine: Engine, ctx: TurnContext, request: RouteRequest) -> TurnResult:
    """Route and stream; a retryable failure before any text tries another model (up to MAX_FALLBACKS)."""
    models = tuple(await engine.catalog.models())
    excluded: set[str] = set()
    notices: list[str] = []
    unavailable: list[str] = []  # "model (kind)" that failed before any text: said only as what happened
    last_error: ProviderError | None = None
    for _attempt in range(MAX_FALLBACKS + 1):
        request = replace(request, models=models, unhealthy=engine.catalog.unhealthy() | excluded)
        ctx.request = request
        decision = route(request)
        notices.extend(n for n in decision.notices if n not in notices)
        if decision.model is None:
            return _refused(engine, ctx, decision, last_error, notices + [f"{m} was unavailable." for m in unavailable])
        if request.budget_exhausted and "budget-exhausted" in decision.reasons:
            _budget_notice(engine, ctx.turn.key.workspace, notices)
        if not engine.catalog.begin(decision.model):  # its circuit is being probed by another turn
            excluded.add(decision.model.ref)
            continue
        try:
            answered_by_other = [f"{m} was unavailable, so another model answered." for m in unavailable]
            return await stream(engine, ctx, decision, notices + answered_by_other)
        except PrivacyGuardError:
            engine.catalog.settle(decision.model)  # nothing was sent: no verdict on the model's health
            log.error("turn %s: privacy guard stopped a cloud prompt; re-routing locally", ctx.turn_id)
            request = replace(request, sticky_private=True, secret=True)
            continue
        except ProviderError as error:
            last_error = error
            engine.metrics.provider_error(error)
            if error.kind not in RETRYABLE:
                break
            await _fall_back(engine, ctx, decision.model, error)
            excluded.add(decision.model.ref)
            unavailable.append(f"{decision.model.ref} ({error.kind.value})")
    message = provider_failure(last_error) if last_error else "⚠️ No model could answer safely. Try again."
    engine.store.update_turn(ctx.turn_id, status="error", agent=ctx.agent.name, error=message, finding_kinds=ctx.kinds)
    said = notices + [f"{m} was unavailable." for m in unavailable]
    return TurnResult("error", message, ctx.turn_id, notices=said, error=message)


def _refused(
    engine: Engine, ctx: TurnContext, decision: RouteDecision, last_error: ProviderError | None, said: list[str]
) -> TurnResult:
    """No model may answer (privacy, budget, none left): record and say why."""
    message = decision.refusal
    if last_error is not None:
        message = provider_failure(last_error) + "\n" + decision.refusal
    engine.store.update_turn(
        ctx.turn_id,
        status="refused",
        agent=ctx.agent.name,
        reasons=decision.reasons,
        finding_kinds=ctx.kinds,
        error=message,
    )
    log.info("turn %s refused reasons=%s", ctx.turn_id, ",".join(decision.reasons))
    return TurnResult("refused", message, ctx.turn_id, notices=said, error=message)  # no model answered: say only that


async def _fall_back(engine: Engine, ctx: TurnContext, model: ModelInfo, error: ProviderError) -> None:
    engine.catalog.mark_failed(model, error)
    log.warning("turn %s: %s failed (%s); trying another model", ctx.turn_id, model.ref, error.kind)
    await ctx.sink.on_status(f"{model.ref} is unavailable ({error.kind.value}); trying another model…")


def _budget_notice(engine: Engine, workspace: str, notices: list[str]) -> None:
    """Said once per workspace and month."""
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    if (workspace, month) not in engine.budget_noticed:
        engine.budget_noticed.add((workspace, month))
        notices.append(BUDGET_SPENT)


async def stream(engine: Engine, ctx: TurnContext, decision: RouteDecision, notices: list[str]) -> TurnResult:
    """Stream one model's answer (with its tool rounds) to the sink and record it. Raises PrivacyGuardError
    before any call, and ProviderError when the model fails before any text or tool call (the fallback loop
    then tries another)."""
    model = decision.model
    assert model is not None
    messages, prompt_private = build_prompt(engine, ctx.conv, model, ctx.agent, ctx.place, ctx.grounding)
    if ctx.grounding:
        engine.knowledge.note_sources(ctx.turn_id, ctx.grounding.sources)
    messages, prompt_private = extend_prompt(engine, ctx.turn, ctx.conv, model, messages, prompt_private)
    info = _mark_streaming(engine, ctx, decision)
    await ctx.sink.on_status("thinking…")
    loop = ToolLoop(engine, ctx, decision, messages)
    table = placeholders_for(engine, ctx.conv, model)  # redact level: the answer names the real values
    out = StepOutput(restorer=Restorer(table) if table is not None else None)
    status, error_text, failure = "done", "", None
    try:
        await loop.hold()  # a busy local endpoint queues turns: "⏳ 2 ahead of you"
        await loop.run(out)
    except asyncio.CancelledError:
        if not _stopped_by_user(engine, ctx.turn_id):
            raise  # the adapter is shutting down, not a user's stop
        status, error_text = "cancelled", CANCELLED
    except ProviderError as error:
        if not out.parts and not loop.outcomes:
            raise
        status, error_text, failure = "error", provider_failure(error, partial=bool(out.parts)), error
    except ToolLoopStopped as stopped:
        status, error_text = "error", str(stopped)
    finally:
        loop.let_go()
        engine.catalog.settle(loop.model)
    _judge_health(engine, loop.model, failure, ok=bool(out.parts) or status == "done")
    if out.repeated:
        notices.append(STOPPED_REPEATING)
    notices.extend(loop.notices)
    info = _tool_route(engine, ctx, loop, info)
    return _finish(
        engine, ctx, loop.model, out, status, error_text, prompt_private or loop.sensitive_seen, info, notices
    )


def _tool_route(engine: Engine, ctx: TurnContext, loop: ToolLoop, info: RouteInfo) -> RouteInfo:
    """The route as it ended: the local model that took over after a sensitive result, and the tools used."""
    info.tools = len(loop.outcomes)
    if loop.made_local:
        model = loop.model
        info.provider, info.model, info.locality = model.provider, model.name, model.locality
        info.reasons = [*info.reasons, MADE_LOCAL]
        engine.store.update_turn(
            ctx.turn_id, provider=model.provider, model=model.name, locality=model.locality, reasons=info.reasons
        )
    return info


def _stopped_by_user(engine: Engine, turn_id: int) -> bool:
    """A user's stop (Engine.cancel) ends the turn as cancelled (and is absorbed); any other cancellation
    (shutdown, or a second cancel on top) is not, and propagates."""
    task = asyncio.current_task()
    if turn_id not in engine.stop_requested or (task and task.cancelling() > 1):
        return False
    engine.stop_requested.discard(turn_id)
    if task:
        task.uncancel()
    return True


def _mark_streaming(engine: Engine, ctx: TurnContext, decision: RouteDecision) -> RouteInfo:
    model = decision.model
    assert model is not None
    engine.store.update_turn(
        ctx.turn_id,
        status="streaming",
        provider=model.provider,
        model=model.name,
        locality=model.locality,
        agent=ctx.agent.name,
        reasons=decision.reasons,
        finding_kinds=ctx.kinds,
    )
    reasons = ",".join(decision.reasons)
    log.info(
        "turn %s route=%s:%s locality=%s reasons=%s", ctx.turn_id, model.provider, model.name, model.locality, reasons
    )
    return RouteInfo(model.provider, model.name, model.locality, ctx.agent.name, list(decision.reasons))


def _judge_health(engine: Engine, model: ModelInfo, failure: ProviderError | None, *, ok: bool) -> None:
    """A failure mid-answer counts against the model; an answer (or a clean stop) counts for it."""
    if failure is not None:
        engine.catalog.mark_failed(model, failure)
        engine.metrics.provider_error(failure)
    elif ok:
        engine.catalog.mark_ok(model)


def _finish(
    engine: Engine,
    ctx: TurnContext,
    model: ModelInfo,
    out: StepOutput,
    status: str,
    error_text: str,
    prompt_private: bool,
    info: RouteInfo,
    notices: list[str],
) -> TurnResult:
    """Store the answer (with its privacy marks) and the turn's outcome in one transaction."""
    answer_text = out.text
    marks = answer_marks(answer_text, local_model=model.locality == "local", prompt_private=prompt_private)
    if out.restorer and out.restorer.swapped:
        marks["sensitive"] = True  # it names values the cloud only saw as placeholders
    latency_ms = (time.perf_counter() - ctx.started) * 1000
    usage = out.usage
    engine.store.finish_turn(
        ctx.turn_id,
        ctx.conv.id,
        answer_text,
        author_name=ctx.agent.name,
        marks=marks if answer_text else None,
        status=status,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        first_token_ms=out.first_token_ms,
        latency_ms=latency_ms,
        error=error_text,
    )
    first = f"{out.first_token_ms:.0f}" if out.first_token_ms else "-"
    log.info(
        "turn %s %s latency_ms=%.0f first_token_ms=%s tokens=%d/%d",
        ctx.turn_id,
        status,
        latency_ms,
        first,
        usage.prompt_tokens,
        usage.completion_tokens,
    )
    tokens = (usage.prompt_tokens, usage.completion_tokens)
    return TurnResult(status, answer_text, ctx.turn_id, info, notices, error_text, *tokens)
