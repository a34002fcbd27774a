"""The console as users meet it: `hybridbot` as a subprocess against the stand-ins and the embedded model."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import requires_embedded

pytestmark = pytest.mark.slow  # see pyproject's markers: `-m "not slow"` skips this module

AWS_KEY = "AKIA" + "QYLPMN5HFIQR7XYZ"


async def hybridbot(
    *args: str, stdin: bytes = b"", env: dict[str, str], cwd: Path, within: float = 90
) -> tuple[int, str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OLLAMA_", "HYBRIDBOT_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hybridbot_app.cli",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**base, "PYTHONPATH": str(Path(__file__).parents[2]), **env},
        cwd=cwd,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin), within)
    return proc.returncode, out.decode(), err.decode()


def stand_in_env(tmp_path: Path, ollama: FakeOllama | None, openai: FakeOpenAI | None) -> dict[str, str]:
    config = tmp_path / "hybridbot.toml"
    config.write_text("[embedded]\nenabled = false\n")
    env = {"HYBRIDBOT_CONFIG": str(config), "HYBRIDBOT_DATABASE": str(tmp_path / "bot.db")}
    env["OLLAMA_HOST"] = ollama.host if ollama else "http://127.0.0.1:9"
    if openai:
        env |= {"OPENAI_BASE_URL": openai.base_url, "OPENAI_API_KEY": "sk-test-stand-in"}
    return env


async def test_piped_hello_prints_answer_and_footer(tmp_path, fake_ollama, fake_openai) -> None:
    code, out, err = await hybridbot(
        "console", stdin=b"hello\n", env=stand_in_env(tmp_path, fake_ollama, fake_openai), cwd=tmp_path
    )
    assert code == 0, err
    assert "Local answer from llama3.2:3b" in out and "hello" in out
    assert "— 🔒 local · ollama:llama3.2:3b · general" in out


async def test_private_and_secret_turns_send_nothing_to_cloud(tmp_path, fake_ollama, fake_openai) -> None:
    env = stand_in_env(tmp_path, fake_ollama, fake_openai)
    complex_q = "Compare three sorting algorithms step by step, analyse the trade-offs and write code for each."
    code, out, _ = await hybridbot("console", "--private", stdin=f"{complex_q}\n".encode(), env=env, cwd=tmp_path)
    assert code == 0 and "🔒 local" in out
    code, out, _ = await hybridbot(
        "console",
        "--channel",
        "ops",
        stdin=f"{complex_q} My key is {AWS_KEY}\n/why\n".encode(),
        env=env,
        cwd=tmp_path,
    )
    assert code == 0 and "🔒 local" in out and "secret" in out
    why = out.split("The last answer came from")[-1]
    assert "AWS access key" in why and AWS_KEY not in why  # /why names the kind, never the value
    assert fake_openai.requests == [] or all("/chat/" not in r.path for r in fake_openai.requests)
    assert not fake_openai.saw_text(AWS_KEY)


async def test_commands_and_memory_in_one_session(tmp_path, fake_ollama, fake_openai) -> None:
    script = "/model\n/agent code\nMy name is Zed.\nWhat is my name?\n/why\n/usage\n/reset\n/bogus\n/help\n"
    code, out, _ = await hybridbot(
        "console", stdin=script.encode(), env=stand_in_env(tmp_path, fake_ollama, fake_openai), cwd=tmp_path
    )
    assert code == 0
    assert "🔒 ollama:llama3.2:3b" in out and "☁ openai:gpt-4o-mini" in out
    assert (
        "Agent set to code for" in out and "*" not in out.split("Agent set to")[1].split("\n")[0] and "· code ·" in out
    )
    assert "The last answer came from 🔒 local" in out
    assert "I forgot 4 message(s)" in out
    assert "Unknown command /bogus" in out and "/privacy" in out
    chat = [r.json for r in fake_ollama.requests if r.path == "/api/chat"]
    assert "Zed" in str(chat[-1]["messages"])


async def test_invalid_utf8_on_stdin_does_not_crash(tmp_path, fake_ollama) -> None:
    code, out, err = await hybridbot(
        "console", stdin=b"caf\xe9 \xff\xfe ok\n", env=stand_in_env(tmp_path, fake_ollama, None), cwd=tmp_path
    )
    assert code == 0, err
    assert "ok" in out and "🔒 local" in out


async def test_local_model_down_private_gets_clear_message(tmp_path, fake_openai) -> None:
    code, out, _ = await hybridbot(
        "console", "--private", stdin=b"hello\n", env=stand_in_env(tmp_path, None, fake_openai), cwd=tmp_path
    )
    assert code == 0
    assert "nothing was sent to the cloud" in out
    assert all("/chat/" not in r.path for r in fake_openai.requests)


async def test_malformed_config_exits_2_naming_the_key(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[routing]\ncomplexity_treshold = 0.5\n")
    code, _, err = await hybridbot("--config", str(bad), "console", env={}, cwd=tmp_path)
    assert code == 2
    assert "routing.complexity_treshold" in err and "complexity_threshold" in err


async def test_models_config_and_doctor(tmp_path, fake_ollama, fake_openai) -> None:
    env = stand_in_env(tmp_path, fake_ollama, fake_openai)
    code, out, _ = await hybridbot("models", env=env, cwd=tmp_path)
    assert code == 0 and "ollama:qwen2.5:7b" in out and "8192" in out and "openai:gpt-4o" in out
    code, out, _ = await hybridbot("config", env=env, cwd=tmp_path)
    assert code == 0 and "sk-test-stand-in" not in out and "set (redacted)" in out
    code, out, _ = await hybridbot("doctor", env=env, cwd=tmp_path)
    assert code == 0 and "ollama (local): reachable" in out
    await fake_ollama.stop()
    code, out, _ = await hybridbot("doctor", env=env, cwd=tmp_path)
    assert code == 1 and "✖ ollama" in out and "OLLAMA_HOST" in out


async def test_run_without_platform_tokens_says_what_to_set(tmp_path) -> None:
    code, out, err = await hybridbot("run", env={"HYBRIDBOT_DATABASE": str(tmp_path / "b.db")}, cwd=tmp_path)
    assert code == 2
    assert "slack: not configured" in err and "discord: not configured" in err and "hybridbot console" in err
    code, out, err = await hybridbot("run", env={"SLACK_BOT_TOKEN": "xoxb-1"}, cwd=tmp_path)
    assert code == 2 and "neither SLACK_APP_TOKEN" in err


async def test_help_is_light(tmp_path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; sys.argv=['hybridbot','--help']\nimport hybridbot_app.cli\ntry: hybridbot_app.cli.main()\nexcept SystemExit: pass\n"
        "heavy=[m for m in ('openai','ollama','slack_bolt','discord','llama_cpp','sqlite_utils','pydantic')"
        " if m in sys.modules]\nprint('HEAVY', heavy)",
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parents[2],
    )
    out_b, _ = await proc.communicate()
    assert "HEAVY []" in out_b.decode()


@pytest.mark.embedded
@requires_embedded()
async def test_console_answered_by_embedded_smollm2(tmp_path) -> None:
    """The quick start: no Ollama, no cloud — the embedded SmolLM2 answers, and memory works."""
    env = {"HYBRIDBOT_DATABASE": str(tmp_path / "bot.db"), "OLLAMA_HOST": "http://127.0.0.1:9"}
    code, out, err = await hybridbot(
        "console", stdin=b"Say hello in one short sentence.\nThank you!\n/why\n", env=env, cwd=tmp_path, within=180
    )
    assert code == 0, err
    footers = [line for line in out.splitlines() if line.startswith("— 🔒 local · embedded:")]
    assert len(footers) == 2, out
    answers = out.split("— 🔒 local")[0].strip()
    assert len(answers) > 2
    assert "The last answer came from 🔒 local embedded:" in out
