"""A stand-in for the OpenAI Chat Completions API, speaking its real wire protocol.

Tests point the real ``openai`` client at ``FakeOpenAI.base_url``. The server records every
request and can inject faults (HTTP errors, resets, stalls, broken streams).

This module also holds the machinery shared with ``ollama_server`` (``FakeServer``,
``RecordedRequest``, fault injection), so both stand-ins behave the same way.

Run it by hand: ``python -m tests.fakes.openai_server --port 8000``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import random
import re
import signal
import socket
import struct
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

# --- shared machinery ----------------------------------------------------------

Reply = str | Callable[[dict[str, Any]], str]
ToolCalls = dict[str, Any] | list[dict[str, Any]]
ToolCallReply = ToolCalls | Callable[[dict[str, Any]], ToolCalls | None] | None


def wanted_tool_calls(reply: ToolCallReply, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The calls a stand-in answers this request with ([] for a text answer)."""
    if reply is None or not body.get("tools"):
        return []
    wanted = reply(body) if callable(reply) else reply
    if wanted is None:
        return []
    return wanted if isinstance(wanted, list) else [wanted]


FAULT_KINDS = frozenset({"status", "reset", "stall", "stall_midstream", "drop_midstream", "error_midstream"})


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # keys lower-cased
    json: Any | None
    body_text: str


@dataclass(frozen=True)
class Fault:
    """One injected failure.

    kinds and their parameters:
      status          status=500, retry_after=None (seconds, sent as Retry-After), message=None
      reset           the connection is reset (TCP RST) before any response
      stall           seconds=10: wait before sending anything, then answer normally
      stall_midstream after=2, seconds=10: send ``after`` reply chunks, wait, then carry on
      drop_midstream  after=2: send ``after`` reply chunks, then close the connection
      error_midstream after=2, message=...: send ``after`` chunks, then an in-stream error object
    For non-streaming requests the mid-stream kinds act as reset / stall / status 500.
    """

    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def after(self) -> int:
        return int(self.params.get("after", 2))

    @property
    def seconds(self) -> float:
        return float(self.params.get("seconds", 10.0))


EMBED_DIMS = 64


