"""Log lines: text or JSON, the turn id on every line of a turn, secrets redacted for every handler."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs

SLACK_TOKEN = "xoxb-" + "1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
AWS_KEY = "AKIA" + "QYLPMN5HFIQR7XYZ"


@pytest.fixture
def configured() -> Iterator[object]:
    """configure(...) into a StringIO; undo the handler, the record factory and levels afterwards."""
    root = logging.getLogger()
    level = root.level
    made: list[logging.Handler] = []

    def setup(level: str = "DEBUG", fmt: str = "text", secrets: tuple[str, ...] = ()) -> io.StringIO:
        stream = io.StringIO()
        made.append(logs.configure(level, fmt, secrets=secrets, stream=stream))
        return stream

    yield setup
    for handler in made:
        root.removeHandler(handler)
    root.setLevel(level)
    logs.uninstall_redaction()
    logs.bind_turn(None)


def test_text_lines_carry_the_turn_id_only_during_a_turn(configured) -> None:
    stream = configured()
    log = logging.getLogger("hybridbot.test")
    log.info("before")

    async def turn(turn_id: int) -> None:
        logs.bind_turn(turn_id)
        await asyncio.sleep(0)
        log.info("working on %s", "it")

    async def both() -> None:
        await asyncio.gather(turn(7), turn(8))

    asyncio.run(both())
    log.info("after")  # tasks had their own context: nothing leaked out here
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("INFO hybridbot.test: before")
    assert sorted(line.split("hybridbot.test")[1] for line in lines[1:3]) == [
        " [turn 7]: working on it",
        " [turn 8]: working on it",
    ]
    assert lines[3].endswith("INFO hybridbot.test: after")


def test_json_lines(configured) -> None:
    stream = configured(fmt="json")
    log = logging.getLogger("hybridbot.test")
    logs.bind_turn(42)
    log.warning("route=%s", "ollama:llama3.2:3b")
    logs.bind_turn(None)
    try:
        raise ValueError("bad thing")
    except ValueError:
        log.exception("failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{"))
    assert first["turn_id"] == 42 and first["level"] == "WARNING" and first["logger"] == "hybridbot.test"
    assert first["message"] == "route=ollama:llama3.2:3b" and first["time"].endswith("+00:00")
    assert "turn_id" not in second and "ValueError: bad thing" in second["exception"]


def test_configured_secrets_and_secret_looking_text_are_redacted_everywhere(configured, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    stream = configured(secrets=("my-configured-secret-value", "short"))
    log = logging.getLogger("some.library")
    log.debug("Authorization: Bearer %s", SLACK_TOKEN)
    log.debug("sent %s with key %s", {"text": f"key is {AWS_KEY}"}, "my-configured-secret-value")
    log.info("password=hunter2hunter2 in a form")
    try:
        raise RuntimeError(f"token {SLACK_TOKEN} rejected")
    except RuntimeError:
        log.exception("call failed")
    for output in (stream.getvalue(), caplog.text):  # ours and pytest's handler alike
        for secret in (SLACK_TOKEN, AWS_KEY, "my-configured-secret-value", "hunter2hunter2"):
            assert secret not in output
        assert output.count("[redacted]") >= 5
    assert "short" not in logs._secrets  # too short to redact safely


def test_secret_values_include_every_endpoint_key(monkeypatch, tmp_path) -> None:
    from bot.config import load_settings

    monkeypatch.setenv("VLLM_KEY", "vllm-key-0123456789")
    config = tmp_path / "c.toml"
    config.write_text(
        '[[endpoints]]\nname = "vllm"\nbase_url = "http://x/v1"\nlocality = "local"\napi_key_env = "VLLM_KEY"\n'
    )
    settings = load_settings(config, env={"SLACK_BOT_TOKEN": SLACK_TOKEN, "OPENAI_API_KEY": "sk-abcdef"})
    assert sorted(logs.secret_values(settings)) == sorted([SLACK_TOKEN, "sk-abcdef", "vllm-key-0123456789"])


def test_json_escaped_secret_is_redacted_after_unescaping(configured) -> None:
    stream = configured()
    escaped = json.dumps({"text": "token " + AWS_KEY.replace("A", "\\u0041", 1)}).replace("\\\\", "\\")
    assert AWS_KEY not in escaped  # as a client library would log a JSON body
    logging.getLogger("hybridbot.test").warning("body %s", escaped)
    out = stream.getvalue()
    assert "[redacted]" in out and AWS_KEY[1:] not in out


def test_client_libraries_stay_at_info_at_debug_unless_payloads_are_allowed() -> None:
    root = logging.getLogger()
    level = root.level
    try:
        handler = logs.configure("DEBUG", stream=io.StringIO())
        assert all(logging.getLogger(n).getEffectiveLevel() == logging.INFO for n in logs.PAYLOAD_LOGGERS)
        root.removeHandler(handler)
        handler = logs.configure("DEBUG", stream=io.StringIO(), log_payloads=True)
        assert logging.getLogger("slack_bolt").getEffectiveLevel() == logging.DEBUG
        root.removeHandler(handler)
    finally:
        root.setLevel(level)
        logs.uninstall_redaction()
        for name in logs.PAYLOAD_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)
