"""Build providers from settings. Heavy client libraries are imported only here, on demand."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.providers.base import Provider

if TYPE_CHECKING:
    from bot.catalog import ProviderStatus


def build_providers(settings: Settings) -> tuple[list[Provider], list[str]]:
    """Providers in preference order, each with its per-model generation settings and the repetition guard,
    and notes on the ones left out (for doctor and models)."""
    from bot.providers.guarded import GuardedProvider

    providers, notes = _bare_providers(settings)
    generation = settings.generation
    overrides = {pattern: entry.model_dump(exclude_none=True) for pattern, entry in generation.models.items()}
    guarded: list[Provider] = [
        GuardedProvider(p, overrides, repetition_guard=generation.repetition_guard) for p in providers
    ]
    return guarded, notes


def _bare_providers(settings: Settings) -> tuple[list[Provider], list[str]]:
    providers: list[Provider] = []
    notes: list[str] = []
    if settings.ollama.enabled:
        from bot.providers.ollama_provider import OllamaProvider

        o = settings.ollama
        providers.append(
            OllamaProvider(
                "ollama",
                host=o.host,
                timeout=o.timeout,
                connect_timeout=o.connect_timeout,
                idle_timeout=o.idle_timeout,
                keep_alive=o.keep_alive,
                max_context=o.max_context,
            )
        )
    else:
        notes.append("ollama: disabled in config ([ollama] enabled = false)")
    oa = settings.openai
    key = settings.secret("OPENAI_API_KEY")
    if oa.enabled and (key or oa.base_url):
        from bot.providers.openai_provider import OpenAIProvider

        providers.append(
            OpenAIProvider(
                "openai",
                base_url=oa.base_url or None,
                # A local OpenAI-compatible server may need no key, but the SDK insists on one.
                api_key=key or "not-needed",
                locality=oa.locality,
                models=oa.models or None,
                vision_models=oa.vision_models,
                timeout=oa.timeout,
                connect_timeout=oa.connect_timeout,
                idle_timeout=oa.idle_timeout,
                max_retries=oa.max_retries,
                max_retry_wait=settings.resilience.max_retry_wait,
                native_tools=oa.native_tools,
            )
        )
    elif oa.enabled:
        notes.append("openai: not configured (set OPENAI_API_KEY, and OPENAI_BASE_URL for a compatible server)")
    for endpoint in settings.endpoints:
        from bot.providers.openai_provider import OpenAIProvider

        api_key = os.environ.get(endpoint.api_key_env, "") if endpoint.api_key_env else "not-needed"
        if not api_key:
            notes.append(f"{endpoint.name}: skipped — set {endpoint.api_key_env} (its api_key_env) to enable it")
            continue
        providers.append(
            OpenAIProvider(
                endpoint.name,
                base_url=endpoint.base_url,
                api_key=api_key,
                locality=endpoint.locality,
                models=endpoint.models or None,
                vision_models=endpoint.vision_models,
                timeout=endpoint.timeout,
                max_retries=endpoint.max_retries,
                max_retry_wait=settings.resilience.max_retry_wait,
                native_tools=endpoint.native_tools,
            )
        )
    if settings.embedded.enabled:
        from bot.providers.embedded import EmbeddedProvider, embedded_available

        e = settings.embedded
        ok, why = embedded_available(e.model_path or None, e.runtime)
        if ok:
            providers.append(
                EmbeddedProvider(
                    "embedded",
                    model_path=e.model_path or None,
                    context_length=e.context_length,
                    threads=e.threads or None,
                    runtime=e.runtime,
                )
            )
        else:
            notes.append(f"embedded: unavailable — {why}")
    else:
        notes.append("embedded: disabled in config ([embedded] enabled = false)")
    return providers, notes


async def probe_providers(settings: Settings) -> tuple[list[ProviderStatus], list[str]]:
    """Check every configured provider once (for `hybridbot models` and `doctor`)."""
    from bot.catalog import Catalog

    providers, notes = build_providers(settings)
    catalog = Catalog(providers)
    try:
        return await catalog.refresh(force=True), notes
    finally:
        await catalog.aclose()
