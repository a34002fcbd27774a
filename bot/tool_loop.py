"""The tool loop: model step → run its tool calls → append the call and the results → the next step.

It runs inside the answer step (bot/turn_stream.py `stream`) for one turn, on one model at a time:
- Tools offered: the agent's globs, minus every tool that sends data out when the turn is private
  (bot/tools/policy.py). A model with native tool calling gets them as tool definitions; any other model
  (the embedded one, Ollama models without the `tools` capability) gets the text protocol
  (bot/tools/text_protocol.py).
- At most `agents.max_tool_rounds` steps may call tools and their calls together may take
  `tools.time_budget` seconds; then one last step answers with what it has (calls it still makes are not run).
- Every result is privacy-scanned before it enters a prompt. A sensitive one makes the conversation sticky
  and the rest of the turn private: a cloud model hands over to a local one (routed by the same rules)
  with a prompt rebuilt for it; with no local model the turn stops and nothing more goes to the cloud.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from bot import store_tools
from bot.model_step import StepOutput, model_step, open_stream
from bot.providers.base import ChatMessage, ModelInfo
from bot.router import route
from bot.tool_calls import CallOutcome, WireNames, exchange_messages, native_specs, run_calls
from bot.tools import text_protocol
from bot.tools.policy import Offer, offer
from bot.turn_prompt import build_prompt

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.router import RouteDecision
    from bot.turn_stream import TurnContext

log = logging.getLogger("hybridbot.tools")

MADE_LOCAL = "tool-result-sensitive"  # route reason: a tool result moved the rest of the turn to a local model
LAST_STEP_NOTE = "No more tools can be used in this answer. Answer now with what you have."
MADE_LOCAL_NOTICE = "A tool result carried private data, so a local model finished this answer."
LIMIT_NOTICE = "I stopped using tools after {rounds} round(s) ({why}); the answer uses what I had by then."
NO_LOCAL = (
    "⚠️ A tool returned private data and no local model is available to finish the answer, so nothing more"
    " was sent to the cloud. Start Ollama or the embedded model (`hybridbot doctor`), then ask again."
)


class ToolLoopStopped(Exception):
    """The turn cannot go on safely (a sensitive result, no local model); the message says so to the user."""


class ToolLoop:
    """One turn's model steps and tool rounds. `model` is the model answering now (it may change to a
    local one mid-turn); `outcomes` every call made; `made_local` whether a result moved the turn."""

    def __init__(self, engine: Engine, ctx: TurnContext, decision: RouteDecision, messages: list[ChatMessage]):
        assert decision.model is not None
        self.engine, self.ctx = engine, ctx
        self.model: ModelInfo = decision.model
        self.messages = messages  # the prompt the turn started with (rebuilt when the model changes)
        self.exchange: list[ChatMessage] = []  # tool calls and results, in the neutral format
        self.private = decision.must_stay_local or ctx.turn.private
        self.offer = Offer(())
        self.names = WireNames(())
        self.outcomes: list[CallOutcome] = []
        self.rounds = 0
        self.tool_seconds = 0.0
        self.made_local = False
        self.sensitive_seen = False  # a sensitive result entered a (local) prompt
        self.notices: list[str] = []
        self._held = False

    # --- slots: a busy local endpoint queues turns ---------------------------------------------------

    async def hold(self) -> None:
        await self.engine.slots(self.model.provider).acquire(self.ctx.sink.on_status)
        self._held = True

    def let_go(self) -> None:
        if self._held:
            self.engine.slots(self.model.provider).release()
            self._held = False

    # --- the loop ------------------------------------------------------------------------------------

    async def run(self, out: StepOutput) -> None:
        """Steps until one asks for no tools (or the limits are reached); text goes to the sink as it comes."""
        await self._make_offer()
        while True:
            last = not self._may_use_tools()
            step = StepOutput(restorer=out.restorer if self.model.locality == "cloud" else None)
            try:
                await self._step(step, last=last)
            finally:
                out.add(step)  # text shown before a stop or a failure is part of the answer
            if not step.tool_calls:
                return
            if last:  # calls past the limits (or when none were offered) are not run
                if self.rounds:
                    self._note_limit()
                return
            await self._run_round(step)

    def _may_use_tools(self) -> bool:
        budget = self.engine.settings.tools.time_budget
        return bool(self.offer.tools) and (
            self.rounds < self.engine.settings.agents.max_tool_rounds and self.tool_seconds < budget
        )

    async def _make_offer(self) -> None:
        available = await self.engine.tools.all_tools() if self.ctx.agent.tools else []
        self.offer = offer(available, private=self.private, agent_globs=self.ctx.agent.tools, agent=self.ctx.agent.name)
        self.names = WireNames(self.offer.tools)

    async def _step(self, step: StepOutput, *, last: bool) -> None:
        native = self.model.tools
        messages = self.messages + self.exchange
        if last and self.exchange:
            messages = [*messages, ChatMessage("user", LAST_STEP_NOTE)]
        specs = native_specs(self.offer, self.names) if native and self.offer.tools else None
        grammar = None
        if not native:
            messages = text_protocol.to_text_messages(messages, () if last else self.offer.tools)
            grammar = text_protocol.grammar(self.offer.tools) if self.offer.tools and not last else None
        events = open_stream(self.engine, self.model, messages, self.ctx.agent, specs, grammar)
        parsed = events if native or last or not self.offer.tools else text_protocol.parse_stream(events)
        try:
            await model_step(parsed, self.ctx, step)
        finally:
            if parsed is not events:
                await parsed.aclose()  # type: ignore[attr-defined]
            await events.aclose()  # type: ignore[attr-defined]

    async def _run_round(self, step: StepOutput) -> None:
        self.rounds += 1
        budget_left = self.engine.settings.tools.time_budget - self.tool_seconds
        await self.ctx.sink.on_status("using tools…")
        calls = step.tool_calls if self.model.tools else step.tool_calls[:1]  # the text protocol: one per step
        outcomes = await run_calls(
            self.engine, self.ctx, calls, self.offer, self.names, private=self.private, budget_left=budget_left
        )
        # The calls ran concurrently: the round took as long as its slowest (time waiting for approval is not
        # tool time).
        self.tool_seconds += max((o.result.seconds for o in outcomes), default=0.0)
        self.outcomes.extend(outcomes)
        self._record(outcomes)
        if any(o.scan.sensitive for o in outcomes):
            await self._go_local()  # before any result enters the next prompt
            self.sensitive_seen = True
        self.exchange.extend(exchange_messages(step.text, outcomes))

    def _record(self, outcomes: list[CallOutcome]) -> None:
        records = [
            store_tools.ToolCallRecord(
                turn_id=self.ctx.turn_id,
                round=self.rounds,
                tool=o.result.tool,
                locality="remote" if o.tool is not None and o.tool.sends_data_out else "local",
                arguments=store_tools.arguments_text(o.call.arguments, o.call.raw_arguments),
                result=o.result.text,
                outcome=o.outcome,
                seconds=o.result.seconds,
                sensitive=o.scan.sensitive,
            )
            for o in outcomes
        ]
        store_tools.record_tool_calls(self.engine.store, self.ctx.conv.id, self.ctx.turn.user_id, records)

    def _note_limit(self) -> None:
        if self.rounds >= self.engine.settings.agents.max_tool_rounds:
            why = f"agents.max_tool_rounds = {self.engine.settings.agents.max_tool_rounds}"
        else:
            why = f"tools.time_budget = {self.engine.settings.tools.time_budget:g} s"
        self.notices.append(LIMIT_NOTICE.format(rounds=self.rounds, why=why))

    # --- a sensitive result: the rest of the turn stays local -----------------------------------------

    async def _go_local(self) -> None:
        engine, ctx = self.engine, self.ctx
        engine.store.mark_sticky_private(ctx.conv.id)
        if not self.private:
            self.private = True
            await self._make_offer()  # tools that send data out are withdrawn for the rest of the turn
        if self.model.locality == "local":
            return
        local = await self._local_model()
        if local is None:
            raise ToolLoopStopped(NO_LOCAL)
        log.info("turn %s: a tool result is sensitive; %s hands over to %s", ctx.turn_id, self.model.ref, local.ref)
        self.let_go()
        engine.catalog.mark_ok(self.model)
        engine.catalog.settle(self.model)
        engine.catalog.begin(local)
        self.model, self.made_local = local, True
        self.messages, _ = build_prompt(engine, ctx.conv, local, ctx.agent, ctx.place, ctx.grounding)
        self.notices.append(MADE_LOCAL_NOTICE)
        await self.hold()

    async def _local_model(self) -> ModelInfo | None:
        request = self.ctx.request
        if request is None:
            return None
        models = tuple(await self.engine.catalog.models())
        unhealthy = self.engine.catalog.unhealthy()
        decision = route(replace(request, sticky_private=True, models=models, unhealthy=unhealthy))
        model = decision.model
        return model if model is not None and model.locality == "local" else None
