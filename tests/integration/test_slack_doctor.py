"""`hybridbot doctor` reads the bot token's granted scopes from auth.test's x-oauth-scopes header (real slack-sdk
against the stand-in, which grants what the manifest requests and answers missing_scope otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack.doctor import check_slack
from adapters.slack.manifest import SCOPES
from bot.config import load_settings
from tests.fakes.slack_server import BOT_TOKEN, FakeSlack
from tests.integration.test_slack_harness import write_config


def _settings(tmp_path: Path, fake: FakeSlack, token: str = BOT_TOKEN):  # noqa: ANN202
    config = write_config(tmp_path, f'[slack]\napi_url = "{fake.base_url}"\n')
    return load_settings(config, env={"SLACK_BOT_TOKEN": token, "HYBRIDBOT_DATABASE": str(tmp_path / "b.db")})


async def test_doctor_says_which_scopes_to_add(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        assert all(ok for ok, _ in await check_slack(_settings(tmp_path, fake)))
        fake.scopes -= {"mpim:read", "users:read"}
        fake.scopes.add("files:write")
        lines = await check_slack(_settings(tmp_path, fake))
    problems = [line for ok, line in lines if not ok]
    assert len(problems) == 1 and "mpim:read, users:read" in problems[0] and "reinstall" in problems[0]
    assert any("files:write" in line and "not used" in line for ok, line in lines if ok)


async def test_doctor_reports_a_refused_token(tmp_path: Path) -> None:
    async with FakeSlack() as fake:
        lines = await check_slack(_settings(tmp_path, fake, token="xoxb-wrong"))
    assert lines == [(False, lines[0][1])] and "invalid_auth" in lines[0][1]


async def test_the_stand_in_refuses_calls_the_manifest_does_not_grant(tmp_path: Path) -> None:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    async with FakeSlack() as fake:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url)
        fake.group_dms.add("C0GROUP")
        assert (await client.conversations_info(channel="C0GROUP"))["channel"]["is_mpim"]
        fake.scopes.discard("mpim:read")
        with pytest.raises(SlackApiError) as error:
            await client.conversations_info(channel="C0GROUP")
        assert error.value.response["error"] == "missing_scope" and error.value.response["needed"] == "mpim:read"
        assert (await client.conversations_info(channel="C0PUBLIC"))["ok"]  # channels:read still granted
        assert set(SCOPES) - {"mpim:read"} == fake.scopes


async def test_hybridbot_doctor_includes_the_slack_scope_check(tmp_path: Path, fake_ollama) -> None:  # noqa: ANN001
    from hybridbot_app.doctor import run_checks

    async with FakeSlack() as fake:
        fake.scopes.discard("reactions:read")
        config = write_config(tmp_path, f'[slack]\napi_url = "{fake.base_url}"\n')
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "HYBRIDBOT_DATABASE": str(tmp_path / "b.db"),
            "OLLAMA_HOST": fake_ollama.host,
        }
        lines = await run_checks(load_settings(config, env=env))
    assert any(not ok and "reactions:read" in line for ok, line in lines)
