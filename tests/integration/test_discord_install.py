"""What a real Discord install needs: the invite's scopes and exact permissions, and autocomplete answered in time."""

from __future__ import annotations

import asyncio
import base64
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest

from adapters.discord import interactions
from adapters.discord.invite import PERMISSIONS, application_id_from_token, invite_text, invite_url
from hybridbot_app.cli import main
from tests.fakes.discord_server import running_bot, wait_for

ADAPTER = Path(__file__).resolve().parents[2] / "adapters" / "discord"


def test_the_invite_asks_for_exactly_what_the_code_uses() -> None:
    code = "\n".join(p.read_text() for p in ADAPTER.glob("*.py"))
    granted = {name for name, on in PERMISSIONS if on}  # discord.py names View Channel "read_messages"
    assert granted == {"read_messages", "send_messages", "send_messages_in_threads", "create_public_threads",
                       "read_message_history"}  # fmt: skip
    assert PERMISSIONS.value == 309237713920
    assert ("add_reaction(" in code) == PERMISSIONS.add_reactions  # only if the bot adds reactions itself
    assert ("create_thread(" in code) <= PERMISSIONS.create_public_threads
    query = parse_qs(urlparse(invite_url("123")).query)
    assert query == {"client_id": ["123"], "scope": ["bot applications.commands"], "permissions": ["309237713920"]}
    assert discord.Permissions(int(query["permissions"][0])).view_channel


def test_manifest_discord_prints_the_commands_and_the_invite_url(capsys, monkeypatch) -> None:  # noqa: ANN001
    token = base64.b64encode(b"112233445566778899").decode().rstrip("=") + ".GxYz.secretpart"
    monkeypatch.setenv("DISCORD_TOKEN", token)
    assert main(["manifest", "discord"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("[") and "client_id=112233445566778899" in err and "permissions=309237713920" in err
    assert "secretpart" not in err and application_id_from_token("not-a-token") is None
    assert "YOUR_APPLICATION_ID" in invite_text("")


@pytest.mark.slow
async def test_autocomplete_answers_within_two_seconds_when_the_catalog_is_slow(
    tmp_path,
    fake_ollama,
    fake_openai,
    monkeypatch,  # noqa: ANN001
) -> None:
    assert interactions.AUTOCOMPLETE_BUDGET <= 2.0  # at least 1 s of Discord's 3 s left for the network
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake

        async def stuck(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            await asyncio.sleep(10)
            return []

        monkeypatch.setattr(rb.engine.catalog, "models", stuck)
        started = time.monotonic()
        option = {"name": "model", "type": 3, "value": "", "focused": True}
        iid = await fake.interact(fake.user("alice"), "model", [option], autocomplete=True)
        await wait_for(lambda: fake.interaction_replies.get(iid), within=5)
        elapsed = time.monotonic() - started
        body = fake.interaction_replies[iid][0][1]
        assert body["type"] == 8 and [c["value"] for c in body["data"]["choices"]] == ["auto", "local", "cloud"]
        assert elapsed < 2.9, f"answered after {elapsed:.2f} s"  # Discord gives up at 3 s
