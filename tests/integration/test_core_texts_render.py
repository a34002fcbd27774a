"""/help, /model, /usage and /why are written once, in Markdown, and read well on Slack, Discord and the console."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.console.render import BOLD, RESET, to_console
from adapters.discord.render import split_message
from adapters.slack.mrkdwn import to_mrkdwn
from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.helpers import RecordingSink, make_app

THREAD = SessionKey("slack", "T1", "C1", "100.1")
COMMANDS = ("help", "model", "usage", "why")
MARKDOWN_BOLD = re.compile(r"\*\*[^*\n]+\*\*")
SLACK_BOLD = re.compile(r"(?<![*\w])\*[^*\s][^*\n]*\*(?![*\w])")


@pytest.fixture
async def texts(tmp_path: Path, fake_ollama, fake_openai) -> dict[str, str]:
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    try:
        await app.engine.handle(Turn(THREAD, "U1", "u1", "what is 2+2?"), RecordingSink())
        ctx = CommandContext(THREAD, "U1", "u1")
        yield {name: (await run_command(app.engine, ctx, f"/{name}")).text for name in COMMANDS}
    finally:
        await app.engine.aclose()


async def test_the_core_writes_markdown_bold_and_lists(texts: dict[str, str]) -> None:
    for name in ("help", "model", "why"):
        assert MARKDOWN_BOLD.search(texts[name]), f"/{name} has no **bold**"
        assert not SLACK_BOLD.search(MARKDOWN_BOLD.sub("", texts[name])), f"/{name} still writes Slack *bold*"
    for name in ("help", "usage", "why"):
        assert re.search(r"^- ", texts[name], re.M), f"/{name} lists with '- '"


async def test_slack_gets_mrkdwn(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        shown = to_mrkdwn(text)
        assert "**" not in shown, f"/{name}: Slack would show ** literally"
        assert not re.search(r"^- ", shown, re.M), f"/{name}: lists become bullets"
    assert "Model: *auto*" in to_mrkdwn(texts["model"])
    assert re.search(r"came from 🔒 local \*ollama:[^*]+\* with agent \*general\*", to_mrkdwn(texts["why"]))
    assert "• /model" in to_mrkdwn(texts["help"])


async def test_discord_gets_markdown_as_written(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        (message,) = split_message(text)  # one message each
        assert message == text and not SLACK_BOLD.search(MARKDOWN_BOLD.sub("", message)), name
    assert "Model: **auto**" in texts["model"]


async def test_the_console_shows_plain_text_with_emphasis_only_on_a_terminal(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        plain = to_console(text, ansi=False)
        assert "**" not in plain and not SLACK_BOLD.search(plain), f"/{name}: markers printed raw"
        assert "\033[" not in plain, f"/{name}: no escape codes in a pipe"
        assert not re.search(r"^- ", plain, re.M), f"/{name}: lists become bullets"
    assert "Model: auto (the default)" in to_console(texts["model"], ansi=False)
    assert f"Model: {BOLD}auto{RESET}" in to_console(texts["model"], ansi=True)
    assert re.search(
        r"came from 🔒 local ollama:\S+ with agent general, because:", to_console(texts["why"], ansi=False)
    )
    assert "• /usage —" in to_console(texts["help"], ansi=False)
