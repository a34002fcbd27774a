"""Application commands on real discord.py: /model /agent /reset /privacy /why /usage /help, autocomplete."""

from __future__ import annotations

import adapters.discord.interactions as interactions
from tests.fakes.discord_server import MANAGE_GUILD, running_bot, wait_for
from tests.integration.test_discord_conversations import final, prompt_text


def opt(name: str, value, *, kind: int = 3, focused: bool = False) -> dict:
    option = {"name": name, "type": kind, "value": value}
    if focused:
        option["focused"] = True
    return option


async def run(fake, user, name, options=None, **kwargs) -> str:
    """Run a slash command; return the bot's (first, ephemeral) answer text."""
    iid = await fake.interact(user, name, options, **kwargs)
    await wait_for(lambda: fake.reply_text(iid))
    callback = fake.interaction_replies[iid][0][1]
    if callback["type"] == 4:
        assert callback["data"]["flags"] & 64, "command answers are ephemeral"
    return fake.reply_text(iid)


async def choices(fake, user, name, option, typed, **kwargs) -> list[dict]:
    iid = await fake.interact(user, name, [opt(option, typed, focused=True)], autocomplete=True, **kwargs)
    await wait_for(lambda: fake.interaction_replies.get(iid))
    kind, body = fake.interaction_replies[iid][0]
    assert body["type"] == 8, "autocomplete is answered with APPLICATION_COMMAND_AUTOCOMPLETE_RESULT"
    return body["data"]["choices"]


async def test_commands_are_synced_at_start_as_in_the_manifest(tmp_path, fake_ollama, fake_openai):
    from adapters.discord.commands import command_payloads

    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        synced = rb.fake.calls_to("PUT", rf"/applications/{rb.fake.app_id}/commands")
        assert len(synced) == 1
        names = sorted(c["name"] for c in synced[0].json)
        assert names == sorted(
            [
                "agent",
                "forget",
                "help",
                "kb",
                "memory",
                "model",
                "privacy",
                "remember",
                "reset",
                "summarize",
                "tasks",
                "tools",
                "usage",
                "why",
            ]
        )
        assert sorted(synced[0].json, key=lambda c: c["name"]) == sorted(command_payloads(), key=lambda c: c["name"])


async def test_model_autocomplete_and_switch(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        listed = await choices(fake, alice, "model", "model", "")
        assert listed[0] == {"name": "auto (current)", "value": "auto"}, "the current setting comes first"
        names = [c["name"] for c in listed]
        assert "🔒 ollama:llama3.2:3b" in names and "☁ openai:gpt-4o-mini" in names
        typed = await choices(fake, alice, "model", "model", "gpt")
        assert sorted(c["value"] for c in typed) == ["openai:gpt-4o", "openai:gpt-4o-mini"]
        answer = await run(fake, alice, "model", [opt("model", "openai:gpt-4o-mini"), opt("scope", "channel")])
        assert "only admins" in answer.lower(), "channel-wide changes need Manage Server"
        answer = await run(fake, alice, "model", [opt("model", "openai:gpt-4o-mini"), opt("scope", "me")])
        assert "Model set to **openai:gpt-4o-mini** for you." in answer
        listed = await choices(fake, alice, "model", "model", "")
        assert listed[0] == {"name": "☁ openai:gpt-4o-mini (current)", "value": "openai:gpt-4o-mini"}
        await fake.say(alice, "hello", mention_bot=True)
        answer = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        assert "☁ cloud · openai:gpt-4o-mini" in answer
        admin = fake.user("admin")
        iid = await fake.interact(
            admin, "model", [opt("model", "local"), opt("scope", "channel")], permissions=str(MANAGE_GUILD)
        )
        await wait_for(lambda: len(fake.interaction_replies.get(iid, [])) == 2)
        announce = fake.interaction_replies[iid][1][1]
        assert announce["content"] == "Admin set the channel model to local." and not announce.get("flags")


async def test_model_in_a_dm_refuses_the_cloud(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        dm = fake.dm_channel(alice)
        answer = await run(fake, alice, "model", [opt("model", "cloud")], channel=dm)
        assert "private" in answer and "can't be set" in answer
        offered = [c["value"] for c in await choices(fake, alice, "model", "model", "", channel=dm)]
        assert "cloud" not in offered and not any(v.startswith("openai:") for v in offered)
        assert "ollama:llama3.2:3b" in offered
        answer = await run(fake, alice, "model", [opt("model", "local"), opt("scope", "workspace")], channel=dm)
        assert "need a server" in answer
        answer = await run(fake, alice, "privacy", [opt("level", "cloud-ok")], channel=dm)
        assert "always local-only" in answer


async def test_agent_reset_why_usage_help(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        offered = await choices(fake, alice, "agent", "name", "co")
        assert [c["value"] for c in offered] == ["code", "coordinator"]
        assert "Agent set to **code** for you." in await run(
            fake, alice, "agent", [opt("name", "code"), opt("scope", "me")]
        )
        await fake.say(alice, "The secret word is pumpkin.", mention_bot=True)
        thread = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]) and fake.threads()[0])
        assert " · code" in final(fake, thread["id"]), "the footer names the agent"
        why = await run(fake, alice, "why", channel=thread)
        assert "ollama:" in why and "code" in why
        assert "1 answer(s)" in await run(fake, alice, "usage", channel=thread)
        assert "forgot 2 message(s)" in await run(fake, alice, "reset", channel=thread)
        await fake.say(alice, "What was the secret word?", channel=thread)
        await wait_for(lambda: len(fake_ollama.chat_requests()) == 2)
        assert "pumpkin" not in prompt_text(fake_ollama.chat_requests()[-1])
        help_text = await run(fake, alice, "help")
        assert "/model" in help_text and "/agent" in help_text
        assert "Unknown agent 'nobody'" in await run(fake, alice, "agent", [opt("name", "nobody")])


