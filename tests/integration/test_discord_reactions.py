"""Reactions on the bot's answers (raw events, so uncached messages count): 👍/👎 feedback, 🔁, 🛑."""

from __future__ import annotations

from bot.messages import CANCELLED
from tests.fakes.discord_server import FakeDiscord, running_bot, wait_for
from tests.integration.test_discord_commands import opt, run
from tests.integration.test_discord_conversations import final, prompt_text


async def answered_thread(rb) -> tuple[dict, dict]:
    fake = rb.fake
    await fake.say(fake.user("alice"), "Tell me about otters.", mention_bot=True)
    await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
    thread = fake.threads()[0]
    answer = fake.bot_messages(thread["id"])[-1]
    # The stand-in stores a message before the bot has read the reply to its POST: when the whole answer
    # goes out in one message, the bot indexes it a moment after the test can see it.
    await wait_for(lambda: rb.bot.answers.get(answer["channel_id"], answer["id"]) is not None)
    return thread, answer


async def test_thumbs_are_feedback_on_that_turn_and_removable(tmp_path, fake_ollama, fake_openai):
    async with running_bot(tmp_path, fake_ollama, fake_openai) as rb:
        fake, store = rb.fake, rb.engine.store
        thread, answer = await answered_thread(rb)
        turn_id = rb.bot.answers.get(answer["channel_id"], answer["id"]).turn_id
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
        thread, answer = await answered_thread(rb)
        first_turn = rb.bot.answers.get(answer["channel_id"], answer["id"]).turn_id
        fake_ollama.reply = "A second, better answer about otters."
        await fake.react(fake.user("bob"), answer["id"], "🔁")
        await wait_for(lambda: len(fake.bot_messages(thread["id"])) == 2 and final(fake, thread["id"]))
        again = fake.bot_messages(thread["id"])[-1]
        assert again["content"].startswith("A second, better answer about otters.\n-# 🔒 local")
        assert "Tell me about otters." in prompt_text(fake_ollama.chat_requests()[-1])
        await wait_for(
            lambda: rb.bot.answers.get(again["channel_id"], again["id"]) is not None
        )  # indexed just after it shows
        assert rb.bot.answers.get(again["channel_id"], again["id"]).turn_id not in (None, first_turn)


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
        # As in answered_thread: the stand-in shows the message before the bot has read the reply to its POST
        # and indexed it; a person's reaction comes later than this test's would (it failed once under load).
        await wait_for(lambda: rb.bot.answers.get(streaming["channel_id"], streaming["id"]) is not None)
        carol = fake.user("carol")
        await fake.react(carol, streaming["id"], "👍")  # rated while streaming: kept for the turn
        await fake.react(fake.user("bob"), streaming["id"], "🛑")
        text = await wait_for(lambda: CANCELLED in streaming["content"] and streaming["content"])
        assert text.startswith("word0") and "word199" not in text
        turn = rb.engine.store.turn(rb.bot.answers.get(streaming["channel_id"], streaming["id"]).turn_id)
        assert turn.status == "cancelled"
        assert rb.engine.store.feedback(turn.id) == {carol["id"]: 1}
        await fake.say(fake.user("alice"), "still there?", channel=thread)  # the session is free again
        fake_ollama.token_delay = 0
        await wait_for(lambda: len(fake.bot_messages(thread["id"])) == 2 and final(fake, thread["id"]))


