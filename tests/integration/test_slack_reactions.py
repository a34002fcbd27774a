"""Reactions and buttons as feedback, 🔁 regenerate and 🛑 cancel, in Socket Mode and HTTP mode."""

from __future__ import annotations

import pytest

from tests.fakes.slack_server import wait_until
from tests.integration import test_slack_harness
from tests.integration.test_slack_harness import ALICE, BOB, SlackBot

slack_bot = test_slack_harness.slack_bot  # the fixture, shared


def _turn_id(answer) -> int:  # noqa: ANN001
    from tests.helpers import turn_id_from_blocks

    turn_id = turn_id_from_blocks(answer.blocks)
    assert turn_id is not None
    return turn_id


async def test_reactions_are_feedback_on_the_right_turn_and_removable(slack_bot: SlackBot) -> None:
    first_q = await slack_bot.mention("first question")
    first = await slack_bot.answer("C0GENERAL", first_q)
    second_q = await slack_bot.mention("second question")
    second = await slack_bot.answer("C0GENERAL", second_q)
    store = slack_bot.engine.store
    await slack_bot.react("+1", "C0GENERAL", first.ts, user=ALICE)
    await slack_bot.react("thumbsdown", "C0GENERAL", second.ts, user=BOB)
    await slack_bot.react("+1::skin-tone-3", "C0GENERAL", second.ts, user=ALICE)
    await wait_until(lambda: len(store.feedback(_turn_id(second))) == 2, what="feedback")
    assert store.feedback(_turn_id(first)) == {ALICE: 1}
    assert store.feedback(_turn_id(second)) == {BOB: -1, ALICE: 1}
    await slack_bot.react("thumbsdown", "C0GENERAL", second.ts, user=BOB, added=False)
    await wait_until(lambda: store.feedback(_turn_id(second)) == {ALICE: 1}, what="feedback removed")
    turn = store.turn(_turn_id(second))
    assert turn is not None and turn.provider  # stored with its route


async def test_reaction_on_the_question_is_not_feedback(slack_bot: SlackBot) -> None:
    question = await slack_bot.mention("a question")
    answer = await slack_bot.answer("C0GENERAL", question)
    await slack_bot.react("+1", "C0GENERAL", question)
    await slack_bot.settled()
    assert slack_bot.engine.store.feedback(_turn_id(answer)) == {}


async def test_feedback_after_a_restart_finds_the_turn_in_the_store(slack_bot: SlackBot) -> None:
    question = await slack_bot.mention("remember me")
    answer = await slack_bot.answer("C0GENERAL", question)
    slack_bot.adapter.bot.index.forget_memory()  # as after a restart
    await slack_bot.react("-1", "C0GENERAL", answer.ts)
    await wait_until(lambda: slack_bot.engine.store.feedback(_turn_id(answer)) == {ALICE: -1}, what="feedback")


async def _thread_of_two_answers(slack_bot: SlackBot) -> tuple[str, int, int, str]:
    question = await slack_bot.mention("first question")
    first = await slack_bot.answer("C0GENERAL", question)
    await slack_bot.message("a follow-up", thread_ts=question)
    second = await slack_bot.answer("C0GENERAL", question, count=2)
    store = slack_bot.engine.store  # the link is written just after the final text shows: wait for it
    await wait_until(lambda: store.turn_for_message("slack", "C0GENERAL", second.ts), what="answer linked")
    slack_bot.adapter.bot.index.forget_memory()  # as after a restart
    return question, _turn_id(first), _turn_id(second), second.ts


async def test_after_a_restart_a_reaction_on_a_later_answer_in_a_thread_finds_its_own_turn(slack_bot: SlackBot) -> None:
    question, first, second, second_ts = await _thread_of_two_answers(slack_bot)
    await slack_bot.react("+1", "C0GENERAL", second_ts)
    store = slack_bot.engine.store
    await wait_until(lambda: store.feedback(second) == {ALICE: 1}, what="feedback on the second answer")
    assert store.feedback(first) == {}
    assert not slack_bot.fake.calls_to("conversations.replies")  # the store knew: no rate-limited look-up
    await slack_bot.react("repeat", "C0GENERAL", second_ts)
    await slack_bot.answer("C0GENERAL", question, count=3)


