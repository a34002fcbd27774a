"""`/forget me` through the command layer, after real turns against the stand-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("slack", "T1", "C1", "111.1")
DM = SessionKey("slack", "T1", "D1")


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=None)
    yield app
    await app.engine.aclose()


def messages(app) -> list[tuple[str, str]]:
    rows = app.engine.store.conn.execute("SELECT role, content FROM messages ORDER BY id")
    return [(r[0], r[1]) for r in rows]


async def test_forget_me_deletes_the_callers_data_and_says_how_much(app, fake_ollama) -> None:
    engine = app.engine
    ann, bob = CommandContext(KEY, "U1", "ann"), CommandContext(KEY, "U2", "bob")
    await engine.handle(Turn(KEY, "U1", "ann", "my project is Bluebird"), RecordingSink())
    await engine.handle(Turn(KEY, "U2", "bob", "I like tabs"), RecordingSink())
    await engine.handle(Turn(DM, "U1", "ann", "a private note", private=True), RecordingSink())
    assert (await run_command(engine, bob, "/feedback good")).ok  # bob rates the latest answer in the thread
    assert (await run_command(engine, ann, "/feedback bad")).ok
    assert (await run_command(engine, ann, "/model local me")).ok
    assert (await run_command(engine, bob, "/agent code me")).ok

    result = await run_command(engine, ann, "/forget me")

    assert result.ok
    assert "2 message(s) of yours and 2 answer(s)" in result.text and "1 rating(s)" in result.text
    assert "1 personal setting(s)" in result.text
    remaining = messages(app)
    assert ("user", "I like tabs") in remaining and len(remaining) == 2
    assert not any("Bluebird" in c or "private note" in c for _, c in remaining)
    assert engine.store.conn.execute("SELECT count(*) FROM feedback WHERE user_id='U1'").fetchone()[0] == 0
    assert engine.store.conn.execute("SELECT count(*) FROM feedback WHERE user_id='U2'").fetchone()[0] == 1
    assert (await run_command(engine, ann, "/model")).text.startswith("Model: **auto** (the default)")
    assert "code" in (await run_command(engine, bob, "/agent")).text.split("\n")[0]
    # The conversation goes on; the next answer's prompt no longer carries the forgotten text.
    await engine.handle(Turn(KEY, "U2", "bob", "what was the project called?"), RecordingSink())
    prompt = " ".join(m["content"] for m in fake_ollama.chat_requests()[-1]["messages"])
    assert "Bluebird" not in prompt and "I like tabs" in prompt


async def test_forget_without_me_explains_and_deletes_nothing(app) -> None:
    await app.engine.handle(Turn(KEY, "U1", "ann", "keep me"), RecordingSink())
    for text in ("/forget", "/forget everyone", "/forget me please"):
        result = await run_command(app.engine, CommandContext(KEY, "U1"), text)
        assert not result.ok and "Type exactly /forget me" in result.text
    assert ("user", "keep me") in messages(app)


async def test_help_lists_forget(app) -> None:
    assert (
        "/forget — delete everything stored about you"
        in (await run_command(app.engine, CommandContext(KEY, "U1"), "/help")).text
    )