def hashed_embedding(text: str, dims: int = EMBED_DIMS) -> list[float]:
    """A deterministic stand-in embedding: a signed hashed bag of lower-case words (texts sharing words are near;
    no meaning). Not a quality figure of any kind."""
    import hashlib

    vector = [0.0] * dims
    for word in re.findall(r"\w+", text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        vector[digest[0] % dims] += 1.0 if digest[1] & 1 else -1.0
    if not any(vector):
        vector[0] = 1.0
    return vector


def embed_inputs(value: Any) -> list[str] | None:
    """The texts of an embedding request's input: a string or a list of strings (None: malformed)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def split_into_chunks(text: str) -> list[str]:
    """Split text word by word, keeping each word's leading whitespace (like BPE tokens)."""
    return re.findall(r"\s*\S+|\s+$", text)


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


def content_text(content: Any) -> str:
    """Text of a message's content: a string, or OpenAI's list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


class FakeServer:
    """Lifecycle, request recording and fault injection shared by the stand-ins."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.reply: Reply | None = None
        self.token_delay: float = 0.0
        self.frames_per_write = 1  # frames sent back to back between token delays (the client reads them at once)
        self.port: int = 0
        self._host = "127.0.0.1"
        self._faults: deque[Fault] = deque()
        self._fail_all: Fault | None = None
        self._rate: tuple[Fault, float, random.Random] | None = None
        self.faults_served = 0  # faults applied to requests so far
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()

    # lifecycle

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> Self:
        app = web.Application(middlewares=[self._record], client_max_size=64 * 1024 * 1024)
        app.add_routes(self.routes())
        # handler_cancellation: a stalled handler ends when its client gives up.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self._host = host
        self.port = self._runner.addresses[0][1]
        self._stopping.clear()
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # recording

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.text()  # aiohttp caches the body; handlers can read it again
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.requests.append(RecordedRequest(request.method, request.path, headers, parsed, body))
        return await handler(request)

    def saw_text(self, text: str) -> bool:
        """True if any recorded request body contains ``text`` (raw, or after JSON un-escaping)."""
        for r in self.requests:
            if text in r.body_text:
                return True
            if r.json is not None and text in json.dumps(r.json, ensure_ascii=False):
                return True
        return False

    # faults

    def inject(self, kind: str, count: int = 1, **params: Any) -> None:
        """Queue ``count`` faults of one kind; each model request consumes one, in order."""
        self._faults.extend([_make_fault(kind, params)] * count)

    def fail_all(self, kind: str, **params: Any) -> None:
        """Fail every model request this way (after the queue is used up) until clear_faults()."""
        self._fail_all = _make_fault(kind, params)

    def fail_at_rate(self, kind: str, rate: float, *, seed: int = 0, **params: Any) -> None:
        """Fail about ``rate`` of model requests this way (seeded, so a run is repeatable)."""
        self._rate = (_make_fault(kind, params), rate, random.Random(seed))

    def clear_faults(self) -> None:
        self._faults.clear()
        self._fail_all = None
        self._rate = None

    def take_fault(self) -> Fault | None:
        fault = self._fail_all
        if self._faults:
            fault = self._faults.popleft()
        elif fault is None and self._rate is not None:
            rated, rate, rng = self._rate
            fault = rated if rng.random() < rate else None
        self.faults_served += fault is not None
        return fault

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
        raise NotImplementedError

    def error_frame(self, message: str) -> bytes:
        """An error object inside a stream, in this protocol's framing."""
        raise NotImplementedError

    async def pause(self, seconds: float) -> None:
        """Sleep, but wake early when the server stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    @staticmethod
    def abort(request: web.Request, *, rst: bool) -> None:
        transport = request.transport
        if transport is None:
            return
        sock = transport.get_extra_info("socket")
        if rst and sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.close()

    async def apply_fault_before_response(
        self, request: web.Request, fault: Fault | None, *, streaming: bool
    ) -> web.StreamResponse | None:
        """Apply a fault that acts before the response starts; return the response to send, if any."""
        if fault is None or (streaming and fault.kind.endswith("_midstream")):
            return None
        kind = fault.kind
        if kind == "status" or kind == "error_midstream":
            status = int(fault.params.get("status", 500))
            headers = {}
            if fault.params.get("retry_after") is not None:
                headers["Retry-After"] = f"{fault.params['retry_after']:g}"
            message = fault.params.get("message") or f"Injected failure with status {status}"
            return self.error_response(status, message, headers)
        if kind == "reset" or kind == "drop_midstream":
            self.abort(request, rst=bool(fault.params.get("rst", kind == "reset")))
            return web.Response()  # never reaches the client
        await self.pause(fault.seconds)  # stall, stall_midstream
        return None

    async def send_stream(
        self,
        request: web.Request,
        frames: list[bytes],
        *,
        content_type: str,
        fault: Fault | None,
        fault_at: int,
    ) -> web.StreamResponse:
        """Stream frames with ``token_delay`` between them, applying a mid-stream fault at ``fault_at``."""
        resp = web.StreamResponse(headers={"Content-Type": content_type, "Cache-Control": "no-cache"})
        await resp.prepare(request)  # a StreamResponse sends its headers right away
        midstream = fault if fault is not None and fault.kind.endswith("_midstream") else None
        for i, frame in enumerate(frames):
            if midstream is not None and i == fault_at:
                if midstream.kind == "drop_midstream":
                    self.abort(request, rst=bool(midstream.params.get("rst", False)))
                    return resp
                if midstream.kind == "error_midstream":
                    await resp.write(self.error_frame(midstream.params.get("message", "Injected stream error")))
                    break
                await self.pause(midstream.seconds)
            if i and self.token_delay and i % self.frames_per_write == 0:
                await asyncio.sleep(self.token_delay)
            await resp.write(frame)
        await resp.write_eof()
        return resp

    def reply_text(self, body: dict[str, Any], default: str) -> str:
        if callable(self.reply):
            return self.reply(body)
        return self.reply if self.reply is not None else default


def _make_fault(kind: str, params: dict[str, Any]) -> Fault:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
    return Fault(kind, dict(params))


def run_standalone(server: FakeServer, description: str, default_port: int) -> None:
    """Command-line entry point shared by the stand-ins: serve until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=default_port)
    parser.add_argument("--token-delay", type=float, default=0.0, help="seconds between streamed chunks")
    args = parser.parse_args()
    server.token_delay = args.token_delay

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await server.start(port=args.port, host=args.host)
        print(getattr(server, "base_url", None) or getattr(server, "host", ""), flush=True)
        try:
            await stop.wait()
        finally:
            await server.stop()

    asyncio.run(serve())


# --- OpenAI ----------------------------------------------------------------------

_ERROR_TYPES: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


