"""The `[knowledge]` settings: collections of documents the bot may search, with a privacy level each."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CollectionPrivacy = Literal["local-only", "standard", "cloud-ok"]


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

    @field_validator("paths")
    @classmethod
    def _no_empty_paths(cls, value: list[str]) -> list[str]:
        if any(not p.strip() for p in value):
            raise ValueError("a path must not be empty")
        return value


class KnowledgeConfig(_Section):
    collections: list[CollectionConfig] = Field(default_factory=list)
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
