"""The two in-process llama.cpp runtimes the embedded provider can drive, behind one small interface.

- ``xllamacpp`` (default): llama.cpp's own server engine in-process, shipped as a prebuilt wheel (installs in
  seconds). Chat templates, sampling and prompt-cache reuse are llama.cpp's own.
- ``llama-cpp``: ``llama-cpp-python``, which PyPI ships only as source (a ~10-minute compile).

Both run in the caller's thread and block; the provider runs them in a worker thread. Each reports text
through ``on_text`` (return True to stop) and returns what the turn cost. Nothing here is async.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

log = logging.getLogger(__name__)

RuntimeName = Literal["xllamacpp", "llama-cpp"]
RUNTIME_MODULES: dict[RuntimeName, str] = {"xllamacpp": "xllamacpp", "llama-cpp": "llama_cpp"}
RUNTIME_PACKAGES: dict[RuntimeName, str] = {"xllamacpp": "xllamacpp", "llama-cpp": "llama-cpp-python"}
PROMPT_CACHE_MIB = 256  # xllamacpp keeps idle conversations' KV here (~47 MB per full 2k window of SmolLM2)

Chat = list[dict[str, str]]
OnText = Callable[[str], bool]  # returns True to stop generating


@dataclass(frozen=True)
class Generation:
    prompt_tokens: int
    completion_tokens: int
    prompt_evaluated: int  # prompt tokens actually computed: the rest came from the cache
    finish_reason: str  # "stop", "length" or "cancelled"


class ContextOverflow(Exception):
    """The prompt does not fit the context window."""

    def __init__(self, prompt_tokens: int) -> None:
        super().__init__(f"prompt of {prompt_tokens} tokens does not fit")
        self.prompt_tokens = prompt_tokens


class LoadedModel(Protocol):
    def generate(self, chat: Chat, sampling: dict[str, Any], on_text: OnText) -> Generation: ...

    def close(self) -> None: ...


def default_threads() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


def installed(runtime: RuntimeName) -> bool:
    return importlib.util.find_spec(RUNTIME_MODULES[runtime]) is not None


def pick_runtime(wanted: str) -> RuntimeName | None:
    """The runtime to use: the one asked for, or for "auto" xllamacpp first, then llama-cpp."""
    order: list[RuntimeName] = ["xllamacpp", "llama-cpp"] if wanted == "auto" else [wanted]  # type: ignore[list-item]
    return next((r for r in order if installed(r)), None)


def load(runtime: RuntimeName, path: Path, context_length: int, threads: int | None) -> LoadedModel:
    """Load the GGUF file. Raises ImportError (runtime absent) or ValueError (file unusable)."""
    if runtime == "xllamacpp":
        return XllamacppModel(path, context_length, threads)
    return LlamaCppModel(path, context_length, threads)


# --- xllamacpp -------------------------------------------------------------------------------------------


class XllamacppModel:
    def __init__(self, path: Path, context_length: int, threads: int | None) -> None:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = context_length
        params.n_parallel = 1  # one slot: the provider serves one turn at a time
        params.warmup = False
        params.fit_params = False  # no trial loads to fit memory: CPU only, context size is given (-35% load)
        params.verbosity = -1  # llama.cpp's own logging would flood stderr
        params.cache_ram_mib = PROMPT_CACHE_MIB
        # Half the CPUs, as llama-cpp-python does. llama.cpp's own default (every core) makes its threads spin
        # on each other when the machine is busy: 1-6 s per token instead of 0.2 s on 2 shared cores.
        params.cpuparams.n_threads = params.cpuparams_batch.n_threads = threads or default_threads()
        try:
            self._server = xllamacpp.Server(params)
        except RuntimeError as exc:  # "Failed to init server": the file is not a usable GGUF
            raise ValueError(f"llama.cpp could not load it ({exc})") from exc

    def generate(self, chat: Chat, sampling: dict[str, Any], on_text: OnText) -> Generation:
        request = {"messages": chat, "stream": True, "stream_options": {"include_usage": True}, **sampling}
        state: dict[str, Any] = {"finish": "stop", "stopped": False, "completion": 0}

        def on_chunk(chunk: dict[str, Any]) -> bool:
            if "error" in chunk:
                state["error"] = chunk["error"]
                return True
            if chunk.get("usage"):
                state["usage"], state["timings"] = chunk["usage"], chunk.get("timings", {})
            for choice in chunk.get("choices") or []:
                state["finish"] = choice.get("finish_reason") or state["finish"]
                if text := (choice.get("delta") or {}).get("content"):
                    state["completion"] += 1
                    if on_text(text):
                        state["stopped"] = True
                        return True
            return False

        self._server.handle_chat_completions(request, on_chunk)
        if error := state.get("error"):
            if error.get("type") == "exceed_context_size_error":
                raise ContextOverflow(int(error.get("n_prompt_tokens", 0)))
            raise RuntimeError(error.get("message", "unknown llama.cpp error"))
        usage, timings = state.get("usage", {}), state.get("timings", {})
        prompt = int(usage.get("prompt_tokens", 0))
        return Generation(
            prompt_tokens=prompt,
            completion_tokens=int(usage.get("completion_tokens", state["completion"])),
            prompt_evaluated=int(timings.get("prompt_n", prompt)),
            finish_reason="cancelled" if state["stopped"] else state["finish"],
        )

    def close(self) -> None:
        self._server = None  # the server's destructor stops its loop and frees the model


# --- llama-cpp-python ------------------------------------------------------------------------------------


class LlamaCppModel:
    def __init__(self, path: Path, context_length: int, threads: int | None) -> None:
        import llama_cpp

        self.context_length = context_length
        try:
            self._llm = llama_cpp.Llama(model_path=str(path), n_ctx=context_length, n_threads=threads, verbose=False)
        except (ValueError, RuntimeError, OSError) as exc:  # llama_cpp raises ValueError for a bad file
            raise ValueError(str(exc)) from exc
        self._tokenize = _prompt_tokenizer(self._llm)

    def generate(self, chat: Chat, sampling: dict[str, Any], on_text: OnText) -> Generation:
        tokens = self._tokenize(chat)
        prompt_tokens = len(tokens)
        if prompt_tokens + int(sampling.get("max_tokens") or 0) > self.context_length:
            raise ContextOverflow(prompt_tokens)
        if isinstance(sampling.get("grammar"), str):  # llama_cpp takes a compiled grammar
            import llama_cpp

            sampling = {**sampling, "grammar": llama_cpp.LlamaGrammar.from_string(sampling["grammar"], verbose=False)}
        # llama_cpp reuses the longest common prefix with the tokens it evaluated last.
        reused = _common_prefix(self._llm._input_ids[: self._llm.n_tokens].tolist(), tokens)
        chunks: Any = self._llm.create_chat_completion(chat, stream=True, **sampling)
        completion, finish = 0, "stop"
        try:
            for chunk in chunks:
                choice = chunk["choices"][0]
                if text := choice["delta"].get("content"):
                    # One chunk per token, except where llama_cpp holds back a partial UTF-8 character or stop
                    # string: close enough for usage accounting.
                    completion += 1
                    if on_text(text):
                        finish = "cancelled"
                        break
                finish = choice.get("finish_reason") or finish
        finally:
            chunks.close()  # ends llama_cpp's generator promptly when we stop early
        return Generation(prompt_tokens, completion, prompt_tokens - reused, finish)

    def close(self) -> None:
        self._llm.close()


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _prompt_tokenizer(llm: Any) -> Callable[[Chat], list[int]]:
    """A chat's prompt tokens exactly as ``create_chat_completion`` will feed them.

    Streaming chunks from llama_cpp carry no usage, so we render the GGUF's own chat template
    (the way llama_cpp does) and tokenize the result. Without a template: the contents' tokens, an estimate.
    """
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    if template is None:  # no template in the file: content tokens plus a few role markers each
        return lambda chat: [t for m in chat for t in llm.tokenize(m["content"].encode(), add_bos=False)]

    def special(token: int) -> str:
        return llm.detokenize([token], special=True).decode(errors="replace") if token != -1 else ""

    formatter = Jinja2ChatFormatter(
        template=template, eos_token=special(llm.token_eos()), bos_token=special(llm.token_bos())
    )
    return lambda chat: llm.tokenize(formatter(messages=chat).prompt.encode(), add_bos=False, special=True)
