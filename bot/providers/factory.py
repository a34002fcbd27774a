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
    """Every configured provider, unwrapped; and a note for each one left out, saying why and how to enable it."""
    notes: list[str] = []
    providers = [
        *_ollama(settings, notes),
        *_openai(settings, notes),
        *_endpoints(settings, notes),
        *_embedded(settings, notes),
    ]
    return providers, notes


def _ollama(settings: Settings, notes: list[str]) -> list[Provider]:
    if not settings.ollama.enabled:
        notes.append("ollama: disabled in config ([ollama] enabled = false)")
        return []
    from bot.providers.ollama_provider import OllamaProvider

    o = settings.ollama
    return [
        OllamaProvider(
            "ollama",
            host=o.host,
            timeout=o.timeout,
            connect_timeout=o.connect_timeout,
            idle_timeout=o.idle_timeout,
            keep_alive=o.keep_alive,
            max_context=o.max_context,
        )
    ]


def _openai(settings: Settings, notes: list[str]) -> list[Provider]:
    oa = settings.openai
    key = settings.secret("OPENAI_API_KEY")
    if not oa.enabled:
        return []
    if not (key or oa.base_url):
        notes.append("openai: not configured (set OPENAI_API_KEY, and OPENAI_BASE_URL for a compatible server)")
        return []
    from bot.providers.openai_provider import OpenAIProvider

    return [
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
    ]


def _endpoints(settings: Settings, notes: list[str]) -> list[Provider]:
    from bot.providers.openai_provider import OpenAIProvider

    providers: list[Provider] = []
    for endpoint in settings.endpoints:
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
    return providers


def _embedded(settings: Settings, notes: list[str]) -> list[Provider]:
    if not settings.embedded.enabled:
        notes.append("embedded: disabled in config ([embedded] enabled = false)")
        return []
    from bot.providers.embedded import EmbeddedProvider, embedded_available

    e = settings.embedded
    ok, why = embedded_available(e.model_path or None, e.runtime)
    if not ok:
        notes.append(f"embedded: unavailable — {why}")
        return []
    return [
        EmbeddedProvider(
            "embedded",
            model_path=e.model_path or None,
            context_length=e.context_length,
            threads=e.threads or None,
            runtime=e.runtime,
        )
    ]


async def probe_providers(settings: Settings) -> tuple[list[ProviderStatus], list[str]]:
    """Check every configured provider once (for `hybridbot models` and `doctor`)."""
    from bot.catalog import Catalog

    providers, notes = build_providers(settings)
    catalog = Catalog(providers)
    try:
        return await catalog.refresh(force=True), notes
    finally:
        await catalog.aclose()
