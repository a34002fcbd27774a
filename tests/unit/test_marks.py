"""Message marks and a turn's view of its history (bot/marks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.marks import Place, PrivateSeen, answer_marks, classify
from bot.store import StoredMessage


@dataclass
class Flags:
    private: bool = False
    sticky_private: bool = False


def msg(id_: int, role: str, sensitive: bool = False) -> StoredMessage:
    return StoredMessage(id_, role, "U1" if role == "user" else "", "", f"{role} {id_}", sensitive)


def test_situation_makes_local_only_content_makes_sensitive() -> None:
    plain = "what time is the standup?"
    assert classify(plain, "standard", Flags()).marks == {"sensitive": False, "local_only": False}
    assert classify(plain, "local-only", Flags()).marks == {"sensitive": True, "local_only": True}
    assert classify(plain, "cloud-ok", Flags(private=True)).marks == {"sensitive": True, "local_only": True}
    assert classify(plain, "standard", Flags(sticky_private=True)).marks["local_only"]
    assert classify(plain, "cloud-ok", Flags(), stored_private=True).marks["local_only"]
    email = "mail ana.lopez@northwind-mail.io"
    assert classify(email, "standard", Flags()).marks == {"sensitive": True, "local_only": False}
    redact = classify(email, "redact", Flags())
    assert redact.redactable and redact.marks == {"sensitive": True, "local_only": False}
    assert classify(email, "cloud-ok", Flags()).marks == {"sensitive": False, "local_only": False}


def test_a_queued_question_sees_answers_that_finished_before_it_ran_but_not_later_questions() -> None:
    # q1, q2 and q3 arrived together (stored 1, 2, 3); q1's answer (4) finished before q2 runs.
    history = [msg(4, "assistant"), msg(3, "user"), msg(2, "user"), msg(1, "user")]
    seen = [m.id for m in Place(2).in_order(history)]
    assert seen == [2, 4, 1]  # newest first: q2, then a1, then q1 — q3 left out


def test_regenerate_cuts_at_the_question_and_private_seen_notes_marks() -> None:
    history = [msg(3, "user"), msg(2, "assistant", sensitive=True), msg(1, "user")]
    watcher = PrivateSeen()
    assert [m.id for m in watcher.watch(Place(1, again=True).in_order(history[2:]))] == [1]
    assert not watcher.seen
    assert [m.id for m in watcher.watch(history)] == [3, 2, 1] and watcher.seen


def test_answer_marks() -> None:
    plain, echo = "Postgres is a database.", "I'll mail ana.lopez@northwind-mail.io"
    assert answer_marks(plain, local_model=True, prompt_private=True) == {"sensitive": True, "local_only": True}
    assert answer_marks(plain, local_model=False, prompt_private=True) == {"sensitive": False, "local_only": False}
    assert answer_marks(plain, local_model=True, prompt_private=False) == {"sensitive": False, "local_only": False}
    assert answer_marks(echo, local_model=False, prompt_private=False) == {"sensitive": True, "local_only": False}
