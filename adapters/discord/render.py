"""Discord text rendering: 2,000-character messages, footers, mentions, thread names. Pure, no I/O."""

from __future__ import annotations

import re

from adapters.common.pages import close_open_fence, split_pages
from bot.privacy import redact, scan

MESSAGE_LIMIT = 2000
THREAD_NAME_LIMIT = 100


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Discord messages of at most ``limit`` characters, code blocks closed and reopened at breaks."""
    return split_pages(text, limit)


def final_text(answer: str, *, extra: list[str], footer: str | None) -> str:
    """The whole finished answer: text, then notes (errors, notices), then the `-#` subtext footer."""
    body = close_open_fence(answer.rstrip())
    tail = [line for line in extra if line]
    if footer:
        tail.append(f"-# {footer}")
    if not body:
        return "\n".join(tail)
    return "\n".join([body, *tail]) if tail else body


def strip_mentions(content: str, bot_id: int, names: dict[int, str]) -> str:
    """Remove mentions of the bot; show other user mentions as @display name."""
    content = re.sub(rf"<@!?{bot_id}>", "", content)

    def name(match: re.Match[str]) -> str:
        return "@" + names.get(int(match.group(1)), "someone")

    return re.sub(r"<@!?(\d+)>", name, content).strip()


def thread_name(text: str, fallback: str) -> str:
    """A thread title from the first line of the question, with secrets and personal data redacted.

    The title is shown to everyone who can see the channel, so whatever the detector finds in the line (any
    confidence) is replaced by its kind, e.g. "[REDACTED:email]"; a line that is nothing but findings gets the
    neutral fallback.
    """
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    findings = scan(first)
    if findings:
        first = redact(first, findings)
        if not re.sub(r"\[REDACTED:[^\]]*\]|\W", "", first):
            first = fallback
    first = re.sub(r"[`*_~|>#]", "", first).strip() or fallback
    if len(first) > THREAD_NAME_LIMIT:
        first = first[: THREAD_NAME_LIMIT - 1].rstrip() + "…"
    return first
