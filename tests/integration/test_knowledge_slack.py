"""Grounded answers on Slack through slack-bolt/slack-sdk against the stand-in: the citation list and the
`📚` footer on the posted answer, and a local-only passage kept from the cloud stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.integration.test_slack_harness import SlackBot, start_bot
from tests.knowledge_fixtures import HOLIDAYS, SALARY_SECRET, index_all, knowledge_toml, write_documents


@pytest.fixture
async def slack_kb(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> AsyncIterator[SlackBot]:
    write_documents(tmp_path)
    async with FakeSlack() as fake:
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="socket", toml=knowledge_toml(tmp_path))
        index_all(bot.engine)
        try:
            yield bot
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()


async def test_a_slack_answer_from_a_collection_cites_its_source(slack_kb: SlackBot, fake_openai) -> None:  # noqa: ANN001
    ts = await slack_kb.mention("How many days of holidays do we get?")
    answer = await slack_kb.answer("C0GENERAL", ts)
    assert "☁ cloud" in answer.footer and "📚 1 source" in answer.footer
    assert "📚 Source:" in answer.footer and "handbook.md § Handbook, line 1" in answer.footer
    assert fake_openai.saw_text(HOLIDAYS)


async def test_a_local_only_passage_on_slack_is_answered_locally_and_never_reaches_the_cloud(
    slack_kb: SlackBot, fake_openai: FakeOpenAI, fake_ollama: FakeOllama
) -> None:
    ts = await slack_kb.mention("What is the salary band for staff engineers?")
    answer = await slack_kb.answer("C0GENERAL", ts)
    assert "🔒 local" in answer.footer and "private passage" in answer.footer and "salaries.md" in answer.footer
    await slack_kb.message("and compare it with last year in depth, step by step", thread_ts=ts)
    await slack_kb.answer("C0GENERAL", ts, count=2)
    assert fake_openai.chat_requests() == [] and not fake_openai.saw_text(SALARY_SECRET)
    assert SALARY_SECRET in str(fake_ollama.chat_requests()[0]["messages"])
