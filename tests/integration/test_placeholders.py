"""Reversible placeholders at the redact level (issue 10, item 7), through the real engine, the real
OpenAI client and the OpenAI stand-in: the cloud sees only ⟨KIND_n⟩, the user sees the real values."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from bot import store_placeholders
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.retention import forget_user, purge_expired
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI, last_user_text
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("console", "local", "redacted")
EMAIL = "jane.doe@acme-corp.io"
PHONE = "+49 151 23456789"
PASSWORD = "Tr0ub4dor&3x"  # found only by its context ("password …")
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```\n"
)
PLACEHOLDER = re.compile("\u27e8[A-Z_]+_\\d+\u27e9")


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    assert (await run_command(app.engine, CommandContext(KEY, "U1"), "/privacy redact")).ok
    yield app
    await app.engine.aclose()


def echo_placeholders(body: dict) -> str:
    """The cloud's answer names every placeholder it was given (a model addressing the values)."""
    found = PLACEHOLDER.findall(last_user_text(body["messages"]))
    return "Done: " + ", ".join(found) + "." if found else "Nothing to address."


def turn(text: str, user: str = "U1") -> Turn:
    return Turn(KEY, user, "ann", text)


def cloud_saw(fake_openai: FakeOpenAI, *values: str) -> bool:
    return any(fake_openai.saw_text(v) for v in values)


async def test_the_cloud_gets_placeholders_and_the_user_sees_the_real_values(app, fake_openai) -> None:
    fake_openai.reply = echo_placeholders
    fake_openai.chunk_chars = 3  # every placeholder arrives split over several deltas
    fake_openai.token_delay = 0.005  # apart: read together, they would be merged into one (see the next test)
    sink = RecordingSink()
    result = await app.engine.handle(turn(f"{COMPLEX}Send it to {EMAIL} and call {PHONE}."), sink)
    assert result.status == "done" and result.route.locality == "cloud"
    sent = last_user_text(fake_openai.chat_requests()[-1]["messages"])
    assert "\u27e8EMAIL_1\u27e9" in sent and "\u27e8PHONE_1\u27e9" in sent
    assert not cloud_saw(fake_openai, EMAIL, PHONE)
    assert sink.text == f"Done: {EMAIL}, {PHONE}." == result.text  # swapped back, although split in deltas
    assert not PLACEHOLDER.search(sink.text)
    conv = app.engine.store.conversation(KEY)
    answer = next(m for m in app.engine.store.newest_messages(conv.id) if m.role == "assistant")
    assert EMAIL in answer.content and answer.sensitive  # stored as shown, and never sent raw


async def test_a_placeholder_cut_by_the_edge_of_merged_deltas_is_swapped_whole(app, fake_openai) -> None:
    """Deltas read together are merged into one (bot/providers/batching.py): the merged pieces' edges still cut
    placeholders, and the restorer still swaps each one whole, never showing a fragment."""
    fake_openai.reply = echo_placeholders
    fake_openai.chunk_chars = 3
    fake_openai.token_delay, fake_openai.frames_per_write = 0.01, 4  # ~12 characters a network read
    sink = RecordingSink()
    result = await app.engine.handle(turn(f"{COMPLEX}Send it to {EMAIL} and call {PHONE}."), sink)

    assert result.route is not None and result.route.locality == "cloud"
    assert not cloud_saw(fake_openai, EMAIL, PHONE)
    assert sink.text == f"Done: {EMAIL}, {PHONE}." == result.text
    assert not any("\u27e8" in delta or "\u27e9" in delta for delta in sink.deltas)
    answer_sent = "Done: \u27e8EMAIL_1\u27e9, \u27e8PHONE_1\u27e9."
    assert 2 < len(sink.deltas) < len(answer_sent) / 3  # merged (fewer than the 3-character chunks), yet several


async def test_placeholders_are_stable_across_turns_and_answers(app, fake_openai) -> None:
    fake_openai.reply = echo_placeholders
    await app.engine.handle(turn(f"{COMPLEX}My e-mail is {EMAIL}."), RecordingSink())
    await app.engine.handle(turn(f"{COMPLEX}Also cc {EMAIL} and my colleague bob.stone@acme-corp.io"), RecordingSink())
    last = str(fake_openai.chat_requests()[-1]["messages"])
    # The same value is the same placeholder in the first question, the restored answer and the new question.
    assert last.count("\u27e8EMAIL_1\u27e9") >= 3 and "\u27e8EMAIL_2\u27e9" in last
    assert not cloud_saw(fake_openai, EMAIL, "bob.stone@acme-corp.io")


async def test_a_value_found_by_context_stays_hidden_when_the_answer_repeats_it_without_context(
    app, fake_openai
) -> None:
    fake_openai.reply = echo_placeholders
    result = await app.engine.handle(turn(f"{COMPLEX}The wifi password is {PASSWORD} btw"), RecordingSink())
    assert PASSWORD in result.text  # "Done: Tr0ub4dor&3x." — no "password" word around it any more
    await app.engine.handle(turn(COMPLEX + " Now shorter."), RecordingSink())
    assert len(fake_openai.chat_requests()) == 2
    assert not cloud_saw(fake_openai, PASSWORD)


async def test_reset_forget_me_and_retention_take_the_placeholder_values(app, fake_openai) -> None:
    fake_openai.reply = echo_placeholders
    store = app.engine.store
    await app.engine.handle(turn(f"{COMPLEX}mail {EMAIL}"), RecordingSink())
    conv = store.conversation(KEY)
    assert [p.value for p in store_placeholders.load(store, conv.id).by_value.values()] == [EMAIL]
    await run_command(app.engine, CommandContext(KEY, "U1"), "/reset")
    assert not store_placeholders.load(store, conv.id).by_value

    await app.engine.handle(turn(f"{COMPLEX}mail {EMAIL}", user="U1"), RecordingSink())
    await app.engine.handle(turn(f"{COMPLEX}phone {PHONE}", user="U2"), RecordingSink())
    forget_user(store, "console", "U1")
    assert [p.value for p in store_placeholders.load(store, conv.id).by_value.values()] == [PHONE]

    purge_expired(store, ttl_days=1, now=time.time() + 2 * 86400)
    assert not store_placeholders.load(store, conv.id).by_value


async def test_a_broken_stream_with_a_placeholder_half_sent_shows_no_fragment_and_leaks_nothing(
    app, fake_openai
) -> None:
    fake_openai.reply = echo_placeholders
    fake_openai.chunk_chars = 4
    fake_openai.inject("error_midstream", after=3, message="upstream broke")  # "Done: ⟨EM" then the error
    sink = RecordingSink()
    result = await app.engine.handle(turn(f"{COMPLEX}Send it to {EMAIL}."), sink)
    assert result.status == "error"
    assert "\u27e8" not in sink.text and not cloud_saw(fake_openai, EMAIL)


async def test_other_levels_send_no_placeholders(app, fake_openai) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/privacy cloud-ok")
    await app.engine.handle(turn(COMPLEX + " plain question"), RecordingSink())
    assert "\u27e8" not in str(fake_openai.chat_requests()[-1]["messages"])
    assert not store_placeholders.load(app.engine.store, app.engine.store.conversation(KEY).id).by_value
