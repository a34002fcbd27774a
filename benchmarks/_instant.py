"""An engine whose only model answers instantly (tests/fakes/instant.py): isolates the engine's own cost."""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.agents import load_agents  # noqa: E402
from bot.catalog import Catalog  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.fakes.instant import InstantProvider  # noqa: E402  (re-exported for the benchmarks)

# Benchmarks set what they measure explicitly: no embedded model, and no per-user turn limits (one user sends all).
BENCH_CONFIG = "[embedded]\nenabled = false\n[limits]\nenabled = false\n"


def bench_settings(db_path: str | None = None) -> Settings:
    folder = Path(tempfile.mkdtemp())
    config = folder / "bench.toml"
    config.write_text(BENCH_CONFIG)
    return load_settings(config, env={"HYBRIDBOT_DATABASE": db_path or str(folder / "bench.db")})


def make_engine(db_path: str | None = None, settings: Settings | None = None) -> Engine:
    """An engine whose only model is the instant one; `settings` (e.g. an adapter's) must have limits off."""
    settings = settings or bench_settings(db_path)
    assert not settings.limits.enabled, "benchmarks measure throughput: turn limits must be off"
    store = Store(db_path or settings.bot.database)
    return Engine(settings, store, Catalog([InstantProvider()], health_ttl=3600), load_agents(None))


def quick_flag(description: str | None) -> bool:
    """Parse the one option every benchmark has: --quick (a few seconds, for the test suite)."""
    import argparse

    parser = argparse.ArgumentParser(description=(description or "").splitlines()[0] if description else None)
    parser.add_argument("--quick", action="store_true", help="a few seconds' run (the test suite runs it)")
    return parser.parse_args().quick


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _spin() -> None:
    while True:
        pass


@contextlib.contextmanager
def cpu_hog(on: bool = True) -> Iterator[None]:
    """A process spinning on a core for the duration (the goal's "other core busy"); nothing when off."""
    if not on:
        yield
        return
    hog = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
    hog.start()
    time.sleep(0.3)  # let it reach its loop
    try:
        yield
    finally:
        hog.terminate()
        hog.join()
