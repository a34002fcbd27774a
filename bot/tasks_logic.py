"""The task manager's pure parts: due dates in a person's words, and how tasks read. No I/O.

Due dates are parsed with dateparser relative to the person's time zone and stored as UTC. A due date
said without a time ("Friday", "tomorrow", "24 December") is a whole day: stored as that day's start in
the person's zone and shown without a time; it is overdue only once the day is over.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MAX_TITLE = 200
MAX_NOTES = 1000
CLEAR_WORDS = ("", "none", "no", "never", "clear", "remove", "-")
# Tried when English fails. All of dateparser's ~200 locales would cost ~3 s to load on the first miss;
# these cost ~0.6 s once.
OTHER_LANGUAGES = ["fr", "de", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "ru", "uk", "tr"]
OTHER_LANGUAGES += ["ja", "zh", "ko", "ar", "hi"]

# Words that put a time of day into a due date: "5pm", "17:00", "17 Uhr", "noon", "in 2 hours".
_TIME_WORDS = re.compile(
    r"\d\s*(?::|h\b|am\b|pm\b|a\.m\.|p\.m\.|uhr\b|o'clock)|\b(?:noon|midnight|midday|hours?|minutes?|mins?)\b",
    re.IGNORECASE,
)


class DueNotUnderstood(ValueError):
    """The due text is not a date dateparser can read; the message suggests forms that work."""


@dataclass(frozen=True)
class Due:
    at: dt.datetime  # aware, UTC
    all_day: bool


@dataclass(frozen=True)
class Task:
    number: int  # per person: #1, #2…
    title: str
    notes: str
    due: Due | None
    done: bool
    local_only: bool  # written in a private turn or sensitive: never shown in a turn that may reach the cloud


def _parse(text: str, zone: str, base: dt.datetime, languages: list[str] | None) -> dt.datetime | None:
    from dateparser.date import DateDataParser  # on first use: ~0.2 s of imports kept out of start-up

    settings = {
        "TIMEZONE": zone,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base.replace(tzinfo=None),
    }
    return DateDataParser(languages=languages, settings=settings).get_date_data(text).date_obj


def parse_due(text: str, zone: str, now: dt.datetime) -> Due:
    """A due date from a person's words in their zone ("tomorrow 5pm", "Friday", "2026-12-24", "24 décembre").

    English is tried first (fast); twenty other widely spoken languages when that fails (the first such try
    loads their data, about half a second: call this off the event loop).
    """
    tz = ZoneInfo(zone)
    base = now.astimezone(tz)
    text = " ".join(text.split())
    parsed = _parse(text, zone, base, ["en"]) or _parse(text, zone, base, OTHER_LANGUAGES)
    if parsed is None:
        raise DueNotUnderstood(
            f"I couldn't read {text!r} as a date. Use words like 'tomorrow 5pm', 'Friday', 'in 3 days' or '2026-12-24'."
        )
    local = parsed.astimezone(tz)
    said_a_time = bool(_TIME_WORDS.search(text))
    if not said_a_time and local.time() in (dt.time(0, 0), base.time().replace(tzinfo=None)):
        start = dt.datetime.combine(local.date(), dt.time(0, 0), tzinfo=tz)
        return Due(start.astimezone(dt.UTC), all_day=True)
    return Due(local.astimezone(dt.UTC), all_day=False)


def wants_clear(text: str) -> bool:
    """Whether a due text asks to remove the due date ("none", "", "clear")."""
    return text.strip().lower() in CLEAR_WORDS


def is_overdue(due: Due, zone: str, now: dt.datetime) -> bool:
    if due.all_day:
        tz = ZoneInfo(zone)
        return due.at.astimezone(tz).date() < now.astimezone(tz).date()
    return due.at < now


def describe_due(due: Due, zone: str, now: dt.datetime) -> str:
    """'today', 'tomorrow 17:00', 'Fri 5 Dec', 'Mon 4 Jan 2027 09:30' — in the person's zone."""
    tz = ZoneInfo(zone)
    local, today = due.at.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    if days == 0:
        day = "today"
    elif days == 1:
        day = "tomorrow"
    elif days == -1:
        day = "yesterday"
    else:
        day = f"{local:%a} {local.day} {local:%b}" + (f" {local.year}" if local.year != today.year else "")
    return day if due.all_day else f"{day} {local:%H:%M}"


def task_line(task: Task, zone: str, now: dt.datetime, *, hide_private: bool = False, lock: bool = False) -> str:
    """One task as a line: '#3 Buy milk — due tomorrow 17:00 (overdue)'. With `hide_private`, a local-only
    task shows no title (for turns whose text may reach a cloud model); with `lock`, it is marked 🔒."""
    if hide_private and task.local_only:
        return f"#{task.number} (added in a private conversation; ask me in a DM or use /tasks to see it)"
    mark = ("✓ " if task.done else "") + ("🔒 " if lock and task.local_only else "")
    line = f"#{task.number} {mark}{task.title}"
    if task.due is not None:
        line += f" — due {describe_due(task.due, zone, now)}"
        if not task.done and is_overdue(task.due, zone, now):
            line += " (overdue)"
    if task.notes:
        line += f"\n    {task.notes}"
    return line


def task_list(
    tasks: list[Task],
    zone: str,
    now: dt.datetime,
    *,
    done: bool = False,
    hide_private: bool = False,
    lock: bool = False,
) -> str:
    """The person's tasks, numbered, open ones first by due date; a plain sentence when there are none."""
    if not tasks:
        return "You have no completed tasks." if done else "You have no open tasks."
    ordered = sorted(tasks, key=lambda t: (t.done, t.due is None, t.due.at if t.due else now, t.number))
    shown = [t for t in ordered if not (hide_private and t.local_only)]
    hidden = len(ordered) - len(shown)
    head = f"{'Completed' if done else 'Open'} tasks ({len(tasks)}, times in {zone}):"
    lines = [head, *(task_line(t, zone, now, lock=lock) for t in shown)]
    if hidden:
        lines.append(
            f"{hidden} more added in private conversations are not shown here; ask me in a DM or use /tasks to see them."
        )
    return "\n".join(lines)


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValueError("a task needs a title (what is to be done)")
    if len(title) > MAX_TITLE:
        raise ValueError(f"a task title can be at most {MAX_TITLE} characters; put details in notes")
    return title
