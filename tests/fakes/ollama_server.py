"""A stand-in for Ollama's native HTTP API, speaking its real wire protocol.

Tests point the real ``ollama`` client at ``FakeOllama.host``. Like ``FakeOpenAI`` it records
every request (so tests can assert ``options.num_ctx`` and ``keep_alive``) and injects faults
with ``inject`` / ``fail_all`` (see ``Fault`` for the kinds).

Run it by hand: ``python -m tests.fakes.ollama_server --port 11434``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import time
from typing import Any

from aiohttp import web

from tests.fakes.openai_server import (
    EMBED_DIMS,
    FakeServer,
    ToolCallReply,
    content_text,
    embed_inputs,
    hashed_embedding,
    last_user_text,
    run_standalone,
    split_into_chunks,
    wanted_tool_calls,
)

DEFAULT_MODELS: dict[str, dict[str, Any]] = {
    "llama3.2:3b": {
        "context_length": 8192,
        "capabilities": ["completion", "tools"],
        "family": "llama",
        "parameter_size": "3.2B",
    },
    "qwen2.5:7b": {
        "context_length": 32768,
        "capabilities": ["completion", "tools"],
        "family": "qwen2",
        "parameter_size": "7.6B",
    },
}

_MODIFIED_AT = "2025-06-01T10:00:00.123456789Z"


def _timestamp() -> str:
    """Ollama's created_at: RFC 3339 with nanoseconds."""
    now = time.time_ns()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now // 1_000_000_000)) + f".{now % 1_000_000_000:09d}Z"


class FakeOllama(FakeServer):
    """Ollama server: ``/``, ``/api/version``, ``/api/tags``, ``/api/show`` and ``/api/chat``.

    ``models`` maps a model name to ``{"context_length", "capabilities"}`` and optionally
    ``family``, ``parameter_size``, ``quantization_level``.
    """

    def __init__(self, models: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.models: dict[str, dict[str, Any]] = copy.deepcopy(models if models is not None else DEFAULT_MODELS)
        # {"name": ..., "arguments": {...}} (or a list of them): answer requests that offer tools with a call
        self.tool_call_reply: ToolCallReply = None  # as FakeOpenAI's: calls, or a callable of the body
        self.version = "0.12.6"
        # embedding models /api/embed serves (hashed bag-of-words vectors): name -> dimensions
        self.embed_models: dict[str, int] = {"nomic-embed-text": EMBED_DIMS}

    @property
    def host(self) -> str:
        return f"http://{self._host}:{self.port}"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/", self._root),
            web.get("/api/version", self._version),
            web.get("/api/tags", self._tags),
            web.post("/api/show", self._show),
            web.post("/api/chat", self._chat),
            web.post("/api/embed", self._embed),
        ]

    def embed_requests(self) -> list[dict[str, Any]]:
        """JSON bodies of every /api/embed request, in order."""
        return [r.json for r in self.requests if r.path == "/api/embed" and r.json is not None]

    def chat_requests(self) -> list[dict[str, Any]]:
        """JSON bodies of every /api/chat request, in order."""
        return [r.json for r in self.requests if r.path == "/api/chat" and r.json is not None]

    def error_response(self, status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response({"error": message}, status=status, headers=headers)

    def error_frame(self, message: str) -> bytes:
        return _ndjson({"error": message})

    # model catalogue

    def resolve(self, name: str) -> str | None:
        """The installed model a name refers to; a name without a tag means ``:latest``."""
        for candidate in (name, f"{name}:latest"):
            if candidate in self.models:
                return candidate
        return None

    def _details(self, name: str) -> dict[str, Any]:
        info = self.models[name]
        family = info.get("family", "llama")
        return {
            "parent_model": "",
            "format": "gguf",
            "family": family,
            "families": [family],
            "parameter_size": info.get("parameter_size", "3B"),
            "quantization_level": info.get("quantization_level", "Q4_K_M"),
        }

    # handlers

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="Ollama is running")

    async def _version(self, request: web.Request) -> web.Response:
        return web.json_response({"version": self.version})

    async def _tags(self, request: web.Request) -> web.Response:
        models = [
            {
                "name": name,
                "model": name,
                "modified_at": _MODIFIED_AT,
                "size": 2_019_393_189,
                "digest": hashlib.sha256(name.encode()).hexdigest(),
                "details": self._details(name),
            }
            for name in self.models
        ]
        return web.json_response({"models": models})

    async def _show(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        requested = str((body or {}).get("model") or (body or {}).get("name") or "")
        name = self.resolve(requested)
        if name is None:
            return self.error_response(404, f"model '{requested}' not found")
        info, details = self.models[name], self._details(name)
        family = details["family"]
        return web.json_response(
            {
                "license": "Fake model licence",
                "modelfile": f"# Modelfile generated by fake ollama\nFROM {name}\n",
                "parameters": 'stop "<|eot_id|>"',
                "template": "{{ if .System }}{{ .System }}{{ end }}{{ .Prompt }}",
                "details": details,
                "model_info": {
                    "general.architecture": family,
                    "general.parameter_count": 3_212_749_888,
                    f"{family}.context_length": info["context_length"],
                    f"{family}.embedding_length": 3072,
                },
                "capabilities": list(info.get("capabilities", ["completion"])),
                "modified_at": _MODIFIED_AT,
            }
        )

    async def _embed(self, request: web.Request) -> web.Response:
        body = await _json_object(request)
        if body is None:
            return self.error_response(400, "invalid JSON body")
        texts = embed_inputs(body.get("input"))
        if not body.get("model") or texts is None:
            return self.error_response(400, "model is required and input must be a string or a list of strings")
        fault = self.take_fault()
        if early := await self.apply_fault_before_response(request, fault, streaming=False):
            return early
        dims = self.embed_models.get(body["model"]) or self.embed_models.get(body["model"].removesuffix(":latest"))
        if dims is None:
            return self.error_response(404, f'model "{body["model"]}" not found, try pulling it first')
        return web.json_response(
            {
                "model": body["model"],
                "embeddings": [hashed_embedding(text, dims) for text in texts],
                "total_duration": 14_143_917,
                "load_duration": 1_019_500,
                "prompt_eval_count": sum(len(t.split()) for t in texts),
            }
        )

    def _image_problem(self, body: dict[str, Any]) -> str:
        """As Ollama: images only for a model with the vision capability, each a base64 string."""
        images = [i for m in body.get("messages") or [] if isinstance(m, dict) for i in m.get("images") or []]
        if not images:
            return ""
        name = self.resolve(body["model"]) or ""
        if "vision" not in self.models.get(name, {}).get("capabilities", []):
            return "this model is missing data required for image input"
        try:
            for image in images:
                base64.b64decode(image, validate=True)
        except (ValueError, TypeError):
            return "illegal base64 data in images"
        return ""

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await _json_object(request)
        if body is None:
            return self.error_response(400, "invalid JSON body")
        if not body.get("model"):
            return self.error_response(400, "model is required")
        streaming = body.get("stream", True) is not False  # Ollama streams unless told not to
        fault = self.take_fault()
        if early := await self.apply_fault_before_response(request, fault, streaming=streaming):
            return early
        if self.resolve(body["model"]) is None:
            return self.error_response(404, f'model "{body["model"]}" not found, try pulling it first')
        if problem := self._image_problem(body):
            return self.error_response(400, problem)
        answer = _Answer.build(self, body)
        if not streaming:
            return web.json_response(answer.single())
        return await self.send_stream(
            request,
            answer.ndjson_frames(),
            content_type="application/x-ndjson",
            fault=fault,
            fault_at=fault.after if fault else 0,
        )


def _ndjson(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, separators=(",", ":")) + "\n").encode()


