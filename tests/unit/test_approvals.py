"""Approvals (bot/tools/approvals.py) on a real store: who may decide, timeouts, records, restarts, forgetting."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot import store_approvals
from bot.retention import forget_user, purge_expired
from bot.session import SessionKey
from bot.store import Store
from bot.tools.approval_types import ApprovalDecision, ApprovalRequest
from bot.tools.approvals import Approvals, new_request

KEY = SessionKey("slack", "T1", "C1", "171.1")
ALICE, BOB, ADMIN = "U0ALICE", "U0BOB", "U0ADMIN"


class PromptSink:
    """Shows approvals like an adapter's sink would, and tells the test when it did."""

    def __init__(self, *, fail: bool = False) -> None:
        self.fail = fail
        self.shown: asyncio.Queue[ApprovalRequest] = asyncio.Queue()
        self.closed: asyncio.Queue[tuple[ApprovalRequest, ApprovalDecision]] = asyncio.Queue()

    async def on_approval(self, request: ApprovalRequest) -> str | None:
        if self.fail:
            raise ConnectionError("the platform is down")
        await self.shown.put(request)
        return f"C1:{request.id[:6]}"

    async def on_approval_closed(self, request: ApprovalRequest, decision: ApprovalDecision) -> None:
        await self.closed.put((request, decision))


def turn_in(store: Store) -> int:
    conv = store.conversation(KEY)
    message = store.add_message(conv.id, "user", "delete my task 3", author_id=ALICE)
    return store.create_turn(conv.id, message, user_id=ALICE, workspace="T1")


def ask_for(store: Store, timeout: float = 30.0) -> ApprovalRequest:
    return new_request(
        turn_id=turn_in(store), key=KEY, asker=ALICE, tool="tasks.delete", summary="task 3", timeout=timeout
    )


async def test_the_asker_approves_and_the_decision_is_stored_and_shown() -> None:
    store, sink = Store(":memory:"), PromptSink()
    approvals = Approvals(30, store=store)
    request = ask_for(store)
    asking = asyncio.create_task(approvals.ask(request, sink))
    shown = await sink.shown.get()
    assert approvals.log is not None and approvals.log.get(shown.id).outcome == "pending"
    assert approvals.click(shown.id, ALICE, True).counted
    double = approvals.click(shown.id, ALICE, False)  # a second click before the turn resumed
    assert (double.outcome, double.counted) == ("decided", False) and "already decided" in double.text
    decision = await asking
    assert decision.approved and decision.by == ALICE
    record = approvals.log.get(request.id)
    assert (record.outcome, record.decided_by, record.prompt_ref) == ("approved", ALICE, f"C1:{request.id[:6]}")
    assert record.decided_at is not None and record.tool == "tasks.delete" and record.turn_id == request.turn_id
    assert await sink.closed.get() == (request, decision)
    assert approvals.why_lines(request.turn_id) == ["🔐 tasks.delete: approved by the asker"]


async def test_someone_else_is_refused_and_the_request_stays_pending_until_an_admin_decides() -> None:
    store, sink = Store(":memory:"), PromptSink()
    approvals = Approvals(30, store=store)
    asking = asyncio.create_task(approvals.ask(ask_for(store), sink))
    request = await sink.shown.get()
    refused = approvals.click(request.id, BOB, True)
    assert not refused.counted and refused.outcome == "not_allowed"
    assert "Only U0ALICE (who asked) or an admin" in refused.text
    assert approvals.request(request.id) == request and not asking.done()
    assert approvals.log is not None and approvals.log.get(request.id).outcome == "pending"
    assert approvals.click(request.id, ADMIN, False, admin=True).counted
    decision = await asking
    assert (decision.outcome, decision.by) == ("denied", ADMIN)
    assert approvals.why_lines(request.turn_id) == ["🔐 tasks.delete: denied by an admin"]
    again = approvals.click(request.id, ALICE, True)
    assert (again.outcome, again.counted) == ("decided", False) and "already denied by U0ADMIN" in again.text


