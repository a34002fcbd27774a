"""The [slack] config section: defaults, validation and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack.config import SlackConfig
from adapters.slack.conversations import clean_text
from adapters.slack.runner import slack_configured
from bot.config import ConfigError, load_settings


def _load(tmp_path: Path, toml: str, env: dict[str, str] | None = None):  # noqa: ANN202
    path = tmp_path / "c.toml"
    path.write_text(toml)
    return load_settings(path, env=env or {})


def test_defaults_are_production_values() -> None:
    config = SlackConfig()
    assert config.api_url == "https://slack.com/api/"
    assert (config.port, config.path, config.stream_mode) == (3000, "/slack/events", "native")
    assert config.update_interval == 1.0 and config.channel_rate == 1.0
    assert config.answer_thread_replies and not config.answer_other_bots
    assert config.private_channels_opt_out == [] and config.lookup_ttl == 600.0


def test_api_url_gets_its_trailing_slash(tmp_path: Path) -> None:
    settings = _load(tmp_path, '[slack]\napi_url = "https://slack-gov.com/api"\n')
    assert settings.slack.api_url == "https://slack-gov.com/api/"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[slack]\napi_url = "slack.com/api"\n', "slack.api_url"),
        ("[slack]\nstream_mode = 'fast'\n", "slack.stream_mode"),
        ("[slack]\nupdate_interval = -1\n", "slack.update_interval"),
        ("[slack]\nupdate_intervall = 2\n", "Did you mean 'update_interval'?"),
        ("[slack]\nbot_token = 'xoxb'\n", "Secrets are read only from environment variables"),
    ],
)
def test_bad_values_fail_with_a_clear_message(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("?", r"\?")):
        _load(tmp_path, toml)


def test_slack_is_configured_by_a_bot_token_plus_an_app_token_or_signing_secret(tmp_path: Path) -> None:
    assert not slack_configured(_load(tmp_path, "", {"SLACK_BOT_TOKEN": "xoxb-1"}))
    assert slack_configured(_load(tmp_path, "", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}))
    assert slack_configured(_load(tmp_path, "", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}))
    assert not slack_configured(_load(tmp_path, "", {"SLACK_APP_TOKEN": "xapp-1"}))


def test_clean_text_removes_only_the_bots_mention() -> None:
    assert clean_text("<@U0BOT> hi <@U0BOB>", "U0BOT") == "hi <@U0BOB>"
    assert clean_text("<@U0BOT|hybridbot>", "U0BOT") == ""


def test_slack_api_url_from_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.slack.app import make_client

    settings = _load(tmp_path, "", {"SLACK_BOT_TOKEN": "xoxb-1"})
    assert make_client(settings).base_url == "https://slack.com/api/"
    monkeypatch.setenv("SLACK_API_URL", "http://proxy.internal:8080/api")
    assert make_client(settings).base_url == "http://proxy.internal:8080/api/"
