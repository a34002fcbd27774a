"""The task tools on a real store: whose tasks (the call context, never an argument), numbering, due dates in
the person's zone, local-only tasks kept out of text that may reach the cloud, `/tasks`, `/forget me`, export.

The tool loop is not on this branch: tools run through the real runner (`run_tool`: schema validation,
timeout, output cap) with `CALL_CONTEXT` set as the loop sets it.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from adapters.console.app import Console
from bot.backup import export_database, import_database
from bot.commands import CommandContext, run_command
from bot.config import Settings
from bot.session import SessionKey
from bot.store import MIGRATIONS, Store
from bot.store_tasks import Owner, TaskStore
from bot.tasks_logic import Due
from bot.tools.base import CALL_CONTEXT, CallContext, Tool
from bot.tools.builtins import builtin_tools
from bot.tools.runner import run_tool
from bot.tools.tasks import make_task_tools
from tests.fakes.ollama_server import FakeOllama
from tests.helpers import make_app

NOW = dt.datetime(2026, 12, 3, 18, 30, tzinfo=dt.UTC)  # a Thursday; 19:30 in Paris
ANN = CallContext("slack", "T1", "C1", "U1", turn_id=1, private=False)
ANN_DM = CallContext("slack", "T1", "D1", "U1", turn_id=2, private=True)
BOB = CallContext("slack", "T1", "C1", "U2", turn_id=3, private=False)
AWS_KEY = "AKIA" + "QYLPMN5HFIQR7XYZ"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "bot.db")
    yield store
    store.close()


@pytest.fixture
def tools(store: Store) -> dict[str, Tool]:
    return {t.name: t for t in make_task_tools(store, "UTC", clock=lambda: NOW)}


@contextmanager
def serving(context: CallContext | None) -> Iterator[None]:
    token = CALL_CONTEXT.set(context)
    try:
        yield
    finally:
        CALL_CONTEXT.reset(token)


async def call(tools: dict[str, Tool], name: str, context: CallContext | None, **args) -> tuple[str, bool]:
    with serving(context):
        result = await run_tool(tools[name], args)
    return result.text, result.is_error


async def test_add_list_update_complete_delete_for_the_person_served(tools) -> None:
    assert await call(tools, "tasks_add", ANN, title="Buy milk", due="tomorrow 5pm") == (
        "Added #1 Buy milk — due tomorrow 17:00",
        False,
    )
    assert (await call(tools, "tasks_add", ANN, title="File the report", due="Friday", notes="the Q4 one"))[0] == (
        "Added #2 File the report — due tomorrow\n    the Q4 one"
    )
    listed, _ = await call(tools, "tasks_list", ANN)
    assert listed.splitlines()[:3] == [
        "Open tasks (2, times in UTC):",
        "#2 File the report — due tomorrow",  # a whole day sorts before a time on that day (its start)
        "    the Q4 one",
    ]
    updated, _ = await call(tools, "tasks_update", ANN, task=1, due="in 3 days", title="Buy oat milk")
    assert updated == "Updated #1 Buy oat milk — due Sun 6 Dec"
    assert (await call(tools, "tasks_complete", ANN, task=2))[
        0
    ] == "Completed #2 ✓ File the report — due tomorrow\n    the Q4 one"
    assert (await call(tools, "tasks_complete", ANN, task=2))[0].startswith("Already completed: #2")
    assert "#2 ✓ File the report" in (await call(tools, "tasks_list", ANN, done=True))[0]
    assert (await call(tools, "tasks_update", ANN, task=2, done=False))[0].startswith("Updated #2 File the report")
    assert (await call(tools, "tasks_update", ANN, task=1, due="none"))[0] == "Updated #1 Buy oat milk"
    assert (await call(tools, "tasks_delete", ANN, task=1))[0] == "Deleted #1 Buy oat milk"
    assert (await call(tools, "tasks_add", ANN, title="Water plants"))[0].startswith("Added #3 ")  # after the highest


async def test_a_person_never_sees_or_changes_another_persons_tasks(tools, store) -> None:
    await call(tools, "tasks_add", ANN, title="Ann's secret plan")
    elsewhere = CallContext("slack", "T2", "C9", "U1", turn_id=4, private=False)  # same user, other workspace
    other_platform = CallContext("discord", "T1", "C1", "U1", turn_id=5, private=False)
    for who in (BOB, elsewhere, other_platform):
        assert (await call(tools, "tasks_list", who))[0] == "You have no open tasks."
        for name in ("tasks_complete", "tasks_delete", "tasks_update"):
            text, error = await call(
                tools, name, who, task=1, **({"title": "hijacked"} if name == "tasks_update" else {})
            )
            assert error and "you have no task #1" in text
    assert TaskStore(store).get(Owner("slack", "T1", "U1"), 1).title == "Ann's secret plan"


async def test_the_owner_is_never_an_argument(tools) -> None:
    text, error = await call(tools, "tasks_list", ANN, user_id="U2")  # the schema has no such argument
    assert error and "invalid arguments" in text and "user_id" in text
    text, error = await call(tools, "tasks_add", None, title="nobody's task")
    assert error and "belong to a person" in text


async def test_bad_arguments_and_dates_become_errors_the_model_can_fix(tools) -> None:
    text, error = await call(tools, "tasks_add", ANN, title="Dentist", due="when pigs fly")
    assert error and "couldn't read 'when pigs fly' as a date" in text and "tomorrow 5pm" in text
    text, error = await call(tools, "tasks_complete", ANN, task="3")
    assert error and "invalid arguments" in text
    text, error = await call(tools, "tasks_update", ANN, task=9, title="x")
    assert error and "no task #9" in text
    await call(tools, "tasks_add", ANN, title="Something")
    text, error = await call(tools, "tasks_update", ANN, task=1)
    assert error and "say what to change" in text
    assert (await call(tools, "tasks_list", ANN))[0].count("#") == 1  # nothing half-written


async def test_due_dates_follow_the_persons_own_zone(tools, store) -> None:
    paris = CallContext("slack", "T1", "C1", "U1", turn_id=6, private=False, tz="Europe/Paris")
    assert (await call(tools, "tasks_add", paris, title="Call home", due="tomorrow 9am"))[0].endswith("tomorrow 09:00")
    task = TaskStore(store).get(Owner("slack", "T1", "U1"), 1)
    assert task.due == Due(dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC), all_day=False)  # stored in UTC
    # The same task read by the same person with no zone known (the configured default, UTC here).
    assert "tomorrow 08:00" in (await call(tools, "tasks_list", ANN))[0]
    bogus = CallContext("slack", "T1", "C1", "U1", turn_id=7, private=False, tz="Mars/Olympus")
    assert "tomorrow 08:00" in (await call(tools, "tasks_list", bogus))[0]  # an unknown zone: the default


async def test_tasks_from_private_turns_never_show_their_text_where_it_may_reach_the_cloud(tools, store) -> None:
    await call(tools, "tasks_add", ANN_DM, title="Ask Dr Weber about the biopsy results")
    await call(tools, "tasks_add", ANN, title=f"Rotate the key {AWS_KEY} on the build box")  # sensitive text
    await call(tools, "tasks_add", ANN, title="Book the team lunch")
    public = [
        (await call(tools, "tasks_list", ANN))[0],
        (await call(tools, "tasks_complete", ANN, task=1))[0],
        (await call(tools, "tasks_update", ANN, task=2, due="Friday"))[0],
        (await call(tools, "tasks_list", ANN, done=True))[0],
    ]
    for text in public:
        assert "Weber" not in text and "biopsy" not in text and AWS_KEY not in text, text
    assert "Book the team lunch" in public[0] and "2 more added in private conversations" in public[0]
    assert AWS_KEY in (await call(tools, "tasks_list", ANN_DM))[0]  # a private turn sees everything
    assert "Dr Weber" in (await call(tools, "tasks_list", ANN_DM, done=True))[0]
    # Retitling in a public turn keeps a task local-only: stricter, never looser.
    await call(tools, "tasks_update", ANN, task=2, title="Email Bob")
    assert TaskStore(store).get(Owner("slack", "T1", "U1"), 2).local_only


def test_only_deleting_needs_approval_and_no_task_tool_sends_data_out(store) -> None:
    tools = {t.name: t for t in builtin_tools(Settings(), store)}
    assert {n for n in tools if n.startswith("tasks_")} == {
        "tasks_add",
        "tasks_list",
        "tasks_update",
        "tasks_complete",
        "tasks_delete",
    }
    assert [n for n, t in tools.items() if t.changes_things] == ["tasks_delete"]
    assert not any(t.sends_data_out for t in tools.values())
    assert "tasks_add" not in [t.name for t in builtin_tools(Settings())]  # no store, no task tools


# --- /tasks on the command layer and the console ----------------------------------------------------


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None, toml='[tools]\ntimezone = "Europe/Paris"\n')
    yield app
    await app.engine.aclose()


def add(app, owner: Owner, title: str, *, due: Due | None = None, local_only: bool = False) -> None:
    TaskStore(app.engine.store).add(owner, title, due=due, local_only=local_only)


async def test_tasks_command_lists_completes_and_shows_done(app) -> None:
    ctx = CommandContext(SessionKey("slack", "T1", "C1"), "U1", "ann")
    assert "You have no open tasks." in (await run_command(app.engine, ctx, "/tasks")).text
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    add(app, Owner("slack", "T1", "U1"), "Renew passport", due=Due(soon, all_day=True))
    add(app, Owner("slack", "T1", "U1"), "Therapy notes", local_only=True)
    add(app, Owner("slack", "T1", "U2"), "Bob's task")
    listed = (await run_command(app.engine, ctx, "/tasks")).text
    assert listed.startswith("Open tasks (2, times in Europe/Paris):")
    assert "#1 Renew passport — due " in listed and "#2 🔒 Therapy notes" in listed and "Bob" not in listed
    done = await run_command(app.engine, ctx, "/tasks complete 2")
    assert done.ok and done.text.startswith("Completed #2 ✓ 🔒 Therapy notes")
    assert "#2 ✓ 🔒 Therapy notes" in (await run_command(app.engine, ctx, "/tasks done")).text
    assert not (await run_command(app.engine, ctx, "/tasks complete 7")).ok
    wrong = await run_command(app.engine, ctx, "/tasks frobnicate")
    assert not wrong.ok and "/tasks done" in wrong.text
    assert "/tasks" in (await run_command(app.engine, ctx, "/help")).text


async def test_tasks_command_uses_the_persons_zone(app) -> None:
    at = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0) + dt.timedelta(days=30)
    add(app, Owner("slack", "T1", "U1"), "Standup", due=Due(at, all_day=False))
    ctx = CommandContext(SessionKey("slack", "T1", "C1"), "U1", "ann", tz="Asia/Tokyo")
    text = (await run_command(app.engine, ctx, "/tasks")).text
    assert "times in Asia/Tokyo" in text and "21:00" in text  # 12:00 UTC is 21:00 in Tokyo


async def test_tasks_on_the_console(app) -> None:
    add(app, Owner("console", "local", "you"), "Read the README")
    out = io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(b"/tasks\n/tasks complete 1\n/tasks done\n"), encoding="utf-8")
    await Console(app.engine, stdin=stdin, stdout=out).run()
    text = out.getvalue()
    assert "#1 Read the README" in text and "Completed #1 ✓ Read the README" in text
    assert text.index("Completed") < text.rindex("Completed tasks (1")


# --- /forget me and export --------------------------------------------------------------------------


async def test_forget_me_deletes_the_callers_tasks_on_that_platform_only(app) -> None:
    ann, bob = Owner("slack", "T1", "U1"), Owner("slack", "T1", "U2")
    add(app, ann, "Ann one")
    add(app, Owner("slack", "T2", "U1"), "Ann in another workspace")
    add(app, Owner("discord", "G1", "U1"), "Same id on Discord")
    add(app, bob, "Bob one")
    result = await run_command(app.engine, CommandContext(SessionKey("slack", "T1", "C1"), "U1", "ann"), "/forget me")
    assert result.ok and "2 task(s)" in result.text
    left = app.engine.store.conn.execute("SELECT title FROM tasks ORDER BY title").fetchall()
    assert [r[0] for r in left] == ["Bob one", "Same id on Discord"]


async def test_export_carries_tasks_and_an_older_backup_imports_without_them(app, tmp_path: Path) -> None:
    add(app, Owner("slack", "T1", "U1"), "Exported task")
    info = export_database(app.engine.store.path, tmp_path / "backup.db")
    assert info.counts["tasks"] == 1
    with sqlite3.connect(tmp_path / "backup.db") as conn:
        assert conn.execute("SELECT title FROM tasks").fetchall() == [("Exported task",)]
    # A backup written before the tasks table existed (one schema version earlier) restores and gains it.
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        for version, script in enumerate(MIGRATIONS[:-1], start=1):
            conn.executescript(f"{script}\nPRAGMA user_version = {version};")
    restored = import_database(old, tmp_path / "restored.db")
    assert restored.schema_version == len(MIGRATIONS) and restored.counts["tasks"] == 0
