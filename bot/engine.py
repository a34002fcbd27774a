"""The conversation engine: one turn at a time per session, routed, streamed, recorded.

It knows nothing about Slack or Discord. Adapters hand it a `Turn` and a `ReplySink`; it stores
the user's message before any model call, routes by privacy first, streams the answer to the
sink and records the route with the answer.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from dataclasses import replace

from bot import (
    attachment_ingest,
    difficulty_steps,
    privacy_judge,
    routing_labels,
    store_attachments,
    summary,
    turn_admit,
    turn_stream,
)
from bot.agents import Agent, AgentRegistry
from bot.budget import BudgetState, budget_state, month_start
from bot.catalog import Catalog
from bot.config import Settings, stricter
from bot.consult import make_ask_agent_tool
from bot.context import WindowAnchors
from bot.knowledge import turn_step
from bot.knowledge.service import knowledge_for
from bot.knowledge.tool import search_knowledge_tool
from bot.logs import bind_turn
from bot.marks import Classified, Place, classify
from bot.messages import EMPTY_MESSAGE
from bot.metrics import Metrics
from bot.preferences import effective
from bot.ratelimit import TurnLimits
from bot.readiness import Readiness
from bot.recovery import Leftovers
from bot.router import RouteRequest
from bot.sanitize import clean_turn
from bot.session import SessionKey
from bot.slots import SlotPool, limits_from_settings
from bot.store import Conversation, Store, TurnRecord
from bot.store_records import StoredMessage
from bot.tools.approvals import Approvals
from bot.tools.builtins import builtin_tools
from bot.tools.registry import ToolRegistry
from bot.tools.remember import make_remember_tool
from bot.turn_extras import images_of
from bot.turn_stream import TurnContext
from bot.turns import NullSink, ReplySink, RouteInfo, SessionQueue, Turn, TurnResult, tell_turn, with_notes

__all__ = ["Engine", "NullSink", "ReplySink", "RouteInfo", "Turn", "TurnResult"]

log = logging.getLogger("hybridbot.engine")

SUMMARY_TRIGGER = 40  # unsummarised messages outside the window before a summary is written
PREVIOUS_LOOKBACK = 6  # newest messages searched for the speaker's previous one (split secrets)


class Engine:
    def __init__(self, settings: Settings, store: Store, catalog: Catalog, agents: AgentRegistry) -> None:
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.agents = agents
        self._queue = SessionQueue()
        self._running: dict[SessionKey, tuple[int, asyncio.Task[None]]] = {}
        self.budget_noticed: set[tuple[str, str]] = set()
        self.stop_requested: set[int] = set()
        self._resuming: set[int] = set()
        self.leftovers = Leftovers()  # what the last process left unfinished (recover)
        self.metrics = Metrics()  # Prometheus figures for /metrics, on this engine's own registry
        self.readiness = Readiness()  # platform adapters register connection checks for /readyz
        self.limits = TurnLimits.from_settings(settings.limits)  # per-user and per-channel turn limits
        self.slots = SlotPool(limits_from_settings(settings))  # per-endpoint concurrency limit and queue
        self.window_anchors = WindowAnchors()  # where each conversation's prompt window starts
        self.tools = ToolRegistry(builtin_tools(settings, store))  # built-ins; MCP servers and knowledge add sources
        self.tools.add_builtin(make_ask_agent_tool(self))  # the coordinator consults other agents (bot/consult.py)
        self.approvals = Approvals(settings.tools.approval_timeout, store=store)  # tool calls awaiting a yes/no
        self.knowledge = knowledge_for(settings, store.conn)  # collections (BM25, vectors), citations
        self.tools.add_builtin(search_knowledge_tool(self))
        if settings.memory.enabled:
            self.tools.add_builtin(make_remember_tool(self))  # "remember that?", stored after the person approves

    # --- lifecycle -----------------------------------------------------------

    def recover(self) -> list[tuple[int, SessionKey]]:
        """After a crash: turns that were streaming are marked interrupted and kept for their adapter to
        note on the platform (`take_interrupted`); turns that never started stay pending (`pending_turns`)."""
        self.approvals.recover()  # requests left waiting: closed as interrupted, their prompts edited by adapters
        return self.leftovers.collect(self.store)

    def take_interrupted(self, platform: str) -> list[tuple[int, SessionKey]]:
        """The turns of a platform interrupted by the last crash, handed out once (to edit their messages)."""
        return self.leftovers.take_interrupted(platform)

    async def aclose(self) -> None:
        await self.tools.aclose()  # MCP server processes
        await self.catalog.aclose()
        await self.knowledge.aclose()  # an embedder's client
        self.store.close()

    # --- settings lookups ----------------------------------------------------

    def privacy_level(self, conv: Conversation) -> str:
        if conv.private:
            return "local-only"
        configured = self.settings.privacy.channels.get(conv.key.channel) or self.settings.privacy.default_level
        stored = effective(self.store, conv.key, "", "privacy", configured).value
        floor = self.privacy_floor(conv.key)
        return stricter(stored, floor) if floor else stored

    def privacy_floor(self, key: SessionKey) -> str | None:
        """The operator's level for a channel ([privacy.channels]): /privacy may not go looser."""
        privacy = self.settings.privacy
        return None if privacy.allow_loosening else privacy.channels.get(key.channel)

    def agent_for(self, key: SessionKey, user_id: str) -> Agent:
        name = effective(self.store, key, user_id, "agent", self.settings.bot.default_agent).value
        return self.agents.get(name) or self.agents.get("general") or next(iter(self.agents.agents.values()))

    def budget_exhausted(self, workspace: str) -> bool:
        routing = self.settings.routing
        if not routing.monthly_cloud_token_budget and not routing.monthly_cloud_budget:
            return False
        return self.budget_state(workspace).exhausted

    def budget_state(self, workspace: str) -> BudgetState:
        """This month's cloud tokens and priced spend for a workspace (see bot/budget.py)."""
        routing = self.settings.routing
        return budget_state(
            self.store.usage(workspace=workspace, since=month_start()),
            routing.prices,
            token_budget=routing.monthly_cloud_token_budget,
            money_budget=routing.monthly_cloud_budget,
            currency=routing.currency,
        )

    # --- turns ---------------------------------------------------------------

    async def handle(self, turn: Turn, sink: ReplySink) -> TurnResult:
        turn = clean_turn(turn)  # no lone surrogates or control characters reach the store or a model
        text = turn.text.strip()
        if refusal := turn_admit.refuse_text(text, self.settings.bot.max_message_chars, files=bool(turn.attachments)):
            return await _reject(sink, refusal)
        event = f"{turn.key.platform}:{turn.event_id}" if turn.event_id else None
        if event and self.store.seen(event):
            log.info("redelivered event %s ignored", turn.event_id)
            return TurnResult("duplicate", "")
        if limited := await self._admit(turn.key, turn.user_id, sink):
            return limited
        prepared = await attachment_ingest.prepare(self.settings.attachments, turn)  # files read here, locally
        if not prepared.has_content:  # only files, none of them readable: say why, call no model
            return await _reject(sink, "\n".join(prepared.notes) or EMPTY_MESSAGE)
        turn, text, sink = prepared.turn, prepared.turn.text.strip(), with_notes(sink, prepared.notes)
        accepted = self._store_turn(turn, text, event)
        if accepted is None:
            log.info("redelivered event %s ignored", turn.event_id)
            return TurnResult("duplicate", "")
        message_id, turn_id = accepted
        store_attachments.record(self.store, turn_id, prepared.reports)
        ahead = self._queue.waiting(turn.key)
        if ahead:
            await sink.on_status(f"⏳ {ahead} ahead of you in this conversation")
        return await self._queue(turn.key, self._run_turn(turn, text, sink, message_id, turn_id))

    def _store_turn(self, turn: Turn, text: str, event: str | None) -> tuple[int, int] | None:
        """The message, classified, with its pending turn, before the event is marked seen (one transaction): a
        crash from here on loses nothing, and a restart answers the pending turn. None: the event was seen."""
        with self.store.transaction():  # one commit, also when the conversation is new
            conv = self.store.conversation(turn.key, private=turn.private)
            marks = self._classify(conv, text, previous=self._previous_text(conv.id, turn.user_id, None)).marks
            return self.store.accept_turn(
                event,
                conv.id,
                {"content": text, "author_id": turn.user_id, "author_name": turn.user_name, **marks},
                user_id=turn.user_id,
                workspace=turn.key.workspace,
            )

    async def _admit(self, key: SessionKey, user_id: str, sink: ReplySink) -> TurnResult | None:
        """Per-user and per-channel limits, for every way a model call starts (messages, 🔁, resumes)."""
        refusal = self.limits.admit(key.platform, key.workspace, key.channel, user_id)
        if not refusal:
            return None
        self.metrics.turn_rejected("rate_limited")  # not stored, not sent to any model
        return await _reject(sink, refusal)

    async def regenerate(self, key: SessionKey, turn_id: int, sink: ReplySink, *, user_id: str = "") -> TurnResult:
        """Answer a stored user message again (🔁), replacing nothing: the new answer is a new turn."""
        old = self.store.turn(turn_id)
        message = self.store.message(old.user_message_id) if old and old.user_message_id else None
        if old is None or message is None:
            return await _reject(sink, "I can't find the question for that answer any more (was it /reset?).")
        conv = self.store.conversation(key)
        if conv.id != old.conversation_id:
            return await _reject(sink, "That answer belongs to another conversation.")
        if refusal := await self._admit(key, user_id or message.author_id, sink):
            return refusal  # 🔁 counts against the same limits as a new message
        turn = Turn(key, user_id or message.author_id, message.author_name, message.content)
        difficulty_steps.record_label(
            self.store, self.settings.routing, old.id, "regenerate"
        )  # 🔁 on a local answer: a routing label
        new_turn = self.store.create_turn(conv.id, message.id, user_id=turn.user_id, workspace=key.workspace)
        return await self._queue(key, self._run_turn(turn, message.content, sink, message.id, new_turn, again=True))

    def pending_turns(self, platform: str) -> list[tuple[TurnRecord, SessionKey]]:
        """Turns of a platform that a previous process stored but never started, handed out once for its
        adapter to answer (turns queued in this process are not among them: they are answered already)."""
        return self.leftovers.take_pending(self.store, platform)

    async def resume(self, turn_id: int, key: SessionKey, sink: ReplySink) -> TurnResult:
        """Answer a turn stored before a restart that never started (counted against the limits again)."""
        record = self.store.turn(turn_id)
        message = self.store.message(record.user_message_id) if record and record.user_message_id else None
        if record is None or record.status != "pending" or turn_id in self._resuming:
            return TurnResult("duplicate", "")
        self._resuming.add(turn_id)  # a reconnect may offer the same pending turn again while it waits
        if message is None:  # forgotten meanwhile (/reset, /forget me)
            self.store.update_turn(turn_id, status="cancelled", error="the message was deleted before it was answered")
            return TurnResult("cancelled", "", turn_id)
        if refusal := await self._admit(key, record.user_id, sink):
            self.store.update_turn(turn_id, status="rejected", error=refusal.text)
            return refusal
        conv = self.store.conversation_of_turn(turn_id)
        turn = Turn(key, record.user_id, message.author_name, message.content, private=bool(conv and conv.private))
        return await self._queue(key, self._run_turn(turn, message.content, sink, message.id, turn_id))

    def cancel(self, key: SessionKey, turn_id: int | None = None) -> bool:
        """Stop the answer streaming in a session (optionally only if it is that turn)."""
        running = self._running.get(key)
        if running is None or (turn_id is not None and running[0] != turn_id):
            return False
        self.stop_requested.add(running[0])
        running[1].cancel()
        return True

    def running_turn(self, key: SessionKey) -> int | None:
        running = self._running.get(key)
        return running[0] if running else None

    def _previous_text(self, conversation_id: int, user_id: str, before: int | None) -> str | None:
        """The same person's previous message here: a secret split over two messages is scanned whole."""
        recent = self.store.newest_messages(conversation_id, before_id=before)
        for message in itertools.islice(recent, PREVIOUS_LOOKBACK):
            if message.role == "user" and message.author_id == user_id:
                return message.content
        return None

    def _classify(
        self, conv: Conversation, text: str, *, stored_private: bool = False, previous: str | None = None
    ) -> Classified:
        """Scan a message and decide how it is stored and which privacy rules route it (bot/marks.py)."""
        return classify(text, self.privacy_level(conv), conv, stored_private=stored_private, previous=previous)

    async def _run_turn(
        self, turn: Turn, text: str, sink: ReplySink, message_id: int, turn_id: int, *, again: bool = False
    ) -> TurnResult:
        started = time.perf_counter()
        conv = self.store.conversation(turn.key, private=turn.private)
        stored = self.store.message(message_id)
        if stored is None:  # forgotten while it waited (/reset, /forget me): nothing left to answer
            self.store.update_turn(turn_id, status="cancelled", error="the message was deleted before it was answered")
            result = TurnResult("cancelled", "", turn_id)
            await sink.on_done(result)
            return result
        # Classified again: the level may have tightened while it waited; marks only ever tighten.
        previous = self._previous_text(conv.id, turn.user_id, message_id)
        seen = self._classify(conv, text, stored_private=stored.local_only, previous=previous)
        seen = await self._judge_privacy(conv, seen, text, turn_id)
        if seen.keep_local and not conv.sticky_private:
            self.store.mark_sticky_private(conv.id)
        if _tighter(stored, seen.marks):  # usually nothing changed since it was stored: no write
            self.store.tighten_message(message_id, **seen.marks)
        bind_turn(turn_id)  # every log line from here on carries the turn id
        await tell_turn(sink, turn_id)  # the sink links what it posts to the turn (for kill -9 recovery)
        log.info("turn %s session=%s chars=%d findings=%s", turn_id, turn.key, len(text), seen.kinds)

        agent = self.agent_for(turn.key, turn.user_id)
        private = seen.keep_local or seen.redactable  # its question is never embedded by a cloud embedder
        grounding = await turn_step.ground_turn(
            self, conv, agent, text, turn.key, private=private, user_id=turn.user_id
        )  # may keep it local
        if grounding.keep_local and not conv.sticky_private:
            self.store.mark_sticky_private(conv.id)
        request = await self._plan_route(turn, conv, seen, agent, text, message_id if again else None)
        request = replace(request, private_knowledge=grounding.keep_local)
        task = asyncio.current_task()
        assert task is not None
        self._running[turn.key] = (turn_id, task)
        try:
            place = Place(message_id, again)
            ctx = TurnContext(turn, conv, agent, turn_id, seen.kinds, sink, started, place, grounding=grounding)
            result = turn_step.cite(self, turn_id, await turn_stream.answer(self, ctx, request))
        finally:
            self._running.pop(turn.key, None)
        self.metrics.turn_finished(self.store.turn(turn_id))
        await sink.on_done(result)
        if result.status == "done":  # the summary step: old messages folded in, by a local model only
            await summary.fold_old_messages(self, conv.key, trigger=SUMMARY_TRIGGER)
        return result

    async def _judge_privacy(self, conv: Conversation, seen: Classified, text: str, turn_id: int) -> Classified:
        """privacy.judge = "local": a local model's verdict on a borderline message (bot/privacy_judge.py)."""
        if not privacy_judge.should_judge(self.settings.privacy, seen, text):
            return seen
        started = time.perf_counter()
        verdict = await privacy_judge.second_opinion(
            self.catalog, self.settings.privacy, self.settings.routing.local_model, text
        )
        log.info("turn %s privacy judge: %s in %.0f ms", turn_id, verdict, (time.perf_counter() - started) * 1000)
        return privacy_judge.apply_verdict(seen, verdict, self.privacy_level(conv))

    async def _plan_route(
        self, turn: Turn, conv: Conversation, seen: Classified, agent: Agent, text: str, regenerating: int | None
    ) -> RouteRequest:
        """The route request: the privacy findings plus preferences, budget, agent and difficulty."""
        routing = self.settings.routing
        model_setting = effective(self.store, turn.key, turn.user_id, "model", routing.default_model).value
        assessed = difficulty_steps.assess(self.store, routing, conv, text, regenerating)
        assessed = await difficulty_steps.judge(self.catalog, routing, assessed, text, seen.request)
        return replace(
            seen.request,
            model_setting=model_setting,
            agent_route=agent.route,
            needs_tools=bool(agent.tools),
            budget_exhausted=self.budget_exhausted(turn.key.workspace),
            complexity=assessed.score,
            threshold=assessed.threshold,
            inherited=assessed.inherited,
            escalated=assessed.escalated,
            judged=assessed.judged,
            prefer_local=routing.prefer_local,
            needs_vision=bool(images_of(turn)),
            images_local=bool(images_of(turn)) and self.settings.privacy.images == "local",
            preferred_local=routing.local_model,
            preferred_cloud=routing.cloud_model,
            sticky_private=conv.sticky_private or seen.keep_local,
        )

    # --- feedback ------------------------------------------------------------

    def feedback(self, turn_id: int, user_id: str, value: int) -> bool:
        """+1 / -1 on an answer; 0 removes it. False when the turn is unknown."""
        if self.store.turn(turn_id) is None:
            return False
        self.store.set_feedback(turn_id, user_id, max(-1, min(1, value)))
        self.metrics.feedback(value)
        source = routing_labels.FEEDBACK_SOURCES.get(max(-1, min(1, value)), "")
        difficulty_steps.record_label(self.store, self.settings.routing, turn_id, source)
        return True


async def _reject(sink: ReplySink, text: str) -> TurnResult:
    """A turn refused before any model call: the sink shows why."""
    result = TurnResult("rejected", text)
    await sink.on_done(result)
    return result


def _tighter(stored: StoredMessage, marks: dict[str, bool]) -> bool:
    """Whether `marks` would make a stored message stricter (tighten_message never loosens one)."""
    sensitive = marks["sensitive"] or marks["local_only"]
    return (sensitive and not stored.sensitive) or (marks["local_only"] and not stored.local_only)
