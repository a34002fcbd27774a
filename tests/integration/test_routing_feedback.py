"""Issue 16 item 5: reactions on local answers become routing labels; `hybridbot route tune` uses them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot import route_tune
from bot.engine import Turn
from bot.routing_labels import CALIBRATION_KEY, calibration_scope
from bot.session import SessionKey
from bot.store_routing_labels import routing_labels
from hybridbot_app.cli import main as cli_main
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("console", "team-a", "general")
EASY = "what's the capital of Norway?"
HARD = "prove that there are infinitely many primes congruent to 3 mod 4"
EMAIL = "jane.doe@acme-corp.de"


def turn(text: str, channel: str = "general") -> Turn:
    return Turn(SessionKey("console", "team-a", channel), "U1", "u1", text)


async def _app(tmp_path: Path, ollama: FakeOllama, openai: FakeOpenAI, toml: str = ""):
    return make_app(tmp_path, ollama_host=ollama.host, openai_url=openai.base_url, toml=toml)


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = await _app(tmp_path, fake_ollama, fake_openai)
    yield app
    await app.engine.aclose()


async def test_reactions_on_local_answers_are_labels_without_text(app) -> None:
    local = await app.engine.handle(turn(EASY), RecordingSink())
    cloud = await app.engine.handle(turn(HARD), RecordingSink())
    assert (local.route.locality, cloud.route.locality) == ("local", "cloud")
    app.engine.feedback(local.turn_id, "U1", -1)
    app.engine.feedback(cloud.turn_id, "U1", -1)  # a cloud answer teaches nothing about the local model
    labels = routing_labels(app.engine.store)
    assert [(x.turn_id, x.label, x.source, x.workspace) for x in labels] == [
        (local.turn_id, "cloud", "thumbs-down", "team-a")
    ]
    assert labels[0].text is None and isinstance(labels[0].raw, float)
    app.engine.feedback(local.turn_id, "U1", 1)  # changed their mind: the latest reaction wins
    assert [(x.label, x.source) for x in routing_labels(app.engine.store)] == [("local", "thumbs-up")]
    app.engine.feedback(local.turn_id, "U1", 0)  # cleared
    assert routing_labels(app.engine.store) == []


async def test_regenerate_of_a_local_answer_is_a_label(app) -> None:
    local = await app.engine.handle(turn(EASY), RecordingSink())
    await app.engine.regenerate(KEY, local.turn_id, RecordingSink(), user_id="U1")
    assert [(x.turn_id, x.source) for x in routing_labels(app.engine.store)] == [(local.turn_id, "regenerate")]


async def test_text_is_kept_only_when_opted_in_and_never_when_sensitive(tmp_path, fake_ollama, fake_openai) -> None:
    app = await _app(tmp_path, fake_ollama, fake_openai, "[routing]\nkeep_prompts_for_training = true\n")
    try:
        plain = await app.engine.handle(turn(EASY), RecordingSink())
        app.engine.feedback(plain.turn_id, "U1", -1)
        personal = await app.engine.handle(turn(f"write to {EMAIL} that we are late"), RecordingSink())
        app.engine.feedback(personal.turn_id, "U1", -1)
        texts = {x.turn_id: x.text for x in routing_labels(app.engine.store)}
        assert texts == {plain.turn_id: EASY, personal.turn_id: None}
    finally:
        await app.engine.aclose()


async def test_route_tune_refits_and_the_engine_uses_it(app, fake_openai, tmp_path) -> None:
    store = app.engine.store
    ids = []
    for i in range(24):  # the team keeps saying local answers to easy-looking questions were not good enough
        # One conversation each: in a shared thread the 👎 would already escalate the next turn.
        result = await app.engine.handle(turn(EASY, channel=f"c{i}"), RecordingSink())
        assert result.route.locality == "local"
        app.engine.feedback(result.turn_id, "U1", -1)
        ids.append(result.turn_id)
    lines: list[str] = []
    assert route_tune.tune(store, app.engine.settings.routing, out=lines.append) == 0
    text = "\n".join(lines)
    assert "workspace team-a: 24 labels (thumbs-down→cloud 24)" in text
    assert "unseen set before: accuracy" in text and "unseen set after: accuracy" in text
    saved = store.settings_for([calibration_scope("team-a")], CALIBRATION_KEY)
    assert len(json.loads(saved[calibration_scope("team-a")])) == 2
    note = "write a short note thanking the team for the release"
    other_workspace = Turn(SessionKey("console", "team-b", "x"), "U1", "u1", note)
    assert (await app.engine.handle(other_workspace, RecordingSink())).route.locality == "local"
    again = await app.engine.handle(turn(note, channel="fresh"), RecordingSink())
    assert again.route.locality == "cloud"  # team-a's calibration now leans to the cloud; team-b's does not
    assert route_tune.reset(store, "team-a")


async def test_route_tune_command_line(app, tmp_path, capsys) -> None:
    result = await app.engine.handle(turn(EASY), RecordingSink())
    app.engine.feedback(result.turn_id, "U1", 1)
    config = tmp_path / "hybridbot.toml"
    config.write_text(f'[bot]\ndatabase = "{tmp_path / "bot.db"}"\n')
    args = ["--config", str(config), "route", "tune", "--dry-run"]
    assert await asyncio.to_thread(cli_main, args) == 1  # too few labels to refit
    out = capsys.readouterr().out
    assert "1 labels (thumbs-up→local 1)" in out and "fewer than 20 labels" in out
