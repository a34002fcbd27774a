"""The operations server against the real app and the stand-ins: /healthz, /readyz, /metrics."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.ops import OpsServer, start_operations
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("slack", "T1", "C1")
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```"
)


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app
    await app.engine.aclose()


@pytest.fixture
async def ops(app):
    async with OpsServer(app.engine, port=0) as server:
        yield server


async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_healthz_is_alive(ops) -> None:
    status, _, body = await get(ops.url + "/healthz")
    assert status == 200 and '"alive"' in body


async def test_readyz_checks_database_local_model_and_platforms(app, ops, fake_ollama) -> None:
    status, _, body = await get(ops.url + "/readyz")
    assert status == 200, body
    assert '"database": "ok"' in body and '"local_model": "ok (ollama)"' in body

    connected = {"slack": True}
    app.engine.readiness.register("slack", lambda: connected["slack"])

    async def discord_ready() -> bool:
        return True

    app.engine.readiness.register("discord", discord_ready)
    assert (await get(ops.url + "/readyz"))[0] == 200
    connected["slack"] = False
    status, _, body = await get(ops.url + "/readyz")
    assert status == 503 and '"slack": "not connected"' in body and '"discord": "connected"' in body

    def broken() -> bool:
        raise RuntimeError("adapter bug")

    connected["slack"] = True
    app.engine.readiness.register("slack", broken)  # a check that raises counts as not ready
    assert (await get(ops.url + "/readyz"))[0] == 503
    app.engine.readiness.unregister("slack")
    assert (await get(ops.url + "/readyz"))[0] == 200


async def test_readyz_not_ready_without_a_local_model(app, ops, fake_ollama) -> None:
    await fake_ollama.stop()
    status, _, body = await get(ops.url + "/readyz")
    assert status == 503 and "no local model is healthy" in body
    assert '"openai": "ok"' in body  # the cloud alone does not make the bot ready: private turns need a local model


async def test_readyz_not_ready_when_the_database_is_unreadable(app, ops) -> None:
    app.engine.store.conn.execute("DROP TABLE feedback")
    app.engine.store.conn.execute("ALTER TABLE conversations RENAME TO conversations_gone")
    status, _, body = await get(ops.url + "/readyz")
    assert status == 503 and '"database": "unreadable: OperationalError"' in body


async def test_metrics_show_turns_latency_tokens_feedback_and_providers(app, ops, fake_openai) -> None:
    engine = app.engine
    local = await engine.handle(Turn(KEY, "U1", "ann", "hello there"), RecordingSink())
    cloud = await engine.handle(Turn(KEY, "U2", "bob", COMPLEX), RecordingSink())
    assert (local.route.locality, cloud.route.locality) == ("local", "cloud")
    engine.feedback(cloud.turn_id, "U1", 1)
    assert (await run_command(engine, CommandContext(KEY, "U1"), "/feedback bad")).ok
    status, content_type, text = await get(ops.url + "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    got = samples(text)
    ollama = {"locality": "local", "provider": "ollama", "model": "llama3.2:3b"}
    openai = {"locality": "cloud", "provider": "openai", "model": cloud.route.model}
    assert value(got, "hybridbot_turns_total", **ollama, outcome="done") == 1
    assert value(got, "hybridbot_turns_total", **openai, outcome="done") == 1
    assert value(got, "hybridbot_time_to_first_token_seconds_count", **ollama) == 1
    assert value(got, "hybridbot_turn_latency_seconds_count", **openai) == 1
    assert value(got, "hybridbot_turn_latency_seconds_sum", **openai) > 0
    assert value(got, "hybridbot_tokens_total", **openai, kind="prompt") == cloud.prompt_tokens > 0
    assert value(got, "hybridbot_tokens_total", **openai, kind="completion") == cloud.completion_tokens
    assert value(got, "hybridbot_feedback_total", rating="up") == 1
    assert value(got, "hybridbot_feedback_total", rating="down") == 1
    assert value(got, "hybridbot_provider_up", provider="ollama", locality="local") == 1
    assert value(got, "hybridbot_provider_up", provider="openai", locality="cloud") == 1


def value(got: dict, name: str, **labels: str) -> float:
    return got[(name, tuple(sorted(labels.items())))]


async def test_metrics_count_failures_429s_and_queue_depth(app, ops, fake_openai) -> None:
    engine = app.engine
    await run_command(engine, CommandContext(KEY, "U1"), "/model cloud")
    fake_openai.fail_all("status", status=429, retry_after=0)
    result = await engine.handle(Turn(KEY, "U1", "ann", "hello"), RecordingSink())
    assert result.status == "done" and result.route.locality == "local"  # fell back locally
    engine.metrics.queue_depth.set(2, endpoint="ollama")
    got = samples((await get(ops.url + "/metrics"))[2])
    assert value(got, "hybridbot_upstream_429_total", source="openai") >= 1
    assert value(got, "hybridbot_provider_errors_total", provider="openai", kind="rate_limited") >= 1
    assert value(got, "hybridbot_queue_depth", endpoint="ollama") == 2


@pytest.mark.slow
async def test_local_endpoint_queue_depth_reaches_metrics(app, fake_ollama) -> None:
    """The concurrency queue's depth observer is wired to the gauge by build_app."""
    engine = app.engine
    limit = engine.slots("ollama").limit
    assert limit >= 1
    fake_ollama.token_delay = 0.05
    tasks = [
        asyncio.create_task(
            engine.handle(Turn(SessionKey("slack", "T1", f"C{i}"), f"U{i}", "u", "hi"), RecordingSink())
        )
        for i in range(limit + 2)
    ]
    peak = 0.0
    while not all(t.done() for t in tasks):
        peak = max(peak, engine.metrics.value("hybridbot_queue_depth", endpoint="ollama"))
        await asyncio.sleep(0.005)
    await asyncio.gather(*tasks)
    assert peak >= 1
    assert engine.metrics.value("hybridbot_queue_depth", endpoint="ollama") == 0


