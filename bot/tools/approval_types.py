"""Approvals in chat: the shared data types and outcome codes. No I/O.

``ApprovalRequest`` is what the tool loop asks and a sink shows; ``ApprovalDecision`` is what ``ask``
returns; ``ApprovalRecord`` is one stored request with its outcome (bot/store_approvals.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.session import SessionKey

# Outcomes (stable: stored, shown in /why, used by tests)
PENDING = "pending"  # stored while the request waits; never returned by ``ask``
APPROVED = "approved"
DENIED = "denied"
TIMED_OUT = "timeout"  # nobody decided in time: the call is denied
UNAVAILABLE = "unavailable"  # the client cannot show approvals (or showing failed): the call is denied
CANCELLED = "cancelled"  # the turn was stopped (🛑, Ctrl-C) while it waited
INTERRUPTED = "interrupted"  # the process ended while it waited (closed at the next start-up)
OUTCOMES = (APPROVED, DENIED, TIMED_OUT, UNAVAILABLE, CANCELLED, INTERRUPTED)


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


@dataclass(frozen=True)
class ApprovalRecord:
    """A stored request: what was asked, where it was shown (``prompt_ref``, the adapter's own
    reference to its message, e.g. "C123:1700000000.000100") and how it ended."""

    id: str
    turn_id: int
    key: SessionKey
    asker: str
    tool: str
    summary: str
    outcome: str
    decided_by: str
    prompt_ref: str
    created_at: float
    expires_at: float
    decided_at: float | None

    @property
    def request(self) -> ApprovalRequest:
        return ApprovalRequest(self.id, self.turn_id, self.key, self.asker, self.tool, self.summary, self.expires_at)


@dataclass(frozen=True)
class Click:
    """What a click (or a typed y/n) did: ``counted`` when it decided the request; otherwise ``outcome``
    says why not (``not_allowed``, ``expired``, ``interrupted``, ``decided``, ``unknown``) and ``text`` is
    the private reply for the person who clicked."""

    outcome: str
    counted: bool
    text: str = ""
