"""Files and images shared on Slack and Discord, through slack-bolt/slack-sdk and discord.py and the stand-ins,
which serve the files (Slack `url_private` with the bot token; Discord's CDN) and record every download."""

from __future__ import annotations

import base64

from tests.fakes.discord_server import running_bot, wait_for
from tests.fakes.documents import make_pdf
from tests.fakes.slack_server import BOT_TOKEN, BOT_USER, event_callback, wait_until
from tests.integration import test_slack_harness
from tests.integration.test_discord_commands import run as run_discord_command
from tests.integration.test_discord_conversations import final
from tests.integration.test_slack_harness import ALICE, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared

EMAIL = "jane.doe@acme-corp.io"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
VISION = {"context_length": 8192, "capabilities": ["completion", "vision"], "family": "llava"}


def last_prompt(fake_ollama) -> str:
    return str(fake_ollama.chat_requests()[-1]["messages"][-1]["content"])


async def slack_mention_with_files(bot: SlackBot, text: str, files: list[dict], *, thread_ts: str | None = None) -> str:
    """@bot with files: Slack sends app_mention and message (subtype file_share), both carrying `files`."""
    msg = bot._user_message("C0GENERAL", f"<@{BOT_USER}> {text}".strip(), ALICE, thread_ts)
    event = {"type": "app_mention", "user": ALICE, "text": msg.text, "ts": msg.ts, "channel": "C0GENERAL",
             "event_ts": msg.ts, "files": files}  # fmt: skip
    if thread_ts:
        event["thread_ts"] = thread_ts
    await bot.deliver(event_callback(event))
    message = {**event, "type": "message", "subtype": "file_share", "channel_type": "channel"}
    await bot.deliver(event_callback(message))
    return msg.ts


# --- Slack --------------------------------------------------------------------------------


async def test_slack_pdf_and_text_file_in_a_thread_are_downloaded_with_the_token_and_answered(
    slack_bot: SlackBot,
) -> None:
    slack_bot.engine.settings.routing.default_model = "local"
    fake, ollama = slack_bot.fake, slack_bot.fake_ollama
    root = await slack_bot.mention("hello")
    await slack_bot.answer("C0GENERAL", root)
    pdf = fake.share_file(
        "budget.pdf", make_pdf(["Budget 2027", "Travel is capped at 4,200 euros."]), "application/pdf"
    )
    txt = fake.share_file("todo.txt", b"1. book the venue\n2. order badges\n", "text/plain")
    await slack_mention_with_files(
        slack_bot, "What is the travel cap, and what is on the list?", [pdf, txt], thread_ts=root
    )
    answer = await slack_bot.answer("C0GENERAL", root, count=2)
    assert "🔒 local" in answer.footer
    prompt = last_prompt(ollama)
    assert "Travel is capped at 4,200 euros." in prompt and "order badges" in prompt
    for shared in (pdf, txt):
        downloads = fake.file_host.downloaded(shared["id"])
        assert len(downloads) == 1 and downloads[0].authorization == f"Bearer {BOT_TOKEN}"  # once, with the token
    assert not fake.ephemeral  # no "files are refused" notice any more


