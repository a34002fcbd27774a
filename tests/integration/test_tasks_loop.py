"""The task tools end to end through the tool loop, with scripted models behind the real openai and ollama
clients: a task created from a chat turn, a private task's text never reaching the cloud, deletion held
for approval, and the person's own time zone reaching the tools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from bot.store_tasks import Owner, TaskStore
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

CHANNEL = SessionKey("slack", "T1", "C1", "1700000000.000100")
DM = SessionKey("slack", "T1", "D1", None)
ANN = Owner("slack", "T1", "U1")
TOML = '[routing]\ndefault_model = "cloud"\n[limits]\nenabled = false\n'


def calls_once(name: str, arguments: dict[str, Any] | None = None):
    """A scripted model: asks for one tool call, then (with the result in its prompt) answers in words."""

    def reply(body: dict[str, Any]) -> dict[str, Any] | None:
        if any(m.get("role") == "tool" for m in body["messages"]):
            return None
        return {"name": name, "arguments": arguments or {}}

    return reply


@pytest.fixture
async def app(tmp_path: Path, fake_openai: FakeOpenAI, fake_ollama: FakeOllama):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=TOML)
    for key in (CHANNEL, DM):
        assert (await run_command(app.engine, CommandContext(key, "U1", "ann"), "/agent assistant me")).ok
    yield app
    await app.engine.aclose()


def tool_results(requests: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("content")) for r in requests for m in r["messages"] if m.get("role") == "tool")


async def test_a_scripted_model_creates_a_task_through_the_loop(app, fake_openai: FakeOpenAI) -> None:
    fake_openai.tool_call_reply = calls_once("tasks_add", {"title": "Buy milk", "due": "tomorrow 5pm"})
    result = await app.engine.handle(
        Turn(CHANNEL, "U1", "ann", "remind me to buy milk tomorrow at 5pm"), RecordingSink()
    )
    assert result.status == "done" and result.route.locality == "cloud"
    offered = {t["function"]["name"] for t in fake_openai.chat_requests()[0]["tools"]}
    assert {"tasks_add", "tasks_list", "tasks_update", "tasks_complete", "tasks_delete"} <= offered
    [task] = TaskStore(app.engine.store).tasks(ANN)
    assert task.title == "Buy milk" and task.due is not None and not task.due.all_day and not task.local_only
    assert "Added #1 Buy milk — due tomorrow 17:00" in tool_results(fake_openai.chat_requests())
    assert TaskStore(app.engine.store).tasks(Owner("slack", "T1", "U2")) == []  # nobody else's list


async def test_a_task_from_a_dm_never_reaches_the_cloud(app, fake_openai: FakeOpenAI, fake_ollama: FakeOllama) -> None:
    fake_ollama.tool_call_reply = calls_once("tasks_add", {"title": "Ask Dr Weber about the biopsy results"})
    private = await app.engine.handle(
        Turn(DM, "U1", "ann", "note: ask Dr Weber about the biopsy results", private=True), RecordingSink()
    )
    assert private.status == "done" and private.route.locality == "local"
    assert TaskStore(app.engine.store).tasks(ANN)[0].local_only
    fake_openai.tool_call_reply = calls_once("tasks_list")
    listed = await app.engine.handle(Turn(CHANNEL, "U1", "ann", "what's on my list?"), RecordingSink())
    assert listed.status == "done" and listed.route.locality == "cloud"
    assert "added in private conversations" in tool_results(fake_openai.chat_requests())
    assert not fake_openai.saw_text("Weber") and not fake_openai.saw_text("biopsy")


class ClickingSink(RecordingSink):
    """A chat that shows approval prompts; each (user, approve) click is made in turn on every prompt."""

    def __init__(self, engine, *clicks: tuple[str, bool]) -> None:
        super().__init__()
        self.engine, self.clicks, self.asked, self.answers = engine, clicks, [], []

    async def on_approval(self, request) -> None:
        self.asked.append(request.tool)
        for who, approve in self.clicks:
            self.answers.append(self.engine.approvals.decide(request.id, who, approve))


async def test_deleting_needs_the_askers_approval(app, fake_openai: FakeOpenAI) -> None:
    tasks = TaskStore(app.engine.store)
    tasks.add(ANN, "Keep me", local_only=False)
    fake_openai.tool_call_reply = calls_once("tasks_delete", {"task": 1})
    result = await app.engine.handle(Turn(CHANNEL, "U1", "ann", "delete task 1"), RecordingSink())
    assert result.status == "done"
    assert [t.title for t in tasks.tasks(ANN)] == ["Keep me"]  # a chat that cannot ask: not run
    assert "tasks_delete was not run: it needs approval" in tool_results(fake_openai.chat_requests())
    bob_then_ann_denies = ClickingSink(app.engine, ("U2", True), ("U1", False))  # bob's click does not count
    await app.engine.handle(Turn(CHANNEL, "U1", "ann", "delete task 1 please"), bob_then_ann_denies)
    assert bob_then_ann_denies.asked == ["tasks_delete"] and [t.title for t in tasks.tasks(ANN)] == ["Keep me"]
    ann_approves = ClickingSink(app.engine, ("U1", True))
    await app.engine.handle(Turn(CHANNEL, "U1", "ann", "yes, delete task 1"), ann_approves)
    assert ann_approves.asked == ["tasks_delete"] and tasks.tasks(ANN) == []
    assert "Deleted #1 Keep me" in tool_results(fake_openai.chat_requests())


async def test_the_persons_own_zone_reaches_the_tools(app, fake_openai: FakeOpenAI) -> None:
    fake_openai.tool_call_reply = calls_once("now")
    await app.engine.handle(Turn(CHANNEL, "U1", "ann", "what time is it?", tz="Asia/Tokyo"), RecordingSink())
    assert "Asia/Tokyo" in tool_results(fake_openai.chat_requests())
