"""Paths other than the message itself (issue 9): operator floors, level changes, the bot's own answers,
speaker names, 🔁, limits and honest refusals. Each test asserts on what the OpenAI stand-in recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import bot.engine
from bot.app import App
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```\n"
)
THREAD = SessionKey("slack", "T1", "C0LOCAL", "1700000000.000100")


def turn(key: SessionKey, text: str, user: str = "U1", name: str = "ann") -> Turn:
    return Turn(key, user, name, text)


async def command(app: App, key: SessionKey, text: str, *, admin: bool = True) -> bool:
    return (await run_command(app.engine, CommandContext(key, "U1", can_change_channel=admin), text)).ok


@pytest.fixture
async def floor_app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> AsyncIterator[App]:
    toml = '[privacy.channels]\nC0LOCAL = "local-only"\n'
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=toml)
    yield app
    await app.engine.aclose()


@pytest.fixture
async def loose_app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> AsyncIterator[App]:
    toml = '[privacy]\nallow_loosening = true\n[privacy.channels]\nC0LOCAL = "local-only"\n'
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=toml)
    yield app
    await app.engine.aclose()


# --- 1: the operator's level is a floor; what was said under it stays local ---------------------


async def test_operator_local_only_channel_cannot_be_loosened_by_a_member(floor_app, fake_openai) -> None:
    for looser in ("standard", "redact", "cloud-ok"):
        result = await run_command(floor_app.engine, CommandContext(THREAD, "U1"), f"/privacy {looser}")
        assert not result.ok and "operator" in result.text and "stricter" in result.text
    assert await command(floor_app, THREAD, "/privacy local-only")  # the same level (or stricter) is fine
    await floor_app.engine.handle(turn(THREAD, "codename BLUEHERON ships in May"), RecordingSink())
    result = await floor_app.engine.handle(turn(THREAD, COMPLEX), RecordingSink())
    assert result.route.locality == "local" and "channel-local-only" in result.route.reasons
    assert fake_openai.chat_requests() == []


async def test_standard_floor_allows_stricter_and_refuses_looser(tmp_path, fake_ollama, fake_openai) -> None:
    toml = '[privacy.channels]\nC0STD = "standard"\n'
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=toml)
    key = SessionKey("slack", "T1", "C0STD", None)
    try:
        assert not await command(app, key, "/privacy redact")
        assert not await command(app, key, "/privacy cloud-ok")
        assert await command(app, key, "/privacy local-only")
        conv = app.engine.store.conversation(key)
        assert app.engine.privacy_level(conv) == "local-only"
    finally:
        await app.engine.aclose()


async def test_loosened_level_never_lets_the_strict_period_into_a_cloud_prompt(
    loose_app, fake_openai, fake_ollama, monkeypatch
) -> None:
    """History, the local answers, the summary and 🔁 of a local-only period all stay off the cloud."""
    monkeypatch.setattr(bot.engine, "SUMMARY_TRIGGER", 2)
    engine = loose_app.engine
    first = await engine.handle(turn(THREAD, "codename BLUEHERON ships in May"), RecordingSink())
    assert first.route.locality == "local" and "BLUEHERON" in first.text  # the local model echoed it
    await engine.handle(turn(THREAD, "and the budget is KESTREL-42"), RecordingSink())
    assert await command(loose_app, THREAD, "/privacy standard")  # the operator allows loosening here
    later = await engine.handle(turn(THREAD, COMPLEX), RecordingSink())
    assert later.route.locality == "cloud"
    more = await engine.handle(turn(THREAD, COMPLEX + " Now add tests."), RecordingSink())
    assert more.route.locality == "cloud"
    conv = engine.store.conversation(THREAD)
    assert conv.summary and conv.summary_sensitive  # folded by the local model, marked
    again = await engine.regenerate(THREAD, first.turn_id, RecordingSink(), user_id="U1")
    assert again.route.locality == "local" and "stored-private" in again.route.reasons
    assert len(fake_openai.chat_requests()) == 2
    for word in ("BLUEHERON", "KESTREL"):
        assert not fake_openai.saw_text(word)


async def test_private_conversation_messages_are_stored_local_only(loose_app) -> None:
    dm = SessionKey("slack", "T1", "D0DM", None)
    await loose_app.engine.handle(Turn(dm, "U1", "ann", "my plans for Tuesday", private=True), RecordingSink())
    conv = loose_app.engine.store.conversation(dm)
    stored = list(loose_app.engine.store.newest_messages(conv.id))
    assert [m.role for m in stored] == ["assistant", "user"]
    assert all(m.local_only and m.sensitive for m in stored)


# --- 2: what the bot itself said is scanned and marked ---------------------------------------


async def test_local_answer_echoing_personal_data_stays_off_the_cloud_after_a_level_change(
    loose_app, fake_openai, fake_ollama
) -> None:
    key = SessionKey("slack", "T1", "C0OPEN", "1700000000.000200")
    assert await command(loose_app, key, "/privacy redact")
    fake_ollama.reply = (
        "Noted: jane.doe@northwind-mail.io, +44 20 7123 4567 — or jane dot doe at northwind-mail dot io."
    )
    result = await loose_app.engine.handle(
        turn(key, "reach Jane at jane.doe@northwind-mail.io or +44 20 7123 4567"), RecordingSink()
    )
    assert result.route.locality == "local"
    fake_ollama.reply = None
    assert await command(loose_app, key, "/privacy redact")
    redacted = await loose_app.engine.handle(turn(key, COMPLEX), RecordingSink())
    assert redacted.route.locality == "cloud"
    assert await command(loose_app, key, "/privacy standard")
    standard = await loose_app.engine.handle(turn(key, COMPLEX + " Shorter, please."), RecordingSink())
    assert await command(loose_app, key, "/privacy cloud-ok")
    loose = await loose_app.engine.handle(turn(key, COMPLEX + " Once more."), RecordingSink())
    assert standard.route.locality == loose.route.locality == "cloud"  # the marked messages are left out
    for text in ("jane.doe@northwind-mail.io", "7123 4567", "jane dot doe"):
        assert not fake_openai.saw_text(text), text


async def test_redact_level_withholds_local_answers_written_from_unredacted_input(
    loose_app, fake_openai, fake_ollama
) -> None:
    key = SessionKey("slack", "T1", "C0RED", "1700000000.000300")
    assert await command(loose_app, key, "/privacy redact")
    fake_ollama.reply = "I'll write to jane dot doe at northwind-mail dot io, number oh two oh seven nine four six."
    local = await loose_app.engine.handle(turn(key, "my e-mail is jane.doe@northwind-mail.io"), RecordingSink())
    assert local.route.locality == "local"
    fake_ollama.reply = None
    cloud = await loose_app.engine.handle(turn(key, COMPLEX), RecordingSink())
    assert cloud.route.locality == "cloud" and cloud.status == "done"
    sent = str(fake_openai.chat_requests())
    assert "\u27e8EMAIL_1\u27e9" in sent  # the user's message went redacted...
    assert "jane dot doe" not in sent and "oh two oh seven" not in sent  # ...the local paraphrase not at all
    assert not fake_openai.saw_text("jane.doe@northwind-mail.io")


async def test_any_answer_that_carries_personal_data_is_marked(loose_app, fake_openai, fake_ollama) -> None:
    key = SessionKey("slack", "T1", "C0ECHO", "1700000000.000400")
    fake_ollama.reply = "The support line is +44 20 7123 0123, ask for Sam."
    await loose_app.engine.handle(turn(key, "who do I call about invoices?"), RecordingSink())
    fake_ollama.reply = None
    conv = loose_app.engine.store.conversation(key)
    answer = next(loose_app.engine.store.newest_messages(conv.id))
    assert answer.role == "assistant" and answer.sensitive and not answer.local_only
    cloud = await loose_app.engine.handle(turn(key, COMPLEX), RecordingSink())
    assert cloud.route.locality == "cloud"
    assert not fake_openai.saw_text("7123 0123")


# --- 4: speaker names are content --------------------------------------------------------------


async def test_display_name_that_is_personal_data_never_reaches_the_cloud(loose_app, fake_openai) -> None:
    key = SessionKey("slack", "T1", "C0NAMES", "1700000000.000500")
    await loose_app.engine.handle(turn(key, "I prefer tabs.", "U1", "jane.doe@northwind-mail.io"), RecordingSink())
    await loose_app.engine.handle(turn(key, "I prefer spaces.", "U2", "bob"), RecordingSink())
    result = await loose_app.engine.handle(turn(key, COMPLEX, "U1", "jane.doe@northwind-mail.io"), RecordingSink())
    assert result.route.locality == "cloud"
    sent = str(fake_openai.chat_requests())
    assert "person 1: I prefer tabs." in sent and "bob: I prefer spaces." in sent
    assert not fake_openai.saw_text("jane.doe")


# --- 8: every way of starting a model call counts ------------------------------------------------


async def test_regenerate_counts_against_the_user_limit(tmp_path, fake_ollama, fake_openai) -> None:
    toml = '[limits]\nplatforms = ["slack"]\nuser = ["3/minute"]\nchannel = ["100/minute"]\n'
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=toml)
    key = SessionKey("slack", "T1", "C0LIM", None)
    try:
        first = await app.engine.handle(turn(key, "hello"), RecordingSink())
        statuses = [(await app.engine.regenerate(key, first.turn_id, RecordingSink(), user_id="U1")).status]
        statuses.append((await app.engine.regenerate(key, first.turn_id, RecordingSink(), user_id="U1")).status)
        refused = await app.engine.regenerate(key, first.turn_id, RecordingSink(), user_id="U1")
        assert statuses == ["done", "done"] and refused.status == "rejected" and "limit" in refused.text
        assert len(fake_ollama.chat_requests()) == 3  # the refused 🔁 reached no model
    finally:
        await app.engine.aclose()


async def test_regenerate_counts_against_the_cloud_budget(tmp_path, fake_ollama, fake_openai) -> None:
    app = make_app(
        tmp_path,
        ollama_host=fake_ollama.host,
        openai_url=fake_openai.base_url,
        toml="[routing]\nmonthly_cloud_token_budget = 10\n",
    )
    key = SessionKey("slack", "T1", "C0BUDGET", None)
    try:
        first = await app.engine.handle(turn(key, COMPLEX), RecordingSink())
        assert first.route.locality == "cloud" and first.prompt_tokens > 10
        again = await app.engine.regenerate(key, first.turn_id, RecordingSink(), user_id="U1")
        assert again.route.locality == "local" and "budget-exhausted" in again.route.reasons
        assert len(fake_openai.chat_requests()) == 1
    finally:
        await app.engine.aclose()


# --- 12: a refusal says only what happened --------------------------------------------------------


@pytest.mark.slow
async def test_refusal_never_claims_another_model_answered(loose_app, fake_openai, fake_ollama) -> None:
    fake_openai.fail_all("status", status=500)
    fake_ollama.fail_all("status", status=503)
    key = SessionKey("slack", "T1", "C0DOWN", None)
    try:
        result = await loose_app.engine.handle(turn(key, COMPLEX), RecordingSink())
    finally:
        fake_openai.clear_faults()
        fake_ollama.clear_faults()
    assert result.status in ("refused", "error") and result.route is None
    assert result.notices and all("another model answered" not in n for n in result.notices), result.notices
    why = await run_command(loose_app.engine, CommandContext(key, "U1"), "/why")
    assert "another model answered" not in why.text


async def test_regenerate_reactions_on_slack_are_limited(tmp_path, fake_ollama, fake_openai) -> None:
    """🔁 toggled again and again through the real Slack client stops at the user's limit."""
    from tests.fakes.slack_server import FakeSlack, wait_until
    from tests.integration.test_slack_harness import start_bot

    toml = '[limits]\nuser = ["3/minute"]\nchannel = ["100/minute"]\n'
    async with FakeSlack() as fake:
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="socket", toml=toml)
        try:
            ts = await bot.mention("hello there")
            answer = await bot.answer("C0GENERAL", ts)
            for _ in range(4):
                await bot.react("repeat", "C0GENERAL", answer.ts, added=False)
                await bot.react("repeat", "C0GENERAL", answer.ts)
            refused = await wait_until(
                lambda: [m for m in fake.thread("C0GENERAL", ts) if "reached the limit" in m.shown], 10, what="refusal"
            )
            assert refused
            await wait_until(lambda: len(fake_ollama.chat_requests()) >= 3, 10, what="the admitted answers")
            await asyncio.sleep(0.3)
            assert len(fake_ollama.chat_requests()) == 3  # 1 answer + 2 🔁; the rest reached no model
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()
