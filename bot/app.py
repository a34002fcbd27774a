"""Wiring: settings → store, providers, catalog, agents → engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.agents import load_agents
from bot.catalog import Catalog
from bot.config import Settings
from bot.engine import Engine
from bot.providers.factory import build_providers
from bot.retention import purge_expired
from bot.store import Store


@dataclass
class App:
    engine: Engine
    notes: list[str] = field(default_factory=list)  # providers left out, agent files skipped


def build_app(settings: Settings) -> App:
    store = Store(settings.bot.database)
    providers, notes = build_providers(settings)
    resilience = settings.resilience
    catalog = Catalog(
        providers,
        health_ttl=settings.catalog.health_ttl,
        breaker_failures=resilience.breaker_failures,
        breaker_cooldown=resilience.breaker_cooldown,
    )
    agents = load_agents(settings.bot.agents_dir)
    engine = Engine(settings, store, catalog, agents)
    if settings.mcp.servers:  # MCP servers as one tool source; each starts on first use (README "MCP servers")
        from bot.tools.mcp_manager import McpManager

        engine.tools.add_source(McpManager(settings.mcp))
    engine.slots.set_observer(engine.metrics.observe_queue)  # queue depth per endpoint → /metrics
    catalog.breakers.on_change = lambda ref, state: engine.metrics.set_circuit(
        ref.partition(":")[0], ref.partition(":")[2], str(state)
    )
    engine.recover()
    purge_expired(store, settings.bot.message_ttl_days)  # retention at start; `hybridbot run` repeats it hourly
    return App(engine, notes + agents.problems)


def configure_logging(
    level: str, fmt: str = "text", secrets: Iterable[str] = (), *, log_payloads: bool = False
) -> None:
    """Text or JSON lines with the turn id; secret values and secret-looking text redacted (bot/logs.py).
    Client libraries that log request bodies stay at INFO or above unless `log_payloads` (unsafe)."""
    from bot.logs import configure

    configure(level, fmt, secrets=secrets, log_payloads=log_payloads)
