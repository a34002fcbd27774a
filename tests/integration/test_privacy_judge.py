"""privacy.judge = "local" (issue 10, item 6) through the real engine, the Ollama and OpenAI stand-ins:
the local model's verdict only ever keeps a borderline message off the cloud; no verdict in time,
an error or an unclear answer keeps it off too (fail closed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Turn
from bot.privacy_judge import JUDGE_INSTRUCTIONS
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("console", "local", "judged")
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```\n"
)
BORDERLINE = "The door password is the name of our first office dog plus the year we moved in."
PLAIN = "What about partitioning the events table by month?"


def is_judge_call(body: dict) -> bool:
    return any(m.get("content") == JUDGE_INSTRUCTIONS for m in body.get("messages", []))


def scripted(verdict: str):
    """The Ollama stand-in answers the judge's question with ``verdict`` and turns as usual."""

    def reply(body: dict) -> str:
        return verdict if is_judge_call(body) else "Local answer."

    return reply


def app_with(tmp_path: Path, ollama: FakeOllama, openai: FakeOpenAI, judge: str = "local", budget: float = 2.0):
    toml = f'[privacy]\njudge = "{judge}"\njudge_budget = {budget}\n'
    return make_app(tmp_path, ollama_host=ollama.host, openai_url=openai.base_url, toml=toml)


def judge_calls(ollama: FakeOllama) -> int:
    return sum(is_judge_call(body) for body in ollama.chat_requests())


@pytest.mark.parametrize("verdict", ["SECRET", "PERSONAL", "maybe?"])
async def test_a_borderline_message_judged_private_never_reaches_the_cloud(
    tmp_path, fake_ollama, fake_openai, verdict: str
) -> None:
    fake_ollama.reply = scripted(verdict)
    app = app_with(tmp_path, fake_ollama, fake_openai)
    result = await app.engine.handle(Turn(KEY, "U1", "ann", COMPLEX + BORDERLINE), RecordingSink())
    assert judge_calls(fake_ollama) == 1 and result.route.locality == "local"
    assert not fake_openai.saw_text("first office dog")
    # The message is stored sensitive: a later cloud turn does not carry it either.
    await app.engine.handle(Turn(KEY, "U1", "ann", COMPLEX + PLAIN), RecordingSink())
    assert not fake_openai.saw_text("first office dog")
    await app.engine.aclose()


async def test_ok_changes_nothing_and_plain_messages_are_not_judged(tmp_path, fake_ollama, fake_openai) -> None:
    fake_ollama.reply = scripted("OK")
    app = app_with(tmp_path, fake_ollama, fake_openai)
    judged = await app.engine.handle(Turn(KEY, "U1", "ann", COMPLEX + BORDERLINE), RecordingSink())
    assert judge_calls(fake_ollama) == 1 and judged.route.locality == "cloud"  # as the rules alone would route it
    await app.engine.handle(Turn(KEY, "U1", "ann", COMPLEX + PLAIN), RecordingSink())
    assert judge_calls(fake_ollama) == 1  # not borderline: no second opinion, no added latency
    await app.engine.aclose()


async def test_a_slow_judge_counts_as_sensitive(tmp_path, fake_ollama, fake_openai) -> None:
    fake_ollama.reply = scripted("OK")
    fake_ollama.inject("stall", seconds=3)  # the judge's call: past the 0.5 s budget
    app = app_with(tmp_path, fake_ollama, fake_openai, budget=0.5)
    result = await app.engine.handle(Turn(KEY, "U1", "ann", COMPLEX + BORDERLINE), RecordingSink())
    assert result.route.locality == "local" and not fake_openai.saw_text("first office dog")
    await app.engine.aclose()


async def test_an_unavailable_judge_counts_as_sensitive(tmp_path, fake_ollama, fake_openai) -> None:
    fake_ollama.fail_all("status", status=503)
    app = app_with(tmp_path, fake_ollama, fake_openai)
    result = await app.engine.handle(Turn(KEY, "U1", "ann", COMPLEX + BORDERLINE), RecordingSink())
    assert result.status in ("refused", "error")  # no local model to answer: refused rather than sent out
    assert not fake_openai.saw_text("first office dog")
    await app.engine.aclose()


async def test_judge_off_asks_nobody(tmp_path, fake_ollama, fake_openai) -> None:
    app = app_with(tmp_path, fake_ollama, fake_openai, judge="off")
    await app.engine.handle(Turn(KEY, "U1", "ann", COMPLEX + BORDERLINE), RecordingSink())
    assert judge_calls(fake_ollama) == 0
    await app.engine.aclose()


async def test_at_the_redact_level_a_judged_message_stays_out_of_every_cloud_prompt(
    tmp_path, fake_ollama, fake_openai
) -> None:
    from bot.commands import CommandContext, run_command

    fake_ollama.reply = scripted("PERSONAL")
    app = app_with(tmp_path, fake_ollama, fake_openai)
    assert (await run_command(app.engine, CommandContext(KEY, "U1"), "/privacy redact")).ok
    judged = await app.engine.handle(Turn(KEY, "U1", "ann", COMPLEX + BORDERLINE), RecordingSink())
    assert judged.route.locality == "local"  # nothing to replace, so nothing to send
    later = await app.engine.handle(Turn(KEY, "U1", "ann", COMPLEX + PLAIN), RecordingSink())
    assert later.route.locality == "cloud"  # the conversation is not locked to local...
    assert not fake_openai.saw_text("first office dog")  # ...but the judged message never goes
    await app.engine.aclose()
