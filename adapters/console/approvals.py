"""Approvals in the console: a `y/N` question on the terminal, answered by the one person at it.

The answer is read through the console's own line reader (`read_line`), so a question that times out
leaves the line being typed to the console's next prompt instead of swallowing it. Anything but
y/yes is a no, and so is the end of input.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.tools.approval_texts import outcome_line, prompt_rule, prompt_title
from bot.tools.approval_types import ApprovalDecision, ApprovalRequest
from bot.tools.approvals import Approvals

YES = {"y", "yes"}


class ConsoleApprovals:
    """Asks on the console and turns the typed answer into a decision by the console's user."""

    def __init__(
        self, approvals: Approvals, user: str, out: TextIO, read_line: Callable[[], Awaitable[str | None]]
    ) -> None:
        self.approvals = approvals
        self.user = user
        self.out = out
        self.read_line = read_line
        self._answers: dict[str, asyncio.Task[None]] = {}

    def who(self, user_id: str) -> str:
        return "you" if user_id == self.user else user_id

    async def show(self, request: ApprovalRequest) -> str:
        wait = max(1.0, round(request.expires_at - time.time()))
        self.out.write(f"{prompt_title(request, self.who)}\n{prompt_rule(request, self.who, wait=wait)}\n")
        self.out.write("Approve? [y/N] ")
        self.out.flush()
        self._answers[request.id] = asyncio.create_task(self._answer(request.id))
        return f"console:{request.id}"

    async def _answer(self, approval_id: str) -> None:
        line = await self.read_line()
        approve = line is not None and line.strip().lower() in YES
        self.approvals.click(approval_id, self.user, approve, who=self.who)

    async def closed(self, request: ApprovalRequest, decision: ApprovalDecision) -> None:
        answering = self._answers.pop(request.id, None)
        if answering is not None and not answering.done():
            answering.cancel()  # the line being read goes to the console's next prompt instead
            self.out.write("\n")
        self.out.write(outcome_line(decision.outcome, decision.by, self.who) + "\n")
        self.out.flush()


def interrupted_notes(approvals: Approvals) -> list[str]:
    """At start-up: one line per question the last session left unanswered."""
    return [f"{outcome_line(record.outcome, None)} ({record.tool})" for record in approvals.take_interrupted("console")]