async def test_slow_commands_are_deferred_then_answered(tmp_path, fake_ollama, fake_openai, monkeypatch):
    monkeypatch.setattr(interactions, "ACK_BUDGET", 0.0)
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        iid = await fake.interact(fake.user("alice"), "model")
        await wait_for(lambda: len(fake.interaction_replies.get(iid, [])) == 2)
        (kind1, defer), (kind2, followup) = fake.interaction_replies[iid]
        assert kind1 == "callback" and defer["type"] == 5 and defer["data"]["flags"] & 64
        assert kind2 == "followup" and "Model: **auto**" in followup["content"]


async def test_malformed_options_and_unknown_commands_get_a_clear_error(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        answer = await run(fake, alice, "model", [opt("model", 42, kind=4)])
        assert "couldn't read the options of /model" in answer
        answer = await run(fake, alice, "frobnicate")
        assert "I don't know /frobnicate" in answer
        answer = await run(fake, alice, "privacy", [opt("level", "maximum")])
        assert "not a privacy level" in answer
        rb.bot.cfg.blocked_users = [alice["id"]]
        assert "can't use this bot" in await run(fake, alice, "help")


async def test_admin_role_may_change_the_channel_and_autocomplete_never_hangs(
    tmp_path, fake_ollama, fake_openai, monkeypatch
):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        mod, member = fake.user("mod", roles=[fake.admin_role]), fake.user("member")
        rb.bot.cfg.admin_ids = [fake.admin_role]
        assert "Only admins" in await run(fake, member, "privacy", [opt("level", "local-only")])
        assert "set to **local-only**" in await run(fake, mod, "privacy", [opt("level", "local-only")])
        monkeypatch.setattr(interactions, "AUTOCOMPLETE_BUDGET", 0.0)
        offered = await choices(fake, member, "model", "model", "")
        assert [c["value"] for c in offered] == ["auto", "local", "cloud"]


async def test_forget_me_deletes_the_callers_messages(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice = fake.user("alice")
        await fake.say(alice, "My favourite colour is teal.", mention_bot=True)
        thread = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]) and fake.threads()[0])
        assert final(fake, thread["id"])
        count = "SELECT count(*) FROM messages WHERE content LIKE '%teal%'"
        assert rb.engine.store.conn.execute(count).fetchone()[0] == 2  # the question and its echoed answer
        answer = await run(fake, alice, "forget", [opt("who", "me")])
        assert "teal" not in answer and any(ch.isdigit() for ch in answer), answer
        assert rb.engine.store.conn.execute(count).fetchone()[0] == 0


async def test_tasks_lists_and_completes_the_callers_tasks(tmp_path, fake_ollama, fake_openai):
    from bot.store_tasks import Owner, TaskStore

    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        alice, bob = fake.user("alice"), fake.user("bob")
        tasks = TaskStore(rb.engine.store)
        tasks.add(Owner("discord", str(fake.guild_id), str(alice["id"])), "Water the ferns", local_only=False)
        listed = await run(fake, alice, "tasks")
        assert "#1 Water the ferns" in listed
        assert "no open tasks" in await run(fake, bob, "tasks")
        done = await run(fake, alice, "tasks", [opt("complete", 1, kind=4)])
        assert "Completed #1 ✓ Water the ferns" in done
        assert "#1 ✓ Water the ferns" in await run(fake, alice, "tasks", [opt("show", "done")])