async def test_reactions_on_answers_sent_before_a_restart_find_their_turn(tmp_path, fake_ollama, fake_openai):
    fake_ollama.reply = " ".join(f"otter{i}" for i in range(400))  # about 3,500 characters: two messages
    async with FakeDiscord() as fake:
        bob, carol = fake.user("bob"), fake.user("carol")
        async with running_bot(tmp_path, fake_ollama, fake_openai, stand_in=fake) as before:
            thread, _ = await answered_thread(before)
            parts = fake.bot_messages(thread["id"])
            assert len(parts) == 2, "the answer was split"
            turn_id = before.bot.answers.get(parts[0]["channel_id"], parts[0]["id"]).turn_id
            store = before.engine.store
            linked = [lambda p=p: store.turn_for_message("discord", thread["id"], p["id"]) for p in parts]
            await wait_for(lambda: [link() for link in linked] == [turn_id, turn_id])  # every part is linked
            await fake.react(carol, parts[1]["id"], "👎")
            await wait_for(lambda: store.feedback(turn_id) == {carol["id"]: -1})
        await wait_for(lambda: not fake.connected)  # the first bot is gone
        assert fake.identifies == 1

        # A new engine and client on the same database and the same Discord: nothing carried over in memory.
        async with running_bot(tmp_path, fake_ollama, fake_openai, stand_in=fake) as after:
            assert after.engine is not before.engine and len(after.bot.answers) == 0
            assert fake.identifies == 2
            store = after.engine.store
            await fake.react(bob, parts[0]["id"], "👍")
            await wait_for(lambda: store.feedback(turn_id) == {bob["id"]: 1, carol["id"]: -1})
            await fake.react(carol, parts[1]["id"], "👎", add=False)  # rated before the restart, removed after
            await wait_for(lambda: store.feedback(turn_id) == {bob["id"]: 1})
            await fake.react(bob, parts[0]["id"], "👍", add=False)
            await wait_for(lambda: store.feedback(turn_id) == {})

            fake_ollama.reply = "A second answer about otters, after the restart."
            await fake.react(bob, parts[1]["id"], "🔁")
            await wait_for(lambda: len(fake.bot_messages(thread["id"])) == 3 and final(fake, thread["id"]))
            again = fake.bot_messages(thread["id"])[-1]
            assert again["content"].startswith("A second answer about otters, after the restart.\n-# 🔒 local")
            assert "Tell me about otters." in prompt_text(fake_ollama.chat_requests()[-1])
            new_turn = await wait_for(lambda: store.turn_for_message("discord", thread["id"], again["id"]))
            assert new_turn != turn_id
            assert store.turn(new_turn).conversation_id == store.turn(turn_id).conversation_id
            assert [m["channel_id"] for m in fake.messages.values() if m["author"]["id"] == fake.bot["id"]] == [
                thread["id"]
            ] * 3, "the new answer went to the same thread, nowhere else"


async def test_reset_and_forget_me_unlink_answers_for_good(tmp_path, fake_ollama, fake_openai):
    async with FakeDiscord() as fake:
        alice, carol, bob = fake.user("alice"), fake.user("carol"), fake.user("bob")
        async with running_bot(tmp_path, fake_ollama, fake_openai, stand_in=fake) as before:
            store = before.engine.store
            await fake.say(alice, "Tell me about otters.", mention_bot=True)
            await wait_for(lambda: fake.threads() and final(fake, fake.threads()[0]["id"]))
            await fake.say(carol, "Tell me about beavers.", mention_bot=True)
            await wait_for(lambda: len(fake.threads()) == 2 and final(fake, fake.threads()[1]["id"]))
            reset_thread, forgotten_thread = fake.threads()
            answers = [fake.bot_messages(t["id"])[-1] for t in (reset_thread, forgotten_thread)]

            def links() -> list[int | None]:
                return [store.turn_for_message("discord", a["channel_id"], a["id"]) for a in answers]

            turns = await wait_for(lambda: all(links()) and links())
            assert "forgot" in await run(fake, alice, "reset", channel=reset_thread)
            assert links() == [None, turns[1]], "/reset unlinks that conversation's answers only"
            await run(fake, carol, "forget", [opt("who", "me")])
            assert links() == [None, None], "/forget me unlinks the answers to that person"
        async with running_bot(tmp_path, fake_ollama, fake_openai, stand_in=fake) as after:
            for answer in answers:
                await fake.react(bob, answer["id"], "👍")
                await fake.react(bob, answer["id"], "🔁")
            await fake.say(bob, "a new question", mention_bot=True)  # dispatched after the reactions
            await wait_for(lambda: len(fake.threads()) == 3 and final(fake, fake.threads()[2]["id"]))
            assert all(after.bot.answers.get(a["channel_id"], a["id"]) is None for a in answers), (
                "no reaction found an answer"
            )
            assert [after.engine.store.feedback(t) for t in turns] == [{}, {}]
            assert [len(fake.bot_messages(t["id"])) for t in (reset_thread, forgotten_thread)] == [1, 1]
