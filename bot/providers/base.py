"""The one streaming interface every model provider implements.

Providers declare their locality (``local`` or ``cloud``); the router reasons about
locality and capabilities only, never about provider names.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bot.providers.sampling import Sampling

Locality = Literal["local", "cloud"]


@dataclass(frozen=True)
class ModelInfo:
    """One model a provider can serve, with what it can do."""

    provider: str  # configured endpoint name, e.g. "ollama", "openai", "embedded"
    name: str  # model name as the provider knows it, e.g. "llama3.2:3b"
    locality: Locality
    context_length: int = 4096
    tools: bool = False
    vision: bool = False

    @property
    def ref(self) -> str:
        return f"{self.provider}:{self.name}"


@dataclass(frozen=True)
class ToolCall:
    """A call a model asked for. ``raw_arguments`` holds arguments that were not a JSON object (the
    tool loop turns them into an error result the model sees); ``arguments`` is then empty."""

    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    raw_arguments: str | None = None


@dataclass(frozen=True)
class ImagePart:
    """An image sent with a user message, to a model with the `vision` capability."""

    mime: str  # image/png, image/jpeg, image/gif, image/webp
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant", "tool"]
    content: str
    name: str | None = None  # speaker's display name, for multi-person threads; a tool message: the tool
    tool_calls: tuple[ToolCall, ...] = ()  # an assistant message that called tools (the tool loop)
    tool_call_id: str | None = None  # a tool message: the call it answers
    images: tuple[ImagePart, ...] = ()  # only on the turn's own question, only for vision models


# --- stream events -----------------------------------------------------------


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class Finish:
    reason: str = "stop"  # "stop", "length", "tool_calls", "cancelled"


StreamEvent = TextDelta | ToolCall | Usage | Finish


# --- errors ------------------------------------------------------------------


class ErrorKind(enum.StrEnum):
    UNREACHABLE = "unreachable"  # connection refused / DNS / reset before any answer
    MODEL_MISSING = "model_missing"  # 404 / model not pulled
    TIMEOUT = "timeout"  # connect, read or idle timeout
    AUTH = "auth"  # 401 / 403
    RATE_LIMITED = "rate_limited"  # 429 (quota or rate)
    SERVER = "server"  # 5xx
    BAD_REQUEST = "bad_request"  # 400 (e.g. context too long)
    INTERRUPTED = "interrupted"  # the stream broke after text had started


class ProviderError(Exception):
    """A provider failure, classified so the engine can tell the user what happened."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        provider: str = "",
        model: str = "",
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.provider = provider
        self.model = model
        self.retry_after = retry_after
        self.status = status

    def __repr__(self) -> str:
        return f"ProviderError({self.kind.value}, {self.message!r}, provider={self.provider!r})"


@runtime_checkable
class Provider(Protocol):
    """An endpoint that serves one or more models."""

    name: str
    locality: Locality

    async def list_models(self) -> list[ModelInfo]:
        """Models this endpoint serves now. Raises ProviderError when unreachable."""
        ...

    def stream_chat(
        self,
        model: str,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.7,
        max_tokens: int | None = None,
        tools: list[dict[str, Any]] | None = None,
        sampling: Sampling | None = None,
    ) -> AsyncIterator[StreamEvent]:
        """Stream one answer. Yields TextDelta/ToolCall/Usage, then exactly one Finish.

        ``sampling`` carries knobs beyond temperature (top_p, min_p, repeat_penalty) where a model needs them;
        a provider maps what its API understands.

        Raises ProviderError (classified) on failure; never a raw client exception.
        """
        ...

    async def aclose(self) -> None: ...