async def _json_object(request: web.Request) -> dict[str, Any] | None:
    try:
        body = await request.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


class _Answer:
    """One /api/chat answer, rendered as NDJSON stream lines or as a single object."""

    def __init__(
        self, model: str, chunks: list[str], tool_calls: list[dict[str, Any]], done_reason: str, prompt_tokens: int
    ) -> None:
        self.model = model
        self.chunks = chunks
        self.tool_calls = tool_calls
        self.done_reason = done_reason
        self.prompt_tokens = prompt_tokens

    @classmethod
    def build(cls, server: FakeOllama, body: dict[str, Any]) -> _Answer:
        model, messages = body["model"], body.get("messages") or []
        prompt_chars = sum(len(content_text(m.get("content"))) for m in messages if isinstance(m, dict))
        prompt_tokens = max(1, prompt_chars // 4)
        if wanted := wanted_tool_calls(server.tool_call_reply, body):
            calls = [
                {"function": {"index": i, "name": c["name"], "arguments": c.get("arguments", {})}}
                for i, c in enumerate(wanted)
            ]
            return cls(model, [], calls, "stop", prompt_tokens)  # Ollama reports "stop" after tool calls
        default = f"Local answer from {model}. You said: {last_user_text(messages)[:200]}"
        chunks = split_into_chunks(server.reply_text(body, default))
        limit = (body.get("options") or {}).get("num_predict")
        done_reason = "stop"
        if isinstance(limit, int) and 0 < limit < len(chunks):
            chunks, done_reason = chunks[:limit], "length"
        return cls(model, chunks, [], done_reason, prompt_tokens)

    def _message(self, content: str, tool_calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if tool_calls:
            message["tool_calls"] = tool_calls
        return message

    def _final(self, message: dict[str, Any]) -> dict[str, Any]:
        eval_count = max(len(self.chunks), len(self.tool_calls))
        return {
            "model": self.model,
            "created_at": _timestamp(),
            "message": message,
            "done": True,
            "done_reason": self.done_reason,
            "total_duration": 250_000_000 + eval_count * 20_000_000,
            "load_duration": 50_000_000,
            "prompt_eval_count": self.prompt_tokens,
            "prompt_eval_duration": 100_000_000,
            "eval_count": eval_count,
            "eval_duration": eval_count * 20_000_000,
        }

    def single(self) -> dict[str, Any]:
        return self._final(self._message("".join(self.chunks), self.tool_calls))

    def ndjson_frames(self) -> list[bytes]:
        def line(message: dict[str, Any]) -> bytes:
            return _ndjson({"model": self.model, "created_at": _timestamp(), "message": message, "done": False})

        frames = [line(self._message(c)) for c in self.chunks]
        if self.tool_calls:
            frames.append(line(self._message("", self.tool_calls)))
        frames.append(_ndjson(self._final(self._message(""))))
        return frames


if __name__ == "__main__":
    run_standalone(FakeOllama(), "Ollama stand-in server", 11434)