async def test_slack_download_failures_and_missing_scope_are_said_clearly(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "local"
    fake = slack_bot.fake
    gone = fake.share_file("gone.txt", b"deleted", "text/plain")
    fake.file_host.faults[gone["id"]] = "404"
    fake.scopes.discard("files:read")  # an app installed from an old manifest: Slack serves its login page
    locked = fake.share_file("locked.md", b"# secret plans", "text/markdown")
    ts = await slack_mention_with_files(slack_bot, "read these please", [gone, locked])
    answer = await slack_bot.answer("C0GENERAL", ts)
    shown = (
        answer.shown
        + "\n"
        + "\n".join(e["text"] for b in answer.blocks if b["type"] == "context" for e in b["elements"])
    )
    assert "gone.txt: not read — it could not be downloaded" in shown
    assert "locked.md: not read — I'm not allowed to download it" in shown and "files:read" in shown
    assert "secret plans" not in last_prompt(slack_bot.fake_ollama)


async def test_slack_sensitive_file_never_reaches_the_cloud(slack_bot: SlackBot) -> None:
    fake, openai = slack_bot.fake, slack_bot.fake_openai
    assert openai is not None
    complex_question = (
        "Compare these contacts with our CRM export step by step, analyse the trade-offs of merging them, "
        "then write a Python script that deduplicates both lists.\n```python\nimport csv\n```"
    )
    contacts = fake.share_file("contacts.csv", f"name,email\nJane,{EMAIL}\n".encode(), "text/csv")
    ts = await slack_mention_with_files(slack_bot, complex_question, [contacts])
    answer = await slack_bot.answer("C0GENERAL", ts)
    assert "🔒 local" in answer.footer
    assert not openai.saw_text(EMAIL) and openai.chat_requests() == []


async def test_slack_memory_commands_in_a_thread_and_as_slash_commands(slack_bot: SlackBot) -> None:
    slack_bot.engine.settings.routing.default_model = "local"
    reply = await slack_bot.command("remember", "I prefer metric units")
    assert "Remembered (#1)" in reply["text"]
    assert "1. I prefer metric units" in (await slack_bot.command("memory"))["text"]
    assert "in channels too" in (await slack_bot.command("memory", "channels on"))["text"]
    ts = await slack_bot.mention("How far is the moon?")
    await slack_bot.answer("C0GENERAL", ts)
    system = " ".join(str(m["content"]) for m in slack_bot.fake_ollama.chat_requests()[-1]["messages"])
    assert "I prefer metric units" in system
    await slack_bot.mention("/memory forget all", thread_ts=ts)  # a command in a thread, answered ephemerally
    await wait_until(lambda: any("I forgot 1 fact(s)" in e.get("text", "") for e in slack_bot.fake.ephemeral))


# --- Discord ------------------------------------------------------------------------------


async def test_discord_pdf_and_text_file_in_a_message_are_answered(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        rb.engine.settings.routing.default_model = "local"
        alice = fake.user("alice")
        pdf = fake.attachment(
            "minutes.pdf", make_pdf(["Minutes", "Decision: move the launch to May."]), "application/pdf"
        )
        txt = fake.attachment("owners.txt", b"launch owner: Sam\n", "text/plain")
        await fake.say(alice, "What was decided and who owns it?", mention_bot=True, attachments=[pdf, txt])
        answer = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        assert "🔒 local" in answer
        prompt = last_prompt(fake_ollama)
        assert "move the launch to May" in prompt and "launch owner: Sam" in prompt
        assert [len(fake.file_host.downloaded(a["id"])) for a in (pdf, txt)] == [1, 1]


async def test_discord_image_goes_to_a_local_vision_model_and_never_the_cloud(tmp_path, fake_ollama, fake_openai):
    fake_ollama.models["llava:7b"] = VISION
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        image = fake.attachment("chart.png", PNG, "image/png")
        await fake.say(alice, "", mention_bot=True, attachments=[image])  # an image alone is a question too
        answer = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        assert "🔒 local" in answer and "llava:7b" in answer
        sent = fake_ollama.chat_requests()[-1]["messages"][-1]
        assert sent["images"] == [base64.b64encode(PNG).decode()]
        assert fake_openai.chat_requests() == []


async def test_discord_image_without_a_local_vision_model_is_refused_clearly(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:  # gpt-4o reads images; it gets nothing
        fake = rb.fake
        alice = fake.user("alice")
        image = fake.attachment("chart.png", PNG, "image/png")
        await fake.say(alice, "what does this chart show?", mention_bot=True, attachments=[image])
        thread = await wait_for(lambda: fake.threads() and fake.threads()[0])
        said = await wait_for(
            lambda: next(
                (m["content"] for m in fake.bot_messages(thread["id"]) if "reads images" in m["content"]), None
            )
        )
        assert "nothing was sent to the cloud" in said
        assert fake_openai.chat_requests() == []


async def test_discord_memory_commands(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        from tests.integration.test_discord_commands import opt

        said = await run_discord_command(fake, alice, "remember", [opt("fact", "I work on the payments team")])
        assert "Remembered (#1)" in said
        listed = await run_discord_command(fake, alice, "memory", [opt("action", "list")])
        assert "1. I work on the payments team" in listed
        gone = await run_discord_command(fake, alice, "memory", [opt("action", "forget"), opt("value", "1")])
        assert "forgot fact #1" in gone
