"""Grounded answers on Discord through discord.py against the stand-in: citations and the `📚` footer on the
posted answer; a local-only passage kept from the cloud stand-in."""

from __future__ import annotations

from tests.fakes.discord_server import running_bot, wait_for
from tests.integration.test_discord_conversations import final
from tests.knowledge_fixtures import HOLIDAYS, SALARY_SECRET, index_all, knowledge_toml, write_documents


async def test_a_discord_answer_from_a_collection_cites_its_source(tmp_path, fake_ollama, fake_openai):
    write_documents(tmp_path)
    async with running_bot(tmp_path, fake_ollama, fake_openai, extra_toml=knowledge_toml(tmp_path)) as rb:
        index_all(rb.engine)
        fake = rb.fake
        alice = fake.user("alice")
        await fake.say(alice, "How many days of holidays do we get?", mention_bot=True)
        answer = await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
        assert "📚 Source:" in answer and "handbook.md § Handbook, line 1" in answer
        assert "☁ cloud" in answer and "📚 1 source" in answer
        assert fake_openai.saw_text(HOLIDAYS)
        await fake.say(alice, "What is the salary band for staff engineers?", mention_bot=True)
        second = await wait_for(lambda: len(fake.threads()) == 2 and final(fake, fake.threads()[1]["id"]))
        assert "🔒 local" in second and "salaries.md" in second
        assert not fake_openai.saw_text(SALARY_SECRET)
