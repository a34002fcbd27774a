"""/attach and memory commands on the console as users meet it: `hybridbot console` as a subprocess against the
stand-ins."""

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


async def test_console_attach_sends_a_file_with_the_next_message_and_keeps_a_sensitive_one_local(
    tmp_path, fake_ollama, fake_openai
) -> None:
    (tmp_path / "notes.md").write_text("# Notes\nThe release codename is BLUEFINCH.\n")
    (tmp_path / "people.csv").write_text("name,email\nJane,jane.doe@acme-corp.io\n")
    script = (
        "/attach notes.md missing.txt\n"
        "what is the codename?\n"
        "/attach people.csv\n"
        "Compare these contacts with our CRM step by step, analyse the trade-offs, then write a Python script.\n"
    )
    env = stand_in_env(tmp_path, fake_ollama, fake_openai)
    code, out, err = await hybridbot("console", stdin=script.encode(), env=env, cwd=tmp_path)
    assert code == 0, err
    assert "missing.txt: no such file." in out and "Attached for your next message: notes.md." in out
    assert "BLUEFINCH" in str(fake_ollama.chat_requests()[0]["messages"])
    assert not fake_openai.saw_text("jane.doe@acme-corp.io")  # the sensitive file kept its turn local
    assert "jane.doe@acme-corp.io" in str(fake_ollama.chat_requests()[-1]["messages"])
