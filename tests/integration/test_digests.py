"""`/summarize` in the console (its own conversation) through the real engine, openai and ollama clients, with
leak tests: a private or sensitive history never reaches the cloud stand-in — faults included."""

from __future__ import annotations

import io
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.console.app import Console
from adapters.console.history import ConsoleHistory
from bot.commands import CommandContext, run_command
from bot.digest import HistoryMessage
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import make_app

KEY = SessionKey("console", "local", "console")
CHANNEL = SessionKey("slack", "T1", "C1")
EMAIL = "jane.doe@acme-corp.io"


class ListHistory:
    """A reader over a fixed list, in pages of 50 (what an adapter's reader yields)."""

    def __init__(self, messages: list[HistoryMessage]) -> None:
        self.messages = messages
        self.scopes: list[str] = []

    async def pages(self, scope, oldest):  # noqa: ANN001, ANN201
        self.scopes.append(scope)
        for start in range(0, len(self.messages), 50):
            yield self.messages[start : start + 50]


def history(count: int, *, extra: list[str] = ()) -> list[HistoryMessage]:
    now = time.time()
    texts = [
        f"message {i}: the release train moves to Thursday, ticket OPS-{i} tracks the rollout" for i in range(count)
    ]
    texts += list(extra)
    return [HistoryMessage(f"user{i % 4}", t, now - 3600 + i) for i, t in enumerate(texts)]


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app
    await app.engine.aclose()


async def summarize(app, reader, *, key: SessionKey = CHANNEL, private=False, args=""):  # noqa: ANN001, ANN201
    lines: list[str] = []

    async def progress(line: str) -> None:
        lines.append(line)

    ctx = CommandContext(key, "U1", "ann", private=private, history=reader, progress=progress)
    return await run_command(app.engine, ctx, f"/summarize {args}"), lines


async def test_a_long_clean_channel_is_map_reduced_on_the_cloud_with_progress(app, fake_ollama, fake_openai) -> None:
    fake_openai.reply = "- the release moves to Thursday"
    await run_command(app.engine, CommandContext(SessionKey("slack", "T1", "C1"), "U1"), "/model cloud me")
    result, lines = await summarize(app, ListHistory(history(340)))
    assert result.ok and "**Digest of this channel, the last 7 days** (340 messages · ☁" in result.text
    assert "- the release moves to Thursday" in result.text
    bodies = fake_openai.chat_requests()
    assert len(bodies) >= 3  # several parts, then one reduce
    maps = [b for b in bodies if "Write a short summary of this part" in b["messages"][0]["content"]]
    assert len(maps) == len(bodies) - 1 and "putting the parts together" in " ".join(lines)
    assert "📖 reading 340 messages…" in lines and f"✍️ summarising part 2 of {len(maps)}…" in lines
    seen = "".join(b["messages"][1]["content"] for b in maps)
    assert all(f"message {i}:" in seen for i in range(340))  # every message read, none twice
    assert seen.count("message 17:") == 1 and fake_ollama.chat_requests() == []


async def test_private_source_is_summarised_locally_and_never_reaches_the_cloud(app, fake_ollama, fake_openai) -> None:
    fake_ollama.reply = "- local digest"
    result, _ = await summarize(app, ListHistory(history(30, extra=["the vault code is 4471"])), private=True)
    assert result.ok and "🔒 ollama:" in result.text and "- local digest" in result.text
    assert fake_openai.chat_requests() == [] and not fake_openai.saw_text("vault code")
    assert any("the vault code is 4471" in str(b) for b in fake_ollama.chat_requests())


async def test_a_sensitive_message_in_a_public_channel_keeps_the_digest_local(app, fake_ollama, fake_openai) -> None:
    ctx = CommandContext(SessionKey("slack", "T1", "C1"), "U1")
    await run_command(app.engine, ctx, "/model cloud me")  # even a person who chose the cloud
    result, _ = await summarize(app, ListHistory(history(20, extra=[f"write to {EMAIL} for access"])))
    assert result.ok and "🔒" in result.text
    assert not fake_openai.saw_text(EMAIL) and fake_openai.chat_requests() == []


