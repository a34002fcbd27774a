"""A secret split over two messages by the same person (issue 9, item 5): the second half never
reaches the cloud, through the real engine and the OpenAI stand-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engine import Turn
from bot.privacy import is_sensitive, scan
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("console", "local", "general")
TOKEN = "ghp_" + "Zk3uQ9rTb2XwLm7PcV4nHs8JfD1gYe6KaR5o"  # format-valid, not a real token
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n"
)


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app
    await app.engine.aclose()


async def test_the_second_half_of_a_split_token_stays_local(app, fake_openai: FakeOpenAI) -> None:
    first, second = f"{COMPLEX}part one: {TOKEN[:20]}", f"{TOKEN[20:]} {COMPLEX}"
    assert not is_sensitive(scan(first)) and not is_sensitive(scan(second))  # each half alone is harmless
    await app.engine.handle(Turn(KEY, "U1", "ann", first), RecordingSink())
    result = await app.engine.handle(Turn(KEY, "U1", "ann", second), RecordingSink())
    assert result.route.locality == "local"
    assert TOKEN[20:] not in json.dumps(fake_openai.chat_requests())


async def test_another_persons_message_is_not_joined(app, fake_openai: FakeOpenAI) -> None:
    await app.engine.handle(Turn(KEY, "U1", "ann", f"{COMPLEX}part one: {TOKEN[:20]}"), RecordingSink())
    result = await app.engine.handle(Turn(KEY, "U2", "bob", f"{TOKEN[20:]} {COMPLEX}"), RecordingSink())
    assert result.route.locality == "cloud"  # bob's text alone holds nothing sensitive
