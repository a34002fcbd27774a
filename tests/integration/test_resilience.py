"""Provider resilience through the engine with the real ollama and openai clients against the stand-ins:
circuit breakers, retries (ours only where the client has none), fallback chains, the per-endpoint
queue and idle timeouts. Every fallback test also checks that private content never reached the cloud.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.breaker import State
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("console", "local", "general")
DM = SessionKey("slack", "T1", "D0ALICE")
LLAMA, QWEN = "ollama:llama3.2:3b", "ollama:qwen2.5:7b"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def turn(text: str, *, key: SessionKey = KEY, private: bool = False) -> Turn:
    return Turn(key, "U1", "ann", text, private=private)


async def wait_for(predicate, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def ollama_chats(fake: FakeOllama) -> list[str]:
    return [body["model"] for body in fake.chat_requests()]


def cloud_chats(fake: FakeOpenAI) -> list[str]:
    return [body["model"] for body in fake.chat_requests()]


FAST_RETRY = "[resilience]\nretry_backoff = 0.05\n"


@pytest.fixture
def settings_toml() -> str:
    return FAST_RETRY


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI, settings_toml: str):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url, toml=settings_toml)
    yield app
    await app.engine.aclose()


# --- circuit breaker ---------------------------------------------------------------------------


@pytest.mark.parametrize("settings_toml", [FAST_RETRY + "breaker_failures = 2\nlocal_retries = 0\n"])
async def test_breaker_opens_router_avoids_then_probe_closes(app, fake_ollama, fake_openai) -> None:
    clock = Clock()
    app.engine.catalog.breakers.clock = clock
    fake_ollama.fail_all("status", status=500)
    for _ in range(2):
        result = await app.engine.handle(turn("what's a good name for a cat?"), RecordingSink())
        assert result.status == "done" and result.route.locality == "cloud"  # same locality first, then cloud
    assert ollama_chats(fake_ollama) == ["llama3.2:3b", "qwen2.5:7b"] * 2
    states = app.engine.catalog.breaker_states()
    assert states[LLAMA].state is State.OPEN and states[QWEN].state is State.OPEN
    assert {LLAMA, QWEN} <= app.engine.catalog.unhealthy()

    # Open: the router no longer tries the local models at all.
    result = await app.engine.handle(turn("and a name for a dog?"), RecordingSink())
    assert result.status == "done" and result.route.locality == "cloud"
    assert len(ollama_chats(fake_ollama)) == 4

    # A private turn with every local circuit open is refused clearly — never sent to the cloud.
    private = await app.engine.handle(turn("my salary is 84k, private-marker-1", key=DM, private=True), RecordingSink())
    assert private.status in ("refused", "error") and "cloud" in private.text
    assert not fake_openai.saw_text("private-marker-1")

    # After the cool-down one probe turn goes to the first local model; success closes its circuit.
    fake_ollama.clear_faults()
    clock.now += 30
    assert app.engine.catalog.breaker_states()[LLAMA].state is State.HALF_OPEN
    result = await app.engine.handle(turn("hello again"), RecordingSink())
    assert result.status == "done" and result.route.model == "llama3.2:3b"
    states = app.engine.catalog.breaker_states()
    assert states[LLAMA].state is State.CLOSED and states[QWEN].state is State.HALF_OPEN


@pytest.mark.parametrize("settings_toml", [FAST_RETRY + "breaker_failures = 1\nlocal_retries = 0\n"])
async def test_failed_probe_reopens_the_circuit(app, fake_ollama) -> None:
    clock = Clock()
    app.engine.catalog.breakers.clock = clock
    fake_ollama.inject("status", status=500)  # llama fails once: open
    result = await app.engine.handle(turn("hi"), RecordingSink())
    assert result.route.model == "qwen2.5:7b"
    clock.now += 30
    fake_ollama.inject("status", status=500)  # the probe fails too
    result = await app.engine.handle(turn("hi again"), RecordingSink())
    assert result.status == "done" and result.route.model == "qwen2.5:7b"
    assert ollama_chats(fake_ollama) == ["llama3.2:3b", "qwen2.5:7b", "llama3.2:3b", "qwen2.5:7b"]
    view = app.engine.catalog.breaker_states()[LLAMA]
    assert view.state is State.OPEN and view.retry_in == pytest.approx(30)


@pytest.mark.parametrize("settings_toml", [FAST_RETRY + "breaker_failures = 1\nlocal_retries = 0\n"])
async def test_half_open_lets_only_one_probe_through(app, fake_ollama) -> None:
    clock = Clock()
    app.engine.catalog.breakers.clock = clock
    fake_ollama.inject("status", status=500)
    await app.engine.handle(turn("hi"), RecordingSink())
    assert app.engine.catalog.breaker_states()[LLAMA].state is State.OPEN
    clock.now += 30
    probing, release = asyncio.Event(), asyncio.Event()

    class HoldingSink(RecordingSink):  # holds the probe turn after it claimed the probe, before it streams
        async def on_status(self, text: str) -> None:
            await super().on_status(text)
            if text == "thinking…" and not release.is_set():
                probing.set()
                await release.wait()

    probe = asyncio.create_task(app.engine.handle(turn("hello", key=SessionKey("slack", "T1", "C0")), HoldingSink()))
    await asyncio.wait_for(probing.wait(), 10)
    keys = [SessionKey("slack", "T1", f"C{i}") for i in (1, 2)]
    others = await asyncio.gather(*(app.engine.handle(turn("hello", key=k), RecordingSink()) for k in keys))
    assert [r.route.model for r in others] == ["qwen2.5:7b", "qwen2.5:7b"]  # kept away while the probe runs
    release.set()
    result = await probe
    assert result.status == "done" and result.route.model == "llama3.2:3b"
    assert app.engine.catalog.breaker_states()[LLAMA].state is State.CLOSED


async def test_midstream_break_counts_against_the_circuit(app, fake_ollama) -> None:
    fake_ollama.reply = "one two three four five six"
    fake_ollama.inject("drop_midstream", after=2)
    result = await app.engine.handle(turn("count"), RecordingSink())
    assert result.status == "error"
    assert app.engine.catalog.breaker_states()[LLAMA].failures == 1
    ok = await app.engine.handle(turn("count again"), RecordingSink())
    assert ok.status == "done" and app.engine.catalog.breaker_states()[LLAMA].failures == 0


# --- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "params"), [("reset", {}), ("status", {"status": 503})])
async def test_ollama_gets_one_quick_retry_before_any_text(app, fake_ollama, fake_openai, kind, params) -> None:
    fake_ollama.inject(kind, **params)
    result = await app.engine.handle(turn("hello"), RecordingSink())
    assert result.status == "done" and result.route.model == "llama3.2:3b"
    assert ollama_chats(fake_ollama) == ["llama3.2:3b", "llama3.2:3b"]
    assert fake_openai.chat_requests() == []
    assert app.engine.catalog.breaker_states() == {}  # the retry succeeded: nothing counted


async def test_ollama_retry_is_bounded_then_other_local_model(app, fake_ollama, fake_openai) -> None:
    fake_ollama.inject("status", count=2, status=500)
    sink = RecordingSink()
    result = await app.engine.handle(turn("hello", key=DM, private=True), sink)
    assert result.status == "done" and result.route.model == "qwen2.5:7b"
    assert ollama_chats(fake_ollama) == ["llama3.2:3b", "llama3.2:3b", "qwen2.5:7b"]
    assert any("trying another model" in s for s in sink.statuses)
    assert fake_openai.chat_requests() == []


async def test_openai_sdk_retries_are_not_stacked(app, fake_openai) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    fake_openai.inject("status", count=2, status=500)
    result = await app.engine.handle(turn("hello"), RecordingSink())
    # The first cloud model: 1 call + the SDK's 1 retry (openai.max_retries = 1), none of ours; then the next.
    assert result.status == "done" and result.route.model == "gpt-4o-mini"
    assert cloud_chats(fake_openai) == ["gpt-4o", "gpt-4o", "gpt-4o-mini"]


async def test_openai_short_retry_after_is_waited_by_the_sdk(app, fake_openai) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    fake_openai.inject("status", status=429, retry_after=0.2)
    result = await app.engine.handle(turn("hello"), RecordingSink())
    assert result.status == "done" and result.route.model == "gpt-4o"
    assert cloud_chats(fake_openai) == ["gpt-4o", "gpt-4o"]


async def test_long_retry_after_is_not_waited_for_the_turn_falls_back(app, fake_openai, fake_ollama) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    fake_openai.fail_all("status", status=429, retry_after=60)
    started = time.monotonic()
    result = await app.engine.handle(turn("hello"), RecordingSink())
    elapsed = time.monotonic() - started
    assert result.status == "done" and result.route.locality == "local"
    assert cloud_chats(fake_openai) == ["gpt-4o", "gpt-4o-mini"]  # no SDK retry after a 60 s Retry-After
    assert elapsed < 30  # waiting would take 2 × 60 s
    assert any("rate_limited" in n for n in result.notices)


# --- fallback chains and privacy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params"),
    [("status", {"status": 500}), ("reset", {}), ("status", {"status": 429, "retry_after": 0})],
)
async def test_private_turn_with_local_faults_never_reaches_cloud(app, fake_ollama, fake_openai, kind, params) -> None:
    fake_ollama.fail_all(kind, **params)
    marker = "private-marker-ab12"
    result = await app.engine.handle(turn(f"my diagnosis is {marker}", key=DM, private=True), RecordingSink())
    assert result.status in ("refused", "error")
    assert "cloud" in result.text and "local" in result.text
    assert fake_openai.chat_requests() == [] and not fake_openai.saw_text(marker)
    public = await app.engine.handle(turn("a name for a cat?"), RecordingSink())
    assert public.status == "done" and public.route.locality == "cloud"
    assert not fake_openai.saw_text(marker)


async def test_cloud_down_complex_turn_falls_back_locally(app, fake_openai, fake_ollama) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    fake_openai.fail_all("reset")
    result = await app.engine.handle(turn("hello"), RecordingSink())
    assert result.status == "done" and result.route.locality == "local"


# --- the per-endpoint queue ----------------------------------------------------------------------

QUEUED = FAST_RETRY + "[ollama]\nmax_concurrent = 1\n"


@pytest.mark.parametrize("settings_toml", [QUEUED])
async def test_local_endpoint_queue_fifo_with_places(app, fake_ollama) -> None:
    fake_ollama.reply = "one two three four five six seven eight"
    slots = app.engine.slots("ollama")
    gate = asyncio.Event()
    events: list[tuple[str, int]] = []

    class Sink(RecordingSink):
        def __init__(self, i: int) -> None:
            super().__init__()
            self.i = i

        async def on_text(self, delta: str) -> None:
            await super().on_text(delta)
            events.append(("text", self.i))
            if self.i == 0:
                await gate.wait()  # the first turn holds the only slot until the others are queued

        async def on_done(self, result) -> None:
            await super().on_done(result)
            events.append(("done", self.i))

    sinks = [Sink(i) for i in range(3)]
    tasks = []
    for i, expected in enumerate([(1, 0), (1, 1), (1, 2)]):
        key = SessionKey("slack", "T1", f"C{i}")
        tasks.append(asyncio.create_task(app.engine.handle(turn("hi", key=key), sinks[i])))
        await wait_for(lambda e=expected: (slots.active, slots.queued) == e)
    gate.set()
    results = await asyncio.gather(*tasks)
    assert all(r.status == "done" for r in results)
    assert [i for kind, i in events if kind == "done"] == [0, 1, 2]  # first in, first served
    texts = [i for kind, i in events if kind == "text"]
    assert texts == sorted(texts)  # one answer streamed at a time
    places = [[s for s in sink.statuses if s.startswith("⏳")] for sink in sinks]
    assert places == [[], ["⏳ you're next"], ["⏳ 1 ahead of you", "⏳ you're next"]]  # updated as it moved
    assert sinks[2].statuses[-1] == "thinking…"
    assert app.engine.slots.depths()["ollama"] == (0, 0)


@pytest.mark.parametrize("settings_toml", [QUEUED])
async def test_cancel_while_queued_frees_place_and_slot(app, fake_ollama) -> None:
    slots = app.engine.slots("ollama")
    gate = asyncio.Event()

    class HoldingSink(RecordingSink):
        async def on_text(self, delta: str) -> None:
            await super().on_text(delta)
            await gate.wait()

    busy_key, queued_key = SessionKey("slack", "T1", "C1"), SessionKey("slack", "T1", "C2")
    busy = asyncio.create_task(app.engine.handle(turn("long story", key=busy_key), HoldingSink()))
    await wait_for(lambda: slots.active == 1)
    sink = RecordingSink()
    queued = asyncio.create_task(app.engine.handle(turn("short one", key=queued_key), sink))
    await wait_for(lambda: slots.queued == 1)
    assert "⏳ you're next" in sink.statuses
    assert app.engine.cancel(queued_key)
    result = await queued
    assert result.status == "cancelled" and app.engine.store.turn(result.turn_id).status == "cancelled"
    assert slots.queued == 0 and slots.active == 1
    gate.set()
    assert (await busy).status == "done"
    assert slots.active == 0
    again = await app.engine.handle(turn("still there?", key=queued_key), RecordingSink())
    assert again.status == "done" and slots.active == 0 and slots.queued == 0
    conv = app.engine.store.conversation(queued_key)
    users = [m.content for m in app.engine.store.newest_messages(conv.id) if m.role == "user"]
    assert users == ["still there?", "short one"]  # kept once each, nothing lost


# --- idle timeouts, per provider kind -------------------------------------------------------------

TIMEOUTS = FAST_RETRY + "[ollama]\ntimeout = 1\nidle_timeout = 1\n[openai]\ntimeout = 1\nidle_timeout = 1\n"


@pytest.mark.parametrize("settings_toml", [TIMEOUTS])
async def test_ollama_stall_mid_answer_is_a_marked_partial(app, fake_ollama, fake_openai) -> None:
    fake_ollama.reply = "one two three four five six"
    fake_ollama.inject("stall_midstream", after=3, seconds=30)
    sink = RecordingSink()
    result = await app.engine.handle(turn("count"), sink)
    assert result.status == "error" and sink.text.split() == ["one", "two", "three"]
    assert "incomplete" in result.error
    stored = app.engine.store.turn(result.turn_id)
    assert stored.status == "error" and stored.answer_message_id is not None
    assert fake_openai.chat_requests() == []  # a partial answer is never re-asked elsewhere


@pytest.mark.slow
@pytest.mark.parametrize("settings_toml", [TIMEOUTS])
async def test_ollama_stall_before_first_token_falls_back(app, fake_ollama, fake_openai) -> None:
    fake_ollama.fail_all("stall", seconds=30)
    sink = RecordingSink()
    result = await app.engine.handle(turn("what's a good name for a cat?"), sink)
    assert result.status == "done" and result.route.locality == "cloud"
    assert any("timeout" in n for n in result.notices)
    private = await app.engine.handle(turn("private-marker-cd34", key=DM, private=True), RecordingSink())
    assert private.status in ("refused", "error") and not fake_openai.saw_text("private-marker-cd34")


@pytest.mark.parametrize("settings_toml", [TIMEOUTS])
async def test_openai_stall_mid_answer_is_a_marked_partial(app, fake_openai) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    fake_openai.reply = "alpha beta gamma delta epsilon"
    fake_openai.inject("stall_midstream", after=2, seconds=30)
    sink = RecordingSink()
    result = await app.engine.handle(turn("greek letters"), sink)
    assert result.status == "error" and sink.text.split() == ["alpha", "beta"]
    assert "incomplete" in result.error and result.route.locality == "cloud"


@pytest.mark.slow
@pytest.mark.parametrize("settings_toml", [TIMEOUTS])
async def test_openai_stall_before_first_token_falls_back(app, fake_openai, fake_ollama) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    fake_openai.fail_all("stall", seconds=30)
    result = await app.engine.handle(turn("hello"), RecordingSink())
    assert result.status == "done" and result.route.locality == "local"
    assert any("timeout" in n for n in result.notices)


# --- circuit state is visible -------------------------------------------------------------------


@pytest.mark.parametrize("settings_toml", [FAST_RETRY + "breaker_failures = 1\nlocal_retries = 0\n"])
async def test_circuit_state_visible_in_chat_cli_doctor_and_metrics(app, fake_ollama, capsys) -> None:
    from bot.circuits import live_circuits
    from bot.ops import OpsServer
    from hybridbot_app.cli import _models
    from hybridbot_app.doctor import run_checks

    fake_ollama.inject("status", status=500)
    assert (await app.engine.handle(turn("hi"), RecordingSink())).status == "done"
    listing = await run_command(app.engine, CommandContext(KEY, "U1"), "/model")
    assert f"{LLAMA} (unavailable: circuit open" in listing.text
    assert f"{QWEN} (unavailable" not in listing.text
    async with OpsServer(app.engine, port=0) as ops:
        assert await live_circuits(f"{ops.url}/metrics") == {LLAMA: "open"}
        settings = app.engine.settings.model_copy(deep=True)
        settings.ops.port = ops.port
        capsys.readouterr()
        await _models(settings, None)
        rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines() if line}
        assert "open" in rows[LLAMA] and "closed" in rows[QWEN]
        checks = await run_checks(settings)
        assert any(not ok and line.startswith(f"circuit open: {LLAMA}") for ok, line in checks)
        assert any(ok and line.startswith("resilience: circuits open after 1 consecutive") for ok, line in checks)
    assert await live_circuits(f"{ops.url}/metrics") is None  # no bot answering: the CLI says so