async def test_local_only_channel_level_keeps_it_local(app, fake_ollama, fake_openai) -> None:
    admin = CommandContext(SessionKey("slack", "T1", "C1"), "U1")
    await run_command(app.engine, admin, "/privacy local-only")
    result, _ = await summarize(app, ListHistory(history(10)))
    assert result.ok and "🔒" in result.text and fake_openai.chat_requests() == []


async def test_local_model_down_is_a_clear_refusal_not_the_cloud(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    app = make_app(tmp_path, ollama_host=None, openai_url=fake_openai.base_url)  # nothing listens for Ollama
    try:
        result, _ = await summarize(app, ListHistory(history(10, extra=[f"mail {EMAIL}"])))
        assert not result.ok and "no local model is available" in result.text
        assert "Nothing was sent to the cloud" in result.text and fake_openai.chat_requests() == []
    finally:
        await app.engine.aclose()


async def test_local_model_failing_mid_digest_is_reported_and_nothing_goes_to_the_cloud(
    app, fake_ollama, fake_openai
) -> None:
    fake_ollama.inject("status", count=1, status=500)  # the first part's call fails (the health check passed)
    await app.engine.catalog.models()
    result, _ = await summarize(app, ListHistory(history(20)), private=True)
    assert not result.ok and "failed while summarising" in result.text
    assert "Nothing was sent to the cloud" in result.text
    assert fake_openai.chat_requests() == []


async def test_empty_window_bad_arguments_and_no_reader(app) -> None:
    result, _ = await summarize(app, ListHistory([]))
    assert result.ok and "Nothing was said here in the last 7 days" in result.text
    bad, _ = await summarize(app, ListHistory(history(3)), args="since yesterday")
    assert not bad.ok and "a window like 90m" in bad.text
    thread, _ = await summarize(app, ListHistory(history(3)), args="thread")
    assert not thread.ok and "not a thread" in thread.text
    none = await run_command(app.engine, CommandContext(KEY, "you"), "/summarize")
    assert not none.ok and "can't read this place's history" in none.text


async def test_the_console_summarises_its_own_conversation_with_marks(tmp_path: Path, fake_ollama, fake_openai) -> None:
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    try:
        store = app.engine.store
        conv = store.conversation(KEY)
        store.add_message(conv.id, "user", "we ship the parser on monday", author_id="you", author_name="you")
        store.add_message(conv.id, "assistant", "noted: parser on monday")
        reader = ConsoleHistory(store, KEY, "hybridbot", private=False)
        pages = [page async for page in reader.pages("channel", time.time() - 60)]
        assert [(m.author, m.text, m.from_bot) for m in pages[0]] == [
            ("you", "we ship the parser on monday", False),
            ("hybridbot", "noted: parser on monday", True),
        ]
        store.add_message(conv.id, "user", "my card is 4111 1111 1111 1111", author_id="you", sensitive=True)
        result, _ = await summarize(app, reader, key=KEY)
        assert (
            result.ok and "🔒" in result.text and fake_openai.chat_requests() == []
        )  # a marked message keeps it local
    finally:
        await app.engine.aclose()


async def test_console_command_prints_progress_and_the_digest(tmp_path: Path, fake_ollama, fake_openai) -> None:
    fake_openai.reply = "- parser ships monday"
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    read, write = os.pipe()
    stdin = os.fdopen(read, encoding="utf-8")
    out = io.StringIO()
    try:
        console = Console(app.engine, stdin=stdin, stdout=out)
        conv = app.engine.store.conversation(console.key, private=console.private)
        app.engine.store.add_message(conv.id, "user", "we ship the parser on monday", author_id="you")
        os.write(write, b"/summarize since 1h\n")
        os.close(write)
        assert await console.run() == 0
        shown = out.getvalue()
        assert "📖 reading 1 messages…" in shown and "Digest of this channel, the last 1 hour" in shown
        assert "- parser ships monday" in shown or "🔒" in shown
    finally:
        stdin.close()
        await app.engine.aclose()


def test_history_readers_meet_the_protocol() -> None:
    from bot.digest import HistoryReader

    reader: HistoryReader = ListHistory([])
    assert replace(CommandContext(KEY, "you"), history=reader).history is reader
