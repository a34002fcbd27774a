"""Approvals in chat: a tool that changes things pauses the turn until the asker (or an admin) decides.

The engine holds one ``Approvals``. The tool loop calls ``ask(request, sink)``: the sink shows the
request (Slack/Discord buttons, a console y/n) if it can (``ApprovalSink``), and a click comes back
through ``click`` (or ``decide``). No decision within the timeout means deny. A sink that cannot show
approvals gets an immediate deny (``unavailable``) — never a silent approve.

Who decides: the person who asked, or an admin (the adapter says whether the clicker is one). Someone
else's click changes nothing and gets a private reply. With a store, every request and its outcome is
kept (bot/store_approvals.py); at start-up ``recover`` closes the requests a previous process was
waiting on as ``interrupted`` and hands them to their adapters (``take_interrupted``) to edit the
prompt: the paused turn is not resumed, the person is told to ask again.

A sink may also implement ``on_approval_closed(request, decision)`` to show the outcome where the
prompt was (called once, whatever ended it: a decision, the timeout, 🛑).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.session import SessionKey
from bot.store_approvals import ApprovalLog
from bot.tools.approval_texts import ALREADY_DECIDED, Who, click_reply, not_allowed_reply, why_lines
from bot.tools.approval_types import (
    APPROVED,
    CANCELLED,
    DENIED,
    INTERRUPTED,
    PENDING,
    TIMED_OUT,
    UNAVAILABLE,
    ApprovalDecision,
    ApprovalRecord,
    ApprovalRequest,
    Click,
)

if TYPE_CHECKING:
    from bot.store import Store

__all__ = [
    "APPROVED",
    "CANCELLED",
    "DENIED",
    "INTERRUPTED",
    "TIMED_OUT",
    "UNAVAILABLE",
    "ApprovalDecision",
    "ApprovalRecord",
    "ApprovalRequest",
    "ApprovalSink",
    "Approvals",
    "Click",
    "new_request",
]

log = logging.getLogger("hybridbot.approvals")

DEFAULT_TIMEOUT = 300.0


@runtime_checkable
class ApprovalSink(Protocol):
    """A ReplySink that can show an Approve / Deny prompt. It may return its own reference to the
    message it posted (e.g. "C123:1700000000.000100"), stored so a restart can edit that message."""

    async def on_approval(self, request: ApprovalRequest) -> str | None: ...


def new_request(
    *, turn_id: int, key: SessionKey, asker: str, tool: str, summary: str, timeout: float
) -> ApprovalRequest:
    return ApprovalRequest(uuid.uuid4().hex, turn_id, key, asker, tool, summary, time.time() + timeout)


class Approvals:
    """Pending approvals of this process, and (with a store) the record of every decision.

    ``may_decide(request, user_id)`` may replace the rule for non-admins (default: only the asker)."""

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        may_decide: Callable[[ApprovalRequest, str], bool] | None = None,
        *,
        store: Store | None = None,
    ) -> None:
        self.timeout = timeout
        self._may_decide = may_decide or (lambda request, user_id: user_id == request.asker)
        self._pending: dict[str, tuple[ApprovalRequest, asyncio.Future[ApprovalDecision]]] = {}
        self.log = ApprovalLog(store) if store is not None else None
        self.interrupted: list[ApprovalRecord] = []  # closed by `recover`, not yet shown by their adapter
        self._closing: set[asyncio.Task[None]] = set()

    # --- the tool loop's side ------------------------------------------------

    async def ask(self, request: ApprovalRequest, sink: object) -> ApprovalDecision:
        self._record("open", request)
        if not isinstance(sink, ApprovalSink):
            return self._closed(request, ApprovalDecision(UNAVAILABLE), sink)
        future: asyncio.Future[ApprovalDecision] = asyncio.get_running_loop().create_future()
        self._pending[request.id] = (request, future)
        decision = ApprovalDecision(CANCELLED)  # unless something below decides first
        try:
            try:
                ref = await sink.on_approval(request)
            except Exception as error:  # the prompt could not be shown: nobody can approve it
                log.warning("approval %s for %s could not be shown: %s", request.id, request.tool, type(error).__name__)
                decision = ApprovalDecision(UNAVAILABLE)
                return decision
            if ref:
                self._record("shown", request.id, ref)
            log.info("approval %s for %s asked (turn %s)", request.id, request.tool, request.turn_id)
            try:
                decision = await asyncio.wait_for(future, max(0.0, request.expires_at - time.time()))
            except TimeoutError:
                decision = ApprovalDecision(TIMED_OUT)
            return decision
        finally:
            self._pending.pop(request.id, None)
            self._closed(request, decision, sink)

    def _closed(self, request: ApprovalRequest, decision: ApprovalDecision, sink: object) -> ApprovalDecision:
        """Store the outcome and let the sink show it (in a task of its own: also after a cancellation)."""
        self._record("close", request.id, decision.outcome, decision.by or "")
        log.info("approval %s for %s: %s", request.id, request.tool, decision.outcome)
        show = getattr(sink, "on_approval_closed", None)
        if show is not None:
            task = asyncio.ensure_future(_quietly(show(request, decision)))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return decision

    async def settled(self) -> None:
        """Wait until every prompt's outcome has been shown (tests, shutdown)."""
        while self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)

    # --- the adapters' side --------------------------------------------------

    def request(self, approval_id: str) -> ApprovalRequest | None:
        """A request still waiting in this process (an adapter checks the asker before asking about admins)."""
        pending = self._pending.get(approval_id)
        return pending[0] if pending else None

    def decide(self, approval_id: str, user_id: str, approve: bool, *, admin: bool = False) -> str:
        """A click arrived. Returns ``approved``/``denied`` when it counted, ``not_allowed`` when this
        person may not decide, ``decided`` when another click decided it a moment ago, ``unknown`` when
        the request is gone (decided, expired, restarted)."""
        pending = self._pending.get(approval_id)
        if pending is None:
            return "unknown"
        request, future = pending
        if not (admin or self._may_decide(request, user_id)):
            log.info("approval %s: a click by someone who may not decide was refused", approval_id)
            return "not_allowed"
        if future.done():  # a double click: the first one decided, its turn has not resumed yet
            return "decided"
        outcome = APPROVED if approve else DENIED
        future.set_result(ApprovalDecision(outcome, by=user_id))
        return outcome

    def click(self, approval_id: str, user_id: str, approve: bool, *, admin: bool = False, who: Who = str) -> Click:
        """``decide`` plus, when the click did not count, the private reply that says why."""
        outcome = self.decide(approval_id, user_id, approve, admin=admin)
        if outcome in (APPROVED, DENIED):
            return Click(outcome, True)
        request = self.request(approval_id)
        if outcome == "not_allowed" and request is not None:
            return Click(outcome, False, not_allowed_reply(request.asker, who))
        if outcome == "decided":
            return Click(outcome, False, ALREADY_DECIDED)
        record = self.log.get(approval_id) if self.log is not None else None
        return Click(_reason(record), False, click_reply(record, who))

    # --- records -------------------------------------------------------------

    def recover(self) -> list[ApprovalRecord]:
        """At start-up: requests the last process was waiting on are closed as interrupted (nothing ran),
        and kept for their adapter to mark on the platform (`take_interrupted`)."""
        if self.log is None:
            return []
        closed = self.log.close_all_pending(INTERRUPTED)
        if closed:
            log.info("closed %d approval request(s) left waiting by the last process", len(closed))
        self.interrupted.extend(closed)
        return closed

    def take_interrupted(self, platform: str) -> list[ApprovalRecord]:
        mine = [r for r in self.interrupted if r.key.platform == platform]
        self.interrupted = [r for r in self.interrupted if r.key.platform != platform]
        return mine

    def of_turn(self, turn_id: int) -> list[ApprovalRecord]:
        """Every approval a turn asked for, oldest first (for /why and the tool loop's record)."""
        return self.log.of_turn(turn_id) if self.log is not None else []

    def why_lines(self, turn_id: int) -> list[str]:
        """/why's lines for a turn's approvals ("🔐 tasks.delete: approved by the asker")."""
        return why_lines(self.of_turn(turn_id))

    def pending(self) -> list[ApprovalRequest]:
        return [request for request, _ in self._pending.values()]

    def _record(self, step: str, *args: object) -> None:
        if self.log is None:
            return
        try:
            getattr(self.log, step)(*args)
        except Exception as error:  # a locked database must not turn a decision into a crash
            log.warning("could not record approval step %s: %s", step, type(error).__name__)


def _reason(record: ApprovalRecord | None) -> str:
    """Why a click on a request that is not waiting here did nothing (a stable code for logs and tests)."""
    if record is None or record.outcome == PENDING:  # pending in the store only: its turn is gone
        return "unknown"
    if record.outcome == TIMED_OUT:
        return "expired"
    return "decided" if record.outcome in (APPROVED, DENIED) else record.outcome


async def _quietly(showing: object) -> None:
    try:
        await showing  # type: ignore[misc]
    except Exception as error:  # the outcome is stored; only its display failed
        log.warning("could not show an approval's outcome: %s", type(error).__name__)
