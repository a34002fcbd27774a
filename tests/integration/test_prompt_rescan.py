"""The cloud prompt's last rescan is memoised by exact text; an old message changed in the store is a new
text and is scanned again, so its secret never reaches the cloud (OpenAI stand-in, real `openai` client)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```\n"
)
FIRST = "Our release checklist: tag, build, deploy with the token in the vault."


async def test_an_old_message_changed_in_the_store_is_rescanned(
    tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    key = SessionKey("console", "T1", "general", None)
    try:
        for text in (FIRST, COMPLEX):
            await app.engine.handle(Turn(key, "U1", "ann", text), RecordingSink())
        assert fake_openai.saw_text(FIRST)  # the control: old history goes to the cloud, and was scanned
        # An old message now holds a secret, its marks unchanged (no path re-classified it): only the
        # rescan stands between it and the cloud, and its memo has the old text's "no secret".
        app.engine.store.conn.execute(
            "UPDATE messages SET content=? WHERE content=?", (FIRST.replace("the token", TOKEN), FIRST)
        )
        before = len(fake_openai.chat_requests())
        caplog.set_level(logging.ERROR, logger="hybridbot")
        result = await app.engine.handle(Turn(key, "U1", "ann", COMPLEX + " Again, briefly."), RecordingSink())
        assert result.status == "done" and result.route.locality == "local", result
        assert len(fake_openai.chat_requests()) == before
        assert "privacy guard stopped a cloud prompt" in caplog.text  # the route chose the cloud; the rescan stopped it
        assert not fake_openai.saw_text(TOKEN) and not fake_openai.saw_text(TOKEN[-12:])
    finally:
        await app.engine.aclose()
