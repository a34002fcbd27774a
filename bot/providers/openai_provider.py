"""OpenAI (and OpenAI-compatible) chat models through the official ``openai`` client.

The ``openai`` package is imported lazily, so importing this module stays cheap.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import aiohttp

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
from bot.providers.openai_stream import ChatStreams, StreamFailure
from bot.providers.sampling import Sampling
from bot.providers.sse import DONE, SSEDecoder
from bot.providers.tls import client_tls

# Context windows we assume when the configuration gives none (prefix -> tokens).
_KNOWN_CONTEXT: tuple[tuple[str, int], ...] = (
    ("gpt-4o", 128_000),
    ("gpt-4.1", 128_000),
    ("gpt-5", 128_000),
)
_O_SERIES = re.compile(r"^o\d")  # o1, o3-mini, o4-mini ...
_VISION_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-5")
_DEFAULT_CONTEXT = 8192
DRAIN_SECONDS = 0.5  # after [DONE], how long the rest of the body is read for
# /v1/models also lists models that cannot chat; leave those out.
_NOT_CHAT = re.compile(r"embedding|whisper|tts|dall-e|moderation|davinci|babbage|transcribe|realtime|image")


def known_context_length(model: str) -> int:
    if _O_SERIES.match(model):
        return 128_000
    for prefix, tokens in _KNOWN_CONTEXT:
        if model.startswith(prefix):
            return tokens
    return _DEFAULT_CONTEXT


def _is_reasoning_model(model: str) -> bool:
    """o-series and gpt-5 reject ``max_tokens`` and a non-default temperature."""
    return bool(_O_SERIES.match(model)) or model.startswith("gpt-5")


def sampling_request(sampling: Sampling, locality: str) -> dict[str, Any]:
    """top_p is standard; min_p and repeat_penalty only a local server (llama.cpp, vLLM) understands.

    Chat streams are posted as raw JSON (not through the SDK), so the extra fields go at the top level
    of the body, where the SDK's ``extra_body`` would have merged them.
    """
    request: dict[str, Any] = {"top_p": sampling.top_p} if sampling.top_p is not None else {}
    if locality == "local":
        request |= {k: v for k, v in sampling.options().items() if k != "top_p"}
    return request


def to_openai_message(message: ChatMessage) -> dict[str, Any]:
    """One message in OpenAI's format.

    A speaker's name is written into user content ("Name: text") rather than OpenAI's ``name``
    field: that field only allows ``[a-zA-Z0-9_-]`` (so "José" or "田中" would be mangled) and
    the Ollama provider does the same, so local and cloud models see the same prompt.
    The tool loop's messages use OpenAI's own shapes: an assistant message with ``tool_calls`` (arguments
    as a JSON string) and ``tool`` messages answering a call id. A tool message without a call id (none
    to answer) is sent as a labelled user message, since OpenAI rejects an unanswered ``tool`` message.
    """
    if message.role == "tool":
        if message.tool_call_id:
            return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content}
        source = f" from {message.name}" if message.name else ""
        return {"role": "user", "content": f"[Tool result{source}]\n{message.content}"}
    if message.role == "assistant" and message.tool_calls:
        return {
            "role": "assistant",
            "content": message.content or None,
            "tool_calls": [_openai_tool_call(call) for call in message.tool_calls],
        }
    content = message.content
    if message.role == "user" and message.name:
        content = f"{message.name}: {content}"
    if message.images:  # content parts: the text, then each image as a data URI
        parts: list[dict[str, Any]] = [{"type": "text", "text": content}]
        parts += [{"type": "image_url", "image_url": {"url": data_uri(i.mime, i.data)}} for i in message.images]
        return {"role": message.role, "content": parts}
    return {"role": message.role, "content": content}


def _openai_tool_call(call: ToolCall) -> dict[str, Any]:
    arguments = call.raw_arguments if call.raw_arguments is not None else json.dumps(call.arguments)
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": arguments}}


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class OpenAIProvider:
    """An OpenAI or OpenAI-compatible endpoint."""

    def __init__(
        self,
        name: str = "openai",
        *,
        base_url: str | None,
        api_key: str,
        locality: Locality = "cloud",
        models: list[str] | None = None,
        vision_models: list[str] | None = None,
        context_lengths: dict[str, int] | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        idle_timeout: float = 60.0,
        max_retries: int = 2,
        max_retry_wait: float | None = None,
        native_tools: bool = True,
    ) -> None:
        import openai

        if not api_key:
            # An empty key would make the SDK fall back to $OPENAI_API_KEY, sending that key to
            # whatever base_url this endpoint has. Refuse instead.
            raise ProviderError(ErrorKind.AUTH, f"{name}: no API key configured", provider=name)
        self.name = name
        self.locality: Locality = locality
        self._models = list(models) if models else None
        self._vision = set(vision_models) if vision_models is not None else None  # None: known names
        self._context_lengths = dict(context_lengths or {})
        self._idle_timeout = idle_timeout
        self._native_tools = native_tools  # false: the server has no tool calling; the loop uses a text protocol
        # The SDK retries 408/409/429/5xx and connection errors itself (sleeping as long as a
        # Retry-After of up to 120 s asks); the timeout bounds connect and every read. These are the
        # only retries for this provider (bot/retry.py adds none); `max_retry_wait` stops the SDK from
        # sleeping through a long Retry-After, so the engine falls back to another model instead.
        hooks: dict[str, list[Any]] = {}
        if max_retry_wait is not None:
            from bot.retry import sdk_retry_after_hook

            hooks = {"response": [sdk_retry_after_hook(max_retry_wait)]}
        http_client = openai.DefaultAsyncHttpxClient(event_hooks=hooks, verify=client_tls())
        # Chat streams go over aiohttp with the SDK's retry rules (bot/providers/openai_stream.py); the SDK
        # client serves the model list.
        self._streams = ChatStreams(
            base_url,
            api_key,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            parse_retry_after=parse_retry_after,
        )
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=openai.Timeout(timeout, connect=connect_timeout),
            max_retries=max_retries,
            http_client=http_client,
        )

    def model_info(self, model: str) -> ModelInfo:
        return ModelInfo(
            provider=self.name,
            name=model,
            locality=self.locality,
            context_length=self._context_lengths.get(model) or known_context_length(model),
            tools=self._native_tools,
            vision=model in self._vision if self._vision is not None else model.startswith(_VISION_PREFIXES),
        )

    async def list_models(self) -> list[ModelInfo]:
        if self._models is not None:
            return [self.model_info(m) for m in self._models]
        try:
            page = await self._client.models.list()
            ids = [m.id async for m in page]
        except Exception as exc:
            raise self._classify(exc, model="", started=False) from exc
        return [self.model_info(i) for i in sorted(ids) if not _NOT_CHAT.search(i)]

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
        request: dict[str, Any] = {
            "model": model,
            "messages": [to_openai_message(m) for m in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        reasoning = _is_reasoning_model(model)
        if not reasoning:
            request["temperature"] = temperature
        if max_tokens is not None:
            request["max_completion_tokens" if reasoning else "max_tokens"] = max_tokens
        if tools:
            request["tools"] = tools
        if sampling is not None and not reasoning:
            request |= sampling_request(sampling, self.locality)

        started = False  # has the caller seen any answer yet?
        try:
            response = await self._streams.open(request)
            async with response:
                async for event in self._events(response.content.iter_any(), response.content.at_eof):
                    started = started or isinstance(event, TextDelta | ToolCall)
                    yield event
        except Exception as exc:
            raise self._classify(exc, model=model, started=started) from exc

    async def _events(self, body: AsyncIterator[bytes], at_eof: Callable[[], bool]) -> AsyncIterator[StreamEvent]:
        """Stream events from the raw SSE body: each network read's text is one TextDelta (deltas batched)."""
        decoder, calls = SSEDecoder(), _ToolCallParts()
        finish: str | None = None
        chunks = aiter(body)
        received_any = False
        while True:
            # Time to the first chunk is bounded by the read timeout; after that, by idle_timeout.
            async with asyncio.timeout(self._idle_timeout if received_any else None):
                raw = await anext(chunks, None)
            received_any = True
            payloads = decoder.feed(raw) if raw is not None else decoder.finish()
            text: list[str] = []
            for data in payloads:
                if data is DONE:
                    if not at_eof():  # HTTP/1.1 reuses the connection only once its body is read
                        await _drain(chunks)
                    raw = None
                    break
                if isinstance(data, dict) and data.get("error"):
                    if text:  # what came before the error was shown: the turn is interrupted, not failed
                        yield TextDelta("".join(text))
                    raise _stream_error(data["error"])
                for event in _chunk_events(data, calls, text):
                    if text:  # text before a tool call, usage or finish goes out first, in order
                        yield TextDelta("".join(text))
                        text.clear()
                    if isinstance(event, Finish):
                        finish = event.reason
                    else:
                        yield event
            if text:
                yield TextDelta("".join(text))
            if raw is None:
                break
        leftover = calls.take()
        for call in leftover:
            yield call
        if leftover or finish == "function_call":
            finish = "tool_calls"
        yield Finish(finish or "stop")

    async def aclose(self) -> None:
        await self._streams.aclose()
        await self._client.close()

    def _classify(self, exc: Exception, *, model: str, started: bool) -> ProviderError:
        if isinstance(exc, StreamFailure | aiohttp.ClientError):
            return self._classify_stream(exc, model=model, started=started)
        import openai

        status: int | None = getattr(exc, "status_code", None)
        detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if isinstance(exc, TimeoutError):  # our idle timeout
            detail = f"no data for {self._idle_timeout:g} s"
        retry_after = None
        if started:
            kind = ErrorKind.INTERRUPTED
        elif isinstance(exc, TimeoutError | openai.APITimeoutError):
            kind = ErrorKind.TIMEOUT
        elif isinstance(exc, openai.APIConnectionError):
            kind = ErrorKind.UNREACHABLE
        elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            kind = ErrorKind.AUTH
        elif isinstance(exc, openai.RateLimitError):
            kind, retry_after = ErrorKind.RATE_LIMITED, parse_retry_after(exc.response.headers)
        elif isinstance(exc, openai.NotFoundError):
            kind = ErrorKind.MODEL_MISSING
        elif isinstance(exc, openai.APIStatusError):
            kind = ErrorKind.SERVER if exc.status_code >= 500 else ErrorKind.BAD_REQUEST
        else:  # an error object inside the stream, a malformed chunk, bad tool arguments ...
            kind = ErrorKind.SERVER
        return ProviderError(
            kind,
            f"{self.name}: {detail}",
            provider=self.name,
            model=model,
            retry_after=retry_after,
            status=status,
        )

    def _classify_stream(self, exc: Exception, *, model: str, started: bool) -> ProviderError:
        """A failure of the aiohttp chat stream (openai_stream.py), in the same kinds as the SDK's errors."""
        failure = exc if isinstance(exc, StreamFailure) else StreamFailure("connection", str(exc) or type(exc).__name__)
        status, retry_after = failure.status, None
        if started:
            kind = ErrorKind.INTERRUPTED
        elif failure.kind == "timeout":
            kind = ErrorKind.TIMEOUT
        elif failure.kind == "connection":
            kind = ErrorKind.UNREACHABLE
        elif status in (401, 403):
            kind = ErrorKind.AUTH
        elif status == 429:
            kind, retry_after = ErrorKind.RATE_LIMITED, parse_retry_after(failure.headers or {})
        elif status == 404:
            kind = ErrorKind.MODEL_MISSING
        elif status is not None and status < 500:
            kind = ErrorKind.BAD_REQUEST
        else:  # 5xx, or an error object inside the stream
            kind = ErrorKind.SERVER
        return ProviderError(
            kind, f"{self.name}: {failure}", provider=self.name, model=model, retry_after=retry_after, status=status
        )


