"""The resilience settings: defaults, and bad values stopping start-up with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def load(tmp_path: Path, toml: str):
    path = tmp_path / "c.toml"
    path.write_text(toml)
    return load_settings(path, env={})


def test_defaults(tmp_path: Path) -> None:
    s = load(tmp_path, "")
    r = s.resilience
    assert (r.breaker_failures, r.breaker_cooldown, r.local_retries, r.max_retry_wait) == (3, 30.0, 1, 5.0)
    assert (s.ollama.max_concurrent, s.embedded.max_concurrent, s.openai.max_concurrent) == (2, 1, 0)


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ("[resilience]\nbreaker_failure = 3\n", "Did you mean 'breaker_failures'"),
        ("[resilience]\nbreaker_failures = 0\n", "resilience.breaker_failures"),
        ("[resilience]\nlocal_retries = 9\n", "resilience.local_retries"),
        ("[ollama]\nmax_concurrent = -1\n", "ollama.max_concurrent"),
        ('[[endpoints]]\nname = "vllm"\nbase_url = "http://x/v1"\nlocality = "local"\nmax_concurrent = "two"\n',
         "endpoints[0].max_concurrent"),
    ],
)  # fmt: skip
def test_bad_values_name_the_key(tmp_path: Path, toml: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, toml)
    assert named in str(caught.value)
