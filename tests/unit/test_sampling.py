"""Per-model generation settings: built-in profiles by model size, config overrides, validation."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from bot.providers.sampling import DEFAULT, TINY_MODEL, Sampling, parameter_count, profile_for


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("smollm2-135m-instruct.q4_1", 135e6),
        ("qwen2.5:0.5b", 0.5e9),
        ("llama3.2:1b", 1e9),
        ("llama3.2:3b", 3e9),
        ("phi3:3.8b", 3.8e9),
        ("mixtral:8x7b", 7e9),
        ("gpt-4o", None),
        ("gpt-4o-mini", None),
        ("model-q4_1", None),
    ],
)
def test_parameter_count_is_read_from_the_name(model: str, params: float | None) -> None:
    assert parameter_count(model) == params


@pytest.mark.parametrize(
    ("provider", "model", "profile"),
    [
        ("embedded", "smollm2-135m-instruct.q4_1", TINY_MODEL),
        ("ollama", "qwen2.5:0.5b", TINY_MODEL),
        ("ollama", "llama3.2:3b", DEFAULT),
        ("openai", "gpt-4o", DEFAULT),
    ],
)
def test_tiny_models_get_the_tiny_profile(provider: str, model: str, profile: object) -> None:
    assert profile_for(provider, model, {}) == profile


def test_tiny_profile_scales_the_agent_temperature_and_caps_the_answer() -> None:
    assert TINY_MODEL.temperature_for(0.7) == pytest.approx(0.21)
    assert TINY_MODEL.max_tokens_for(1024) == 256
    assert TINY_MODEL.max_tokens_for(100) == 100  # the bot's own smaller cap still applies
    assert TINY_MODEL.sampling().options() == {"top_p": 0.9, "min_p": 0.05, "repeat_penalty": 1.1}


def test_default_profile_changes_nothing() -> None:
    assert DEFAULT.temperature_for(0.7) == 0.7
    assert DEFAULT.max_tokens_for(1024) == 1024
    assert DEFAULT.sampling() == Sampling() and Sampling().options() == {}


def test_most_specific_override_wins_key_by_key() -> None:
    overrides = {
        "*": {"top_p": 0.8},
        "*:*135m*": {"temperature": 0.1, "max_tokens": 128},
        "smollm2-135m-instruct.q4_1": {"max_tokens": 64},
        "embedded:smollm2-135m-instruct.q4_1": {"repeat_penalty": 1.3},
    }
    profile = profile_for("embedded", "smollm2-135m-instruct.q4_1", overrides)
    assert profile.temperature_for(0.7) == 0.1  # a fixed temperature replaces the built-in scale
    assert profile.max_tokens == 64
    assert profile.top_p == 0.8
    assert profile.repeat_penalty == 1.3
    assert profile.min_p == TINY_MODEL.min_p  # untouched keys keep the built-in value
    other = profile_for("openai", "gpt-4o", overrides)
    assert other == DEFAULT.updated({"top_p": 0.8})


def test_a_scale_set_in_config_replaces_an_inherited_fixed_temperature() -> None:
    overrides = {"*": {"temperature": 0.1}, "gpt-4o": {"temperature_scale": 0.5}}
    assert profile_for("openai", "gpt-4o", overrides).temperature_for(0.8) == 0.4


def test_config_accepts_generation_settings(tmp_path) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(
        '[generation]\nrepetition_guard = false\n[generation.models."ollama:qwen2.5:0.5b"]\n'
        "temperature_scale = 0.5\nmin_p = 0.1\nmax_tokens = 200\n"
    )
    settings = load_settings(path, env={})
    assert settings.generation.repetition_guard is False
    entry = settings.generation.models["ollama:qwen2.5:0.5b"]
    assert entry.model_dump(exclude_none=True) == {"temperature_scale": 0.5, "min_p": 0.1, "max_tokens": 200}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("repeat_penalty = 0.5", "generation.models.*.repeat_penalty"),
        ("top_p = 0", "generation.models.*.top_p"),
        ("max_tokens = 4", "generation.models.*.max_tokens"),
        ("temprature = 0.2", "Did you mean 'temperature'?"),
        ("temperature = 0.2\ntemperature_scale = 0.5", "not both"),
    ],
)
def test_bad_generation_settings_fail_at_start_with_the_key(tmp_path, body: str, fragment: str) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(f'[generation.models."*"]\n{body}\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert fragment in str(caught.value)


def test_embedded_runtime_is_validated(tmp_path) -> None:
    path = tmp_path / "bot.toml"
    path.write_text('[embedded]\nruntime = "llamafile"\n')
    with pytest.raises(ConfigError, match="embedded.runtime"):
        load_settings(path, env={})
