"""One permission check for every write to a channel- or workspace-wide setting (issue 9, item 6).

The matrix command × scope × role, through the real Slack (slash commands, Socket Mode) and Discord
(interactions) clients and the console; the store says whether the write happened.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.session import SessionKey
from tests.e2e.test_console import hybridbot, stand_in_env
from tests.fakes.discord_server import MANAGE_GUILD, running_bot, wait_for
from tests.fakes.slack_server import TEAM, FakeSlack
from tests.integration.test_slack_harness import ALICE, BOB, start_bot

# (command as typed, setting written, value expected once it is written; None: a clear)
WRITES = [
    ("/model local {scope}", "model", "local"),
    ("/model clear {scope}", "model", None),
    ("/agent code {scope}", "agent", "code"),
    ("/agent clear {scope}", "agent", None),
    ("/privacy redact", "privacy", "redact"),
]
SCOPES = ("me", "channel", "workspace")
SEEDED = "seeded"  # what a clear should remove (or, refused, leave)


def cases() -> list[tuple[str, str, str, str | None]]:
    """(command text, layer, setting, value) for every command × scope."""
    rows = []
    for text, name, value in WRITES:
        for scope in SCOPES if "{scope}" in text else ("channel",):
            rows.append((text.format(scope=scope), "user" if scope == "me" else scope, name, value))
    return rows


def allowed(layer: str, admin: bool) -> bool:
    return admin or layer == "user"


def check(store, key: SessionKey, user: str, layer: str, name: str, value: str | None, admin: bool) -> str:
    """'' when the store shows the expected outcome, else what went wrong."""
    scope = key.scope(layer, user)
    found = store.settings_for([scope], name).get(scope)
    refused = SEEDED if value is None else None  # refused: a clear leaves the seed, a set writes nothing
    want = value if allowed(layer, admin) else refused  # allowed: the value (None: cleared)
    return "" if found == want else f"{layer} {name}: found {found!r}, wanted {want!r} (admin={admin})"


def seed(store, key: SessionKey, user: str, layer: str, name: str, value: str | None) -> None:
    scope = key.scope(layer, user)
    store.delete_setting(scope, name)
    if value is None:
        store.set_setting(scope, name, SEEDED)


async def test_permission_matrix_on_slack(tmp_path: Path, fake_ollama, fake_openai) -> None:
    async with FakeSlack() as fake:
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="socket")
        fake.add_user(ALICE, "alice", admin=True)
        fake.add_user(BOB, "bob", admin=False)
        store, key = bot.engine.store, SessionKey("slack", TEAM, "C0GENERAL", None)
        problems = []
        try:
            for user, admin in ((ALICE, True), (BOB, False)):
                for text, layer, name, value in cases():
                    seed(store, key, user, layer, name, value)
                    answer = await bot.command(text.split()[0][1:], " ".join(text.split()[1:]), user=user)
                    problems.append(check(store, key, user, layer, name, value, admin))
                    if not allowed(layer, admin):
                        assert "Only admins" in answer["text"], (text, answer["text"])
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()
    assert [p for p in problems if p] == []
    assert bot.engine.settings.slack.admin_only_channel_changes  # the default, as on Discord


async def test_permission_matrix_on_discord(tmp_path: Path, fake_ollama, fake_openai) -> None:
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake, store = rb.fake, rb.engine.store
        key = SessionKey("discord", fake.guild_id, fake.channel["id"], None)
        problems = []
        for admin in (True, False):
            user = fake.user("admin" if admin else "member")
            for text, layer, name, value in cases():
                seed(store, key, user["id"], layer, name, value)
                words = text.split()
                option = {"model": "model", "agent": "name", "privacy": "level"}[words[0][1:]]
                options = [{"name": option, "type": 3, "value": words[1]}]
                if len(words) > 2:
                    options.append({"name": "scope", "type": 3, "value": words[2]})
                permissions = {"permissions": MANAGE_GUILD} if admin else {}
                iid = await fake.interact(user, words[0][1:], options, **permissions)
                await wait_for(lambda i=iid: fake.reply_text(i))
                problems.append(check(store, key, user["id"], layer, name, value, admin))
                if not allowed(layer, admin):
                    assert "only admins" in fake.reply_text(iid).lower(), (text, fake.reply_text(iid))
    assert [p for p in problems if p] == []


@pytest.mark.slow
async def test_console_user_is_the_operator(tmp_path: Path, fake_ollama, fake_openai) -> None:
    from bot.store import Store

    lines = "\n".join(text for text, *_ in cases() if "clear" not in text) + "\n"
    code, out, err = await hybridbot(
        "console", stdin=lines.encode(), env=stand_in_env(tmp_path, fake_ollama, fake_openai), cwd=tmp_path
    )
    assert code == 0, err
    assert "Only admins" not in out
    store = Store(tmp_path / "bot.db")
    key = SessionKey("console", "local", "console")
    try:
        for _text, layer, name, value in cases():
            if value is not None:
                assert check(store, key, "you", layer, name, value, admin=True) == ""
    finally:
        store.close()