def _chunk_events(data: Any, calls: _ToolCallParts, text: list[str]) -> list[StreamEvent]:
    """One chat.completion.chunk (as JSON): its text goes into `text`; other events are returned in order."""
    events: list[StreamEvent] = []
    for choice in data.get("choices") or ():
        if choice.get("index", 0) != 0:
            continue
        delta = choice.get("delta") or {}
        if delta.get("content"):
            text.append(delta["content"])
        for part in delta.get("tool_calls") or ():
            calls.add(part)
        if choice.get("finish_reason"):
            events.extend(calls.take())
            events.append(Finish(choice["finish_reason"]))
    if usage := data.get("usage"):
        events.append(Usage(usage.get("prompt_tokens") or 0, usage.get("completion_tokens") or 0))
    return events


async def _drain(chunks: AsyncIterator[bytes]) -> None:
    """Read what follows [DONE] (normally only the body's end), briefly: a server holding it open is let go."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in chunks:
                pass


def _stream_error(error: Any) -> StreamFailure:
    """An error object inside the stream (the server failed after it started answering)."""
    message = error.get("message") if isinstance(error, dict) else None
    return StreamFailure("stream", message if isinstance(message, str) and message else "error in the stream")


class _ToolCallParts:
    """Reassembles streamed tool calls: OpenAI sends each call's JSON arguments in fragments."""

    def __init__(self) -> None:
        self._parts: dict[int, dict[str, Any]] = {}

    def add(self, part: dict[str, Any]) -> None:
        slot = self._parts.setdefault(part.get("index", 0), {"id": "", "name": "", "arguments": []})
        if part.get("id"):
            slot["id"] = part["id"]
        function = part.get("function") or {}
        if function.get("name") and not slot["name"]:
            slot["name"] = function["name"]
        if function.get("arguments"):
            slot["arguments"].append(function["arguments"])

    def take(self) -> list[ToolCall]:
        calls = []
        for index in sorted(self._parts):
            slot = self._parts[index]
            text = "".join(slot["arguments"]).strip() or "{}"
            call_id = slot["id"] or f"call_{index}"
            try:
                arguments = json.loads(text)
            except ValueError:
                arguments = None
            if isinstance(arguments, dict):
                calls.append(ToolCall(id=call_id, name=slot["name"], arguments=arguments))
            else:  # malformed: the tool loop answers the model with an error result it can correct
                calls.append(ToolCall(id=call_id, name=slot["name"], raw_arguments=text))
        self._parts.clear()
        return calls
