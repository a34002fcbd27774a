"""Retention against a real SQLite store: messages past their TTL, and `forget_user`."""

from __future__ import annotations

import time

from bot.retention import forget_user, purge_expired
from bot.session import SessionKey
from bot.store import Store

DAY = 86400.0
KEY = SessionKey("slack", "T1", "C1")


def age(store: Store, message_id: int, days: float) -> None:
    store.conn.execute("UPDATE messages SET created_at=? WHERE id=?", (time.time() - days * DAY, message_id))


def exchange(store: Store, key: SessionKey, user: str, text: str, *, days_old: float = 0) -> tuple[int, int, int]:
    conv = store.conversation(key)
    q = store.add_message(conv.id, "user", text, author_id=user, author_name=user.lower())
    turn = store.create_turn(conv.id, q, user_id=user, workspace=key.workspace)
    a = store.add_message(conv.id, "assistant", f"answer to {text}", author_name="general")
    store.update_turn(turn, status="done", answer_message_id=a, provider="ollama", model="m", locality="local")
    age(store, q, days_old)
    age(store, a, days_old)
    return q, a, turn


def contents(store: Store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT content FROM messages ORDER BY id")]


def test_ttl_zero_keeps_everything() -> None:
    store = Store(":memory:")
    exchange(store, KEY, "U1", "ancient", days_old=10_000)
    assert purge_expired(store, 0) == 0
    assert len(contents(store)) == 2


def test_expired_messages_go_turns_stay_and_lose_their_links() -> None:
    store = Store(":memory:")
    _, _, old_turn = exchange(store, KEY, "U1", "old question", days_old=31)
    exchange(store, KEY, "U1", "new question", days_old=1)
    assert purge_expired(store, 30) == 2
    assert contents(store) == ["new question", "answer to new question"]
    old = store.turn(old_turn)
    assert old is not None and old.user_message_id is None and old.answer_message_id is None
    assert store.usage(workspace="T1", since=0)[0]["turns"] == 2  # usage figures survive


def test_summary_of_expired_text_is_cleared_but_a_current_one_is_kept() -> None:
    store = Store(":memory:")
    old_q, old_a, _ = exchange(store, KEY, "U1", "old", days_old=40)
    exchange(store, KEY, "U1", "new", days_old=0)
    conv = store.conversation(KEY)
    store.set_summary(conv.id, "they asked about old things", old_a, sensitive=True)
    other = SessionKey("slack", "T1", "C2")
    exchange(store, other, "U2", "recent", days_old=0)
    conv2 = store.conversation(other)
    last = store.conn.execute("SELECT max(id) FROM messages WHERE conversation_id=?", (conv2.id,)).fetchone()[0]
    store.set_summary(conv2.id, "recent summary", last, sensitive=False)
    purge_expired(store, 30)
    assert store.conversation(KEY).summary == "" and not store.conversation(KEY).summary_sensitive
    assert store.conversation(other).summary == "recent summary"


def test_forget_user_deletes_their_messages_answers_feedback_settings_everywhere_on_the_platform() -> None:
    store = Store(":memory:")
    dm = SessionKey("slack", "T1", "D1")
    other_ws = SessionKey("slack", "T2", "C9")
    q1, a1, t1 = exchange(store, KEY, "U1", "mine in C1")
    exchange(store, dm, "U1", "mine in a DM")
    exchange(store, other_ws, "U1", "mine in another workspace")
    _, _, t_bob = exchange(store, KEY, "U2", "bob's")
    exchange(store, SessionKey("discord", "G1", "C1"), "U1", "same id on discord")
    store.set_feedback(t1, "U1", 1)
    store.set_feedback(t_bob, "U1", -1)
    store.set_feedback(t_bob, "U2", 1)
    store.set_setting(KEY.scope("user", "U1"), "model", "cloud", set_by="U1")
    store.set_setting(other_ws.scope("user", "U1"), "agent", "code", set_by="U1")
    store.set_setting(KEY.scope("user", "U2"), "model", "local", set_by="U2")
    store.set_setting(KEY.scope("channel"), "privacy", "cloud-ok", set_by="U1")
    store.set_setting(SessionKey("discord", "G1", "C1").scope("user", "U1"), "model", "local", set_by="U1")
    conv = store.conversation(KEY)
    store.set_summary(conv.id, "summary mentioning U1's text", a1, sensitive=False)

    gone = forget_user(store, "slack", "U1")

    assert (gone.messages, gone.answers, gone.feedback, gone.settings, gone.summaries) == (3, 3, 2, 2, 1)
    assert gone.turns == 3
    assert sorted(contents(store)) == sorted(
        ["bob's", "answer to bob's", "same id on discord", "answer to same id on discord"]
    )
    assert store.feedback(t_bob) == {"U2": 1}
    assert store.settings_for([KEY.scope("user", "U2")], "model") == {KEY.scope("user", "U2"): "local"}
    assert store.settings_for([KEY.scope("channel")], "privacy") == {KEY.scope("channel"): "cloud-ok"}
    assert store.conn.execute("SELECT set_by FROM settings WHERE key='privacy'").fetchone()[0] == ""
    assert store.conn.execute("SELECT count(*) FROM settings WHERE scope LIKE 'user:discord/%'").fetchone()[0] == 1
    assert store.conversation(KEY).summary == ""
    turn = store.turn(t1)
    assert turn is not None and turn.user_id == "" and turn.user_message_id is None
    assert "3 message(s) of yours" in gone.text and "2 rating(s)" in gone.text


def test_forget_user_with_nothing_stored() -> None:
    store = Store(":memory:")
    gone = forget_user(store, "slack", "U404")
    assert (gone.messages, gone.answers, gone.feedback, gone.settings, gone.summaries, gone.turns) == (0,) * 6


def test_forget_user_escapes_like_wildcards() -> None:
    store = Store(":memory:")
    store.set_setting(KEY.scope("user", "U_1"), "model", "cloud")
    store.set_setting(KEY.scope("user", "UX1"), "model", "cloud")
    assert forget_user(store, "slack", "U_1").settings == 1
    assert store.conn.execute("SELECT count(*) FROM settings").fetchone()[0] == 1
