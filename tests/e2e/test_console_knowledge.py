"""The console as users meet it: `hybridbot kb index`, then a question answered from the collection with its
citation, as subprocesses against the OpenAI and Ollama stand-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_console import hybridbot
from tests.knowledge_fixtures import HOLIDAYS, SALARY_SECRET, knowledge_toml, write_documents

pytestmark = pytest.mark.slow  # subprocesses


async def test_console_answer_cites_the_collection_and_keeps_local_only_passages_local(
    tmp_path: Path,
    fake_ollama,
    fake_openai,  # noqa: ANN001
) -> None:
    write_documents(tmp_path)
    config = tmp_path / "hybridbot.toml"
    config.write_text("[embedded]\nenabled = false\n" + knowledge_toml(tmp_path))
    env = {
        "HYBRIDBOT_CONFIG": str(config),
        "HYBRIDBOT_DATABASE": str(tmp_path / "bot.db"),
        "OLLAMA_HOST": fake_ollama.host,
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_API_KEY": "sk-test-stand-in",
    }
    code, out, err = await hybridbot("kb", "index", env=env, cwd=tmp_path)
    assert code == 0, err
    assert "handbook: 1 added" in out and "salaries: 1 added" in out and "hr: 1 added" in out
    question = b"How many days of holidays do we get?\n"
    code, out, err = await hybridbot("console", stdin=question, env=env, cwd=tmp_path)
    assert code == 0, err
    assert "📚 Source:" in out and "[1] Handbook — " in out and "handbook.md § Handbook, line 1" in out
    assert "☁ cloud" in out and "📚 1 source" in out
    assert fake_openai.saw_text(HOLIDAYS)
    code, out, err = await hybridbot(
        "console", "--channel", "pay", stdin=b"What is the salary band for staff engineers?\n", env=env, cwd=tmp_path
    )
    assert code == 0, err
    assert "🔒 local" in out and "salaries.md" in out
    assert not fake_openai.saw_text(SALARY_SECRET)
