"""The `[knowledge]` settings: collections of documents the bot may search, with a privacy level each."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CollectionPrivacy = Literal["local-only", "standard", "cloud-ok"]
Locality = Literal["local", "cloud"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class CollectionConfig(_Section):
    """One `[[knowledge.collections]]` entry."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    paths: list[str] = Field(min_length=1)  # folders (read recursively), files or globs ("docs/**/*.md")
    # The same meaning as channel levels: local-only passages keep a turn local (and the conversation sticky);
    # standard passages are scanned like messages; cloud-ok passages go to any model as they are.
    privacy: CollectionPrivacy = "standard"
    channels: list[str] = Field(default_factory=list)  # channel ids where it is searchable; empty = everywhere
    agents: list[str] = Field(default_factory=list)  # agents that search it; empty = any agent naming it
    # Vectors for this collection (with `[knowledge.embedder]`): unset = whenever the embedder may read it (a
    # local embedder: every collection; a cloud one: cloud-ok collections only); false = BM25 only; true = required
    # (a cloud embedder and a local-only or standard collection then fail at start-up).
    vectors: bool | None = None

    @field_validator("paths")
    @classmethod
    def _no_empty_paths(cls, value: list[str]) -> list[str]:
        if any(not p.strip() for p in value):
            raise ValueError("a path must not be empty")
        return value


class EmbedderConfig(_Section):
    """`[knowledge.embedder]`: a model that turns passages and questions into vectors, searched beside BM25."""

    # "ollama" (its /api/embed at ollama.host), "openai" (/v1/embeddings at openai.base_url), or the name of an
    # [[endpoints]] entry (an OpenAI-compatible server).
    provider: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    model: str = Field(min_length=1, max_length=200)
    # Unset: the provider's own (ollama: local; openai/endpoints: their `locality`). "cloud" treats a local server
    # as cloud (stricter); "local" for a cloud provider is refused.
    locality: Locality | None = None
    batch: int = Field(32, ge=1, le=1_024)  # passages per embedding request while indexing
    timeout: float = Field(30.0, gt=0)  # seconds for one request while indexing
    query_timeout: float = Field(3.0, gt=0)  # a question waits this long for its vector, then BM25 alone answers


class KnowledgeConfig(_Section):
    collections: list[CollectionConfig] = Field(default_factory=list)
    embedder: EmbedderConfig | None = None  # optional: vectors fused with BM25 (README "Knowledge")
    chunk_tokens: int = Field(300, ge=50, le=4_000)  # the budget of one passage (≈ 4 characters a token)
    overlap_tokens: int = Field(40, ge=0, le=1_000)  # repeated from the end of the previous passage
    max_file_bytes: int = Field(25_000_000, ge=1_000, le=500_000_000)  # bigger files are skipped and reported
    top_k: int = Field(4, ge=1, le=20)  # passages put into a prompt / returned by search_knowledge
    # Retrieval before the model call for agents with `knowledge = [...]`: "always", or "off" (tool only).
    auto_retrieve: Literal["always", "off"] = "always"
    min_score: float = Field(0.0, ge=0.0)  # passages scoring below this (BM25, higher = better) are left out

    @field_validator("collections")
    @classmethod
    def _unique_names(cls, value: list[CollectionConfig]) -> list[CollectionConfig]:
        names = [c.name for c in value]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"collection name '{name}' is used twice")
        return value

    @model_validator(mode="after")
    def _overlap_below_budget(self) -> KnowledgeConfig:
        if self.overlap_tokens >= self.chunk_tokens:
            raise ValueError("overlap_tokens must be smaller than chunk_tokens")
        return self

    def collection(self, name: str) -> CollectionConfig | None:
        return next((c for c in self.collections if c.name == name), None)


CLOUD_READABLE = ("cloud-ok",)  # the only level whose text a cloud embedder may read


def embedder_locality(config: EmbedderConfig, provider_locality: Locality) -> Locality:
    """The locality the embedder is treated with: the provider's, or stricter if configured so."""
    if config.locality == "local" and provider_locality == "cloud":
        raise ValueError(
            f"knowledge.embedder.locality: '{config.provider}' is a cloud provider; an embedder is as local as "
            "its server — remove the locality key, or use a local server (ollama, or an endpoint with "
            'locality = "local")'
        )
    return "cloud" if "cloud" in (config.locality, provider_locality) else "local"


def may_embed(collection: CollectionConfig, locality: Locality) -> bool:
    """Whether passages of this collection get vectors from an embedder of this locality."""
    if collection.vectors is False:
        return False
    return locality == "local" or collection.privacy in CLOUD_READABLE


def check_embedder(config: KnowledgeConfig, localities: dict[str, Locality]) -> None:
    """Start-up checks of `[knowledge.embedder]` against the providers (`localities`: name -> locality)."""
    embedder = config.embedder
    if embedder is None:
        for index, collection in enumerate(config.collections):
            if collection.vectors:
                raise ValueError(
                    f"knowledge.collections[{index}].vectors: no [knowledge.embedder] is configured — add one "
                    "or remove `vectors = true`"
                )
        return
    if embedder.provider not in localities:
        raise ValueError(
            f"knowledge.embedder.provider: '{embedder.provider}' is not a provider here; use "
            + ", ".join(f"'{name}'" for name in localities)
        )
    locality = embedder_locality(embedder, localities[embedder.provider])
    for index, collection in enumerate(config.collections):
        if collection.vectors and not may_embed(collection, locality):
            raise ValueError(
                f"knowledge.collections[{index}].vectors: '{collection.name}' is {collection.privacy} and the "
                f"embedder ({embedder.provider}:{embedder.model}) is cloud — its text is never sent to a cloud "
                "embedder. Use a local embedder, or remove `vectors = true` (it is then searched with BM25 alone)"
            )
