"""The leak suite over paths (issue 9): every way content can reach a prompt × every privacy situation.

Paths: the user message, the bot's own answer, the rolling summary, a speaker's display name, 🔁,
a privacy-level change and a fallback after a failing local model. Situations: a DM, a group DM, a private
channel, an operator's local-only channel, a thread made sticky by a secret, and the redact level. Each
case plants freshly generated private values, walks the path, then tempts the cloud (the loosest level
the bot accepts there, a /model cloud pin, a complex question) and asserts on what the OpenAI stand-in
recorded: no planted value, in any part of any request. The operator allows loosening here (the worst
case); group DMs and private channels reach the engine as private conversations (the adapters' part is
tested with them). A control turn in a fresh channel shows the cloud was reachable all along.
"""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
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

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```\n"
)
SITUATIONS = ("dm", "group_dm", "private_channel", "local_only_channel", "sticky_thread", "redact")
PATHS = ("user_message", "assistant_message", "summary", "display_name", "regenerate", "level_change", "fallback")
_ids = itertools.count()


@dataclass
class Case:
    key: SessionKey
    private: bool  # a private conversation (DM, group DM, private channel)
    text: str  # the message that carries the planted values
    planted: list[str] = field(default_factory=list)


def _word(r: random.Random) -> str:
    return "".join(r.choice(string.ascii_uppercase) for _ in range(7)) + f"-{r.randint(1000, 9999)}"


def _email(r: random.Random) -> str:
    letters = string.ascii_lowercase
    return f"{''.join(r.choice(letters) for _ in range(6))}.{''.join(r.choice(letters) for _ in range(8))}@mailbox-{r.randint(10, 99)}.io"


def _token(r: random.Random) -> str:
    return "ghp_" + "".join(r.choice(string.ascii_letters + string.digits) for _ in range(36))


def situation(app: App, name: str, r: random.Random) -> Case:
    n = next(_ids)
    codeword = _word(r)
    if name in ("dm", "group_dm", "private_channel"):
        channel = {"dm": "D", "group_dm": "G", "private_channel": "C"}[name] + f"0PRIV{n}"
        return Case(SessionKey("slack", "T1", channel, None), True, f"the launch codeword is {codeword}", [codeword])
    if name == "local_only_channel":
        key = SessionKey("slack", "T1", f"C0LOCAL{n}", f"17000000{n:02d}.000100")
        app.engine.settings.privacy.channels[key.channel] = "local-only"  # as [privacy.channels] sets it
        return Case(key, False, f"the launch codeword is {codeword}", [codeword])
    if name == "sticky_thread":
        token = _token(r)
        key = SessionKey("slack", "T1", f"C0STICKY{n}", f"17000000{n:02d}.000200")
        return Case(key, False, f"deploy token {token}; launch codeword {codeword}", [token, codeword])
    email = _email(r)  # redact
    key = SessionKey("slack", "T1", f"C0REDACT{n}", f"17000000{n:02d}.000300")
    return Case(key, False, f"send the contract to {email} today", [email])


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> AsyncIterator[App]:
    toml = "[privacy]\nallow_loosening = true\n[limits]\nenabled = false\n"
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=toml)
    yield app
    await app.engine.aclose()


async def say(app: App, case: Case, text: str, *, user: str = "U1", name: str = "ann"):
    return await app.engine.handle(Turn(case.key, user, name, text, private=case.private), RecordingSink())


async def command(app: App, case: Case, text: str) -> None:
    await run_command(app.engine, CommandContext(case.key, "U1", "ann", private=case.private), text)


async def tempt_the_cloud(app: App, case: Case) -> None:
    """Loosen as far as the bot accepts, pin the cloud, ask something complex (twice: history grows)."""
    await command(app, case, "/privacy cloud-ok")
    await command(app, case, "/model cloud")
    await say(app, case, COMPLEX)
    await say(app, case, COMPLEX + " Now in one paragraph.", user="U2", name="bob")


async def walk(app: App, path: str, case: Case, ollama: FakeOllama, r: random.Random) -> None:
    if path == "redact_setup":
        return
    if path == "display_name":
        email = _email(r)
        case.planted.append(email)
        await say(app, case, case.text, name=email)  # a display name that is an e-mail address
        await say(app, case, "I agree with that.", user="U2", name="bob")
        await say(app, case, COMPLEX, name=email)
        return
    if path == "assistant_message":
        ollama.reply = f"Understood — {' and '.join(case.planted)}. Anything else?"  # the answer repeats it
    if path == "fallback":
        ollama.fail_all("status", status=503)
    try:
        first = await say(app, case, case.text)
    finally:
        ollama.reply = None
        ollama.clear_faults()
    if path == "summary":
        for i in range(5):
            await say(app, case, f"and a plain follow-up number {i}")
        conv = app.engine.store.conversation(case.key)
        assert conv.summary, "the planted message was folded into a summary"
    if path == "level_change":
        await command(app, case, "/privacy cloud-ok")
        await say(app, case, COMPLEX)
    if path == "regenerate" and first.turn_id is not None:
        await command(app, case, "/privacy cloud-ok")
        await command(app, case, "/model cloud")
        await app.engine.regenerate(case.key, first.turn_id, RecordingSink(), user_id="U1")


@pytest.mark.parametrize("where", SITUATIONS)
@pytest.mark.parametrize("path", PATHS)
async def test_nothing_private_reaches_the_cloud(
    app, fake_openai, fake_ollama, monkeypatch, path: str, where: str
) -> None:
    monkeypatch.setattr(bot.engine, "SUMMARY_TRIGGER", 2)  # a summary after 4 unsummarised messages
    r = random.Random(f"{path}/{where}")  # a fresh value per case, the same on every run
    case = situation(app, where, r)
    if where == "redact":
        await command(app, case, "/privacy redact")
    await walk(app, path, case, fake_ollama, r)
    await tempt_the_cloud(app, case)
    leaked = [value for value in case.planted if fake_openai.saw_text(value) or fake_openai.saw_text(value[-10:])]
    assert leaked == [], f"{path} × {where}: {leaked}"
    control = SessionKey("slack", "T1", f"C0CONTROL{next(_ids)}", None)
    before = len(fake_openai.chat_requests())
    result = await app.engine.handle(Turn(control, "U1", "ann", COMPLEX), RecordingSink())
    assert result.route.locality == "cloud" and len(fake_openai.chat_requests()) == before + 1
