"""Embedding clients for knowledge vectors: Ollama's `/api/embed` (the `ollama` client) and an OpenAI-compatible
`/v1/embeddings` (the `openai` client). Each declares its locality; bot/knowledge/vector_search.py decides what
text it may read (README "Knowledge": a cloud embedder reads only cloud-ok collections and non-private questions).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.knowledge.config import EmbedderConfig, Locality, embedder_locality


class EmbedderError(Exception):
    """The embedder could not answer (down, refused, malformed reply); the message names it, never the text."""


class Embedder(Protocol):
    name: str  # "ollama:nomic-embed-text": also the vector space the index keys vectors by
    locality: Locality

    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...

    async def aclose(self) -> None: ...


@dataclass
class OllamaEmbedder:
    name: str
    locality: Locality
    host: str
    model: str
    timeout: float
    _client: Any = None

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        import httpx
        import ollama

        if self._client is None:
            self._client = ollama.AsyncClient(host=self.host, timeout=self.timeout)
        try:
            reply = await self._client.embed(model=self.model, input=list(texts))
        except (ollama.ResponseError, httpx.HTTPError, ConnectionError) as error:
            raise EmbedderError(f"{self.name}: {type(error).__name__} {getattr(error, 'status_code', '')}") from None
        return _checked(self.name, [list(v) for v in reply.embeddings], len(texts))

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client._client.aclose()
            self._client = None


@dataclass
class OpenAIEmbedder:
    name: str
    locality: Locality
    base_url: str | None
    api_key: str
    model: str
    timeout: float
    _client: Any = None

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        import openai

        if self._client is None:
            # No retries: an indexing run retries on its next `kb index`; a question falls back to BM25 at once.
            self._client = openai.AsyncOpenAI(
                api_key=self.api_key, base_url=self.base_url, max_retries=0, timeout=self.timeout
            )
        try:
            reply = await self._client.embeddings.create(model=self.model, input=list(texts), encoding_format="float")
        except openai.OpenAIError as error:
            raise EmbedderError(f"{self.name}: {type(error).__name__} {getattr(error, 'status_code', '')}") from None
        ordered = sorted(reply.data, key=lambda d: d.index)
        return _checked(self.name, [list(d.embedding) for d in ordered], len(texts))

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _checked(name: str, vectors: list[list[float]], wanted: int) -> list[list[float]]:
    if len(vectors) != wanted or not vectors or len({len(v) for v in vectors}) != 1 or not vectors[0]:
        raise EmbedderError(f"{name}: expected {wanted} vectors of one size, got {len(vectors)}")
    return vectors


def build_embedder(settings: Any) -> Embedder | None:
    """The configured embedder (`[knowledge.embedder]`), or None. Settings were checked at start-up."""
    config: EmbedderConfig | None = settings.knowledge.embedder
    if config is None:
        return None
    name = f"{config.provider}:{config.model}"
    if config.provider == "ollama":
        return OllamaEmbedder(
            name, embedder_locality(config, "local"), settings.ollama.host, config.model, config.timeout
        )
    if config.provider == "openai":
        key = settings.secret("OPENAI_API_KEY") or "not-needed"
        locality = embedder_locality(config, settings.openai.locality)
        return OpenAIEmbedder(name, locality, settings.openai.base_url or None, key, config.model, config.timeout)
    endpoint = next(e for e in settings.endpoints if e.name == config.provider)
    key = os.environ.get(endpoint.api_key_env, "") if endpoint.api_key_env else "not-needed"
    locality = embedder_locality(config, endpoint.locality)
    return OpenAIEmbedder(name, locality, endpoint.base_url, key or "not-needed", config.model, config.timeout)