async def test_two_apps_keep_separate_metrics(tmp_path, fake_ollama, app) -> None:
    (tmp_path / "other").mkdir()
    other = make_app(tmp_path / "other", ollama_host=fake_ollama.host, openai_url=None)
    try:
        await app.engine.handle(Turn(KEY, "U1", "ann", "hello"), RecordingSink())
        assert app.engine.metrics.render() != other.engine.metrics.render()
        assert b"hybridbot_turns_total{" not in other.engine.metrics.render()
    finally:
        await other.engine.aclose()


async def test_start_operations_serves_and_tracks_adapter_tasks(app, tmp_path) -> None:
    settings = app.engine.settings.model_copy(deep=True)
    settings.ops.port = free_port()
    settings.bot.message_ttl_days = 0
    adapter = asyncio.create_task(asyncio.Event().wait(), name="slack")
    ops = await start_operations(app.engine, settings, [adapter])
    try:
        assert ops.server is not None
        assert (await get(f"http://127.0.0.1:{settings.ops.port}/readyz"))[0] == 200
        adapter.cancel()  # the adapter stopped: not ready any more
        await asyncio.gather(adapter, return_exceptions=True)
        status, _, body = await get(f"http://127.0.0.1:{settings.ops.port}/readyz")
        assert status == 503 and '"slack": "not connected"' in body
    finally:
        await ops.aclose()
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(f"http://127.0.0.1:{settings.ops.port}/healthz")


async def test_ops_disabled_or_port_taken_runs_without_a_server(app) -> None:
    settings = app.engine.settings.model_copy(deep=True)
    settings.ops.enabled = False
    ops = await start_operations(app.engine, settings, [])
    assert ops.server is None
    await ops.aclose()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings.ops.enabled, settings.ops.port = True, taken.getsockname()[1]
        ops = await start_operations(app.engine, settings, [])
        assert ops.server is None  # logged and printed; the bot keeps running
        await ops.aclose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
