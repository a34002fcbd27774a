"""The operations HTTP server: `/healthz` (alive), `/readyz` (ready to answer) and `/metrics` (Prometheus).

Started by `hybridbot run` beside the platform adapters when `[ops] enabled` (default, on 127.0.0.1:9464).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.metrics import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.engine import Engine

log = logging.getLogger("hybridbot.ops")


async def readiness_report(engine: Engine) -> tuple[bool, dict[str, Any]]:
    """(ready, details): the database reads, a local model is healthy, every registered platform is connected."""
    checks: dict[str, Any] = {}
    try:
        engine.store.check()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"unreadable: {type(error).__name__}"
    statuses = await engine.catalog.refresh()
    engine.metrics.observe_providers(statuses)
    local = [s for s in statuses if s.locality == "local"]
    healthy = [s.name for s in local if s.healthy and s.models]
    checks["local_model"] = f"ok ({', '.join(healthy)})" if healthy else "no local model is healthy"
    checks["providers"] = {s.name: "ok" if s.healthy else (s.error or "down") for s in statuses}
    platforms = await engine.readiness.run()
    checks["platforms"] = {name: "connected" if ok else "not connected" for name, ok in platforms.items()}
    ready = checks["database"] == "ok" and bool(healthy) and all(platforms.values())
    return ready, checks


class OpsServer:
    def __init__(self, engine: Engine, host: str = "127.0.0.1", port: int = 9464) -> None:
        self.engine = engine
        self.host, self.port = host, port
        self.app = web.Application()
        self.app.router.add_get("/healthz", self.healthz)
        self.app.router.add_get("/readyz", self.readyz)
        self.app.router.add_get("/metrics", self.metrics)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        log.info("ops server listening on %s (/healthz /readyz /metrics)", self.url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> OpsServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(self, request: web.Request) -> web.Response:
        ready, checks = await readiness_report(self.engine)
        return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        self.engine.metrics.observe_providers(self.engine.catalog.statuses())
        body = self.engine.metrics.render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


class Operations:
    """What `hybridbot run` keeps beside the adapters: the ops server and the periodic retention purge."""

    def __init__(self, server: OpsServer | None, tasks: list[asyncio.Task[None]]) -> None:
        self.server, self.tasks = server, tasks

    async def aclose(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.server is not None:
            await self.server.stop()


def _running(task: asyncio.Task[Any]) -> Callable[[], bool]:
    return lambda: not task.done()


async def start_operations(engine: Engine, settings: Settings, adapters: list[asyncio.Task[Any]]) -> Operations:
    """Register each adapter task as a readiness check (an adapter may replace it with a connection
    check under the same name), start the periodic retention purge and, if enabled, the ops server."""
    from bot.retention import retention_loop

    for task in adapters:
        engine.readiness.register(task.get_name(), _running(task))
    tasks = [asyncio.create_task(retention_loop(engine.store, settings.bot.message_ttl_days), name="retention")]
    server = None
    if settings.ops.enabled:
        server = OpsServer(engine, settings.ops.host, settings.ops.port)
        try:
            await server.start()
        except OSError as error:
            log.error("ops server could not listen on %s:%d: %s", settings.ops.host, settings.ops.port, error)
            print(f"hybridbot: the ops server could not listen on {server.url} ({error.strerror}); running without it")
            server = None
    return Operations(server, tasks)
