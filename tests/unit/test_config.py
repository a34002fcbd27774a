from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, normalise_ollama_host, redacted_dump


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hybridbot.toml"
    path.write_text(text)
    return path


def test_defaults_need_no_file() -> None:
    s = load_settings(env={})
    assert s.routing.default_model == "auto"
    assert s.privacy.dm_level == "local-only"
    assert s.ollama.host == "http://127.0.0.1:11434"


def test_standard_environment_variables() -> None:
    s = load_settings(env={"OLLAMA_HOST": "gpu-box:11500", "OPENAI_BASE_URL": "http://x/v1", "OPENAI_API_KEY": "k"})
    assert s.ollama.host == "http://gpu-box:11500"
    assert s.openai.base_url == "http://x/v1"
    assert s.secret("OPENAI_API_KEY") == "k"


def test_file_and_env_layer(tmp_path: Path) -> None:
    path = write(tmp_path, '[bot]\ndatabase = "a.db"\n[routing]\ncomplexity_threshold = 0.4\n')
    s = load_settings(path, env={"HYBRIDBOT_DATABASE": "b.db"})
    assert s.bot.database == "b.db"
    assert s.routing.complexity_threshold == 0.4


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[bot]\nname = "helper"\n')
    assert load_settings(env={"HYBRIDBOT_CONFIG": str(path)}).bot.name == "helper"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[ollama]\ntimeot = 3\n", "'ollama.timeot' is not a setting. Did you mean 'timeout'?"),
        ('[openai]\napi_key = "sk-x"\n', "Secrets are read only from environment variables"),
        ("[routing]\ncomplexity_threshold = 2\n", "'routing.complexity_threshold'"),
        ('[routing]\ndefault_model = "gpt4"\n', "'routing.default_model'"),
        ('[privacy]\ndefault_level = "open"\n', "'privacy.default_level'"),
        ('[privacy.channels]\nC1 = "nope"\n', "'privacy.channels.C1'"),
        ("[nonsense]\n", "'nonsense' is not a setting"),
        ('[[endpoints]]\nname = "openai"\nbase_url = "http://x"\nlocality = "local"\n', "reserved"),
        ('[[endpoints]]\nname = "vllm"\nbase_url = "http://x"\n', "'endpoints[0].locality'"),
        ("[bot\n", "not valid TOML"),
    ],
)
def test_bad_config_names_key_and_fix(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text), env={})
    assert expected in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", env={})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("localhost:9999", "http://localhost:9999"),
        ("https://ollama.internal/", "https://ollama.internal:11434"),
        ("http://127.0.0.1:11434", "http://127.0.0.1:11434"),
    ],
)
def test_ollama_host_forms(given: str, expected: str) -> None:
    assert normalise_ollama_host(given) == expected


def test_redacted_dump_hides_secrets() -> None:
    s = load_settings(env={"OPENAI_API_KEY": "sk-verysecret", "SLACK_BOT_TOKEN": "xoxb-1"})
    text = str(redacted_dump(s))
    assert "sk-verysecret" not in text and "xoxb-1" not in text
    assert "set (redacted)" in text
