"""Leak tests: generated secrets and personal data planted in messages never reach the cloud stand-in.

Property-based (hypothesis): each example plants a freshly generated value of one kind in a
message built to tempt the cloud (complex, pinned, agent preferring the cloud), on one path —
channel, sticky follow-up, thread with a rolling summary, DM, the redact level, `/model cloud`
pins, an agent with tools — and with the local model down, failing or slow. The assertion is
always on what the OpenAI stand-in recorded on the wire.

Values are built from a drawn seed so every example is random-looking (hypothesis' own text
strategies favour "AAAA…", which is a placeholder, not a credential). The property holds for what
the detector flags (`assume`); how much it flags is measured by benchmarks/privacy_detection.py.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import string
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bot.engine
from bot import privacy
from bot.app import App
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

# Modest example counts: the whole file runs in well under 40 s on a loaded 2-core machine.
FAST = settings(
    max_examples=20,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: never flaky
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLOW = settings(FAST, max_examples=5)

COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```\n"
)
ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str(-total % 10)


def _iban(r: random.Random) -> str:
    bban = "".join(r.choice(string.digits) for _ in range(18))
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "DE00")) % 97
    return f"DE{check:02d}{bban}"


# kind → (seeded builder of (fragment planted in the message, the value that must not leak), is a secret)
Builder = Callable[[random.Random], tuple[str, str]]


def _tok(r: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def _password(r: random.Random) -> str:
    return r.choice(string.ascii_uppercase) + _tok(r, 9) + r.choice("!#%&*") + r.choice(string.digits)


SECRETS: dict[str, Builder] = {
    "aws": lambda r: (lambda v: (f"aws_access_key_id = {v}", v))("AKIA" + _tok(r, 16, UPPER)),
    "github": lambda r: (lambda v: (f"my token {v} expired", v))("ghp_" + _tok(r, 36)),
    "openai": lambda r: (lambda v: (f'OpenAI(api_key="{v}")', v))("sk-proj-" + _tok(r, 48)),
    "slack": lambda r: (lambda v: (f"SLACK_BOT_TOKEN={v}", v))(
        f"xoxb-{_tok(r, 12, string.digits)}-{_tok(r, 13, string.digits)}-{_tok(r, 24)}"
    ),
    "stripe": lambda r: (lambda v: (f"stripe.api_key = '{v}'", v))("sk_" + "live_" + _tok(r, 32)),
    "password": lambda r: (lambda v: (f"my password is {v}", v))(_password(r)),
    "db-url": lambda r: (lambda v: (f"DATABASE_URL=postgres://app:{v}@db.internal:5432/app", v))(_tok(r, 14)),
    "login": lambda r: (lambda v: (f"login is admin / {v} on staging", v))(_password(r)),
    "npm": lambda r: (lambda v: (f"//registry.npmjs.org/:_authToken={v}", v))("npm_" + _tok(r, 36)),
}
PERSONAL: dict[str, Builder] = {
    "email": lambda r: (lambda v: (f"write to {v}", v))(
        f"{_tok(r, 6, string.ascii_lowercase)}.{_tok(r, 7, string.ascii_lowercase)}@{_tok(r, 8, string.ascii_lowercase)}.io"
    ),
    "phone": lambda r: (lambda v: (f"call me at {v}", v))(f"+44 20 7946 {_tok(r, 4, string.digits)}"),
    "card": lambda r: (lambda b: (lambda v: (f"card {v} was declined", v))(b + _luhn_digit(b)))(
        "4" + _tok(r, 14, string.digits)
    ),
    "iban": lambda r: (lambda v: (f"wire it to {v}", v))(_iban(r)),
    "ssn": lambda r: (lambda v: (f"my SSN is {v}", v))(
        f"{r.randint(100, 665)}-{r.randint(10, 99)}-{r.randint(1000, 9999)}"
    ),
    "dob": lambda r: (lambda v: (f"I was born on {v}", v))(
        f"{r.randint(1, 28):02d}/{r.randint(1, 12):02d}/{r.randint(1940, 2005)}"
    ),
}


class Planted:
    def __init__(self, kind: str, seed: int, hide: bool, before: str, after: str) -> None:
        r = random.Random(seed)
        builder = SECRETS.get(kind) or PERSONAL[kind]
        fragment, self.value = builder(r)
        self.kind = kind
        self.secret = kind in SECRETS
        # Optionally hide a zero-width space inside the value, as copy-paste from chat apps does.
        at = r.randint(1, len(self.value) - 1)
        self.shown = self.value[:at] + "\u200b" + self.value[at:] if hide else self.value
        self.text = f"{before}{fragment.replace(self.value, self.shown)}{after}"

    def leaked_to(self, cloud: FakeOpenAI) -> bool:
        # The value, the disguised value, and a long enough piece of it must all be absent.
        return cloud.saw_text(self.value) or cloud.saw_text(self.shown) or cloud.saw_text(self.value[-12:])


def planted(kinds: dict[str, Builder] | None = None) -> st.SearchStrategy[Planted]:
    names = sorted(kinds) if kinds is not None else sorted(SECRETS) + sorted(PERSONAL)
    return st.builds(
        Planted,
        kind=st.sampled_from(names),
        seed=st.integers(0, 2**32),
        hide=st.booleans(),
        before=st.sampled_from([COMPLEX, "quick one: ", ""]),
        after=st.sampled_from(["", " — can you check why it fails?", "\n" + COMPLEX]),
    )


_ids = itertools.count()


def fresh_key(kind: str = "C") -> SessionKey:
    """A new conversation for each example: examples share the app but never a conversation."""
    n = next(_ids)
    return SessionKey("console", "T1", f"{kind}{n}", None)


def turn(key: SessionKey, text: str, *, private: bool = False, user: str = "U1") -> Turn:
    return Turn(key, user, user.lower(), text, private=private)


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> AsyncIterator[App]:
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app
    await app.engine.aclose()


@contextlib.asynccontextmanager
async def fresh_app(root: Path, ollama: FakeOllama, openai: FakeOpenAI, toml: str = "") -> AsyncIterator[App]:
    """A new app (new database, no circuit-breaker memory) on the shared stand-ins, for fault examples."""
    path = root / f"app{next(_ids)}"
    path.mkdir()
    app = make_app(path, ollama_host=ollama.host, openai_url=openai.base_url, toml=toml)
    try:
        yield app
    finally:
        await app.engine.aclose()


async def _cloud_still_works(app: App, cloud: FakeOpenAI) -> None:
    """The control: a harmless complex turn in a fresh channel does reach the cloud stand-in."""
    before = len(cloud.chat_requests())
    result = await app.engine.handle(turn(fresh_key("ctl"), COMPLEX), RecordingSink())
    assert result.route is not None and result.route.locality == "cloud", result
    assert len(cloud.chat_requests()) == before + 1


# --- paths -------------------------------------------------------------------------------


@FAST
@given(p=planted())
async def test_channel_message_and_sticky_follow_ups_stay_off_the_cloud(app, fake_openai, p: Planted) -> None:
    assume(privacy.is_sensitive(privacy.scan(p.text)))
    key = fresh_key()
    first = await app.engine.handle(turn(key, p.text), RecordingSink())
    assert first.route is None or first.route.locality == "local"
    for follow_up in (COMPLEX, "and in one sentence?"):
        later = await app.engine.handle(turn(key, follow_up), RecordingSink())
        assert later.route.locality == "local" and "sticky-private" in later.route.reasons
    assert not p.leaked_to(fake_openai)
    await _cloud_still_works(app, fake_openai)


@FAST
@given(p=planted(), pin=st.sampled_from(["/model cloud", "/model openai:gpt-4o", "/agent research"]))
async def test_pins_and_cloud_agents_never_override_privacy(app, fake_openai, p: Planted, pin: str) -> None:
    assume(privacy.is_sensitive(privacy.scan(p.text)))
    key = fresh_key()
    assert (await run_command(app.engine, CommandContext(key, "U1"), pin)).ok
    result = await app.engine.handle(turn(key, p.text), RecordingSink())
    assert result.route.locality == "local"
    assert {"sensitive-content", "secret-content"} & set(result.route.reasons)
    assert not p.leaked_to(fake_openai)


@FAST
@given(p=planted())
async def test_dm_never_reaches_the_cloud(app, fake_openai, p: Planted) -> None:
    key = SessionKey("console", "T1", f"D{next(_ids)}", None)
    ctx = CommandContext(key, "U1", private=True)
    assert not (await run_command(app.engine, ctx, "/model cloud")).ok  # refused in a DM
    for text in (p.text, COMPLEX):
        result = await app.engine.handle(turn(key, text, private=True), RecordingSink())
        assert result.route.locality == "local" and "private-conversation" in result.route.reasons
    assert not p.leaked_to(fake_openai)


@SLOW
@given(p=planted(), level=st.sampled_from(["standard", "redact"]))
async def test_thread_with_rolling_summary_keeps_it_local(
    app, fake_openai, fake_ollama, monkeypatch, p: Planted, level: str
) -> None:
    assume(privacy.is_sensitive(privacy.scan(p.text)))
    monkeypatch.setattr(bot.engine, "SUMMARY_TRIGGER", 2)  # summarise after 4 unsummarised messages
    key = SessionKey("console", "T1", f"S{next(_ids)}", "1700000000.000100")
    await run_command(app.engine, CommandContext(key, "U1"), f"/privacy {level}")
    await app.engine.handle(turn(key, "hi, planning the migration"), RecordingSink())
    await app.engine.handle(turn(key, p.text), RecordingSink())
    for i in range(3):
        await app.engine.handle(turn(key, f"{COMPLEX} (part {i})"), RecordingSink())
    conv = app.engine.store.conversation(key)
    assert conv.summary and conv.summary_upto > 0  # the local model folded the planted message into it
    assert conv.summary_sensitive
    assert not p.leaked_to(fake_openai)
    assert not any("Summarise" in str(body) for body in fake_openai.chat_requests())


@FAST
@given(p=planted())
async def test_redact_level_sends_placeholders_and_keeps_the_original_locally(app, fake_openai, p: Planted) -> None:
    assume(privacy.is_sensitive(privacy.scan(p.text)))
    key = fresh_key()
    assert (await run_command(app.engine, CommandContext(key, "U1"), "/privacy redact")).ok
    text = f"{COMPLEX}{p.text}"  # complex: it goes to the cloud, redacted
    mark = len(fake_openai.chat_requests())
    result = await app.engine.handle(turn(key, text), RecordingSink())
    assert result.status == "done" and result.route.locality == "cloud", result.route
    assert "redacted-for-cloud" in result.route.reasons
    sent = str(fake_openai.chat_requests()[mark:])
    assert "\u27e8" in sent and "Compare PostgreSQL and MySQL" in sent  # placeholders such as ⟨EMAIL_1⟩
    # A later cloud turn carries the earlier message redacted, not raw.
    await app.engine.handle(turn(key, COMPLEX + " Now add tests."), RecordingSink())
    assert not p.leaked_to(fake_openai)
    conv = app.engine.store.conversation(key)
    assert any(p.shown in m.content for m in app.engine.store.newest_messages(conv.id))  # local record intact


@FAST
@given(p=planted(SECRETS))
async def test_cloud_ok_level_still_keeps_secrets_local(app, fake_openai, p: Planted) -> None:
    assume(privacy.is_sensitive(privacy.scan(p.text)))
    key = fresh_key()
    assert (await run_command(app.engine, CommandContext(key, "U1"), "/privacy cloud-ok")).ok
    await run_command(app.engine, CommandContext(key, "U1"), "/model cloud")
    result = await app.engine.handle(turn(key, COMPLEX + p.text), RecordingSink())
    assert result.route.locality == "local" and "secret-content" in result.route.reasons
    assert not p.leaked_to(fake_openai)


@FAST
@given(p=planted())
async def test_agent_with_tools_preferring_the_cloud_stays_local(
    tmp_path, fake_ollama, fake_openai, p: Planted
) -> None:
    assume(privacy.is_sensitive(privacy.scan(p.text)))
    agents = tmp_path / "agents"
    agents.mkdir(exist_ok=True)
    (agents / "scout.toml").write_text(
        'name = "scout"\ndescription = "web research"\nroute = "cloud"\ntools = ["web_search"]\n'
        'instructions = "Search, then answer."\n'
    )
    async with fresh_app(tmp_path, fake_ollama, fake_openai, toml=f'[bot]\nagents_dir = "{agents}"\n') as app:
        key = fresh_key()
        assert (await run_command(app.engine, CommandContext(key, "U1"), "/agent scout")).ok
        result = await app.engine.handle(turn(key, p.text), RecordingSink())
        assert result.route.locality == "local" and result.route.agent == "scout"  # tools never pull it to the cloud
    assert not p.leaked_to(fake_openai)


# --- faults: the local model down, failing or slow never means a cloud fallback -----------------

LOCAL_FAULTS = {
    "down": lambda o: o.fail_all("status", status=503),
    "reset": lambda o: o.fail_all("reset"),
    "drops-midstream": lambda o: o.fail_all("drop_midstream", after=0),
    "slow": lambda o: o.fail_all("stall", seconds=3),
}


@SLOW
@given(p=planted(), fault=st.sampled_from(sorted(LOCAL_FAULTS)), private=st.booleans(), pin=st.booleans())
async def test_local_faults_refuse_rather_than_fall_back_to_the_cloud(
    tmp_path, fake_ollama, fake_openai, p: Planted, fault: str, private: bool, pin: bool
) -> None:
    assume(privacy.is_sensitive(privacy.scan(p.text)))
    toml = "[ollama]\ntimeout = 0.6\nconnect_timeout = 0.5\nidle_timeout = 0.4\n"
    async with fresh_app(tmp_path, fake_ollama, fake_openai, toml=toml) as app:
        key = fresh_key()
        if pin and not private:
            await run_command(app.engine, CommandContext(key, "U1"), "/model cloud")
        LOCAL_FAULTS[fault](fake_ollama)
        try:
            result = await app.engine.handle(turn(key, p.text, private=private), RecordingSink())
            # A follow-up in the same conversation while the local model is still failing.
            again = await app.engine.handle(turn(key, COMPLEX, private=private), RecordingSink())
        finally:
            fake_ollama.clear_faults()
        assert result.status in ("refused", "error"), result
        assert again.status in ("refused", "error"), again
        assert "cloud" in result.text  # the refusal says why nothing went to the cloud
    assert not p.leaked_to(fake_openai)


async def test_local_fault_still_lets_harmless_turns_fall_back(tmp_path, fake_ollama, fake_openai) -> None:
    """The control for the fault tests: the fallback to the cloud exists, privacy is what stops it."""
    async with fresh_app(tmp_path, fake_ollama, fake_openai) as app:
        fake_ollama.fail_all("status", status=503)
        try:
            result = await app.engine.handle(turn(fresh_key(), "what's a good name for a cat?"), RecordingSink())
        finally:
            fake_ollama.clear_faults()
        assert result.status == "done" and result.route.locality == "cloud"


@SLOW
@given(p=planted(PERSONAL))
async def test_redact_level_cloud_failure_falls_back_local_with_original(
    tmp_path, fake_ollama, fake_openai, p: Planted
) -> None:
    assume(privacy.is_sensitive(privacy.scan(p.text)))
    async with fresh_app(tmp_path, fake_ollama, fake_openai) as app:
        key = fresh_key()
        await run_command(app.engine, CommandContext(key, "U1"), "/privacy redact")
        fake_openai.fail_all("status", status=500)
        try:
            result = await app.engine.handle(turn(key, COMPLEX + p.text), RecordingSink())
        finally:
            fake_openai.clear_faults()
        assert result.status == "done" and result.route.locality == "local"
        assert "redacted-for-cloud" not in result.route.reasons
        local_prompt = str(fake_ollama.chat_requests()[-1])
        assert p.value in local_prompt.replace("\\u200b", "").replace("\u200b", "")  # local got the original
    assert not p.leaked_to(fake_openai)
