"""Local models served by Ollama, through the official ``ollama`` client (native ``/api/chat``).

The ``ollama`` and ``httpx`` packages are imported lazily, so importing this module stays cheap.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from bot.providers.base import (
    ChatMessage,
    ErrorKind,
    Finish,
    Locality,
    ModelInfo,
    ProviderError,
    StreamEvent,
    TextDelta,
    ToolCall,
    Usage,
)
from bot.providers.batching import merge_text, read_ahead
from bot.providers.sampling import Sampling
from bot.providers.tls import client_tls


class _IncompleteStream(Exception):
    pass


def to_ollama_message(message: ChatMessage) -> dict[str, Any]:
    """One message in Ollama's format; Ollama has no speaker name, so it goes into user content.
    Tool calls go back as objects (Ollama's arguments are objects, not JSON strings)."""
    if message.role == "tool":
        return {"role": "tool", "content": message.content, "tool_name": message.name}
    if message.role == "assistant" and message.tool_calls:
        calls = [{"function": {"name": c.name, "arguments": c.arguments}} for c in message.tool_calls]
        return {"role": "assistant", "content": message.content, "tool_calls": calls}
    content = message.content
    if message.role == "user" and message.name:
        content = f"{message.name}: {content}"
    if message.images:  # Ollama's native field: base64 strings, for models with the vision capability
        return {"role": message.role, "content": content, "images": [b64(i.data) for i in message.images]}
    return {"role": message.role, "content": content}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class OllamaProvider:
    """An Ollama server. The ollama client never retries and has no default timeout; we set one."""

    def __init__(
        self,
        name: str = "ollama",
        *,
        host: str,
        locality: Locality = "local",
        timeout: float = 120.0,
        connect_timeout: float = 5.0,
        idle_timeout: float = 60.0,
        keep_alive: str = "10m",
        max_context: int = 8192,
    ) -> None:
        import httpx
        import ollama

        self.name = name
        self.locality: Locality = locality
        self._idle_timeout = idle_timeout
        self._keep_alive = keep_alive
        self._max_context = max_context
        self._info: dict[str, ModelInfo] = {}  # /api/show results, by model name
        self._client = ollama.AsyncClient(
            host=host, timeout=httpx.Timeout(timeout, connect=connect_timeout), verify=client_tls()
        )

    async def list_models(self) -> list[ModelInfo]:
        try:
            listing = await self._client.list()
        except Exception as exc:
            raise self._classify(exc, model="", started=False) from exc
        infos = []
        for entry in listing.models:
            if not entry.model:
                continue
            try:
                infos.append(await self.model_info(entry.model))
            except ProviderError as exc:
                if exc.kind is not ErrorKind.MODEL_MISSING:  # removed since /api/tags answered
                    raise
        return infos

    async def model_info(self, model: str) -> ModelInfo:
        """What a model can do, from ``/api/show`` (cached per model).

        ``context_length`` is the window this provider will actually use: the model's own
        length capped at ``max_context`` (sent as ``num_ctx``), because Ollama silently drops
        the start of a prompt that does not fit.
        """
        if model in self._info:
            return self._info[model]
        try:
            shown = await self._client.show(model)
        except Exception as exc:
            raise self._classify(exc, model=model, started=False) from exc
        native = next(
            (int(v) for k, v in (shown.modelinfo or {}).items() if k.endswith(".context_length")),
            self._max_context,
        )
        capabilities = set(shown.capabilities or ())
        info = ModelInfo(
            provider=self.name,
            name=model,
            locality=self.locality,
            context_length=min(native, self._max_context),
            tools="tools" in capabilities,
            vision="vision" in capabilities,
        )
        self._info[model] = info
        return info

    async def stream_chat(
        self,
        model: str,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.7,
        max_tokens: int | None = None,
        tools: list[dict[str, Any]] | None = None,
        sampling: Sampling | None = None,
    ) -> AsyncIterator[StreamEvent]:
        info = await self.model_info(model)
        options: dict[str, Any] = {"num_ctx": info.context_length, "temperature": temperature}
        if max_tokens is not None:
            options["num_predict"] = max_tokens
        if sampling is not None:
            options |= sampling.options()  # Ollama's names: top_p, min_p, repeat_penalty

        started = False  # has the caller seen any answer yet?
        stream: Any = None
        batches: AsyncGenerator[list[StreamEvent], None] | None = None
        try:
            stream = await self._client.chat(
                model=model,
                messages=[to_ollama_message(m) for m in messages],
                tools=tools or None,
                stream=True,
                options=options,
                keep_alive=self._keep_alive,
            )
            # Lines that arrived together (a busy event loop) go on as one TextDelta (bot/providers/batching.py).
            batches = read_ahead(_events(stream))
            received_any = False
            while True:
                # Time to the first line (model load, prompt evaluation) is bounded by the read
                # timeout; after that, by idle_timeout.
                async with asyncio.timeout(self._idle_timeout if received_any else None):
                    batch = await anext(batches, None)
                if batch is None:
                    return
                received_any = True
                for event in merge_text(batch):
                    started = started or isinstance(event, TextDelta | ToolCall)
                    yield event
        except Exception as exc:
            raise self._classify(exc, model=model, started=started) from exc
        finally:
            if batches is not None:  # stops its reading task first: the stream can't be closed while read
                with contextlib.suppress(Exception):
                    await batches.aclose()
            if stream is not None:
                with contextlib.suppress(Exception):  # never let cleanup mask the real outcome
                    await stream.aclose()  # releases the connection if the caller stopped early

    async def aclose(self) -> None:
        await self._client.close()

    def _classify(self, exc: Exception, *, model: str, started: bool) -> ProviderError:
        import httpx
        import ollama

        status = getattr(exc, "status_code", None)
        detail = str(exc) or type(exc).__name__
        if isinstance(exc, TimeoutError):  # our idle timeout
            detail = f"no data for {self._idle_timeout:g} s"
        if started:
            kind = ErrorKind.INTERRUPTED
        elif isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | ConnectionError):
            # ConnectionError: the client's own wrapper for a refused connection (non-streaming calls)
            kind = ErrorKind.UNREACHABLE
        elif isinstance(exc, httpx.TimeoutException | TimeoutError):
            kind = ErrorKind.TIMEOUT
        elif isinstance(exc, httpx.TransportError):  # reset or closed before any answer
            kind = ErrorKind.UNREACHABLE
        elif isinstance(exc, ollama.ResponseError):
            kind = _kind_for_status(exc.status_code)
            detail = str(exc.error)
        elif isinstance(exc, ollama.RequestError):
            kind = ErrorKind.BAD_REQUEST
        else:  # a malformed line, an unexpected payload ...
            kind = ErrorKind.SERVER
        if status is not None and status < 0:
            status = None  # the client's "no HTTP status" marker (an error line inside a stream)
        return ProviderError(kind, f"{self.name}: {detail}", provider=self.name, model=model, status=status)


async def _events(stream: Any) -> AsyncIterator[StreamEvent]:
    """The events of the ollama client's stream of parts, ending with the final part's Usage and Finish."""
    saw_tool_call = False
    async for part in stream:
        if part.message.content:
            yield TextDelta(part.message.content)
        for call in part.message.tool_calls or ():
            saw_tool_call = True
            yield ToolCall(
                id=f"call_{uuid.uuid4().hex[:24]}",
                name=call.function.name,
                arguments=dict(call.function.arguments or {}),
            )
        if part.done:
            yield Usage(part.prompt_eval_count or 0, part.eval_count or 0)
            reason = part.done_reason or "stop"
            yield Finish("tool_calls" if saw_tool_call and reason == "stop" else reason)
            return
    raise _IncompleteStream("the stream ended without its final message")


def _kind_for_status(status: int) -> ErrorKind:
    if status == 404:
        return ErrorKind.MODEL_MISSING
    if status in (401, 403):
        return ErrorKind.AUTH
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if 400 <= status < 500:
        return ErrorKind.BAD_REQUEST
    return ErrorKind.SERVER  # 5xx, and errors reported inside a stream (no status)
