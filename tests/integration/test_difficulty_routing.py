"""Difficulty routing through the real engine, clients and stand-ins (issue 16, items 2-3 and 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("console", "local", "maths")
HARD = "how many trailing zeros does 600! have, and how many does 1200! have?"
EASY = "what's the capital of Peru and of Chile?"
FOLLOW_UP = "and the second one?"


def turn(text: str, *, private: bool = False) -> Turn:
    return Turn(KEY, "U1", "u1", text, private=private)


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app
    await app.engine.aclose()


async def test_short_hard_maths_goes_to_the_cloud(app, fake_openai) -> None:
    result = await app.engine.handle(turn("is 8633 a prime number?"), RecordingSink())
    assert result.route.locality == "cloud" and "complex" in result.route.reasons


async def test_follow_up_inherits_the_hard_turn_and_why_says_so(app, fake_openai) -> None:
    first = await app.engine.handle(turn(HARD), RecordingSink())
    assert first.route.locality == "cloud"
    second = await app.engine.handle(turn(FOLLOW_UP), RecordingSink())
    assert second.route.locality == "cloud"
    assert "follow-up-of-hard-turn" in second.route.reasons
    why = (await run_command(app.engine, CommandContext(KEY, "U1"), "/why")).text
    assert "inherits" in why


async def test_same_follow_up_after_an_easy_turn_stays_local(app, fake_openai) -> None:
    await app.engine.handle(turn(EASY), RecordingSink())
    second = await app.engine.handle(turn(FOLLOW_UP), RecordingSink())
    assert second.route.locality == "local"
    assert fake_openai.chat_requests() == []


async def test_thumbs_down_on_a_local_answer_escalates_the_retry(app, fake_openai) -> None:
    first = await app.engine.handle(turn(EASY), RecordingSink())
    assert first.route.locality == "local"
    assert app.engine.feedback(first.turn_id, "U1", -1)
    retry = await app.engine.handle(turn("that's wrong, try again"), RecordingSink())
    assert retry.route.locality == "cloud"
    assert "escalated-after-dislike" in retry.route.reasons


async def test_regenerate_keeps_its_route_and_the_next_follow_up_goes_up_a_level(app, fake_openai) -> None:
    first = await app.engine.handle(turn(EASY), RecordingSink())
    again = await app.engine.regenerate(KEY, first.turn_id, RecordingSink(), user_id="U1")
    assert (first.route.locality, again.route.locality) == ("local", "local")
    follow_up = await app.engine.handle(turn("still wrong"), RecordingSink())
    assert follow_up.route.locality == "cloud" and "escalated-after-dislike" in follow_up.route.reasons


async def test_private_follow_up_of_a_hard_turn_never_reaches_the_cloud(app, fake_openai) -> None:
    for text in (HARD, FOLLOW_UP, "try again"):
        result = await app.engine.handle(turn(text, private=True), RecordingSink())
        assert result.route.locality == "local"
    assert fake_openai.chat_requests() == []
    assert not fake_openai.saw_text(FOLLOW_UP)


async def test_operator_threshold_is_used(tmp_path: Path, fake_ollama, fake_openai) -> None:
    app = make_app(
        tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml="[routing]\nthreshold = 0.999\n"
    )
    try:
        result = await app.engine.handle(turn("is 8633 a prime number?"), RecordingSink())
        assert result.route.locality == "local"  # a cut-off no score reaches keeps everything local
    finally:
        await app.engine.aclose()
