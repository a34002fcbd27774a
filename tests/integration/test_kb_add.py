"""`/kb add <collection>` with a file: admins add a document to a knowledge collection from chat — on Slack (a
file shared with the mention), Discord (the command's attachment option), the console (/attach, then /kb add)
and through the engine; refusals for non-admins, unknown collections, unsupported, oversized and secret files."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console.app import Console
from bot.attachments import Attachment
from bot.commands import CommandContext, run_command
from bot.session import SessionKey
from tests.fakes.discord_server import ALL_PERMISSIONS, running_bot, wait_for
from tests.fakes.documents import make_pdf
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import BOT_USER, FakeSlack, event_callback, wait_until
from tests.helpers import make_app
from tests.integration.test_slack_harness import ALICE, BOB, SlackBot, start_bot

KEY = SessionKey("slack", "T1", "C1")
HANDBOOK = b"# Holidays\n\nEveryone gets 30 days of paid leave; carry-over ends in March.\n"


def collections(folder: Path) -> str:
    return (
        "[knowledge]\nmax_file_bytes = 5000\n"
        f'[[knowledge.collections]]\nname = "handbook"\npaths = ["{folder}"]\nprivacy = "standard"\n'
        f'[[knowledge.collections]]\nname = "public-faq"\npaths = ["{folder}-faq"]\nprivacy = "cloud-ok"\n'
        f'[[knowledge.collections]]\nname = "globbed"\npaths = ["{folder}/*.md"]\n'
    )


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url,
                   toml=collections(tmp_path / "kb"))  # fmt: skip
    yield app
    await app.engine.aclose()


def saved_files(root: Path) -> list[Path]:
    return [p for p in root.glob("kb*/**/*") if p.is_file()]


async def kb(app, text: str, *files: Attachment, admin: bool = True) -> tuple[bool, str]:  # noqa: ANN001
    ctx = CommandContext(KEY, "U1", "ann", is_admin=admin, attachments=files)
    result = await run_command(app.engine, ctx, text)
    return result.ok, result.text


async def test_an_admin_adds_a_file_and_it_is_searchable_at_once(app, tmp_path: Path) -> None:
    ok, text = await kb(app, "/kb add handbook", Attachment("holidays.md", "text/markdown", data=HANDBOOK))
    assert ok and "Added **holidays.md** to **handbook** (standard)" in text
    assert (tmp_path / "kb" / "holidays.md").read_bytes() == HANDBOOK
    knowledge = app.engine.knowledge
    found = knowledge.collections_for(["handbook"], "general", "C1")
    hits = await knowledge.search("paid leave carry-over", found, private=False)
    assert hits and "30 days of paid leave" in hits[0].text
    ok, text = await kb(app, "/kb add handbook", Attachment("holidays.md", data=HANDBOOK))
    assert ok and "already in **handbook**" in text
    ok, text = await kb(app, "/kb add handbook", Attachment("holidays.md", data=HANDBOOK + b"\nUpdated.\n"))
    assert ok and "holidays (2).md" in text and (tmp_path / "kb" / "holidays (2).md").exists()
    pdf = make_pdf(["Expenses are filed within 30 days."], title="Expenses")
    ok, text = await kb(app, "/kb add handbook", Attachment("../../etc/expenses.pdf", "application/pdf", data=pdf))
    assert ok and (tmp_path / "kb" / "expenses.pdf").exists()  # no folders from the name
    listed = (await kb(app, "/kb"))[1]
    assert "**handbook** (standard)" in listed and "**public-faq** (cloud-ok)" in listed


@pytest.mark.parametrize(
    ("command", "files", "admin", "says"),
    [
        ("/kb add handbook", [Attachment("a.md", data=b"# A\n")], False, "Only admins can add files"),
        ("/kb add handbok", [Attachment("a.md", data=b"# A\n")], True, "Did you mean **handbook**?"),
        ("/kb add handbook", [], True, "Attach the file to the message"),
        (
            "/kb add handbook",
            [Attachment("a.md", data=b"1"), Attachment("b.md", data=b"2")],
            True,
            "One file at a time",
        ),
        ("/kb add handbook", [Attachment("sheet.xlsx", data=b"PK\x03\x04 xl/")], True, "export the sheet as CSV"),
        ("/kb add handbook", [Attachment("big.md", size=9000, data=b"x" * 9000)], True, "a collection takes files up"),
        ("/kb add handbook", [Attachment("bin.md", data=b"\x00\x01\x02" * 50)], True, "I can't add bin.md"),
        ("/kb add globbed", [Attachment("a.md", data=b"# A\n")], True, "has no folder to save files in"),
        ("/kb remove handbook", [], True, "Use `/kb` to list"),
        (
            "/kb add handbook",
            [Attachment("env.md", data=b"deploy key ghp_R8mK2vXq9LzT4nB7wY3cF6hJ1dS5aP0eQuGi\n")],
            True,
            "carries a secret (GitHub token)",
        ),
        (
            "/kb add public-faq",
            [Attachment("team.md", data=b"Contact jane.doe@acme-corp.io for access.\n")],
            True,
            "carries personal data",
        ),
    ],
)
async def test_refusals_say_why_and_store_nothing(app, tmp_path: Path, command, files, admin, says) -> None:
    ok, text = await kb(app, command, *files, admin=admin)
    assert not ok and says in text
    assert saved_files(tmp_path) == [] and app.engine.knowledge.index.documents("handbook") == {}


async def test_console_attach_then_kb_add(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> None:
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url,
                   toml=collections(tmp_path / "kb"))  # fmt: skip
    source = tmp_path / "onboarding.md"
    source.write_bytes(b"# Onboarding\n\nLaptops are handed out on the first day.\n")
    read, write = os.pipe()
    stdin = os.fdopen(read, encoding="utf-8")
    out = io.StringIO()
    try:
        console = Console(app.engine, stdin=stdin, stdout=out)
        os.write(write, f"/attach {source}\n/kb add handbook\n/kb add handbook\n".encode())
        os.close(write)
        assert await console.run() == 0
        shown = out.getvalue()
        assert "Added onboarding.md to handbook" in shown.replace("*", "")
        assert "Attach the file to the message" in shown  # the file went with the first /kb add only
        assert (tmp_path / "kb" / "onboarding.md").exists()
    finally:
        stdin.close()
        await app.engine.aclose()


# --- Slack and Discord ---------------------------------------------------------------------------


@pytest.fixture
async def slack_admin_bot(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI) -> AsyncIterator[SlackBot]:
    async with FakeSlack() as fake:
        toml = f'[slack]\nadmin_user_ids = ["{ALICE}"]\n' + collections(tmp_path / "kb")
        bot = await start_bot(tmp_path, fake, fake_ollama, fake_openai, mode="socket", toml=toml)
        try:
            yield bot
        finally:
            await bot.adapter.stop()
            await bot.engine.aclose()


async def mention_with_file(bot: SlackBot, text: str, file: dict, user: str) -> None:
    msg = bot._user_message("C0GENERAL", f"<@{BOT_USER}> {text}", user, None)
    event = {"type": "app_mention", "user": user, "text": msg.text, "ts": msg.ts, "channel": "C0GENERAL",
             "event_ts": msg.ts, "files": [file]}  # fmt: skip
    await bot.deliver(event_callback(event))


async def test_slack_admin_adds_a_shared_file_and_others_are_refused(slack_admin_bot: SlackBot, tmp_path) -> None:
    fake = slack_admin_bot.fake
    shared = fake.share_file("holidays.md", HANDBOOK, "text/markdown")
    await mention_with_file(slack_admin_bot, "/kb add handbook", shared, BOB)
    refused = await wait_until(lambda: next((e for e in fake.ephemeral if e.get("user") == BOB), None))
    assert "Only admins" in refused["text"] and not (tmp_path / "kb").exists()
    await mention_with_file(slack_admin_bot, "/kb add handbook", shared, ALICE)
    added = await wait_until(lambda: next((e for e in fake.ephemeral if e.get("user") == ALICE), None))
    assert "Added *holidays.md* to *handbook*" in added["text"]
    assert (tmp_path / "kb" / "holidays.md").read_bytes() == HANDBOOK
    downloads = fake.file_host.downloaded(shared["id"])
    assert len(downloads) == 1 and downloads[0].authorization == "Bearer xoxb-test-token"


async def test_discord_admin_adds_the_commands_attachment(tmp_path: Path, fake_ollama, fake_openai) -> None:
    async with running_bot(tmp_path, fake_ollama, fake_openai, extra_toml=collections(tmp_path / "kb")) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        attachment = fake.attachment("holidays.md", HANDBOOK, "text/markdown")
        options = [
            {"name": "action", "type": 3, "value": "add"},
            {"name": "collection", "type": 3, "value": "handbook"},
            {"name": "file", "type": 11, "value": attachment["id"]},
        ]
        resolved = {"attachments": {attachment["id"]: attachment}}
        member = await fake.interact(alice, "kb", options, resolved=resolved)
        assert "Only admins" in await wait_for(lambda: fake.reply_text(member))
        admin = await fake.interact(alice, "kb", options, resolved=resolved, permissions=ALL_PERMISSIONS)
        added = await wait_for(lambda: fake.reply_text(admin))
        assert "Added **holidays.md** to **handbook**" in added
        assert (tmp_path / "kb" / "holidays.md").read_bytes() == HANDBOOK
