"""Approvals in chat: a tool that changes things pauses the turn until the asker (or an admin) decides.

The engine holds one ``Approvals``. The tool loop calls ``ask(request, sink)``: the sink shows the
request (Slack/Discord buttons, a console y/n) if it can (``ApprovalSink``), and a click comes back
through ``decide``. No decision within the timeout means deny. A sink that cannot show approvals
gets an immediate deny (``unavailable``) — never a silent approve.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.session import SessionKey

DEFAULT_TIMEOUT = 300.0

# Outcomes (stable: stored, shown in /why, used by tests)
APPROVED = "approved"
DENIED = "denied"
TIMED_OUT = "timeout"
UNAVAILABLE = "unavailable"  # the client cannot show approvals


@dataclass(frozen=True)
class ApprovalRequest:
    id: str
    turn_id: int
    key: SessionKey
    asker: str  # platform user id of the person whose turn this is
    tool: str
    summary: str  # one short human line about the call, e.g. "tasks.delete: task 3"
    expires_at: float  # time.time()


@dataclass(frozen=True)
class ApprovalDecision:
    outcome: str
    by: str | None = None

    @property
    def approved(self) -> bool:
        return self.outcome == APPROVED


@runtime_checkable
class ApprovalSink(Protocol):
    """A ReplySink that can show an Approve / Deny prompt."""

    async def on_approval(self, request: ApprovalRequest) -> None: ...


def new_request(
    *, turn_id: int, key: SessionKey, asker: str, tool: str, summary: str, timeout: float
) -> ApprovalRequest:
    return ApprovalRequest(uuid.uuid4().hex, turn_id, key, asker, tool, summary, time.time() + timeout)


class Approvals:
    """Pending approvals of this process. ``may_decide(request, user_id)`` says who may answer
    (default: only the asker)."""

    def __init__(
        self,
        timeout: float = DEFAULT_TIMEOUT,
        may_decide: Callable[[ApprovalRequest, str], bool] | None = None,
    ) -> None:
        self.timeout = timeout
        self._may_decide = may_decide or (lambda request, user_id: user_id == request.asker)
        self._pending: dict[str, tuple[ApprovalRequest, asyncio.Future[ApprovalDecision]]] = {}

    async def ask(self, request: ApprovalRequest, sink: object) -> ApprovalDecision:
        if not isinstance(sink, ApprovalSink):
            return ApprovalDecision(UNAVAILABLE)
        future: asyncio.Future[ApprovalDecision] = asyncio.get_running_loop().create_future()
        self._pending[request.id] = (request, future)
        try:
            await sink.on_approval(request)
            wait = max(0.0, request.expires_at - time.time())
            return await asyncio.wait_for(future, wait)
        except TimeoutError:
            return ApprovalDecision(TIMED_OUT)
        finally:
            self._pending.pop(request.id, None)

    def decide(self, approval_id: str, user_id: str, approve: bool) -> str:
        """A click arrived. Returns ``approved``/``denied`` when it counted, ``not_allowed`` when this
        person may not decide, ``unknown`` when the request is gone (decided, expired, restarted)."""
        pending = self._pending.get(approval_id)
        if pending is None:
            return "unknown"
        request, future = pending
        if not self._may_decide(request, user_id):
            return "not_allowed"
        outcome = APPROVED if approve else DENIED
        if not future.done():
            future.set_result(ApprovalDecision(outcome, by=user_id))
        return outcome

    def pending(self) -> list[ApprovalRequest]:
        return [request for request, _ in self._pending.values()]