def openai_error(status: int, message: str, *, code: str | None = None) -> dict[str, Any]:
    error_type, default_code = _ERROR_TYPES.get(status, ("server_error", None))
    return {"error": {"message": message, "type": error_type, "param": None, "code": code or default_code}}


class FakeOpenAI(FakeServer):
    """OpenAI-compatible server: ``GET /v1/models``, ``POST /v1/chat/completions`` and ``POST /v1/embeddings``
    (models in ``embed_models``: hashed bag-of-words vectors, as floats or base64 float32)."""

    def __init__(self, models: list[str] | None = None, *, api_key: str | None = None) -> None:
        super().__init__()
        self.models: list[str] = list(models or ["gpt-4o-mini", "gpt-4o"])
        self.api_key = api_key
        # {"name": ..., "arguments": {...}} (or a list of them): answer requests that offer tools with a call.
        # A callable gets the request body and returns calls, or None to answer with text (a tool loop's
        # last step). "raw_arguments" sends that text as the arguments verbatim (malformed JSON, for faults).
        self.tool_call_reply: ToolCallReply = None
        # Stream the reply in pieces of this many characters (a tokenizer that cuts inside words), not word by word
        self.chunk_chars: int | None = None
        self.embed_models: dict[str, int] = {"text-embedding-3-small": EMBED_DIMS}  # model -> dimensions

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}/v1"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/v1/models", self._list_models),
            web.get("/v1/models/{model}", self._get_model),
            web.post("/v1/chat/completions", self._chat),
            web.post("/v1/embeddings", self._embeddings),
        ]

    def embed_requests(self) -> list[dict[str, Any]]:
        """JSON bodies of every embeddings request, in order."""
        return [r.json for r in self.requests if r.path == "/v1/embeddings" and r.json is not None]

    def chat_requests(self) -> list[dict[str, Any]]:
        """JSON bodies of every chat completion request, in order."""
        return [r.json for r in self.requests if r.path == "/v1/chat/completions" and r.json is not None]

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response(openai_error(status, message), status=status, headers=headers)

    def error_frame(self, message: str) -> bytes:
        return _sse(openai_error(500, message))

    # handlers

    def _auth_failure(self, request: web.Request) -> web.Response | None:
        if self.api_key is None or request.headers.get("Authorization") == f"Bearer {self.api_key}":
            return None
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        message = f"Incorrect API key provided: {given[:3]}***{given[-4:]}." if given else "No API key provided."
        return self.error_response(401, message)

    @staticmethod
    def _model_object(model: str) -> dict[str, Any]:
        return {"id": model, "object": "model", "created": 1715367049, "owned_by": "system"}

    async def _list_models(self, request: web.Request) -> web.Response:
        if failure := self._auth_failure(request):
            return failure
        return web.json_response({"object": "list", "data": [self._model_object(m) for m in self.models]})

    async def _get_model(self, request: web.Request) -> web.Response:
        if failure := self._auth_failure(request):
            return failure
        model = request.match_info["model"]
        if model not in self.models:
            return self._model_missing(model)
        return web.json_response(self._model_object(model))

    def _model_missing(self, model: str) -> web.Response:
        message = f"The model `{model}` does not exist or you do not have access to it."
        return self.error_response(404, message)

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        if failure := self._auth_failure(request):
            return failure
        try:
            body = await request.json()
        except ValueError:
            return self.error_response(400, "We could not parse the JSON body of your request.")
        if not isinstance(body, dict) or not body.get("model") or not isinstance(body.get("messages"), list):
            return self.error_response(400, "you must provide a model parameter and a list of messages")
        streaming = bool(body.get("stream"))
        fault = self.take_fault()
        if early := await self.apply_fault_before_response(request, fault, streaming=streaming):
            return early
        if body["model"] not in self.models:
            return self._model_missing(body["model"])
        completion = _Completion.build(self, body)
        if not streaming:
            return web.json_response(completion.as_json())
        return await self.send_stream(
            request,
            completion.sse_frames(include_usage=bool((body.get("stream_options") or {}).get("include_usage"))),
            content_type="text/event-stream; charset=utf-8",
            fault=fault,
            fault_at=(1 + fault.after) if fault else 0,  # frame 0 is the role-only preamble
        )

    async def _embeddings(self, request: web.Request) -> web.Response:
        if failure := self._auth_failure(request):
            return failure
        try:
            body = await request.json()
        except ValueError:
            return self.error_response(400, "We could not parse the JSON body of your request.")
        texts = embed_inputs(body.get("input")) if isinstance(body, dict) else None
        if texts is None or not body.get("model"):
            return self.error_response(400, "'input' must be a string or an array of strings, with a 'model'")
        fault = self.take_fault()
        if early := await self.apply_fault_before_response(request, fault, streaming=False):
            return early
        dims = self.embed_models.get(body["model"])
        if dims is None:
            return self._model_missing(body["model"])
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(texts):
            vector = hashed_embedding(text, dims)
            encoded: Any = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode() if as_base64 else vector
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(len(t.split()) for t in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        return web.json_response({"object": "list", "data": data, "model": body["model"], "usage": usage})


def _sse(data: dict[str, Any] | str) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"data: {text}\n\n".encode()


@dataclass
class _Completion:
    """One answer, rendered either as a chat.completion or as chat.completion.chunk events."""

    model: str
    chunks: list[str]  # text pieces, or argument fragments when answering with tool calls
    tool_calls: list[dict[str, Any]]
    finish_reason: str
    prompt_tokens: int
    id: str = field(default_factory=lambda: f"chatcmpl-{uuid.uuid4().hex[:24]}")
    created: int = field(default_factory=lambda: int(time.time()))

    @classmethod
    def build(cls, server: FakeOpenAI, body: dict[str, Any]) -> _Completion:
        model, messages = body["model"], body["messages"]
        prompt_chars = sum(len(content_text(m.get("content"))) for m in messages if isinstance(m, dict))
        prompt_tokens = max(1, prompt_chars // 4)
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if wanted := wanted_tool_calls(server.tool_call_reply, body):
            calls = [
                {
                    "id": f"call_{uuid.uuid4().hex[:24]}",
                    "type": "function",
                    "function": {
                        "name": c["name"],
                        "arguments": c.get("raw_arguments") or json.dumps(c.get("arguments", {})),
                    },
                }
                for c in wanted
            ]
            pieces = sum(len(_fragments(c["function"]["arguments"])) for c in calls)
            return cls(model, [""] * pieces, calls, "tool_calls", prompt_tokens)
        default = f"Hello from {model}. You said: {last_user_text(messages)[:200]}"
        text = server.reply_text(body, default)
        n = server.chunk_chars
        chunks = [text[i : i + n] for i in range(0, len(text), n)] if n else split_into_chunks(text)
        finish = "stop"
        if limit and len(chunks) > limit:
            chunks, finish = chunks[:limit], "length"
        return cls(model, chunks, [], finish, prompt_tokens)

    def usage(self) -> dict[str, int]:
        completion = len(self.chunks)
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        }

    def as_json(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if self.tool_calls:
            message["tool_calls"] = self.tool_calls
        else:
            message["content"] = "".join(self.chunks)
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": self.finish_reason}],
            "usage": self.usage(),
            "system_fingerprint": "fp_fake",
        }

    def _chunk(self, delta: dict[str, Any] | None, finish: str | None, include_usage: bool) -> bytes:
        """One chat.completion.chunk event; ``delta=None`` makes the trailing usage-only chunk."""
        chunk: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_fake",
            "choices": []
            if delta is None
            else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if include_usage:
            chunk["usage"] = self.usage() if delta is None else None
        return _sse(chunk)

    def sse_frames(self, *, include_usage: bool) -> list[bytes]:
        """Frame 0 is a role-only preamble; then one frame per chunk; then finish, usage, [DONE]."""
        preamble = {"role": "assistant", "content": None if self.tool_calls else "", "refusal": None}
        frames = [self._chunk(preamble, None, include_usage)]
        if self.tool_calls:
            for index, call in enumerate(self.tool_calls):
                for n, fragment in enumerate(_fragments(call["function"]["arguments"])):
                    piece: dict[str, Any] = {"index": index, "function": {"arguments": fragment}}
                    if n == 0:
                        piece.update(id=call["id"], type="function")
                        piece["function"]["name"] = call["function"]["name"]
                    frames.append(self._chunk({"tool_calls": [piece]}, None, include_usage))
        else:
            frames += [self._chunk({"content": c}, None, include_usage) for c in self.chunks]
        frames.append(self._chunk({}, self.finish_reason, include_usage))
        if include_usage:
            frames.append(self._chunk(None, None, include_usage))
        frames.append(_sse("[DONE]"))
        return frames


def _fragments(arguments: str, size: int = 8) -> list[str]:
    """Split a JSON argument string into small pieces, as OpenAI streams them."""
    return [arguments[i : i + size] for i in range(0, len(arguments), size)] or [""]


if __name__ == "__main__":
    run_standalone(FakeOpenAI(), "OpenAI-compatible stand-in server", 8000)
