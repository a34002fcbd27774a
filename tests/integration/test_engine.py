"""The engine with real providers (ollama and openai clients) against the stand-ins."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.commands import CommandContext, run_command
from bot.engine import Turn
from bot.session import SessionKey
from tests.fakes.ollama_server import FakeOllama
from tests.fakes.openai_server import FakeOpenAI
from tests.helpers import RecordingSink, make_app

KEY = SessionKey("console", "local", "general")
AWS_KEY = "AKIA" + "QYLPMN5HFIQR7XYZ"  # format-valid, not a real key
COMPLEX = (
    "Compare PostgreSQL and MySQL for a multi-tenant SaaS: analyse the trade-offs step by step, "
    "then write a Python migration script, then explain why each index matters.\n```python\nimport os\n```"
)


def turn(text: str, *, key: SessionKey = KEY, private: bool = False, user: str = "U1", event: str | None = None):
    return Turn(key, user, user.lower(), text, private=private, event_id=event)


@pytest.fixture
async def app(tmp_path: Path, fake_ollama: FakeOllama, fake_openai: FakeOpenAI):
    app = make_app(tmp_path, ollama_host=fake_ollama.host, openai_url=fake_openai.base_url)
    yield app
    await app.engine.aclose()


async def test_simple_turn_is_answered_locally_and_streamed(app, fake_ollama, fake_openai) -> None:
    sink = RecordingSink()
    result = await app.engine.handle(turn("hello there"), sink)
    assert result.status == "done"
    assert result.route.locality == "local" and result.route.provider == "ollama"
    assert "hello there" in sink.text and len(sink.deltas) > 1
    assert fake_openai.chat_requests() == []
    assert "🔒 local" in result.route.footer


async def test_complex_turn_goes_to_cloud_with_usage(app, fake_openai) -> None:
    result = await app.engine.handle(turn(COMPLEX), RecordingSink())
    assert result.route.locality == "cloud", result.route.reasons
    assert "complex" in result.route.reasons
    assert result.prompt_tokens > 0 and result.completion_tokens > 0
    stored = app.engine.store.turn(result.turn_id)
    assert stored.provider == "openai" and stored.prompt_tokens == result.prompt_tokens


async def test_secret_never_reaches_cloud_even_when_complex_and_pinned(app, fake_openai) -> None:
    ctx = CommandContext(KEY, "U1")
    assert (await run_command(app.engine, ctx, "/model openai:gpt-4o")).ok
    result = await app.engine.handle(turn(f"{COMPLEX}\naws_access_key_id = {AWS_KEY}"), RecordingSink())
    assert result.route.locality == "local"
    assert "pin-overridden-by-privacy" in result.route.reasons
    assert not fake_openai.saw_text(AWS_KEY)
    # Sticky: the next, harmless and complex turn in the same conversation stays local too,
    # so the secret in history cannot reach the cloud.
    later = await app.engine.handle(turn(COMPLEX), RecordingSink())
    assert later.route.locality == "local" and "sticky-private" in later.route.reasons
    assert fake_openai.chat_requests() == []


async def test_private_session_never_reaches_cloud(app, fake_openai) -> None:
    for text in ("hi", COMPLEX, "and again"):
        result = await app.engine.handle(turn(text, private=True), RecordingSink())
        assert result.route.locality == "local"
    assert fake_openai.chat_requests() == []


async def test_private_with_local_down_refuses_instead_of_cloud(app, fake_ollama, fake_openai) -> None:
    fake_ollama.fail_all("reset")
    sink = RecordingSink()
    result = await app.engine.handle(turn("my IBAN question", private=True), sink)
    assert result.status in ("refused", "error")
    assert "cloud" in result.text and "local" in result.text
    assert fake_openai.chat_requests() == []


async def test_secret_with_local_down_never_escalates(app, fake_ollama, fake_openai) -> None:
    await fake_ollama.stop()
    result = await app.engine.handle(turn(f"why is {AWS_KEY} rejected?"), RecordingSink())
    assert result.status in ("refused", "error")
    assert not fake_openai.saw_text(AWS_KEY) and fake_openai.chat_requests() == []


async def test_local_down_public_turn_falls_back_to_cloud(app, fake_ollama, fake_openai) -> None:
    fake_ollama.fail_all("status", status=503)
    result = await app.engine.handle(turn("what's a good name for a cat?"), RecordingSink())
    assert result.status == "done"
    assert result.route.locality == "cloud"
    assert any("unavailable" in n for n in result.notices)


async def test_fallback_to_other_local_model_first(app, fake_ollama, fake_openai) -> None:
    fake_ollama.inject("status", status=500)  # only the first model call fails
    result = await app.engine.handle(turn("hello"), RecordingSink())
    assert result.status == "done" and result.route.locality == "local"
    assert fake_openai.chat_requests() == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, "credentials"), (400, "refused the request")],
)
async def test_cloud_errors_become_clear_messages(app, fake_openai, status: int, expected: str) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model openai:gpt-4o-mini")
    fake_openai.fail_all("status", status=status)
    result = await app.engine.handle(turn("hello"), RecordingSink())
    assert result.status == "error"
    assert expected in result.text
    assert app.engine.store.turn(result.turn_id).status == "error"


async def test_cloud_rate_limit_falls_back_locally_with_notice(app, fake_openai) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    fake_openai.fail_all("status", status=429, retry_after=0)
    result = await app.engine.handle(turn("hello"), RecordingSink())
    assert result.status == "done"
    assert result.route.locality == "local"
    assert any("rate_limited" in n for n in result.notices)


async def test_midstream_failure_keeps_partial_answer_marked(app, fake_ollama) -> None:
    fake_ollama.reply = "one two three four five six seven eight nine ten"
    fake_ollama.inject("drop_midstream", after=3)
    sink = RecordingSink()
    result = await app.engine.handle(turn("count for me"), sink)
    assert result.status == "error"
    assert sink.text and "incomplete" in result.error
    stored = app.engine.store.turn(result.turn_id)
    assert stored.answer_message_id is not None


async def test_memory_follow_up_sees_previous_turns(app, fake_ollama) -> None:
    await app.engine.handle(turn("My project is called Bluebird."), RecordingSink())
    await app.engine.handle(turn("What is my project called?"), RecordingSink())
    last = fake_ollama.requests[-1].json
    contents = " ".join(m["content"] for m in last["messages"])
    assert "Bluebird" in contents
    assert last["options"]["num_ctx"] > 0 and last["keep_alive"]


async def test_threads_have_separate_memory(app, fake_ollama) -> None:
    a = SessionKey("slack", "T1", "C1", "1.1")
    b = SessionKey("slack", "T1", "C1", "2.2")
    await app.engine.handle(turn("The code word is marmalade.", key=a), RecordingSink())
    await app.engine.handle(turn("What is the code word?", key=b), RecordingSink())
    contents = " ".join(m["content"] for m in fake_ollama.requests[-1].json["messages"])
    assert "marmalade" not in contents


async def test_several_speakers_attributed(app, fake_ollama) -> None:
    await app.engine.handle(turn("I prefer tabs.", user="Ann"), RecordingSink())
    await app.engine.handle(turn("I prefer spaces.", user="Bob"), RecordingSink())
    contents = " ".join(m["content"] for m in fake_ollama.requests[-1].json["messages"])
    assert "ann: I prefer tabs." in contents and "bob: I prefer spaces." in contents


async def test_user_message_stored_before_model_is_called(app, fake_ollama) -> None:
    fake_ollama.inject("stall", seconds=2)
    task = asyncio.create_task(app.engine.handle(turn("remember me"), RecordingSink()))
    await asyncio.sleep(0.3)
    conv = app.engine.store.conversation(KEY)
    assert [m.content for m in app.engine.store.newest_messages(conv.id)] == ["remember me"]
    assert app.engine.store.unfinished_turns()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_restart_marks_streaming_turns_and_keeps_pending_ones(app, tmp_path, fake_ollama, fake_openai) -> None:
    store = app.engine.store
    conv = store.conversation(KEY)
    streaming = store.create_turn(conv.id, store.add_message(conv.id, "user", "cut off"), user_id="U1", workspace="")
    store.update_turn(streaming, status="streaming")
    pending = store.create_turn(
        conv.id, store.add_message(conv.id, "user", "never started"), user_id="U1", workspace=""
    )
    recovered = app.engine.recover()
    assert recovered == [(streaming, KEY)] and store.turn(streaming).status == "interrupted"
    assert [t.id for t, _ in app.engine.pending_turns(KEY.platform)] == [pending]  # answered by its adapter
    result = await app.engine.resume(pending, KEY, RecordingSink())
    assert result.status == "done" and "never started" in result.text
    assert store.unfinished_turns() == []
    assert app.engine.pending_turns(KEY.platform) == []  # handed out once
    assert app.engine.take_interrupted(KEY.platform) == [(streaming, KEY)]
    assert app.engine.take_interrupted(KEY.platform) == []  # handed out once


async def test_turns_queued_in_this_process_are_not_offered_for_recovery(app, fake_ollama) -> None:
    fake_ollama.token_delay = 0.05
    first = asyncio.create_task(app.engine.handle(turn("a long one"), RecordingSink()))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(app.engine.handle(turn("queued behind it"), RecordingSink()))
    await asyncio.sleep(0.1)
    assert any(t.status == "pending" for t, _ in app.engine.store.unfinished_turns())
    assert app.engine.pending_turns(KEY.platform) == []  # a reconnect must not answer it a second time
    await asyncio.gather(first, second)


async def test_one_turn_at_a_time_in_arrival_order(app, fake_ollama) -> None:
    fake_ollama.token_delay = 0.01
    order: list[str] = []

    class Sink(RecordingSink):
        async def on_done(self, result) -> None:
            order.append(result.text)

    await asyncio.gather(*(app.engine.handle(turn(f"msg {i}"), Sink()) for i in range(5)))
    assert [o.split("You said: ")[-1].split(": ")[-1] for o in order] == [f"msg {i}" for i in range(5)]


async def test_redelivered_event_answered_once(app, fake_ollama) -> None:
    first = await app.engine.handle(turn("hi", event="Ev123"), RecordingSink())
    again = await app.engine.handle(turn("hi", event="Ev123"), RecordingSink())
    assert first.status == "done" and again.status == "duplicate"
    assert (
        len(
            fake_ollama.requests_to("/api/chat")
            if hasattr(fake_ollama, "requests_to")
            else [r for r in fake_ollama.requests if r.path == "/api/chat"]
        )
        == 1
    )


async def test_cancel_stops_stream_and_records_it(app, fake_ollama) -> None:
    fake_ollama.reply = " ".join(["word"] * 200)
    fake_ollama.token_delay = 0.02
    started = asyncio.Event()

    class Sink(RecordingSink):
        async def on_text(self, delta: str) -> None:
            await super().on_text(delta)
            started.set()

    task = asyncio.create_task(app.engine.handle(turn("tell me a long story"), Sink()))
    await asyncio.wait_for(started.wait(), 10)
    assert app.engine.cancel(KEY)
    result = await task
    assert result.status == "cancelled"
    assert app.engine.store.turn(result.turn_id).status == "cancelled"
    # The session is free again.
    assert (await app.engine.handle(turn("still there?"), RecordingSink())).status == "done"


async def test_regenerate_answers_same_question_again(app, fake_ollama) -> None:
    first = await app.engine.handle(turn("name a colour"), RecordingSink())
    sink = RecordingSink()
    again = await app.engine.regenerate(KEY, first.turn_id, sink, user_id="U1")
    assert again.status == "done" and again.turn_id != first.turn_id
    conv = app.engine.store.conversation(KEY)
    assert sum(m.content == "name a colour" for m in app.engine.store.newest_messages(conv.id)) == 1


@pytest.mark.parametrize("text", ["", "   \n\t "])
async def test_empty_message_gets_help_and_stores_nothing(app, text) -> None:
    result = await app.engine.handle(turn(text), RecordingSink())
    assert result.status == "rejected" and "/help" in result.text
    assert app.engine.store.count_messages(app.engine.store.conversation(KEY).id) == 0


async def test_oversized_message_is_refused_and_state_intact(app, fake_ollama) -> None:
    await app.engine.handle(turn("hello"), RecordingSink())
    result = await app.engine.handle(turn("x" * 100_000), RecordingSink())
    assert result.status == "rejected" and "100,000" in result.text and "limit" in result.text
    conv = app.engine.store.conversation(KEY)
    assert app.engine.store.count_messages(conv.id) == 2  # hello + its answer


async def test_feedback_on_turn_changeable_and_removable(app) -> None:
    result = await app.engine.handle(turn("hello"), RecordingSink())
    assert app.engine.feedback(result.turn_id, "U2", 1)
    assert app.engine.feedback(result.turn_id, "U2", -1)
    assert app.engine.store.feedback(result.turn_id) == {"U2": -1}
    app.engine.feedback(result.turn_id, "U2", 0)
    assert app.engine.store.feedback(result.turn_id) == {}
    assert not app.engine.feedback(99999, "U2", 1)


async def test_logs_carry_ids_not_text_or_secrets(app, caplog) -> None:
    caplog.set_level("DEBUG", logger="hybridbot")
    secret_text = f"deploy with aws_access_key_id={AWS_KEY} tonight please"
    result = await app.engine.handle(turn(secret_text), RecordingSink())
    assert result.status == "done"
    assert f"turn {result.turn_id}" in caplog.text
    assert AWS_KEY not in caplog.text and "deploy with" not in caplog.text


async def test_long_conversation_summarised_by_local_model_only(app, fake_ollama, fake_openai) -> None:
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    for i in range(41):
        await app.engine.handle(turn(f"note {i}: the build number is {1000 + i}"), RecordingSink())
    conv = app.engine.store.conversation(KEY)
    assert conv.summary and conv.summary_upto > 0
    summary_calls = [r for r in fake_ollama.requests if r.path == "/api/chat" and "Summarise" in str(r.json)]
    assert summary_calls
    assert not any("Summarise" in str(body) for body in fake_openai.chat_requests())
    # Later cloud prompts carry the summary instead of the oldest messages.
    await app.engine.handle(turn("what was the first build number?"), RecordingSink())
    last = fake_openai.chat_requests()[-1]["messages"]
    assert "Summary of the earlier conversation" in last[0]["content"]


async def test_cloud_prompt_window_is_capped_not_the_whole_history(app, fake_openai) -> None:
    """gpt-4o has a 128k window; the prompt still stops at bot.max_context_tokens (8192)."""
    await run_command(app.engine, CommandContext(KEY, "U1"), "/model cloud")
    for i in range(30):  # ~60 KB of history, more than 8192 tokens at 4 chars a token
        await app.engine.handle(turn(f"note {i}: " + "lorem ipsum dolor " * 110), RecordingSink())
    sent = fake_openai.chat_requests()[-1]["messages"]
    assert sum(len(m["content"]) for m in sent) <= 8192 * 4
    assert "note 29" in sent[-1]["content"] and not any("note 0:" in m["content"] for m in sent)