async def test_without_a_stored_link_a_reaction_finds_nothing_and_slack_is_not_asked(slack_bot: SlackBot) -> None:
    """The store is the one answer → turn index: a footer is never read back (conversations.replies is 1 a minute)."""
    _, first, second, second_ts = await _thread_of_two_answers(slack_bot)
    slack_bot.engine.store.conn.execute("DELETE FROM message_links")  # links lost
    store = slack_bot.engine.store
    await slack_bot.react("-1", "C0GENERAL", second_ts)
    marker = slack_bot.fake.m_chat_postMessage({"channel": "C0GENERAL", "text": "a linked answer"})["ts"]
    store.link_message("slack", "C0GENERAL", marker, first)  # a reaction after it that does land: the marker
    await slack_bot.react("+1", "C0GENERAL", marker, user=BOB)
    await wait_until(lambda: store.feedback(first) == {BOB: 1}, what="the marker reaction handled")
    assert store.feedback(second) == {}
    assert not slack_bot.fake.calls_to("conversations.replies")


@pytest.mark.slow
async def test_the_stand_in_lists_a_thread_oldest_first_like_slack(slack_bot: SlackBot) -> None:
    question, _, _, second_ts = await _thread_of_two_answers(slack_bot)
    client = slack_bot.adapter.bot.client
    first_page = await client.conversations_replies(channel="C0GENERAL", ts=second_ts, latest=second_ts, limit=1)
    assert [m["ts"] for m in first_page["messages"]] == [question]  # the earliest, not the newest
    everything = await client.conversations_replies(channel="C0GENERAL", ts=question)
    stamps = [float(m["ts"]) for m in everything["messages"]]
    assert stamps == sorted(stamps) and len(stamps) == 4


async def test_feedback_buttons(slack_bot: SlackBot) -> None:
    question = await slack_bot.mention("rate me")
    answer = await slack_bot.answer("C0GENERAL", question)
    await slack_bot.action({"action_id": "hb_feedback_down", "value": str(_turn_id(answer))}, user=BOB)
    await wait_until(lambda: slack_bot.engine.store.feedback(_turn_id(answer)) == {BOB: -1}, what="feedback")
    note = await wait_until(lambda: slack_bot.fake.responses, what="ephemeral thanks")
    assert note[0]["response_type"] == "ephemeral" and "👎" in note[0]["text"]


async def test_repeat_reaction_regenerates_in_the_same_thread(slack_bot: SlackBot) -> None:
    question = await slack_bot.mention("tell me a joke")
    first = await slack_bot.answer("C0GENERAL", question)
    await slack_bot.react("repeat", "C0GENERAL", first.ts)
    second = await slack_bot.answer("C0GENERAL", question, count=2)
    assert _turn_id(second) != _turn_id(first)
    assert "tell me a joke" in second.shown
    assert len(slack_bot.fake_ollama.chat_requests()) == 2


async def test_stop_reaction_cancels_a_streaming_answer(slack_bot: SlackBot) -> None:
    slack_bot.fake_ollama.reply = " ".join(f"word{i}" for i in range(200))
    slack_bot.fake_ollama.token_delay = 0.02
    question = await slack_bot.mention("talk for a long time")
    streaming = await wait_until(lambda: slack_bot.fake.thread("C0GENERAL", question), what="first text")
    await slack_bot.react("octagonal_sign", "C0GENERAL", streaming[0].ts)
    answer = await slack_bot.answer("C0GENERAL", question)
    assert "🛑 Stopped." in answer.shown
    assert "word199" not in answer.shown
    turn = slack_bot.engine.store.turn(_turn_id(answer))
    assert turn is not None and turn.status == "cancelled"


async def test_regenerate_after_a_restart_on_an_answer_cut_off_before_its_footer(slack_bot: SlackBot) -> None:
    """A message a crash left without its footer still leads 🔁 to its turn, through the stored link."""
    question = await slack_bot.mention("tell me about tides")
    answer = await slack_bot.answer("C0GENERAL", question)
    cut = slack_bot.fake.m_chat_postMessage({"channel": "C0GENERAL", "thread_ts": question, "text": "Tides are"})
    assert slack_bot.engine.store.link_message("slack", "C0GENERAL", cut["ts"], _turn_id(answer))
    slack_bot.adapter.bot.index.forget_memory()  # a restart: nothing in memory
    await slack_bot.react("repeat", "C0GENERAL", cut["ts"])
    again = await slack_bot.answer("C0GENERAL", question, count=2)
    assert "tell me about tides" in again.shown
