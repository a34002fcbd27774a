"""Reactions on the bot's answers (raw events, so uncached messages count): 👍/👎 feedback, 🔁, 🛑."""

from __future__ import annotations

from bot.messages import CANCELLED
from tests.fakes.discord_server import running_bot, wait_for
from tests.integration.test_discord_conversations import final, prompt_text


async def answered_thread(fake) -> tuple[dict, dict]:
    await fake.say(fake.user("alice"), "Tell me about otters.", mention_bot=True)
    await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
    thread = fake.threads()[0]
    return thread, fake.bot_messages(thread["id"])[-1]


async def test_thumbs_are_feedback_on_that_turn_and_removable(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake, store = rb.fake, rb.engine.store
        thread, answer = await answered_thread(fake)
        turn_id = rb.bot.answers.get(int(answer["id"])).turn_id
        bob, carol = fake.user("bob"), fake.user("carol")
        rb.bot._connection._messages.clear()  # uncached messages still count: only raw events are used
        await fake.react(bob, answer["id"], "👍")
        await fake.react(carol, answer["id"], "👎🏽")
        await wait_for(lambda: store.feedback(turn_id) == {bob["id"]: 1, carol["id"]: -1})
        turn = store.turn(turn_id)
        assert turn.provider == "ollama" and turn.locality == "local", "feedback sits on a turn with its route"
        await fake.react(bob, answer["id"], "👍", add=False)
        await fake.react(carol, answer["id"], "👍", add=False)  # removing a reaction she did not give changes nothing
        await wait_for(lambda: store.feedback(turn_id) == {carol["id"]: -1})
        await fake.react(fake.bot, answer["id"], "👍")  # the bot's own reactions are not feedback
        await fake.react(bob, answer["id"], "🎉")
        await fake.react(bob, fake.messages[thread["id"]]["id"], "👍")  # not an answer
        await fake.say(bob, "thanks", channel=thread)
        await wait_for(lambda: len(fake.bot_messages(thread["id"])) == 2 and final(fake, thread["id"]))
        assert store.feedback(turn_id) == {carol["id"]: -1}


async def test_repeat_reaction_regenerates_the_answer(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        thread, answer = await answered_thread(fake)
        first_turn = rb.bot.answers.get(int(answer["id"])).turn_id
        fake_ollama.reply = "A second, better answer about otters."
        await fake.react(fake.user("bob"), answer["id"], "🔁")
        await wait_for(lambda: len(fake.bot_messages(thread["id"])) == 2 and final(fake, thread["id"]))
        again = fake.bot_messages(thread["id"])[-1]
        assert again["content"].startswith("A second, better answer about otters.\n-# 🔒 local")
        assert "Tell me about otters." in prompt_text(fake_ollama.chat_requests()[-1])
        assert rb.bot.answers.get(int(again["id"])).turn_id not in (None, first_turn)


async def test_stop_reaction_cancels_a_streaming_answer(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = " ".join(f"word{i}" for i in range(200))
    fake_ollama.token_delay = 0.03
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake = rb.fake
        await fake.say(fake.user("alice"), "talk for a long time", mention_bot=True)
        thread = await wait_for(
            lambda: fake.threads() and fake.bot_messages(fake.threads()[0]["id"]) and fake.threads()[0]
        )
        streaming = fake.bot_messages(thread["id"])[0]
        carol = fake.user("carol")
        await fake.react(carol, streaming["id"], "👍")  # rated while streaming: kept for the turn
        await fake.react(fake.user("bob"), streaming["id"], "🛑")
        text = await wait_for(lambda: CANCELLED in streaming["content"] and streaming["content"])
        assert text.startswith("word0") and "word199" not in text
        turn = rb.engine.store.turn(rb.bot.answers.get(int(streaming["id"])).turn_id)
        assert turn.status == "cancelled"
        assert rb.engine.store.feedback(turn.id) == {carol["id"]: 1}
        await fake.say(fake.user("alice"), "still there?", channel=thread)  # the session is free again
        fake_ollama.token_delay = 0
        await wait_for(lambda: len(fake.bot_messages(thread["id"])) == 2 and final(fake, thread["id"]))
