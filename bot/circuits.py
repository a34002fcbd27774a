"""Circuit states for `hybridbot models` and `doctor`.

Circuit breakers live in the running bot's memory. The CLI is another process, so it reads them from
the running bot's `/metrics` (`hybridbot_circuit_state`, see bot/metrics.py); when no bot answers
there, every circuit of the CLI's own fresh catalog is closed and the output says so.
"""

from __future__ import annotations

from typing import Any

STATE_NAMES = {0: "closed", 1: "half-open", 2: "open"}


def ops_metrics_url(settings: Any) -> str | None:
    ops = getattr(settings, "ops", None)
    if ops is None or not ops.enabled:
        return None
    host = "127.0.0.1" if ops.host in ("", "0.0.0.0", "::") else ops.host
    return f"http://{host}:{ops.port}/metrics"


def parse_circuits(text: str) -> dict[str, str]:
    """`provider:model` → closed | half-open | open, from Prometheus text."""
    from prometheus_client.parser import text_string_to_metric_families

    states: dict[str, str] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "hybridbot_circuit_state":
            continue
        for sample in family.samples:
            ref = f"{sample.labels.get('provider', '')}:{sample.labels.get('model', '')}"
            states[ref] = STATE_NAMES.get(int(sample.value), "unknown")
    return states


async def live_circuits(url: str | None, *, within: float = 1.0) -> dict[str, str] | None:
    """The running bot's circuit states, or None when nothing answers at `url`."""
    if not url:
        return None
    import aiohttp

    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=within)) as session,
            session.get(url) as response,
        ):
            if response.status != 200:
                return None
            return parse_circuits(await response.text())
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return None


def describe_settings(settings: Any) -> str:
    """One line on the resilience settings, for doctor."""
    r = settings.resilience
    from bot.slots import limits_from_settings

    limits = ", ".join(f"{name} {n}" for name, n in limits_from_settings(settings).items()) or "none"
    return (
        f"resilience: circuits open after {r.breaker_failures} consecutive failures for {r.breaker_cooldown:g} s; "
        f"ollama retries {r.local_retries}× before any text, OpenAI-compatible clients retry "
        f"{settings.openai.max_retries}× themselves; Retry-After over {r.max_retry_wait:g} s → fall back; "
        f"concurrent turns per endpoint: {limits}"
    )
