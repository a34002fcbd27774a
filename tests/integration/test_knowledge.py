"""Answers grounded in knowledge collections, through the real OpenAI and Ollama clients against the
stand-ins: citations, and each collection's privacy level on the wire (faults included)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.knowledge.tool import search_for_call
from bot.session import SessionKey
from bot.tools.base import CALL_CONTEXT, CallContext
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app
from tests.knowledge_fixtures import (
    HOLIDAYS,
    PAYROLL_EMAIL,
    SALARY_SECRET,
    index_all,
    knowledge_toml,
    write_documents,
)

KEY = SessionKey("slack", "T1", "C1", "1700000000.000100")


def _app(tmp_path: Path, ollama: str | None, openai: str | None, extra: str = "") -> App:
    write_documents(tmp_path)
    app = make_app(tmp_path, ollama_host=ollama, openai_url=openai, toml=knowledge_toml(tmp_path) + extra)
    index_all(app.engine)
    return app


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> AsyncIterator[App]:
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url)
    yield app
    await app.engine.aclose()


async def ask(app: App, text: str, key: SessionKey = KEY) -> tuple[RecordingSink, object]:
    sink = RecordingSink()
    result = await app.engine.handle(Turn(key, "U1", "ann", text), sink)
    return sink, result


async def test_a_cloud_ok_passage_reaches_the_cloud_and_the_answer_cites_it(app, fake_openai) -> None:
    _, result = await ask(app, "How many days of holidays do we get?")
    assert result.status == "done" and result.route.locality == "cloud"
    assert fake_openai.saw_text(HOLIDAYS)  # the passage was in the prompt
    assert result.route.footer.endswith("📚 1 source")
    cited = result.notices[-1]
    assert cited.startswith("📚 Source:\n[1] Handbook — ") and "handbook.md § Handbook, line 1" in cited
    why = await run_command(app.engine, CommandContext(KEY, "U1"), "/why")
    assert "handbook.md § Handbook, line 1" in why.text


async def test_a_local_only_passage_keeps_the_turn_local_and_the_conversation_sticky(
    app, fake_openai, fake_ollama
) -> None:
    _, result = await ask(app, "What is the salary band for staff engineers?")
    assert result.status == "done" and result.route.locality == "local"
    assert "knowledge-private" in result.route.reasons
    assert SALARY_SECRET in str(fake_ollama.chat_requests()[-1]["messages"])  # the local model had it
    _, follow_up = await ask(app, "Now compare that with the holidays, in depth, step by step.")
    assert follow_up.route.locality == "local" and "sticky-private" in follow_up.route.reasons
    assert not fake_openai.saw_text(SALARY_SECRET) and not fake_openai.saw_text("142,000")
    assert fake_openai.chat_requests() == []


async def test_a_standard_passage_with_personal_data_is_treated_like_such_a_message(app, fake_openai) -> None:
    _, result = await ask(app, "Who handles payroll questions and how do I reach them?")
    assert result.route.locality == "local" and "knowledge-private" in result.route.reasons
    assert not fake_openai.saw_text(PAYROLL_EMAIL)


async def test_a_standard_passage_without_findings_may_go_to_the_cloud(tmp_path, fake_ollama, fake_openai) -> None:
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url)
    (tmp_path / "docs" / "hr" / "payroll.md").write_text("# Payroll\n\nPayroll runs on the 25th of each month.\n")
    index_all(app.engine)
    _, result = await ask(app, "When does payroll run each month?")
    assert result.route.locality == "cloud" and fake_openai.saw_text("Payroll runs on the 25th")
    await app.engine.aclose()


@pytest.mark.parametrize("fault", ["down", "status", "reset"])
async def test_a_local_only_passage_with_the_local_model_failing_is_refused_never_sent_to_the_cloud(
    tmp_path, fake_ollama, fake_openai, fault
) -> None:
    if fault != "down":
        fake_ollama.fail_all(fault, **({"status": 503} if fault == "status" else {}))
    app = _app(tmp_path, None if fault == "down" else fake_ollama.host, fake_openai.base_url)
    sink, result = await ask(app, "What is the salary band for staff engineers?")
    assert result.status in ("refused", "error")
    assert result.text or result.error  # the person is told what happened
    assert fake_openai.chat_requests() == [] and not fake_openai.saw_text(SALARY_SECRET)
    assert SALARY_SECRET not in sink.text
    await app.engine.aclose()


async def test_collections_limited_to_other_channels_are_not_searched(tmp_path, fake_ollama, fake_openai) -> None:
    extra = ""
    app = _app(tmp_path, fake_ollama.host, fake_openai.base_url, extra)
    app.engine.settings.knowledge.collections[0].channels = ["C_OTHER"]  # the handbook: elsewhere only
    _, result = await ask(app, "How many days of holidays do we get?")
    assert not fake_openai.saw_text(HOLIDAYS) and "📚" not in result.route.footer
    await app.engine.aclose()


async def test_search_knowledge_withholds_local_only_and_sensitive_passages_from_a_cloud_turn(app) -> None:
    _, result = await ask(app, "hello there")
    turn_id = result.turn_id
    cloud_call = CallContext("slack", "T1", "C1", "U1", turn_id, private=False)
    token = CALL_CONTEXT.set(cloud_call)
    try:
        salary = await search_for_call(app.engine, "salary band staff engineers")
        payroll = await search_for_call(app.engine, "payroll questions Jane")
        holidays = await search_for_call(app.engine, "holidays paid leave")
    finally:
        CALL_CONTEXT.reset(token)
    assert SALARY_SECRET not in salary and PAYROLL_EMAIL not in payroll
    assert "withheld" in payroll
    assert HOLIDAYS in holidays and "[1] Handbook — " in holidays
    assert not app.engine.store.conversation(KEY).sticky_private
    token = CALL_CONTEXT.set(CallContext("slack", "T1", "C1", "U1", turn_id, private=True))
    try:
        assert SALARY_SECRET in await search_for_call(app.engine, "salary band staff engineers")
    finally:
        CALL_CONTEXT.reset(token)
    assert app.engine.store.conversation(KEY).sticky_private  # read by a local model: later turns stay local


async def test_the_search_knowledge_tool_is_registered(app) -> None:
    names = [t.name for t in await app.engine.tools.all_tools()]
    assert "search_knowledge" in names
