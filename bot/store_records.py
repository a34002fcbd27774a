"""What the store returns: conversations, messages and turns as dataclasses, and the row → dataclass
converters built once per table."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import operator
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.session import SessionKey

T = TypeVar("T")


@dataclass
class Conversation:
    id: int
    key: SessionKey
    private: bool
    sticky_private: bool
    summary: str
    summary_upto: int
    summary_sensitive: bool


@dataclass
class StoredMessage:
    id: int
    role: str
    author_id: str
    author_name: str
    content: str
    sensitive: bool  # withheld from cloud prompts (at the redact level released redacted)
    local_only: bool = False  # withheld from cloud prompts in every form, whatever the level becomes


@dataclass
class TurnRecord:
    id: int
    conversation_id: int
    user_message_id: int | None
    answer_message_id: int | None
    user_id: str
    status: str
    provider: str
    model: str
    locality: str
    agent: str
    reasons: list[str]
    finding_kinds: list[str]
    prompt_tokens: int
    completion_tokens: int
    first_token_ms: float | None
    latency_ms: float | None
    error: str
    created_at: float


def _converter(cls: type[T], **decoders: Callable[[Any], Any]) -> Callable[[sqlite3.Row], T]:
    """Row → dataclass, built once per table: the field names and decoders are looked up here, not per row
    (`dataclasses.fields()` on every row made prompt building ~1.4× slower)."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    plain = operator.itemgetter(*names)
    steps = tuple((names.index(name), decode) for name, decode in decoders.items())

    def convert(row: sqlite3.Row) -> T:
        values = list(plain(row))
        for index, decode in steps:  # only the decoded fields are touched
            values[index] = decode(values[index])
        return cls(*values)

    return convert


message_row = _converter(StoredMessage, sensitive=bool, local_only=bool)
turn_row = _converter(TurnRecord, reasons=json.loads, finding_kinds=json.loads)


@contextlib.contextmanager
def immediate_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One BEGIN IMMEDIATE … COMMIT (rolled back on any error): the write lock is taken up front, so a
    concurrent writer waits (busy_timeout) instead of failing half-way. Inside an open transaction it joins
    that one (its statements commit or roll back with the outer transaction)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
