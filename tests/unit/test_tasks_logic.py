"""Due dates in a person's words and zone, stored in UTC; how tasks and lists read (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.tasks_logic import Due, DueNotUnderstood, Task, describe_due, is_overdue, parse_due, task_line, task_list

# Thursday 3 December 2026, 18:30 UTC = 19:30 in Paris, 10:30 in Los Angeles, 03:30 (Friday!) in Tokyo.
NOW = dt.datetime(2026, 12, 3, 18, 30, tzinfo=dt.UTC)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "zone", "at", "all_day"),
    [
        ("tomorrow 5pm", "Europe/Paris", utc(2026, 12, 4, 16, 0), False),  # 17:00 Paris = 16:00 UTC
        ("tomorrow at 17:00", "America/Los_Angeles", utc(2026, 12, 5, 1, 0), False),
        ("tomorrow", "Europe/Paris", utc(2026, 12, 3, 23, 0), True),  # Friday 4 Dec, the whole day
        ("Friday", "Europe/Paris", utc(2026, 12, 3, 23, 0), True),
        ("friday", "Asia/Tokyo", utc(2026, 12, 10, 15, 0), True),  # already Friday in Tokyo: the next one
        ("2026-12-24", "Europe/Paris", utc(2026, 12, 23, 23, 0), True),
        ("24 December", "UTC", utc(2026, 12, 24, 0, 0), True),
        ("24 décembre", "Europe/Paris", utc(2026, 12, 23, 23, 0), True),  # another language, detected
        ("in 2 hours", "Europe/Paris", utc(2026, 12, 3, 20, 30), False),
        ("in 3 days", "UTC", utc(2026, 12, 6, 0, 0), True),
        ("next tuesday 9am", "Europe/London", utc(2026, 12, 8, 9, 0), False),
        ("  tomorrow   noon ", "UTC", utc(2026, 12, 4, 12, 0), False),
    ],
)
def test_due_dates_are_read_in_the_persons_zone_and_stored_in_utc(text, zone, at, all_day) -> None:
    due = parse_due(text, zone, NOW)
    assert (due.at, due.all_day) == (at, all_day)
    assert due.at.tzinfo == dt.UTC


@pytest.mark.parametrize("text", ["asdf", "when pigs fly", "soonish"])
def test_a_due_date_that_cannot_be_read_says_what_works(text) -> None:
    with pytest.raises(DueNotUnderstood, match="tomorrow 5pm"):
        parse_due(text, "UTC", NOW)


@pytest.mark.parametrize(
    ("due", "zone", "shown", "overdue"),
    [
        (Due(utc(2026, 12, 4, 16, 0), False), "Europe/Paris", "tomorrow 17:00", False),
        (Due(utc(2026, 12, 3, 23, 0), True), "Europe/Paris", "tomorrow", False),
        (Due(utc(2026, 12, 3, 0, 0), True), "UTC", "today", False),  # a whole day is due until it is over
        (Due(utc(2026, 12, 3, 12, 0), False), "UTC", "today 12:00", True),
        (Due(utc(2026, 12, 2, 0, 0), True), "UTC", "yesterday", True),
        (Due(utc(2026, 12, 11, 8, 0), False), "UTC", "Fri 11 Dec 08:00", False),
        (Due(utc(2027, 1, 4, 8, 30), False), "UTC", "Mon 4 Jan 2027 08:30", False),
        (Due(utc(2026, 12, 3, 23, 0), True), "Asia/Tokyo", "today", False),  # 08:00 Friday in Tokyo
    ],
)
def test_due_dates_read_relative_to_today_in_the_persons_zone(due, zone, shown, overdue) -> None:
    assert describe_due(due, zone, NOW) == shown
    assert is_overdue(due, zone, NOW) is overdue


MILK = Task(1, "Buy milk", "", Due(utc(2026, 12, 4, 16, 0), False), False, False)
LATE = Task(2, "File the report", "the Q4 one", Due(utc(2026, 12, 1, 9, 0), False), False, False)
DOCTOR = Task(3, "Call Dr Weber about the biopsy", "", None, False, True)
PAID = Task(4, "Pay rent", "", None, True, False)


def test_a_task_line_shows_number_title_due_overdue_and_notes() -> None:
    assert task_line(MILK, "Europe/Paris", NOW) == "#1 Buy milk — due tomorrow 17:00"
    assert task_line(LATE, "UTC", NOW) == "#2 File the report — due Tue 1 Dec 09:00 (overdue)\n    the Q4 one"
    assert task_line(PAID, "UTC", NOW) == "#4 ✓ Pay rent"


def test_a_local_only_task_shows_no_title_where_the_text_may_reach_the_cloud() -> None:
    hidden = task_line(DOCTOR, "UTC", NOW, hide_private=True)
    assert hidden.startswith("#3 ") and "Weber" not in hidden and "biopsy" not in hidden
    assert "Weber" in task_line(DOCTOR, "UTC", NOW)


def test_the_list_puts_overdue_and_soonest_first_and_counts_hidden_ones() -> None:
    text = task_list([MILK, DOCTOR, LATE], "UTC", NOW, hide_private=True)
    lines = text.splitlines()
    assert lines[0] == "Open tasks (3, times in UTC):"
    assert lines[1].startswith("#2 File the report") and lines[3].startswith("#1 Buy milk")
    assert "Weber" not in text and "1 more added in private conversations" in text
    full = task_list([MILK, DOCTOR, LATE], "UTC", NOW)
    assert "#3 Call Dr Weber about the biopsy" in full.splitlines()[-1]  # no due date: last


def test_empty_lists_say_so_plainly() -> None:
    assert task_list([], "UTC", NOW) == "You have no open tasks."
    assert task_list([], "UTC", NOW, done=True) == "You have no completed tasks."
