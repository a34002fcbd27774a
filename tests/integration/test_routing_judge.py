"""Issue 16 item 4: a local model's second opinion on borderline scores, through the real ollama client."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from bot.engine import Turn
from bot.routing_judge import JUDGE_INSTRUCTIONS
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

KEY = SessionKey("console", "local", "judge")
EASY = "what's the capital of Norway?"
HARD = "how many trailing zeros does 2024! have?"
JUDGE_ON = '[routing]\njudge = "local"\njudge_band = 0.5\njudge_timeout = 0.5\n'  # every score is borderline


def is_judge(body: dict) -> bool:
    return any(m.get("content") == JUDGE_INSTRUCTIONS for m in body.get("messages", []))


def judge_requests(fake: FakeOllama) -> list[dict]:
    return [r for r in fake.chat_requests() if is_judge(r)]


def answering(verdict: str):
    return lambda body: verdict if is_judge(body) else "an answer"


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=JUDGE_ON)
    yield app
    await app.engine.aclose()


async def test_judge_saying_cloud_sends_a_borderline_turn_to_the_cloud(app, fake_ollama) -> None:
    fake_ollama.reply = answering("CLOUD")
    result = await app.engine.handle(Turn(KEY, "U1", "u1", EASY), RecordingSink())
    assert result.route.locality == "cloud" and "judge-cloud" in result.route.reasons
    assert len(judge_requests(fake_ollama)) == 1
    assert EASY in str(judge_requests(fake_ollama)[0]["messages"])


async def test_judge_saying_local_keeps_a_borderline_turn_local(app, fake_ollama, fake_openai) -> None:
    fake_ollama.reply = answering("local.")
    result = await app.engine.handle(Turn(KEY, "U1", "u1", HARD), RecordingSink())
    assert result.route.locality == "local" and "judge-local" in result.route.reasons
    assert fake_openai.chat_requests() == []


async def test_a_judge_that_does_not_answer_in_time_leaves_the_score_to_decide(app, fake_ollama) -> None:
    fake_ollama.inject("stall", seconds=5)  # the judge's request is the first to reach the model
    fake_ollama.reply = answering("CLOUD")
    started = time.monotonic()
    result = await app.engine.handle(Turn(KEY, "U1", "u1", EASY), RecordingSink())
    assert time.monotonic() - started < 4
    assert result.status == "done" and result.route.locality == "local"
    assert "judge-no-answer" in result.route.reasons


async def test_private_turns_are_never_judged(app, fake_ollama, fake_openai) -> None:
    fake_ollama.reply = answering("CLOUD")
    result = await app.engine.handle(Turn(KEY, "U1", "u1", EASY, private=True), RecordingSink())
    assert result.route.locality == "local"
    assert judge_requests(fake_ollama) == [] and fake_openai.chat_requests() == []


async def test_judge_off_by_default(tmp_path: Path, fake_ollama, fake_openai) -> None:
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    try:
        fake_ollama.reply = answering("CLOUD")
        await app.engine.handle(Turn(KEY, "U1", "u1", EASY), RecordingSink())
        assert judge_requests(fake_ollama) == []
    finally:
        await app.engine.aclose()


async def test_judge_benchmark_quick_mode_with_a_real_client(fake_ollama, capsys) -> None:
    import asyncio

    import routing_judge_eval

    fake_ollama.reply = answering("CLOUD")
    args = ["--quick", "--ollama", fake_ollama.host, "--model", "llama3.2:3b", "--band", "0.3"]
    table = await asyncio.to_thread(routing_judge_eval.main, args)
    out = capsys.readouterr().out
    assert set(table) == set(routing_judge_eval.BANDS)
    assert all(b["none"] <= b["perfect"] and 0 <= b["judged"] <= 1 for b in table.values())
    assert "real judge llama3.2:3b, band 0.3: accuracy" in out
    assert len(judge_requests(fake_ollama)) >= 1
