"""What a command gets and gives back: its context, its result and the choices a platform may show as a menu."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.session import SessionKey

if TYPE_CHECKING:
    from bot.attachments import Attachment
    from bot.digest import HistoryReader, Progress


@dataclass(frozen=True)
class CommandContext:
    key: SessionKey
    user_id: str
    user_name: str = ""
    private: bool = False  # DM or private mode
    can_change_channel: bool = True  # False for non-admins when channel changes are admin-only
    tz: str | None = None  # the person's IANA time zone, when the platform gives one (Slack)
    history: HistoryReader | None = None  # this place's history, for /summarize (bot/digest.py)
    progress: Progress | None = None  # progress lines of a long command, shown to the caller as it runs
    attachments: tuple[Attachment, ...] = ()  # files sent with the command (/kb add)
    is_admin: bool = False  # a workspace/server admin (or listed in the adapter's admin ids); the console's user


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    current: bool = False


@dataclass
class CommandResult:
    text: str
    ok: bool = True
    announce: str | None = None  # a short line for everyone in the channel
    choices: list[Choice] = field(default_factory=list)


def parse(text: str) -> tuple[str, list[str]]:
    words = text.strip().split()
    if not words:
        return "", []
    return words[0].lstrip("/").lower(), words[1:]