async def test_no_answer_in_time_denies_and_a_late_click_says_it_expired() -> None:
    store, sink = Store(":memory:"), PromptSink()
    approvals = Approvals(0.2, store=store)
    decision = await approvals.ask(ask_for(store, timeout=0.2), sink)
    request = sink.shown.get_nowait()
    assert decision.outcome == "timeout" and not decision.approved
    assert (await sink.closed.get())[1].outcome == "timeout"
    late = approvals.click(request.id, ALICE, True)
    assert (late.outcome, late.counted) == ("expired", False)
    assert "expired" in late.text and "nothing was run" in late.text


async def test_a_client_without_approvals_or_a_failing_prompt_means_no() -> None:
    store = Store(":memory:")
    approvals = Approvals(30, store=store)
    plain = ask_for(store)
    assert (await approvals.ask(plain, object())).outcome == "unavailable"
    failing = ask_for(store)
    assert (await approvals.ask(failing, PromptSink(fail=True))).outcome == "unavailable"
    assert approvals.log is not None
    assert [approvals.log.get(r.id).outcome for r in (plain, failing)] == ["unavailable", "unavailable"]
    assert approvals.pending() == []


async def test_stopping_the_turn_while_it_waits_records_cancelled() -> None:
    store, sink = Store(":memory:"), PromptSink()
    approvals = Approvals(30, store=store)
    asking = asyncio.create_task(approvals.ask(ask_for(store), sink))
    request = await sink.shown.get()
    asking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asking
    assert (await sink.closed.get())[1].outcome == "cancelled"
    assert approvals.log is not None and approvals.log.get(request.id).outcome == "cancelled"


async def test_a_restart_closes_waiting_requests_as_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    store, sink = Store(path), PromptSink()
    first = Approvals(30, store=store)
    asking = asyncio.create_task(first.ask(ask_for(store), sink))
    request = await sink.shown.get()
    # The process dies here: nothing closes the row (a new store on the same file plays the next process).
    second = Approvals(30, store=Store(path))
    closed = second.recover()
    assert [(r.id, r.outcome, r.prompt_ref) for r in closed] == [(request.id, "interrupted", f"C1:{request.id[:6]}")]
    assert second.take_interrupted("discord") == [] and second.take_interrupted("slack") == closed
    assert second.take_interrupted("slack") == []
    late = second.click(request.id, ALICE, True)
    assert (late.outcome, late.counted) == ("interrupted", False) and "restart" in late.text
    assert second.recover() == []  # closed once
    asking.cancel()


def test_forget_me_deletes_the_askers_requests_and_anonymises_their_decisions() -> None:
    store = Store(":memory:")
    log = store_approvals.ApprovalLog(store)
    mine, theirs = (
        ask_for(store),
        new_request(turn_id=turn_in(store), key=KEY, asker=BOB, tool="tasks.delete", summary="task 9", timeout=30),
    )
    log.open(mine)
    log.close(mine.id, "approved", ALICE)
    log.open(theirs)
    log.close(theirs.id, "approved", ALICE)  # Alice as an admin decided Bob's request
    exported = store_approvals.export_user(store, "slack", ALICE)
    assert [(e["tool"], e["summary"], e["outcome"], e["decided_by"]) for e in exported] == [
        ("tasks.delete", "task 3", "approved", "you")
    ]
    forgotten = forget_user(store, "slack", ALICE)
    assert forgotten.approvals == 1 and "1 tool approval request(s)" in forgotten.text
    assert log.get(mine.id) is None
    assert log.get(theirs.id).decided_by == "" and log.get(theirs.id).outcome == "approved"
    assert store_approvals.export_user(store, "slack", ALICE) == []


def test_retention_purges_closed_requests_with_the_messages() -> None:
    store = Store(":memory:")
    log = store_approvals.ApprovalLog(store)
    done, waiting = ask_for(store), ask_for(store)
    log.open(done)
    log.close(done.id, "denied", ALICE)
    log.open(waiting)
    purge_expired(store, 1, now=10**12)  # far in the future: everything is past its time-to-live
    assert log.get(done.id) is None and log.get(waiting.id) is not None  # pending ones wait for their answer
