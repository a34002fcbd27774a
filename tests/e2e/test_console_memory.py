"""Memory commands on the console as users meet it: `hybridbot console` as a subprocess against the stand-ins."""

from __future__ import annotations

import pytest

from tests.e2e.test_console import hybridbot, stand_in_env

pytestmark = pytest.mark.slow  # a subprocess: see pyproject's markers


async def test_console_remember_list_use_and_forget(tmp_path, fake_ollama, fake_openai) -> None:
    script = (
        "/remember I prefer metric units\n"
        "/memory\n"
        "/memory channels on\n"
        "how far is the moon?\n"
        "/memory forget all\n"
        "/memory\n"
    )
    env = stand_in_env(tmp_path, fake_ollama, fake_openai)
    code, out, err = await hybridbot("console", stdin=script.encode(), env=env, cwd=tmp_path)
    assert code == 0, err
    assert "Remembered (#1)." in out and "1. I prefer metric units" in out
    assert "I forgot 1 fact(s)" in out and "I don't remember anything about you yet" in out
    prompts = [m["content"] for r in fake_ollama.chat_requests() for m in r["messages"] if m["role"] == "system"]
    assert any("I prefer metric units" in p for p in prompts)
    assert not fake_openai.saw_text("metric units")  # the short question stayed local; the fact went nowhere else
