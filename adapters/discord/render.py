"""Discord text rendering: 2,000-character splitting with code fences, footers, mentions. Pure, no I/O."""

from __future__ import annotations

import re

from bot.privacy import redact, scan

MESSAGE_LIMIT = 2000
THREAD_NAME_LIMIT = 100
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(\S*)\s*$")
_CLOSE_RESERVE = 4  # "\n```"
_SLACK_BOLD = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")


def _hard_wrap(line: str, width: int) -> list[str]:
    """Cut a line longer than ``width``, preferring to break after whitespace."""
    pieces = []
    while len(line) > width:
        cut = line.rfind(" ", width // 2, width)
        cut = width if cut <= 0 else cut + 1
        pieces.append(line[:cut])
        line = line[cut:]
    pieces.append(line)
    return pieces


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split text into messages of at most ``limit`` characters.

    Breaks between lines where it can. A code block cut by a break is closed at the end of one message and
    reopened (with its language) at the start of the next, so every message renders on its own.
    """
    if len(text) <= limit:
        return [text] if text.strip() else []
    chunks: list[str] = []
    fence: str | None = None  # the opening line of the code block we are in, e.g. "```python"
    current = ""
    lines = text.split("\n")
    for index, raw in enumerate(lines):
        newline = "\n" if index < len(lines) - 1 else ""
        pieces = _hard_wrap(raw, limit // 2)
        for n, piece in enumerate(pieces):
            candidate = piece + (newline if n == len(pieces) - 1 else "")
            if current.strip() and len(current) + len(candidate) + _CLOSE_RESERVE > limit:
                chunks.append(_close(current, fence))
                current = f"{fence}\n" if fence else ""
            current += candidate
        fence = _track(fence, raw)
    if current.strip() and not (fence and current.strip() == fence):
        chunks.append(current.rstrip("\n"))
    return chunks


def _close(chunk: str, fence: str | None) -> str:
    chunk = chunk.rstrip("\n")
    if fence:
        chunk += "\n" + _marker(fence)
    return chunk


def _track(fence: str | None, line: str) -> str | None:
    """The code block we are in after ``line``: its opening line, or None outside code."""
    match = _FENCE.match(line)
    if not match:
        return fence
    if fence is None:
        return line.strip()
    closes = not match.group(2) and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(_marker(fence))
    return None if closes else fence


def _marker(fence: str) -> str:
    found = re.match(r"[`~]+", fence)
    return found.group(0) if found else "```"


def open_fence(text: str) -> bool:
    """True when the text ends inside an unclosed code block."""
    fence: str | None = None
    for line in text.split("\n"):
        fence = _track(fence, line)
    return fence is not None


def final_text(answer: str, *, extra: list[str], footer: str | None) -> str:
    """The whole finished answer: text, then notes (errors, notices), then the `-#` subtext footer."""
    body = answer.rstrip()
    if body and open_fence(body):
        body += "\n```"
    tail = [line for line in extra if line]
    if footer:
        tail.append(f"-# {footer}")
    if not body:
        return "\n".join(tail)
    return "\n".join([body, *tail]) if tail else body


def discord_markdown(text: str) -> str:
    """The engine writes Slack-style *bold*; Discord spells it **bold**."""
    return _SLACK_BOLD.sub(r"**\1**", text)


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
