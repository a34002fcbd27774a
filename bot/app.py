"""Wiring: settings → store, providers, catalog, agents → engine."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.agents import load_agents
from bot.catalog import Catalog
from bot.config import Settings
from bot.engine import Engine
from bot.providers.factory import build_providers
from bot.store import Store


@dataclass
class App:
    engine: Engine
    notes: list[str] = field(default_factory=list)  # providers left out, agent files skipped


def build_app(settings: Settings) -> App:
    store = Store(settings.bot.database)
    providers, notes = build_providers(settings)
    catalog = Catalog(providers, health_ttl=settings.catalog.health_ttl)
    agents = load_agents(settings.bot.agents_dir)
    engine = Engine(settings, store, catalog, agents)
    engine.recover()
    return App(engine, notes + agents.problems)


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Client libraries log request URLs and bodies at DEBUG/INFO; keep them quiet unless debugging.
    for noisy in ("httpx", "httpcore", "openai", "httpx2", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
