"""How a message is marked when stored, and which history a turn's prompt sees. Pure.

- `classify` scans a message and says how it is stored: *sensitive* (withheld from cloud prompts; at the
  redact level released redacted) and *local-only* (withheld from cloud prompts in every form, whatever
  the level becomes: it was written while the conversation had to stay local).
- `Place` orders a turn's history: the question after the answers that finished while it waited, and
  none of the questions stored after it (they are still queued).
- `PrivateSeen` notes whether a prompt read anything marked, so the answer can be marked in turn
  (`answer_marks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from bot import privacy
from bot.router import RouteRequest, privacy_reasons
from bot.store import StoredMessage

# Privacy reasons that come from the conversation (its messages are stored local-only) or from the content.
SITUATION_REASONS = ("private-conversation", "channel-local-only", "sticky-private", "stored-private")
CONTENT_REASONS = ("secret-content", "sensitive-content")


class ConversationFlags(Protocol):
    private: bool
    sticky_private: bool


def classify(
    text: str, level: str, conv: ConversationFlags, *, stored_private: bool = False, previous: str | None = None
) -> Classified:
    """Scan a message and decide how it is stored and which privacy rules route it. ``previous`` is the
    same person's previous message there: a secret split over the two is found (issue 9, item 5)."""
    findings = privacy.scan_with_previous(text, previous)
    sensitive = privacy.is_sensitive(findings)
    base = RouteRequest(
        privacy_level=level,
        private_conversation=conv.private,
        sticky_private=conv.sticky_private,
        stored_private=stored_private,
        sensitive=sensitive,
        secret=sensitive and any(f.category == "secret" and f.confidence >= 0.5 for f in findings),
    )
    reasons = privacy_reasons(base)
    return Classified(
        base,
        sorted({f.kind for f in findings}),
        # Stored as "sensitive" when this level would keep it local: it never enters a cloud prompt raw.
        keep_local=any(r in CONTENT_REASONS for r in reasons),
        # Written while the conversation had to stay local: never in a cloud prompt, whatever the level becomes.
        local_only=any(r in SITUATION_REASONS for r in reasons),
        redactable=sensitive and level == "redact",
    )


def answer_marks(answer: str, *, local_model: bool, prompt_private: bool) -> dict[str, bool]:
    """How the bot's own answer is stored. A local model writing from a prompt that carried anything marked
    may repeat or paraphrase it ("jane dot doe at …"): that answer is local-only. Every answer is also
    scanned like a user message."""
    local_only = local_model and prompt_private
    return {"sensitive": local_only or privacy.is_sensitive(privacy.scan(answer)), "local_only": local_only}


@dataclass(frozen=True)
class Place:
    """Where a turn's question sits in its conversation, for building its prompt."""

    message_id: int
    again: bool = False  # 🔁: the history is cut at the question

    def in_order(self, newest_first: Iterable[StoredMessage]) -> Iterator[StoredMessage]:
        """History newest first as this turn sees it: the question first, then the answers to earlier
        questions that finished while it waited, then the rest; questions stored after it are left out."""
        later_answers: list[StoredMessage] = []
        for message in newest_first:
            if message.id > self.message_id:
                if message.role != "user":
                    later_answers.append(message)
                continue
            if message.id == self.message_id:
                yield message
                yield from later_answers
                later_answers = []
                continue
            yield from later_answers
            later_answers = []
            yield message
        yield from later_answers


@dataclass(frozen=True)
class Classified:
    """A message's scan and what follows from it for storing and routing."""

    request: RouteRequest  # the privacy fields of the route request
    kinds: list[str]  # finding kinds (never values)
    keep_local: bool  # its content keeps it (and the conversation, sticky) local
    local_only: bool  # the conversation had to stay local when it was written
    redactable: bool  # sensitive at the redact level: cloud prompts get it redacted

    @property
    def marks(self) -> dict[str, bool]:
        """How the message is stored (see `StoredMessage`)."""
        return {"sensitive": self.keep_local or self.redactable or self.local_only, "local_only": self.local_only}


class PrivateSeen:
    """Notes whether any message read into a prompt is marked sensitive (it may be one past the window)."""

    def __init__(self) -> None:
        self.seen = False

    def watch(self, history: Iterable[StoredMessage]) -> Iterator[StoredMessage]:
        for message in history:
            self.seen = self.seen or message.sensitive
            yield message
