"""Fault injection: 429/5xx/resets/stalls at set rates on each provider, and a local model that is down.

Each scenario runs a mixed workload through the engine with the real clients — public simple turns
(local), public complex turns (cloud), a private DM and a channel whose messages carry a secret —
in four sessions at once, and asserts for every scenario:
- every non-private turn is answered or gets a clear message;
- private turns (the DM, the secret) never reach the cloud stand-in, faults or not;
- every user message is stored exactly once, in order — none lost, none duplicated.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine import Turn, TurnResult
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

AWS_KEY = "AKIA" + "QYLPMN5HFIQR7XYZ"  # format-valid, not a real key
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```"
)
TURNS_PER_SESSION = 3
SESSIONS_PER_KIND = 1  # sessions run at once; turns within a session one after another
# Short timeouts so stalls cost a second, not minutes; one SDK retry as in production.
TOML = (
    "[ollama]\ntimeout = 1\nidle_timeout = 1\n[openai]\ntimeout = 1\nidle_timeout = 1\n"
    "[resilience]\nretry_backoff = 0.05\n"
)
CLEAR = ("Try again", "try again", "doctor", "/model", "/reset", "admin", "incomplete")


@dataclass(frozen=True)
class Sent:
    turn: Turn
    private: bool  # must never reach the cloud
    marker: str


def workload() -> dict[SessionKey, list[Sent]]:
    plan: dict[SessionKey, list[Sent]] = {}
    for n in range(SESSIONS_PER_KIND):
        simple = SessionKey("slack", "T1", f"C0SIMPLE{n}")
        complex_ = SessionKey("slack", "T1", f"C0COMPLEX{n}")
        dm = SessionKey("slack", "T1", f"D0ALICE{n}")
        secret = SessionKey("slack", "T1", f"C0DEPLOY{n}")
        for key in (simple, complex_, dm, secret):
            plan[key] = []
        for i in range(TURNS_PER_SESSION):
            m = f"mk{n}{i}"
            plan[simple].append(Sent(Turn(simple, "U1", "ann", f"name a cat {m}-simple"), False, f"{m}-simple"))
            plan[complex_].append(Sent(Turn(complex_, "U2", "bob", f"{COMPLEX} {m}-complex"), False, f"{m}-complex"))
            plan[dm].append(Sent(Turn(dm, "U3", "cy", f"my diagnosis {m}-dm", private=True), True, f"{m}-dm"))
            text = f"why is {AWS_KEY} rejected? {m}-secret" if i == 0 else f"and now? {m}-secret"  # sticky after 0
            plan[secret].append(Sent(Turn(secret, "U4", "di", text), True, f"{m}-secret"))
    return plan


async def run_workload(app) -> list[tuple[Sent, TurnResult, RecordingSink]]:
    plan = workload()

    async def session(sent: list[Sent]) -> list[tuple[Sent, TurnResult, RecordingSink]]:
        out = []
        for s in sent:
            sink = RecordingSink()
            out.append((s, await app.engine.handle(s.turn, sink), sink))
        return out

    done = await asyncio.wait_for(asyncio.gather(*(session(s) for s in plan.values())), 60)
    return [item for items in done for item in items]


def check_invariants(app, fake_openai: FakeOpenAI, outcomes) -> dict[str, int]:
    counts = {"done": 0, "clear-message": 0}
    for sent, result, sink in outcomes:
        assert result.turn_id is not None, result
        assert sink.results == [result]  # the adapter always hears how the turn ended, once
        if result.status == "done":
            assert result.text, sent
            counts["done"] += 1
            if sent.private:
                assert result.route.locality == "local", sent
        else:
            assert result.status in ("error", "refused"), result
            assert any(c in result.error for c in CLEAR), result.error
            counts["clear-message"] += 1
        if sent.private:
            assert not fake_openai.saw_text(sent.marker), f"private turn {sent.marker} reached the cloud"
    assert not fake_openai.saw_text(AWS_KEY)
    # Nothing lost, nothing duplicated: each session's stored user messages are exactly what was sent.
    by_key: dict[SessionKey, list[str]] = {}
    for sent, _result, _sink in outcomes:
        by_key.setdefault(sent.turn.key, []).append(sent.turn.text)
    store = app.engine.store
    for key, texts in by_key.items():
        conv = store.conversation(key)
        stored = [m.content for m in store.newest_messages(conv.id) if m.role == "user"]
        assert list(reversed(stored)) == texts, key
    assert store.unfinished_turns() == []
    assert app.engine.slots.depths().get("ollama", (0, 0)) == (0, 0)  # no stuck slot
    return counts


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=TOML)
    yield app
    await app.engine.aclose()


FAULTS = [
    ("ollama", "status", {"status": 500}, 0.4),
    ("ollama", "status", {"status": 503}, 0.4),
    ("ollama", "reset", {}, 0.4),
    ("ollama", "stall", {"seconds": 30}, 0.3),
    ("ollama", "stall_midstream", {"after": 2, "seconds": 30}, 0.3),
    ("ollama", "drop_midstream", {"after": 2}, 0.3),
    ("openai", "status", {"status": 429, "retry_after": 0}, 0.5),
    ("openai", "status", {"status": 429, "retry_after": 60}, 0.5),
    ("openai", "status", {"status": 502}, 0.5),
    ("openai", "reset", {}, 0.5),
    ("openai", "stall", {"seconds": 30}, 0.3),
    ("openai", "drop_midstream", {"after": 2}, 0.3),
]


@pytest.mark.parametrize(
    ("provider", "kind", "params", "rate"),
    FAULTS,
    ids=[
        f"{p}-{k}-{v.get('status', '')}{'-ra' + str(v['retry_after']) if 'retry_after' in v else ''}"
        for p, k, v, _ in FAULTS
    ],  # fmt: skip
)
async def test_faults_at_a_rate(app, fake_ollama, fake_openai, provider, kind, params, rate) -> None:
    server = fake_ollama if provider == "ollama" else fake_openai
    server.fail_at_rate(kind, rate, seed=7, **params)
    outcomes = await run_workload(app)
    counts = check_invariants(app, fake_openai, outcomes)
    assert server.faults_served > 0 and counts["done"] > 0


async def test_faults_on_both_providers_at_once(app, fake_ollama, fake_openai) -> None:
    fake_ollama.fail_at_rate("status", 0.5, seed=3, status=500)
    fake_openai.fail_at_rate("status", 0.5, seed=4, status=429, retry_after=0)
    check_invariants(app, fake_openai, await run_workload(app))
    assert fake_ollama.faults_served > 0 and fake_openai.faults_served > 0


async def test_local_model_down(app, fake_ollama, fake_openai) -> None:
    await fake_ollama.stop()
    outcomes = await run_workload(app)
    check_invariants(app, fake_openai, outcomes)
    for sent, result, _sink in outcomes:
        if sent.private:
            assert result.status == "refused" and "nothing was sent to the cloud" in result.text
        else:
            assert result.status == "done" and result.route.locality == "cloud"


async def test_every_model_down_gives_clear_messages(app, fake_ollama, fake_openai) -> None:
    await fake_ollama.stop()
    fake_openai.fail_all("status", status=500)
    outcomes = await run_workload(app)
    counts = check_invariants(app, fake_openai, outcomes)
    assert counts["done"] == 0 and counts["clear-message"] == len(outcomes)
