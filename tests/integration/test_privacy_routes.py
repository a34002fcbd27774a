"""Explained routes, the redact level and the priced budget, through the real engine and stand-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import CommandContext, run_command
from bot.config import ConfigError, load_settings
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("console", "local", "general")
EMAIL = "jane.doe@acme-corp.io"
AWS_KEY = "AKIA" + "ZQ4RT7WX2LPN8KJD"  # format-valid, not a real key
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```\n"
)


def turn(text: str, *, key: SessionKey = KEY, private: bool = False) -> Turn:
    return Turn(key, "U1", "ann", text, private=private)


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app
    await app.engine.aclose()


async def why(app, key: SessionKey = KEY, *, private: bool = False) -> str:
    return (await run_command(app.engine, CommandContext(key, "U1", private=private), "/why")).text


async def test_why_and_footer_explain_a_sensitive_local_route(app, fake_openai) -> None:
    result = await app.engine.handle(turn(f"{COMPLEX}mail the report to {EMAIL}"), RecordingSink())
    assert result.route.locality == "local"
    assert result.route.footer.startswith("🔒 local · ollama:") and result.route.footer.endswith("sensitive content")
    text = await why(app)
    assert "🔒 local" in text and "the message carries sensitive content" in text
    assert "Detected in the message (not shown): e-mail address." in text
    assert EMAIL not in text and fake_openai.chat_requests() == []
    # The next turn is explained by the sticky rule, in words.
    await app.engine.handle(turn(COMPLEX), RecordingSink())
    assert "carried sensitive content earlier, so it stays local" in await why(app)


async def test_why_explains_dm_secret_and_pin_override(app) -> None:
    dm = SessionKey("console", "local", "D1")
    await app.engine.handle(turn("hello", key=dm, private=True), RecordingSink())
    assert "this conversation is private" in await why(app, dm, private=True)
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    result = await app.engine.handle(turn(f"why is {AWS_KEY} rejected?"), RecordingSink())
    assert "secret detected" in result.route.footer and "pin overridden by privacy" in result.route.footer
    text = await why(app)
    assert "the message carries a secret" in text and "privacy requires local" in text
    assert "AWS access key" in text and AWS_KEY not in text


async def test_why_explains_a_refusal(app, fake_ollama) -> None:
    fake_ollama.fail_all("status", status=503)
    result = await app.engine.handle(turn(f"my email is {EMAIL}"), RecordingSink())
    assert result.status in ("refused", "error")
    text = await why(app)
    assert "was not answered" in text and "sensitive content" in text and EMAIL not in text


async def test_privacy_command_offers_and_sets_redact(app) -> None:
    ctx = CommandContext(KEY, "U1")
    shown = await run_command(app.engine, ctx, "/privacy")
    assert "redact" in [c.value for c in shown.choices] and "local-only|standard|redact|cloud-ok" in shown.text
    result = await run_command(app.engine, ctx, "/privacy redact")
    assert result.ok and "placeholders such as \u27e8EMAIL_1\u27e9" in result.text
    assert "**redact**" in (await run_command(app.engine, ctx, "/privacy")).text
    dm = CommandContext(SessionKey("console", "local", "D2"), "U1", private=True)
    assert not (await run_command(app.engine, dm, "/privacy redact")).ok
    assert "Use local-only, standard, redact, cloud-ok" in (await run_command(app.engine, ctx, "/privacy nope")).text


async def test_redact_route_is_explained_and_only_placeholders_reach_the_cloud(app, fake_openai) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/privacy redact")
    result = await app.engine.handle(turn(f"{COMPLEX}Send the result to {EMAIL}, key {AWS_KEY}."), RecordingSink())
    assert result.route.locality == "cloud" and result.route.footer.endswith("sensitive parts redacted")
    sent = fake_openai.chat_requests()[-1]["messages"][-1]["content"]
    assert sent.endswith("Send the result to \u27e8EMAIL_1\u27e9, key \u27e8AWS_ACCESS_KEY_1\u27e9.")
    assert not fake_openai.saw_text(EMAIL) and not fake_openai.saw_text(AWS_KEY)
    text = await why(app)
    assert "the cloud model got placeholders" in text and "AWS access key, e-mail address" in text
    conv = app.engine.store.conversation(KEY)
    assert not conv.sticky_private  # redacted turns do not lock the conversation to local models
    stored = [m.content for m in app.engine.store.newest_messages(conv.id) if m.role == "user"]
    assert EMAIL in stored[0] and AWS_KEY in stored[0]  # the local record keeps the original


async def test_redact_then_standard_never_releases_the_stored_original(app, fake_openai) -> None:
    ctx = CommandContext(KEY, "U1")
    await run_command(app.engine, ctx, "/privacy redact")
    await app.engine.handle(turn(f"{COMPLEX}cc {EMAIL}"), RecordingSink())
    await run_command(app.engine, ctx, "/privacy standard")
    result = await app.engine.handle(turn(COMPLEX + " Shorter please."), RecordingSink())
    assert result.route.locality == "cloud"
    messages = fake_openai.chat_requests()[-1]["messages"]
    assert "Shorter please" in str(messages) and not fake_openai.saw_text(EMAIL)
    assert not any(m["role"] == "user" and "cc \u27e8" in m["content"] for m in messages)  # not released redacted


def _priced(tmp_path: Path, ollama: FakeOllama, openai: FakeOpenAI, budget: str):
    toml = f'[routing]\nmonthly_cloud_budget = {budget}\ncurrency = "EUR"\n[routing.prices]\n"*" = {{ input = 1.0, output = 2.0 }}\n'
    return make_app(tmp_path, ollama_host=ollama.host, openai_url=openai.base_url, toml=toml)


async def test_money_budget_sends_turns_local_with_one_time_notice(tmp_path, fake_ollama, fake_openai) -> None:
    app = _priced(tmp_path, fake_ollama, fake_openai, "0.01")
    try:
        first = await app.engine.handle(turn(COMPLEX), RecordingSink())
        assert first.route.locality == "cloud" and first.prompt_tokens > 0  # priced at 1.0/1k: > 0.01 EUR
        second = await app.engine.handle(turn(COMPLEX + " again"), RecordingSink())
        assert second.route.locality == "local" and "budget-exhausted" in second.route.reasons
        assert any("monthly cloud budget is spent" in n for n in second.notices)
        assert "budget spent" in second.route.footer
        third = await app.engine.handle(turn(COMPLEX + " and again"), RecordingSink())
        assert third.route.locality == "local" and not any("budget" in n for n in third.notices)  # one-time
        usage = (await run_command(app.engine, CommandContext(KEY, "U1"), "/usage")).text
        assert "EUR (spent)" in usage and "of 0.01 EUR" in usage
        assert "the monthly cloud budget is spent" in await why(app)
    finally:
        await app.engine.aclose()


async def test_money_budget_not_reached_keeps_the_cloud(tmp_path, fake_ollama, fake_openai) -> None:
    app = _priced(tmp_path, fake_ollama, fake_openai, "1000")
    try:
        for _ in range(2):
            result = await app.engine.handle(turn(COMPLEX), RecordingSink())
            assert result.route.locality == "cloud"
        assert "(available)" in (await run_command(app.engine, CommandContext(KEY, "U1"), "/usage")).text
    finally:
        await app.engine.aclose()


def test_money_budget_without_prices_fails_at_start_up(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[routing]\nmonthly_cloud_budget = 5\n")
    with pytest.raises(ConfigError, match=r"routing.*\[routing.prices\]"):
        load_settings(config, env={})
    config.write_text('[routing.prices]\n"openai:gpt-4o" = { input = 0.0025 }\n')
    with pytest.raises(ConfigError, match="output"):
        load_settings(config, env={})
